import assert from "node:assert/strict";
import { planChanges } from "../../../provider/material/plan";
import { MaterialInputs, MaterialOutputs } from "../../../provider/material/properties";
import { KEY_ID, materialOutputs } from "../../support/materialOutputs";

/**
 * diff planning for HSM material: a different URI reimports (KMS accepts only the same bytes); the PIN never plans
 * anything.
 */
describe("provider/material/plan with hsmKey", () => {
    const URI = "pkcs11:token=byok;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so";
    // Imported from the token with the algorithm it chose; material that never expires.
    const olds = (overrides: Partial<MaterialOutputs> = {}): MaterialOutputs =>
        materialOutputs({
            wrappingAlgorithm: "RSAES_OAEP_SHA_1",
            hsmKey: URI,
            expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            validTo: null,
            ...overrides,
        });
    const NOW = new Date();
    const news = (overrides: Partial<MaterialInputs> = {}): MaterialInputs => ({
        keyId: KEY_ID,
        hsmKey: URI,
        hsmPin: "pin-1",
        ...overrides,
    });

    it("plans nothing for the same URI, whatever the PIN, and records the token's choice of algorithm", () => {
        const plan = planChanges(olds(), news({ hsmPin: "another-pin" }), NOW);
        assert.deepEqual([plan.reimport, plan.replace, plan.recordOnly], [[], [], []]);
    });

    it("reimports when the URI changes, and when the material moves between keyMaterial and hsmKey", () => {
        assert.match(
            planChanges(olds(), news({ hsmKey: URI.replace("object=k", "id=%01") }), NOW).reimport.join(),
            /hsmKey changed/,
        );
        assert.match(planChanges(olds({ hsmKey: null }), news(), NOW).reimport.join(), /hsmKey changed/);
        assert.match(
            planChanges(olds(), { keyId: KEY_ID, keyMaterial: "x" }, NOW).reimport.join(),
            /moved from hsmKey to keyMaterial/,
        );
    });

    it("states written before hsmKey existed (no hsmKey output) plan nothing new for keyMaterial", () => {
        const old = olds();
        delete old.hsmKey;
        assert.deepEqual(
            planChanges(old, { keyId: KEY_ID, keyMaterial: "x", wrappingAlgorithm: "RSAES_OAEP_SHA_1" }, NOW).reimport,
            [],
        );
    });

    it("repairs deleted material by reimporting from the HSM", () => {
        assert.match(
            planChanges(olds({ materialCondition: "DELETED" }), news(), NOW).reimport.join(),
            /DELETED outside Pulumi/,
        );
    });
});
