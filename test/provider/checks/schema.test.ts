import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    ArgsOf,
    DeclaredOutputs,
    InputSchema,
    PlainInputs,
    changedEchoes,
    echoedInputs,
    namesOf,
    secretNames,
    seededOutputs,
    typeRules,
} from "../../../provider/checks/schema";
import { CREDENTIAL_INPUTS, SECRET_INPUTS } from "../../../provider/checks/redaction";
import { checkInputs } from "../../../provider/material/check";
import { buildOutputs } from "../../../provider/material/outputs";
import { INPUT_NAMES, MaterialInputs } from "../../../provider/material/properties";
import { MATERIAL_INPUTS, MATERIAL_OUTPUTS } from "../../../provider/material/schema";
import { BYOK_KEY_INPUTS, BYOK_TO_MATERIAL } from "../../../provider/resource/byokKeySchema";
import type { ImportedKeyMaterialArgs } from "../../../provider/resource/importedKeyMaterial";
import {
    ROTATION_INPUT_NAMES,
    RotationInputs,
    RotationOutputs,
    checkRotation,
    diffRotation,
} from "../../../provider/rotation/lifecycle";
import { ROTATION_INPUTS } from "../../../provider/rotation/schema";
import { PAGE_TEXTS } from "../../../tools/docs/pageTexts";
import { SCHEMAS, renderPage } from "../../../tools/docs/generate";
import { KEY_ID, SYMMETRIC } from "../../support/badInputs";
import { hasChanges, planChanges } from "../../../provider/material/plan";
import { materialOutputs } from "../../support/materialOutputs";
import { randomBytes } from "node:crypto";

/**
 * The schemas (material/schema.ts, rotation/schema.ts, resource/byokKeySchema.ts) are the one place a property is
 * declared: the lists the provider works from, the types a program is checked against and the reference pages
 * all follow them, and removing an entry removes the property from each.
 */

const without = <S extends object, K extends keyof S>(schema: S, name: K): Omit<S, K> => {
    const copy = { ...schema };
    delete copy[name];
    return copy;
};

/** A value of another type than the schema's rule for it. */
const WRONG = {
    string: 12345,
    boolean: "yes",
    number: "7",
    "string list": "not a list",
    object: "not an object",
} as const;

describe("provider/checks/schema: one schema per resource, everything derived", () => {
    it(
        "the provider's lists are the schema's: input names, secret outputs, the material's " +
            "secret, the echoed outputs",
        () => {
            assert.deepEqual([...INPUT_NAMES], Object.keys(MATERIAL_INPUTS));
            assert.deepEqual([...ROTATION_INPUT_NAMES], Object.keys(ROTATION_INPUTS));
            assert.deepEqual(secretNames(MATERIAL_INPUTS), ["keyMaterial", "hsmPin", "hsmModuleParameters"]);
            assert.deepEqual(
                [...SECRET_INPUTS],
                secretNames(MATERIAL_INPUTS, "material"),
                "redaction derives encodings of the material inputs",
            );
            assert.deepEqual(
                [...CREDENTIAL_INPUTS],
                secretNames(MATERIAL_INPUTS, "credential"),
                "check never names a credential input, whatever its value",
            );
            assert.deepEqual(Object.keys(seededOutputs(MATERIAL_OUTPUTS)), Object.keys(MATERIAL_OUTPUTS));
            const echoed = echoedInputs(MATERIAL_OUTPUTS, {
                keyId: KEY_ID,
                endpoint: "https://kms.eu-west-1.amazonaws.com",
            });
            assert.deepEqual(echoed, {
                keyId: KEY_ID,
                importType: null,
                rotateOnDemand: false,
                endpoint: "https://kms.eu-west-1.amazonaws.com",
                profile: null,
                trustedEndpoints: null,
                assumeRole: null,
                hsmKey: null,
                validityPeriodHours: null,
                hsmGenerate: false,
            });
            // No secret input is ever an output.
            for (const secret of secretNames(MATERIAL_INPUTS)) assert.ok(!(secret in MATERIAL_OUTPUTS), secret);
        },
    );

    it("check enforces each input's type as the schema gives it (ImportedKeyMaterial and KeyMaterialRotation)", () => {
        const now = new Date();
        for (const [name, rule] of typeRules(MATERIAL_INPUTS)) {
            const { failures } = checkInputs({}, { keyId: KEY_ID, keyMaterial: SYMMETRIC, [name]: WRONG[rule] }, now);
            assert.ok(
                failures.some((f) => f.reason.startsWith(`${name} must be`)),
                `${name} (${rule}): ${JSON.stringify(failures)}`,
            );
        }
        for (const [name, rule] of typeRules(ROTATION_INPUTS)) {
            const { failures } = checkRotation({ keyId: KEY_ID, keyMaterialId: "a".repeat(64), [name]: WRONG[rule] });
            assert.ok(
                failures.some((f) => f.reason.startsWith(`${name} must be`)),
                `${name} (${rule}): ${JSON.stringify(failures)}`,
            );
        }
    });

    it("buildOutputs copies the inputs the schema echoes, as given", () => {
        const inputs: MaterialInputs = { keyId: KEY_ID, profile: "p", hsmGenerate: true, validityPeriodHours: 48 };
        const status = {
            keyArn: `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`,
            keySpec: "SYMMETRIC_DEFAULT",
            keyMaterialId: "a".repeat(64),
            keyState: "Enabled",
            importState: "IMPORTED",
            keyMaterialState: "CURRENT",
            condition: "IMPORTED",
            expirationModel: "KEY_MATERIAL_EXPIRES",
            validTo: "2030-01-01T00:00:00.000Z",
            keyMaterialDescription: null,
            multiRegionKeyType: null,
        } as unknown as Parameters<typeof buildOutputs>[0];
        const applied = {
            inputs,
            wrapping: { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" },
            publicKey: null,
            kmsEndpoint: null,
            keyCheckValue: null,
            hsmWrappingMechanisms: null,
        } as const;
        const outputs = buildOutputs(status, applied, 0) as unknown as Record<string, unknown>;
        assert.deepEqual(
            Object.keys(outputs).sort(),
            Object.keys(MATERIAL_OUTPUTS).sort(),
            "every output, and only those",
        );
        for (const [name, spec] of Object.entries(MATERIAL_OUTPUTS) as [string, { echo?: unknown }][]) {
            if (spec.echo !== undefined)
                assert.equal(outputs[name], (inputs as Record<string, unknown>)[name] ?? spec.echo, name);
        }
    });

    it("changedEchoes: an omitted input and an output an old state lacks both count as the echo", () => {
        const names = [
            "endpoint",
            "profile",
            "rotateOnDemand",
            "hsmGenerate",
            "trustedEndpoints",
            "assumeRole",
        ] as const;
        // A state from before hsmGenerate and trustedEndpoints existed.
        const olds = {
            endpoint: "https://kms.example",
            profile: null,
            rotateOnDemand: false,
            assumeRole: { roleArn: "r" },
        };
        const same = { endpoint: "https://kms.example", hsmGenerate: false, assumeRole: { roleArn: "r" } };
        assert.deepEqual(changedEchoes(MATERIAL_OUTPUTS, names, olds, same), []);
        assert.deepEqual(changedEchoes(MATERIAL_OUTPUTS, names, olds, {}), ["endpoint", "assumeRole"]);
        assert.deepEqual(
            changedEchoes(MATERIAL_OUTPUTS, names, olds, {
                ...same,
                hsmGenerate: true,
                trustedEndpoints: ["https://kms.example"],
                assumeRole: { roleArn: "r", externalId: "e" },
            }),
            ["hsmGenerate", "trustedEndpoints", "assumeRole"],
        );
    });

    it(
        "what a change does is what the plan does: each ImportedKeyMaterial input changed alone (the " +
            'reference\'s "on change")',
        () => {
            const NOW = new Date("2026-12-01T00:00:00Z");
            const base = { keyId: KEY_ID, keyMaterial: SYMMETRIC, validTo: "2027-06-30T00:00:00Z" };
            const renewing = { keyId: KEY_ID, keyMaterial: SYMMETRIC, validityPeriodHours: 720 };
            // A value other than the baseline's, for each input; renewal settings are changed on renewable material
            // (a first period turns fixed expiry into renewal: a reimport), rotateOnDemand on material not yet CURRENT.
            const changed: Record<keyof typeof MATERIAL_INPUTS, [Record<string, unknown>, unknown]> = {
                keyId: [base, "9999abcd-12ab-34cd-56ef-1234567890ab"],
                keyMaterial: [base, randomBytes(32).toString("base64")],
                hsmKey: [base, "pkcs11:token=byok;object=other"],
                hsmPin: [base, "1234"],
                hsmModuleParameters: [base, "configdir='sql:/tmp'"],
                hsmGenerate: [base, true],
                keySpec: [base, "HMAC_256"],
                expirationModel: [base, "KEY_MATERIAL_DOES_NOT_EXPIRE"],
                validTo: [base, "2027-07-01T00:00:00Z"],
                validityPeriodHours: [renewing, 1000],
                earlyRenewalHours: [renewing, 100],
                importType: [base, "NEW_KEY_MATERIAL"],
                keyMaterialDescription: [base, "v2"],
                rotateOnDemand: [base, true],
                wrappingAlgorithm: [base, "RSA_AES_KEY_WRAP_SHA_256"],
                wrappingKeySpec: [base, "RSA_2048"],
                region: [base, "us-east-1"],
                endpoint: [base, "https://kms.eu-west-1.amazonaws.com"],
                profile: [base, "other"],
                trustedEndpoints: [base, ["https://kms.example.com"]],
                assumeRole: [base, { roleArn: "arn:aws:iam::111122223333:role/byok" }],
            };
            for (const [name, spec] of Object.entries(MATERIAL_INPUTS)) {
                const [baseline, value] = changed[name as keyof typeof MATERIAL_INPUTS];
                const olds = materialOutputs({
                    ...(baseline === renewing
                        ? { validTo: "2027-06-30T00:00:00.000Z", validityPeriodHours: 720, earlyRenewalHours: 240 }
                        : {}),
                    keyMaterialState: name === "rotateOnDemand" ? "PENDING_ROTATION" : "CURRENT",
                });
                const news = { ...baseline, [name]: value } as MaterialInputs;
                assert.equal(
                    hasChanges(planChanges(olds, baseline as MaterialInputs, NOW)),
                    false,
                    `${name}: the baseline plans nothing`,
                );
                const plan = planChanges(olds, news, NOW);
                const what = `${name} (${spec.change}): ${JSON.stringify(plan)}`;
                if (spec.change === "replace") assert.deepEqual(plan.replace, [name], what);
                if (spec.change === "reimport") assert.ok(plan.replace.length === 0 && plan.reimport.length > 0, what);
                if (spec.change === "recorded")
                    assert.ok(plan.recordOnly.includes(name) && plan.reimport.length === 0 && !plan.rotate, what);
                if (spec.change === "rotate") assert.ok(plan.rotate && plan.reimport.length === 0, what);
                if (spec.change === "nothing") assert.equal(hasChanges(plan), false, what);
                if (spec.change === "refused") {
                    const { failures } = checkInputs(baseline, news, NOW);
                    assert.ok(
                        failures.some((f) => f.reason.startsWith(`${name} differs`)),
                        what,
                    );
                }
            }
        },
    );

    it("what a change does is what diff does: each KeyMaterialRotation input changed alone", () => {
        const keyArn = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
        const materialId = "a".repeat(64);
        const olds: RotationOutputs = {
            keyId: KEY_ID,
            keyArn,
            region: "eu-west-1",
            keyMaterialId: materialId,
            currentKeyMaterialId: materialId,
            keyMaterialState: "CURRENT",
            rotationDate: "2026-12-01T00:00:00.000Z",
            endpoint: null,
            profile: null,
            trustedEndpoints: null,
            assumeRole: null,
        };
        const baseline: RotationInputs = { keyId: KEY_ID, keyMaterialId: materialId };
        const changed: Record<keyof typeof ROTATION_INPUTS, unknown> = {
            keyId: "9999abcd-12ab-34cd-56ef-1234567890ab",
            keyMaterialId: "b".repeat(64),
            region: "us-east-1",
            endpoint: "https://kms.eu-west-1.amazonaws.com",
            profile: "other",
            trustedEndpoints: ["https://kms.example.com"],
            assumeRole: { roleArn: "arn:aws:iam::111122223333:role/byok" },
        };
        const context = { settings: {}, env: {}, log: () => {} };
        assert.equal(diffRotation(context, olds, baseline, false).changes, false, "the baseline changes nothing");
        for (const [name, spec] of Object.entries(ROTATION_INPUTS)) {
            const news = { ...baseline, [name]: changed[name as keyof typeof ROTATION_INPUTS] };
            const diff = diffRotation(context, olds, news, false);
            const what = `${name} (${spec.change}): ${JSON.stringify(diff)}`;
            assert.ok(diff.changes, what);
            assert.deepEqual(diff.replaces, spec.change === "replace" ? [name] : [], what);
        }
    });

    it("removing an entry removes the property from the lists, check's rules and the reference page", () => {
        const fewer: InputSchema = without(MATERIAL_INPUTS, "validTo");
        assert.ok(!namesOf(fewer).includes("validTo") && namesOf(MATERIAL_INPUTS).includes("validTo"));
        assert.ok(!typeRules(fewer).has("validTo"));
        assert.deepEqual(secretNames(without(MATERIAL_INPUTS, "hsmPin")), ["keyMaterial", "hsmModuleParameters"]);
        const schema = SCHEMAS["ImportedKeyMaterial"];
        const full = renderPage("ImportedKeyMaterial", schema, PAGE_TEXTS["ImportedKeyMaterial"]);
        const page = renderPage(
            "ImportedKeyMaterial",
            { ...schema, inputs: fewer, outputs: without(MATERIAL_OUTPUTS, "validTo") },
            PAGE_TEXTS["ImportedKeyMaterial"],
        );
        assert.match(full, /^\| `validTo` \|/m);
        assert.doesNotMatch(page, /^\| `validTo` \|/m);
        assert.equal(
            page.split("\n").length,
            full.split("\n").length - 2,
            "one argument row and one attribute row fewer",
        );
        // An entry without its doc comment cannot reach a page.
        assert.throws(
            () =>
                renderPage(
                    "ImportedKeyMaterial",
                    { ...schema, inputs: { ...MATERIAL_INPUTS, undocumented: MATERIAL_INPUTS.profile } },
                    PAGE_TEXTS["ImportedKeyMaterial"],
                ),
            /undocumented has no doc comment/,
        );
    });

    it("ByokKey passes to the material exactly its entries marked so, each the material's own input", () => {
        assert.deepEqual(
            BYOK_TO_MATERIAL,
            Object.keys(BYOK_KEY_INPUTS).filter(
                (name) => BYOK_KEY_INPUTS[name as keyof typeof BYOK_KEY_INPUTS].passTo === "material",
            ),
        );
        for (const name of BYOK_TO_MATERIAL) assert.ok(name in MATERIAL_INPUTS, name);
    });

    it(
        "the derived types have exactly the schema's properties (checked by the compiler: see the " +
            "@ts-expect-error lines)",
        () => {
            type ArgsWithoutValidTo = ArgsOf<Omit<typeof MATERIAL_INPUTS, "validTo">>;
            const args: ArgsWithoutValidTo = { keyId: "k", validityPeriodHours: 24 };
            // @ts-expect-error: an Args type derived from a schema without validTo has no validTo
            const given: ArgsWithoutValidTo = { keyId: "k", validTo: "2030-01-01T00:00:00Z" };
            // @ts-expect-error: the public Args have no property the schema lacks
            const unknown: ImportedKeyMaterialArgs = { keyId: "k", notInTheSchema: true };
            // @ts-expect-error: keyId is required by the schema, so by the Args
            const missing: ImportedKeyMaterialArgs = { keyMaterial: "m" };
            // @ts-expect-error: the plain inputs carry the schema's types (a boolean, not a string)
            const plain: PlainInputs<typeof MATERIAL_INPUTS> = { keyId: "k", rotateOnDemand: "yes" };
            type Outputs = DeclaredOutputs<Omit<typeof MATERIAL_OUTPUTS, "keyArn">>;
            const outputs = {} as Outputs;
            // @ts-expect-error: an output removed from the schema is not declared
            const removed: unknown = outputs.keyArn;
            const keyId: pulumi.Output<string> = outputs.keyId;
            assert.ok([args, given, unknown, missing, plain, keyId, removed].length === 7);
        },
    );
});
