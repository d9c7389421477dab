// Timing presets: "aws" (new keys invisible, state changes propagating late, rotation taking seconds, a fresh
// wrapping key pair per GetParametersForImport) and "fast". Time is moved with the kms-local clock, never waited.

import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
    CreateKeyCommand,
    DescribeKeyCommand,
    GetKeyRotationStatusCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    ListKeyRotationsCommand,
    RotateKeyOnDemandCommand,
    type KMSClient,
} from "@aws-sdk/client-kms";
import { startKmsLocal, TIMING_PRESETS } from "../../../kms-local/index.js";
import {
    expectKmsError,
    importMaterial,
    makeClient,
    symmetricMaterial,
    TEST_DEFAULTS,
    useKmsLocal,
    wrapMaterial,
} from "../fixture.js";
import { rawRequest } from "../wire/raw.js";

const fingerprint = (der: Uint8Array | undefined) =>
    createHash("sha256")
        .update(der as Uint8Array)
        .digest("hex");

describe("kms-local timing presets", () => {
    const f = useKmsLocal({ timing: "aws" });
    const c = () => f().client;
    const aws = TIMING_PRESETS.aws;

    it("'aws' sets seconds-long delays and fresh wrapping keys; explicit options override single values", async () => {
        const s = f().kms.control.switches;
        assert.deepEqual(
            [s.newKeyInvisibleMs, s.stateChangePropagationMs, s.replicaCreatingMs, s.wrappingKeyPerCall],
            [1000, 1000, 2000, "fresh"],
        );
        // The fixture's TEST_DEFAULTS pass rotationDelayMs: 50, an explicit override of the preset's 3000.
        assert.equal(s.rotationDelayMs, 50);
        const overridden = await startKmsLocal({ ...TEST_DEFAULTS, timing: "aws" });
        const plain = await startKmsLocal({
            quotas: { enabled: false },
            timing: "aws",
            switches: { newKeyInvisibleMs: 5 },
        });
        try {
            assert.equal(overridden.control.switches.rotationDelayMs, 50);
            assert.equal(plain.control.switches.rotationDelayMs, 3000);
            assert.equal(plain.control.switches.newKeyInvisibleMs, 5);
            assert.deepEqual(TIMING_PRESETS.fast, {
                newKeyInvisibleMs: 0,
                stateChangePropagationMs: 0,
                rotationDelayMs: 300,
                replicaCreatingMs: 200,
                wrappingKeyPerCall: "shared",
            });
            await assert.rejects(startKmsLocal({ timing: "slow" as "aws" }), /timing must be one of: fast, aws/);
        } finally {
            await overridden.stop();
            await plain.stop();
        }
    });

    it("hides a new key, then shows each state change only after the propagation delay", async () => {
        f().kms.control.setSwitches({ rotationDelayMs: aws.rotationDelayMs });
        const { KeyMetadata: created } = await c().send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
        const keyId = created?.KeyId as string;
        await expectKmsError(
            c().send(new DescribeKeyCommand({ KeyId: keyId })),
            "NotFoundException",
            `Key '${created?.Arn}' does not exist`,
        );
        f().kms.control.clock.advance(aws.newKeyInvisibleMs);
        const state = async () => (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
        assert.equal(await state(), "PendingImport");
        await importMaterial(c(), keyId, symmetricMaterial());
        assert.equal(await state(), "PendingImport", "DescribeKey still shows the metadata from before the import");
        f().kms.control.clock.advance(aws.stateChangePropagationMs);
        assert.equal(await state(), "Enabled");

        await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await c().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
        const rotating = await c().send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
        assert.ok(rotating.OnDemandRotationStartDate instanceof Date, "rotation in progress");
        f().kms.control.clock.advance(aws.rotationDelayMs - 100);
        assert.ok(
            (await c().send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).OnDemandRotationStartDate,
            "still rotating just before",
        );
        f().kms.control.clock.advance(100);
        assert.equal(
            (await c().send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).OnDemandRotationStartDate,
            undefined,
        );
        const { Rotations } = await c().send(new ListKeyRotationsCommand({ KeyId: keyId }));
        assert.equal(Rotations?.length, 1, "rotation completed");
        f().kms.control.resetSwitches();
    });

    it(
        "gives every GetParametersForImport response its own wrapping key pair, in every " + "instance of the process",
        async () => {
            const keyId = (await c().send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
            f().kms.control.clock.advance(aws.newKeyInvisibleMs);
            const other = await startKmsLocal({ quotas: { enabled: false }, timing: "aws" });
            const oc: KMSClient = makeClient(other);
            try {
                const otherKey = (await oc.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
                    ?.KeyId as string;
                other.control.clock.advance(aws.newKeyInvisibleMs);
                const params = (client: KMSClient, key: string, spec: "RSA_2048" | "RSA_3072" | "RSA_4096") =>
                    client.send(
                        new GetParametersForImportCommand({
                            KeyId: key,
                            WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
                            WrappingKeySpec: spec,
                        }),
                    );
                // Concurrent calls, two instances, more calls than the stock holds: all different.
                const responses = await Promise.all([
                    ...Array.from({ length: 4 }, () => params(c(), keyId, "RSA_2048")),
                    ...Array.from({ length: 3 }, () => params(oc, otherKey, "RSA_2048")),
                    params(c(), keyId, "RSA_3072"),
                ]);
                const prints = responses.map((r) => fingerprint(r.PublicKey));
                assert.equal(new Set(prints).size, prints.length, "no public key handed out twice");
                // Each token is linked to its own public key: material wrapped under another response's key fails.
                const [first, second] = responses as [(typeof responses)[0], (typeof responses)[0]];
                const crossed = new ImportKeyMaterialCommand({
                    KeyId: keyId,
                    ImportToken: first.ImportToken,
                    EncryptedKeyMaterial: wrapMaterial(
                        second.PublicKey as Uint8Array,
                        "RSA_AES_KEY_WRAP_SHA_256",
                        symmetricMaterial(),
                    ),
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                });
                await expectKmsError(c().send(crossed), "InvalidCiphertextException");
                await c().send(
                    new ImportKeyMaterialCommand({
                        KeyId: keyId,
                        ImportToken: second.ImportToken,
                        EncryptedKeyMaterial: wrapMaterial(
                            second.PublicKey as Uint8Array,
                            "RSA_AES_KEY_WRAP_SHA_256",
                            symmetricMaterial(),
                        ),
                        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                    }),
                );
            } finally {
                oc.destroy();
                await other.stop();
            }
        },
    );

    it("switches preset at run time, in process and over HTTP", async () => {
        f().kms.control.setTiming("fast");
        assert.equal(f().kms.control.switches.wrappingKeyPerCall, "shared");
        assert.equal(f().kms.control.switches.newKeyInvisibleMs, 0);
        const keyId = (await c().send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        assert.equal(
            (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
            "PendingImport",
            "visible at once",
        );
        const r = await rawRequest(f().kms.url, {
            path: "/_kms-local/timing",
            body: JSON.stringify({ timing: "aws" }),
            headers: { "content-type": "application/json" },
        });
        assert.equal(r.status, 200);
        assert.equal(f().kms.control.switches.wrappingKeyPerCall, "fresh");
        const bad = await rawRequest(f().kms.url, {
            path: "/_kms-local/timing",
            body: JSON.stringify({ timing: "slow" }),
            headers: { "content-type": "application/json" },
        });
        assert.equal(bad.status, 400);
        assert.throws(() => f().kms.control.setTiming("slow" as "aws"), /timing must be one of/);
        f().kms.control.resetSwitches();
        assert.equal(f().kms.control.switches.newKeyInvisibleMs, 1000, "reset returns to the start preset");
    });
});
