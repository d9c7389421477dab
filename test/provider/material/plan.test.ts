import assert from "node:assert/strict";
import { describePlan, hasChanges, planChanges } from "../../../provider/material/plan";
import { MaterialInputs, MaterialOutputs } from "../../../provider/material/properties";
import { UNKNOWN } from "../../../provider/checks/engineValues";
import { KEY_ARN, KEY_ID, materialOutputs } from "../../support/materialOutputs";

const ARN = KEY_ARN;
const MATERIAL_ID = "a".repeat(64);
/** Well before the fixtures' validTo (2027-06-30). */
const NOW = new Date("2026-12-01T00:00:00Z");

/** The state a fresh create leaves, as outputs. */
const outputs = materialOutputs;

const inputs = (overrides: Partial<Record<keyof MaterialInputs, unknown>> = {}): MaterialInputs =>
    ({ keyId: KEY_ID, keyMaterial: "ignored", validTo: "2027-06-30T00:00:00Z", ...overrides }) as MaterialInputs;

describe("provider/material/plan", () => {
    it("no change when KMS matches the inputs (ID vs ARN forms, validTo precision)", () => {
        for (const news of [inputs(), inputs({ keyId: ARN }), inputs({ validTo: "2027-06-30T02:00:00+02:00" })]) {
            const plan = planChanges(outputs(), news, NOW);
            assert.equal(hasChanges(plan), false, JSON.stringify(plan));
        }
    });

    it("a different key or Region replaces; an unknown key (preview) too", () => {
        assert.deepEqual(
            planChanges(outputs(), inputs({ keyId: "9999abcd-12ab-34cd-56ef-1234567890ab" }), NOW).replace,
            ["keyId"],
        );
        assert.deepEqual(planChanges(outputs(), inputs({ keyId: UNKNOWN }), NOW).replace, ["keyId"]);
        assert.deepEqual(planChanges(outputs(), inputs({ region: "us-east-1" }), NOW).replace, ["region"]);
        assert.deepEqual(planChanges(outputs(), inputs({ region: "eu-west-1" }), NOW).replace, []);
    });

    it("expiry and description changes reimport in place", () => {
        assert.match(
            planChanges(outputs(), inputs({ validTo: "2027-07-01T00:00:00Z" }), NOW).reimport.join(),
            /validTo/,
        );
        assert.match(
            planChanges(outputs(), inputs({ validTo: undefined }), NOW).reimport.join(),
            /expirationModel KEY_MATERIAL_EXPIRES → KEY_MATERIAL_DOES_NOT_EXPIRE/,
        );
        // Named, never quoted: a description is free text (a material pasted there would be logged).
        const pasted = "c2VjcmV0IG1hdGVyaWFsIHBhc3RlZA";
        const described = planChanges(outputs(), inputs({ keyMaterialDescription: pasted }), NOW).reimport.join();
        assert.equal(described, "keyMaterialDescription changed");
        assert.match(
            planChanges(outputs(), inputs({ validTo: UNKNOWN }), NOW).reimport.join(),
            /not known until apply/,
        );
        assert.deepEqual(planChanges(outputs(), inputs(), NOW).reimport, [], "omitting the description keeps KMS's");
    });

    it("material deleted or expired outside Pulumi is reimported", () => {
        for (const condition of ["DELETED", "EXPIRED", "NOT_ASSOCIATED"] as const) {
            const plan = planChanges(
                outputs({ materialCondition: condition, importState: "PENDING_IMPORT", keyState: "PendingImport" }),
                inputs(),
                NOW,
            );
            assert.match(plan.reimport.join(), new RegExp(condition));
            assert.equal(hasChanges(plan), true);
        }
    });

    it("cannot repair a key pending deletion: no change planned, the reason logged", () => {
        const olds = outputs({
            materialCondition: "DELETED",
            importState: "PENDING_IMPORT",
            keyState: "PendingDeletion",
        });
        const plan = planChanges(olds, inputs(), NOW);
        assert.equal(hasChanges(plan), false);
        assert.match(plan.blocked.join(), /PendingDeletion.*cancel the key deletion/);
        assert.match(describePlan(olds, plan).join("\n"), /cannot repair/);
    });

    it(
        "expired material with a validTo that has passed: no import planned, but a change (drift checks " +
            "fail), the way out logged",
        () => {
            const olds = outputs({
                materialCondition: "EXPIRED",
                importState: "PENDING_IMPORT",
                keyState: "PendingImport",
            });
            const now = new Date("2027-07-01T00:00:00Z");
            const stuck = planChanges(olds, inputs(), now);
            assert.deepEqual(stuck.reimport, []);
            assert.equal(hasChanges(stuck), true, "preview --expect-no-changes must fail while the key is unusable");
            assert.match(stuck.unrepairable.join(), /which has passed .*set a new validTo/);
            assert.match(describePlan(olds, stuck).join("\n"), /cannot repair: .*Until then `pulumi up` fails here/);
            const renewed = planChanges(olds, inputs({ validTo: "2027-12-01T00:00:00Z" }), now);
            assert.match(renewed.reimport.join(), /EXPIRED/);
            assert.deepEqual(renewed.unrepairable, []);
        },
    );

    it("rotateOnDemand rotates unless KMS is known to have the material CURRENT (or rotated past it)", () => {
        assert.equal(
            planChanges(outputs({ keyMaterialState: "PENDING_ROTATION" }), inputs({ rotateOnDemand: true }), NOW)
                .rotate,
            true,
        );
        assert.equal(
            planChanges(
                outputs({ keyMaterialState: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" }),
                inputs({ rotateOnDemand: true }),
                NOW,
            ).rotate,
            true,
        );
        assert.equal(
            planChanges(outputs({ keyMaterialState: "NON_CURRENT" }), inputs({ rotateOnDemand: true }), NOW).rotate,
            false,
        );
        assert.equal(planChanges(outputs({ keyMaterialState: "PENDING_ROTATION" }), inputs(), NOW).rotate, false);
        assert.equal(
            planChanges(outputs({ keyMaterialState: null }), inputs({ rotateOnDemand: true }), NOW).rotate,
            true,
            "unknown state: the workflow decides",
        );
    });

    it("settings and provider code changes are recorded without KMS calls", () => {
        const plan = planChanges(
            outputs(),
            inputs({ endpoint: "http://127.0.0.1:4599", wrappingKeySpec: "RSA_2048" }),
            NOW,
            true,
        );
        assert.deepEqual(plan.recordOnly.sort(), ["__provider", "endpoint", "wrappingKeySpec"]);
        assert.deepEqual(plan.reimport, []);
        assert.equal(hasChanges(plan), true);
    });

    it("describes a replacement with what deleting from the old key would do, as of the last refresh", () => {
        const newKey = inputs({ keyId: "9999abcd-12ab-34cd-56ef-1234567890ab" });
        const line = (olds: MaterialOutputs) => describePlan(olds, planChanges(olds, newKey, NOW)).join("\n");
        assert.match(
            line(outputs()),
            new RegExp(
                `^key ${KEY_ID.slice(0, 8)}… material ${MATERIAL_ID.slice(0, 12)}…: keyId changed: this ` +
                    `material is replaced; deleting it here: key would become PendingImport \\(unusable\\)$`,
            ),
        );
        assert.match(
            line(outputs({ keyMaterialState: "PENDING_ROTATION" })),
            /deleting it here: key would stay usable/,
        );
        assert.match(
            line(outputs({ keyState: "PendingDeletion" })),
            /deleting it here: key is PendingDeletion and would stay so$/,
        );
        assert.ok(
            line(outputs()).length <= 160 - "    pulumi-kms-byok: ".length,
            "a diagnostic line fits 160 characters",
        );
        assert.doesNotMatch(line(outputs()), new RegExp(`${ARN}|${MATERIAL_ID}`), "short ids in log lines");
        assert.doesNotMatch(line(outputs()), /becomes|stays usable/, "a preview says what would happen");
    });
});
