import { PlainInputs, StoredOutputs, namesOf } from "../checks/schema";
import { MATERIAL_INPUTS, MATERIAL_OUTPUTS } from "./schema";
import { Wrapping, defaultWrapping } from "../wrapping/algorithms";
import { KeySpec } from "../wrapping/keySpecs";
import type { Expiration } from "../kms/importMaterial";

/**
 * The resource's properties as the engine hands them to the dynamic provider: inputs (checked, plain
 * values: the engine strips secret envelopes because the dynamic host does not accept secrets) and the
 * outputs it stores. Outputs are JSON only (null, never undefined) and never contain the material or
 * anything computed from it, except the public half of an asymmetric key and the 3-byte key check value of
 * AES material (which exists to be compared with HSM and key ceremony records).
 */

// KMS's own value sets live with the KMS workflows (kms/status.ts); the schema and this file both name them.
export type { ExpirationModel, ImportState, ImportType, KeyState, MultiRegionKeyType } from "../kms/status";

/** The inputs as the provider receives them (checked, plain values); the schema is material/schema.ts. */
export interface MaterialInputs extends PlainInputs<typeof MATERIAL_INPUTS> {}

/** Every input's name, in the schema's order (check's "valid properties" list). */
export const INPUT_NAMES: readonly (keyof MaterialInputs)[] = namesOf(MATERIAL_INPUTS);

/**
 * The outputs as the state stores them: the non-secret inputs as applied, and what KMS reports as of the last
 * create, update or refresh (material/schema.ts). Optional where states written by older versions lack them.
 */
export interface MaterialOutputs extends StoredOutputs<typeof MATERIAL_OUTPUTS> {}

/** validityPeriodHours as stored: a stored state's inputs are JSON, and may hold null where the type says number. */
export const validityPeriodOf = (inputs: Pick<MaterialInputs, "validityPeriodHours">): number | null | undefined =>
    inputs.validityPeriodHours;

/**
 * The expiration a resource asks for: validTo or validityPeriodHours implies KEY_MATERIAL_EXPIRES, their
 * absence DOES_NOT_EXPIRE. A period is resolved to a validTo only at the import, by KMS's clock.
 */
export function desiredExpiration(inputs: MaterialInputs): Expiration {
    const period = validityPeriodOf(inputs);
    const model =
        inputs.expirationModel ??
        (inputs.validTo || period !== undefined ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE");
    if (model !== "KEY_MATERIAL_EXPIRES") return { model: "KEY_MATERIAL_DOES_NOT_EXPIRE" };
    if (period !== undefined && period !== null) return { model, validityPeriodHours: period };
    if (inputs.validTo === undefined)
        throw new Error("validTo is required when expirationModel is KEY_MATERIAL_EXPIRES");
    return { model, validTo: new Date(inputs.validTo) };
}

export function desiredWrapping(inputs: MaterialInputs, keySpec: KeySpec): Wrapping {
    const defaults = defaultWrapping(keySpec);
    return {
        algorithm: inputs.wrappingAlgorithm ?? defaults.algorithm,
        wrappingKeySpec: inputs.wrappingKeySpec ?? defaults.wrappingKeySpec,
    };
}

/** The resource ID: the key ARN, plus the material ID for keys that hold several materials. */
export function resourceId(keyArn: string, keyMaterialId: string | null): string {
    return keyMaterialId ? `${keyArn}#${keyMaterialId}` : keyArn;
}

export { materialLabel, shortLabel } from "../kms/status";
export type { KeyMaterialState } from "../kms/status";
export { bareKeyId } from "../client/settings";
