import type { MaterialOutputs } from "../../provider/material/properties";

/** A symmetric EXTERNAL key of the pure planning tests (no KMS behind it). */
export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;

/**
 * The state a fresh create of expiring symmetric material leaves, as outputs (validTo 2027-06-30, fixed, no
 * renewal): what the planner reads. Each test overrides what its case is about.
 */
export function materialOutputs(overrides: Partial<MaterialOutputs> = {}): MaterialOutputs {
    return {
        keyId: KEY_ID,
        importType: null,
        rotateOnDemand: false,
        wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_4096",
        endpoint: null,
        profile: null,
        keyArn: KEY_ARN,
        region: "eu-west-1",
        keySpec: "SYMMETRIC_DEFAULT",
        keyMaterialId: "a".repeat(64),
        keyState: "Enabled",
        importState: "IMPORTED",
        keyMaterialState: "CURRENT",
        materialCondition: "IMPORTED",
        expirationModel: "KEY_MATERIAL_EXPIRES",
        validTo: "2027-06-30T00:00:00.000Z",
        keyMaterialDescription: null,
        multiRegionKeyType: null,
        publicKey: null,
        deletionImpact: "KEY_BECOMES_PENDING_IMPORT",
        validityPeriodHours: null,
        earlyRenewalHours: null,
        renewalDueAt: null,
        kmsClockOffsetSeconds: 0,
        ...overrides,
    };
}
