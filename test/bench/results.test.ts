import assert from "node:assert/strict";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime";
import {
    callsPerResource,
    checkTarget,
    describeTarget,
    fixedCosts,
    kmsWindowRatio,
    measureSizes,
    median,
    phaseOk,
    summarizeCold,
    TARGETS,
} from "../../bench/results";
import { phaseResult } from "./fixture";

describe("bench/results", () => {
    const create = { GetParametersForImport: 200, ImportKeyMaterial: 200, DescribeKey: 400, ListKeyRotations: 200 };

    it("holds the issue's targets: create, update and delete within 1.10 × bound, refresh 2 ×, preview 10 s", () => {
        assert.deepEqual(TARGETS, {
            preview: { kind: "wall", maxMs: 10_000 },
            create: { kind: "ratio", max: 1.1 },
            refresh: { kind: "ratio", max: 2 },
            update: { kind: "ratio", max: 1.1 },
            delete: { kind: "ratio", max: 1.1 },
        });
        assert.equal(describeTarget(TARGETS.create), "≤ 1.10 × bound");
        assert.equal(describeTarget(TARGETS.preview), "≤ 10 s");
    });

    it("meets a ratio target at the limit and misses it above", () => {
        assert.equal(checkTarget(phaseResult("create", 220_000, create)).met, true);
        const over = checkTarget(phaseResult("create", 220_001, create));
        assert.equal(over.met, false);
        assert.equal(over.measured, 220_001 / 200_000);
        assert.equal(checkTarget(phaseResult("refresh", 4_000, { ListKeyRotations: 200, DescribeKey: 200 })).met, true);
        assert.equal(
            checkTarget(phaseResult("refresh", 4_001, { ListKeyRotations: 200, DescribeKey: 200 })).met,
            false,
        );
    });

    it("judges the preview by its wall time", () => {
        assert.equal(checkTarget(phaseResult("preview", 10_000, {})).met, true);
        assert.equal(checkTarget(phaseResult("preview", 10_001, {})).met, false);
    });

    it("never counts a phase with failures or missing resources as met, however fast", () => {
        assert.equal(checkTarget(phaseResult("create", 100_000, create, { resources: 199 })).met, false);
        assert.equal(checkTarget(phaseResult("create", 100_000, create, { failedSteps: 1 })).met, false);
        assert.equal(checkTarget(phaseResult("create", 100_000, create, { errors: ["boom"] })).met, false);
        assert.equal(phaseOk(phaseResult("create", 100_000, create, { errors: ["boom"] })), false);
        assert.equal(phaseOk(phaseResult("create", 100_000, create)), true);
    });

    it("counts KMS calls per resource against the minimum", () => {
        const row = callsPerResource(phaseResult("create", 210_000, create, { throttled: 20 }));
        assert.deepEqual(row.byOperation, {
            GetParametersForImport: 1,
            ImportKeyMaterial: 1,
            DescribeKey: 2,
            ListKeyRotations: 1,
        });
        assert.equal(row.total, 5);
        assert.equal(row.minimum, 2);
        assert.equal(row.throttledPerResource, 0.1);
        assert.equal(callsPerResource(phaseResult("preview", 5000, {})).minimum, 0);
        assert.equal(callsPerResource(phaseResult("delete", 14_000, { DeleteImportedKeyMaterial: 200 })).minimum, 1);
    });

    it("splits the wall time around the KMS work", () => {
        const p = phaseResult("delete", 14_000, { DeleteImportedKeyMaterial: 200 });
        assert.deepEqual(fixedCosts(p), { beforeFirstKmsMs: 2100, afterLastKmsMs: 400 });
        assert.equal(kmsWindowRatio(p), (13_600 - 2100) / ((200 / 15) * 1000));
        assert.equal(kmsWindowRatio(phaseResult("preview", 5000, {})), undefined);
        assert.equal(
            fixedCosts(phaseResult("preview", 5000, {}, { timeline: { ...p.timeline, firstKmsAnswerMs: undefined } })),
            undefined,
        );
    });

    it("measures sizes from a stack export, secrets encrypted, __provider stored in inputs and outputs", () => {
        const provider = "exports.handler = __f0; /* … */";
        const secret = { [specialSigKey]: specialSecretSig, ciphertext: "v1:abc" };
        const material = {
            urn: "urn:pulumi:s::p::pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial::material-0000",
            type: "pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial",
            inputs: { __provider: provider, keyId: "k", keyMaterial: secret },
            outputs: { __provider: provider, keyId: "k", keyMaterialId: "ab" },
        };
        const text = JSON.stringify({
            version: 3,
            deployment: {
                resources: [
                    { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack" },
                    material,
                ],
            },
        });
        const sizes = measureSizes(text, 5000, 2, "material-0000");
        assert.equal(sizes.providerBytes, Buffer.byteLength(provider));
        assert.equal(sizes.providerCopiesInEntry, 2);
        assert.equal(sizes.entryBytes, Buffer.byteLength(JSON.stringify(material)));
        assert.equal(sizes.entryInputsBytes, Buffer.byteLength(JSON.stringify(material.inputs)));
        assert.equal(sizes.exportBytesPerMaterial, Buffer.byteLength(text) / 2);
        assert.equal(sizes.stateFileBytesPerMaterial, 2500);
        assert.throws(() => measureSizes(text, 5000, 2, "material-0001"), /no material-0001 in the stack export/);
    });

    it("takes medians of what was measured, ignoring what was not", () => {
        assert.equal(median([3, undefined, 1, 2]), 2);
        assert.equal(median([4, 1, 2, 3]), 2.5);
        assert.equal(median([undefined]), undefined);
        const cold = summarizeCold([
            {
                hostSeenMs: 700,
                firstKmsAnswerMs: 2000,
                createDoneMs: 2300,
                wallMs: 2600,
                cliCpuMs: 400,
                hostCpuMs: 900,
                ok: true,
            },
            {
                hostSeenMs: 900,
                firstKmsAnswerMs: undefined,
                createDoneMs: 2500,
                wallMs: 2800,
                cliCpuMs: 500,
                hostCpuMs: 1000,
                ok: true,
            },
        ]);
        assert.equal(cold.median.hostSeenMs, 800);
        assert.equal(cold.median.firstKmsAnswerMs, 2000);
        assert.equal(cold.median.createDoneMs, 2400);
    });
});
