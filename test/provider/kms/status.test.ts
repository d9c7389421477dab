import assert from "node:assert/strict";
import { deletionImpact } from "../../../provider/material/outputs";
import { MaterialStatus, effectOfDeleting } from "../../../provider/kms/status";

/** What deleting a material would do: one rule, conditional wording (its callers know states only as of a past read). */
describe("provider/kms/status: effectOfDeleting and deletionImpact", () => {
    const ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const status = (overrides: Partial<MaterialStatus>): MaterialStatus => ({
        keyArn: ARN,
        keyState: "Enabled",
        keySpec: "SYMMETRIC_DEFAULT",
        multiRegionKeyType: null,
        keyMaterialId: "a".repeat(64),
        importState: "IMPORTED",
        keyMaterialState: "CURRENT",
        expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        validTo: null,
        keyMaterialDescription: null,
        condition: "IMPORTED",
        ...overrides,
    });
    const rows: [string, Partial<MaterialStatus>, RegExp][] = [
        ["CURRENT", {}, /would delete this CURRENT material of .*: it is permanently associated, so the key would become unusable \(PendingImport\) until the same material is imported again$/],
        ["NON_CURRENT", { keyMaterialState: "NON_CURRENT" }, /NON_CURRENT material .*would become unusable/],
        ["an asymmetric key's only material", { keyMaterialState: null, keySpec: "ECC_NIST_P256", keyMaterialId: null }, /this only material .*would become unusable/],
        ["PENDING_ROTATION", { keyMaterialState: "PENDING_ROTATION" }, /it is not yet in use, so the key would stay usable$/],
        ["PENDING_MULTI_REGION_IMPORT_AND_ROTATION", { keyMaterialState: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" }, /would stay usable$/],
        ["a key pending deletion", { keyState: "PendingDeletion" }, /the key is PendingDeletion, so it would stay so and its materials would go with it$/],
        ["a replica pending deletion", { keyState: "PendingReplicaDeletion" }, /the key is PendingReplicaDeletion, so it would stay so/],
        ["a deleted material", { importState: "PENDING_IMPORT", keyState: "PendingImport", condition: "DELETED" }, /^destroying this resource would delete nothing: the material is not imported, so there would be nothing to delete$/],
    ];
    for (const [what, overrides, expected] of rows) {
        it(what, () => {
            const impact = deletionImpact(status(overrides));
            assert.match(impact, /^destroying this resource would delete /);
            assert.match(impact, expected);
            assert.doesNotMatch(effectOfDeleting(status(overrides)), /\b(becomes|stays|is deleted)\b/, "conditional, never a claim about now");
        });
    }
});
