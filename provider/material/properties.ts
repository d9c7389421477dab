import type { AssumeRoleSettings } from "../client/credentialSettings";
import { Wrapping, WrappingAlgorithm, WrappingKeySpec, defaultWrapping } from "../wrapping/algorithms";
import { KeySpec } from "../wrapping/keySpecs";
import { MaterialCondition } from "../kms/status";
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

export interface MaterialInputs {
    keyId: string;
    /** Base64. Plain here (the engine stripped the secret envelope); stored as a secret in state. Exactly one of keyMaterial and hsmKey. */
    keyMaterial?: string;
    /** RFC 7512 PKCS#11 URI of the HSM object holding the material (wrapped inside the HSM; the provider never sees it). */
    hsmKey?: string;
    /** The token's user PIN for hsmKey. Plain here; stored as a secret in state, never in the outputs. */
    hsmPin?: string;
    /** C_Initialize's library parameters for hsmKey's library (NSS: configdir='sql:DIR'). Secret like hsmPin: may hold paths and PINs. */
    hsmModuleParameters?: string;
    /** Generate the material inside the token when hsmKey names no object yet (never when the key already holds material). */
    hsmGenerate?: boolean;
    keySpec?: KeySpec;
    expirationModel?: ExpirationModel;
    validTo?: string;
    /** Renewable expiry, the alternative to validTo: each import sets validTo = KMS's clock + this many hours. */
    validityPeriodHours?: number;
    /** With validityPeriodHours: how long before validTo the next `pulumi up` renews. Default: a third of the period. */
    earlyRenewalHours?: number;
    importType?: ImportType;
    keyMaterialDescription?: string;
    rotateOnDemand?: boolean;
    wrappingAlgorithm?: WrappingAlgorithm;
    wrappingKeySpec?: WrappingKeySpec;
    region?: string;
    endpoint?: string;
    profile?: string;
    /** Origins (https://host[:port]) trusted to receive wrapped material though they are not AWS's (endpointTrust.ts). */
    trustedEndpoints?: string[];
    /** A role to assume (after aws:assumeRoles) for this resource's calls: a key in another account. */
    assumeRole?: AssumeRoleSettings;
}

export const INPUT_NAMES: readonly (keyof MaterialInputs)[] = [
    "keyId",
    "keyMaterial",
    "hsmKey",
    "hsmPin",
    "hsmModuleParameters",
    "hsmGenerate",
    "keySpec",
    "expirationModel",
    "validTo",
    "validityPeriodHours",
    "earlyRenewalHours",
    "importType",
    "keyMaterialDescription",
    "rotateOnDemand",
    "wrappingAlgorithm",
    "wrappingKeySpec",
    "region",
    "endpoint",
    "profile",
    "trustedEndpoints",
    "assumeRole",
];

export interface MaterialOutputs {
    // The desired configuration, as last applied (non-secret inputs only).
    keyId: string;
    importType: ImportType | null;
    rotateOnDemand: boolean;
    wrappingAlgorithm: WrappingAlgorithm;
    wrappingKeySpec: WrappingKeySpec;
    endpoint: string | null;
    profile: string | null;
    /** Absent in states written before 0.2 (as if null). */
    trustedEndpoints?: string[] | null;
    /** Kept so that refresh and destroy act with the same role (no secret in it: an external ID is not one). */
    assumeRole?: AssumeRoleSettings | null;
    /** The HSM object's URI when the material lives in an HSM (absent from states written before hsmKey existed). */
    hsmKey?: string | null;
    /** The hsmGenerate input as applied (absent from states written before it existed: as false). */
    hsmGenerate?: boolean;
    /**
     * The PKCS#11 mechanisms the token wrapped the material with at the last import (null: wrapped in software;
     * absent from states written before it existed).
     */
    hsmWrappingMechanisms?: string | null;
    /**
     * AES material's key check value: the leftmost 3 bytes of AES-CMAC over 16 zero bytes, uppercase hex, computed
     * inside the token for hsmKey and in software for keyMaterial at the last import; null for other key specs or
     * when the token cannot compute it. Absent from states written before it existed.
     */
    keyCheckValue?: string | null;
    /** How keyCheckValue was computed: "CMAC" (AWS Payment Cryptography's name for X9.24-1's AES method); null without one. */
    keyCheckValueAlgorithm?: string | null;
    // What KMS reports, as of the last create, update or refresh.
    keyArn: string;
    region: string;
    keySpec: KeySpec;
    keyMaterialId: string | null;
    keyState: KeyState;
    importState: ImportState | null;
    keyMaterialState: KeyMaterialState | null;
    materialCondition: MaterialCondition;
    expirationModel: ExpirationModel | null;
    validTo: string | null;
    keyMaterialDescription: string | null;
    multiRegionKeyType: MultiRegionKeyType | null;
    // Renewable expiry (validityPeriodHours): the period and early renewal as applied (null for a fixed
    // validTo or none), and when the next `pulumi up` renews: validTo − earlyRenewalHours.
    validityPeriodHours: number | null;
    earlyRenewalHours: number | null;
    renewalDueAt: string | null;
    /**
     * KMS's clock minus this machine's, in seconds, as the AWS SDK measured it at the last create, update or
     * refresh (0 within the SDK's 5-minute tolerance). diff makes no KMS call: it plans with the local clock
     * corrected by this, because KMS's clock decides when material expires.
     */
    kmsClockOffsetSeconds: number;
    /** DER SubjectPublicKeyInfo (base64) of an imported asymmetric key; null otherwise. */
    publicKey: string | null;
    /**
     * What destroying this resource would do to the key, as a code (DeletionImpact in kms/status.ts), so it is
     * visible in state and previews beforehand. States written by earlier versions hold a sentence until their next refresh.
     */
    deletionImpact: string;
    /**
     * The KMS endpoint the material was last imported through (null: AWS's own endpoint for the key's Region).
     * Refresh and destroy go there, whatever the stack config says by then; absent in states written before 0.2.
     */
    kmsEndpoint?: string | null;
}

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

export { materialLabel, shortLabel } from "../kms/status";
