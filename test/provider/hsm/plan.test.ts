import assert from "node:assert/strict";
import { planChanges } from "../../../provider/dynamic/plan";
import { MaterialInputs, MaterialOutputs } from "../../../provider/dynamic/properties";

/** diff planning for HSM material: a different URI reimports (KMS accepts only the same bytes); the PIN never plans anything. */
describe("provider/dynamic/plan with hsmKey", () => {
    const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const URI = "pkcs11:token=byok;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so";
    const olds = (overrides: Partial<MaterialOutputs> = {}): MaterialOutputs => ({
        keyId: KEY_ID,
        importType: null,
        rotateOnDemand: false,
        wrappingAlgorithm: "RSAES_OAEP_SHA_1",
        wrappingKeySpec: "RSA_4096",
        endpoint: null,
        profile: null,
        hsmKey: URI,
        keyArn: `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`,
        region: "eu-west-1",
        keySpec: "SYMMETRIC_DEFAULT",
        keyMaterialId: "a".repeat(64),
        keyState: "Enabled",
        importState: "IMPORTED",
        keyMaterialState: "CURRENT",
        materialCondition: "IMPORTED",
        expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        validTo: null,
        keyMaterialDescription: null,
        multiRegionKeyType: null,
        publicKey: null,
        deletionImpact: "destroy deletes this CURRENT material",
        validityPeriodHours: null,
        earlyRenewalHours: null,
        renewalDueAt: null,
        kmsClockOffsetSeconds: 0,
        ...overrides,
    });
    const NOW = new Date();
    const news = (overrides: Partial<MaterialInputs> = {}): MaterialInputs => ({ keyId: KEY_ID, hsmKey: URI, hsmPin: "pin-1", ...overrides });

    it("plans nothing for the same URI, whatever the PIN, and records the token's choice of algorithm", () => {
        const plan = planChanges(olds(), news({ hsmPin: "another-pin" }), NOW);
        assert.deepEqual([plan.reimport, plan.replace, plan.recordOnly], [[], [], []]);
    });

    it("reimports when the URI changes, and when the material moves between keyMaterial and hsmKey", () => {
        assert.match(planChanges(olds(), news({ hsmKey: URI.replace("object=k", "id=%01") }), NOW).reimport.join(), /hsmKey changed/);
        assert.match(planChanges(olds({ hsmKey: null }), news(), NOW).reimport.join(), /hsmKey changed/);
        assert.match(planChanges(olds(), { keyId: KEY_ID, keyMaterial: "x" }, NOW).reimport.join(), /moved from hsmKey to keyMaterial/);
    });

    it("states written before hsmKey existed (no hsmKey output) plan nothing new for keyMaterial", () => {
        const old = olds();
        delete old.hsmKey;
        assert.deepEqual(planChanges(old, { keyId: KEY_ID, keyMaterial: "x", wrappingAlgorithm: "RSAES_OAEP_SHA_1" }, NOW).reimport, []);
    });

    it("repairs deleted material by reimporting from the HSM", () => {
        assert.match(planChanges(olds({ materialCondition: "DELETED" }), news(), NOW).reimport.join(), /DELETED outside Pulumi/);
    });
});
