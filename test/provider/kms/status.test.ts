import assert from "node:assert/strict";
import { deletionImpact } from "../../../provider/material/outputs";
import {
    DeletionImpact,
    MaterialStatus,
    canonicalTime,
    effectOfDeleting,
    shortLabel,
} from "../../../provider/kms/status";

/**
 * What deleting a material would do: one rule, conditional wording (its callers know states only as of a past read).
 */
describe("provider/kms/status: deletionImpact (a code) and effectOfDeleting (its words for a preview)", () => {
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
    const rows: [string, Partial<MaterialStatus>, DeletionImpact, RegExp][] = [
        ["CURRENT", {}, "KEY_BECOMES_PENDING_IMPORT", /^key would become PendingImport \(unusable\)$/],
        [
            "NON_CURRENT",
            { keyMaterialState: "NON_CURRENT" },
            "KEY_BECOMES_PENDING_IMPORT",
            /would become PendingImport/,
        ],
        [
            "an asymmetric key's only material",
            { keyMaterialState: null, keySpec: "ECC_NIST_P256", keyMaterialId: null },
            "KEY_BECOMES_PENDING_IMPORT",
            /would become PendingImport/,
        ],
        [
            "PENDING_ROTATION",
            { keyMaterialState: "PENDING_ROTATION" },
            "KEY_STAYS_USABLE",
            /^key would stay usable \(material not yet in use\)$/,
        ],
        [
            "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
            { keyMaterialState: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" },
            "KEY_STAYS_USABLE",
            /would stay usable/,
        ],
        [
            "a key pending deletion",
            { keyState: "PendingDeletion" },
            "KEY_PENDING_DELETION",
            /^key is PendingDeletion and would stay so$/,
        ],
        [
            "a replica pending deletion",
            { keyState: "PendingReplicaDeletion" },
            "KEY_PENDING_DELETION",
            /^key is PendingReplicaDeletion and would stay so$/,
        ],
        [
            "a deleted material",
            { importState: "PENDING_IMPORT", keyState: "PendingImport", condition: "DELETED" },
            "NOTHING_TO_DELETE",
            /^nothing to delete \(not imported\)$/,
        ],
    ];
    for (const [what, overrides, code, effect] of rows) {
        it(what, () => {
            assert.equal(deletionImpact(status(overrides)), code, "a code, not prose: outputs are values");
            assert.match(effectOfDeleting(status(overrides)), effect);
            assert.doesNotMatch(
                effectOfDeleting(status(overrides)),
                /\b(becomes|stays|is deleted)\b/,
                "conditional, never a claim about now",
            );
        });
    }
});

describe("provider/kms/status: shortLabel and canonicalTime", () => {
    it("names a key and material by short ids, never the ARN or the 64-hex id", () => {
        const label = shortLabel({
            keyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            keyMaterialId: "0f".repeat(32),
        });
        assert.equal(label, "key 1234abcd… material 0f0f0f0f0f0f…");
    });

    it("adds the Region of a multi-Region key (primary and replicas share its id)", () => {
        const arn = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
        assert.equal(shortLabel({ keyArn: arn }), "key mrk-1234abcd… in eu-west-1");
    });

    it("spells one instant one way, as states have always stored it", () => {
        for (const given of [
            "2027-06-04T00:00:00Z",
            "2027-06-04T00:00:00.000Z",
            "2027-06-04T02:00:00+02:00",
            "2027-06-04T00:00Z",
            "2027-06-03T19:00:00-05:00",
        ]) {
            assert.equal(canonicalTime(new Date(given)), "2027-06-04T00:00:00.000Z", given);
        }
    });
});
