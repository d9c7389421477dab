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

export type ExpirationModel = "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";
/** KMS's key states (DescribeKey KeyState), plus "Unknown" when the provider could not read it. */
export type KeyState =
    | "Creating"
    | "Enabled"
    | "Disabled"
    | "PendingDeletion"
    | "PendingImport"
    | "PendingReplicaDeletion"
    | "Unavailable"
    | "Updating"
    | "Unknown";
export type ImportState = "IMPORTED" | "PENDING_IMPORT";
export type KeyMaterialState = "CURRENT" | "NON_CURRENT" | "PENDING_ROTATION" | "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";
export type MultiRegionKeyType = "PRIMARY" | "REPLICA";
export type ImportType = "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL";

/** The inputs as the provider receives them (checked, plain values); the schema is material/schema.ts. */
export interface MaterialInputs extends PlainInputs<typeof MATERIAL_INPUTS> {}

/** Every input's name, in the schema's order (check's "valid properties" list). */
export const INPUT_NAMES: readonly (keyof MaterialInputs)[] = namesOf(MATERIAL_INPUTS);

/**
 * The outputs as the state stores them: the non-secret inputs as applied, and what KMS reports as of the last
 * create, update or refresh (material/schema.ts). Optional where states written by older versions lack them.
 */
export interface MaterialOutputs extends StoredOutputs<typeof MATERIAL_OUTPUTS> {}

/** The engine's placeholder for a value not known until apply (e.g. the id of a key created in the same run). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const isUnknown = (value: unknown): boolean => value === UNKNOWN;

/** Pulumi's wire envelope for secrets. The dynamic host should never receive one; tolerate it if it does. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function unwrapSecret(value: unknown): unknown {
    if (value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG) {
        return (value as Record<string, unknown>)["value"];
    }
    return value;
}

export function plainInputs(raw: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, unwrapSecret(v)]));
}

/**
 * The expiration a resource asks for: validTo or validityPeriodHours implies KEY_MATERIAL_EXPIRES, their
 * absence DOES_NOT_EXPIRE. A period is resolved to a validTo only at the import, by KMS's clock.
 */
export function desiredExpiration(inputs: MaterialInputs): Expiration {
    const period = inputs.validityPeriodHours;
    const model = inputs.expirationModel ?? (inputs.validTo || period !== undefined ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE");
    if (model !== "KEY_MATERIAL_EXPIRES") return { model: "KEY_MATERIAL_DOES_NOT_EXPIRE" };
    return period !== undefined && period !== null ? { model, validityPeriodHours: period } : { model, validTo: new Date(inputs.validTo!) };
}

export function desiredWrapping(inputs: MaterialInputs, keySpec: KeySpec): Wrapping {
    const defaults = defaultWrapping(keySpec);
    return {
        algorithm: inputs.wrappingAlgorithm ?? defaults.algorithm,
        wrappingKeySpec: inputs.wrappingKeySpec ?? defaults.wrappingKeySpec,
    };
}

/** Key ID, ARN or multi-Region key ID → the bare key ID, so "same key" compares forms equal. */
export function bareKeyId(keyIdOrArn: string): string {
    const slash = keyIdOrArn.lastIndexOf("key/");
    return keyIdOrArn.startsWith("arn:") && slash >= 0 ? keyIdOrArn.slice(slash + 4) : keyIdOrArn;
}

/** The resource ID: the key ARN, plus the material ID for keys that hold several materials. */
export function resourceId(keyArn: string, keyMaterialId: string | null): string {
    return keyMaterialId ? `${keyArn}#${keyMaterialId}` : keyArn;
}

export { materialLabel } from "../kms/status";
