import { KeyMetadata, RotationsListEntry } from "@aws-sdk/client-kms";

/**
 * Status functions: what KMS says about one material, reduced to what the resource reports. Pure, so the
 * drift rules are unit-tested without a server.
 */

/** What happened to the material, in the user's terms (refresh shows changes of this value as drift). */
/** KMS's KeyMaterialState of one material (ListKeyRotations). */
export type KeyMaterialState = "CURRENT" | "NON_CURRENT" | "PENDING_ROTATION" | "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";

export type MaterialCondition = "IMPORTED" | "DELETED" | "EXPIRED" | "NOT_ASSOCIATED";

export interface MaterialStatus {
    keyArn: string;
    keyState: string;
    keySpec: string;
    multiRegionKeyType: string | null;
    keyMaterialId: string | null;
    /** KMS's ImportState; null when the key no longer lists the material at all. */
    importState: string | null;
    /** CURRENT, NON_CURRENT, PENDING_ROTATION, PENDING_MULTI_REGION_IMPORT_AND_ROTATION; null if not listed. */
    keyMaterialState: string | null;
    expirationModel: string | null;
    validTo: string | null;
    keyMaterialDescription: string | null;
    condition: MaterialCondition;
}

export interface StatusContext {
    /** KMS's own clock (from its Date header): expiry is decided by KMS, not by this machine. */
    now: Date;
    /** The expiry recorded at the last import, for when KMS no longer reports it after expiry. */
    lastKnownValidTo?: string | null;
}

function keyFields(key: KeyMetadata) {
    return {
        keyArn: key.Arn ?? "",
        keyState: key.KeyState ?? "Unknown",
        keySpec: key.KeySpec ?? "SYMMETRIC_DEFAULT",
        multiRegionKeyType: key.MultiRegionConfiguration?.MultiRegionKeyType ?? null,
    };
}

/** A symmetric key's material, found by id among ListKeyRotations(ALL_KEY_MATERIAL) entries. */
export function symmetricMaterialStatus(
    key: KeyMetadata,
    materials: RotationsListEntry[],
    keyMaterialId: string,
    context: StatusContext,
): MaterialStatus {
    const entry = materials.find((m) => m.KeyMaterialId === keyMaterialId);
    const validTo = isoOrNull(entry?.ValidTo);
    const importState = entry?.ImportState ?? null;
    return {
        ...keyFields(key),
        keyMaterialId,
        importState,
        keyMaterialState: entry?.KeyMaterialState ?? null,
        expirationModel: entry?.ExpirationModel ?? null,
        validTo,
        keyMaterialDescription: entry?.KeyMaterialDescription ?? null,
        condition: !entry ? "NOT_ASSOCIATED" : condition(importState, validTo ?? context.lastKnownValidTo, context.now),
    };
}

/**
 * Asymmetric and HMAC keys have exactly one material for life and no ListKeyRotations: the key's own
 * metadata tells whether it is present (ExpirationModel is removed when the material is deleted or expires).
 */
export function singleMaterialStatus(key: KeyMetadata, keyMaterialId: string | null, context: StatusContext): MaterialStatus {
    const imported = key.KeyState !== "PendingImport" && key.ExpirationModel !== undefined;
    const validTo = isoOrNull(key.ValidTo);
    const importState = imported ? "IMPORTED" : "PENDING_IMPORT";
    return {
        ...keyFields(key),
        keyMaterialId,
        importState,
        keyMaterialState: imported ? "CURRENT" : null,
        expirationModel: key.ExpirationModel ?? null,
        validTo,
        keyMaterialDescription: null,
        condition: condition(importState, validTo ?? context.lastKnownValidTo, context.now),
    };
}

function condition(importState: string | null, validTo: string | null | undefined, now: Date): MaterialCondition {
    if (importState === "IMPORTED") return "IMPORTED";
    if (validTo && Date.parse(validTo) <= now.getTime()) return "EXPIRED";
    return "DELETED";
}

export function isoOrNull(date: Date | undefined): string | null {
    return date ? date.toISOString() : null;
}

/** "key material <id> of <arn>", for log lines and errors. */
export function materialLabel(material: { keyArn: string; keyMaterialId: string | null }): string {
    return material.keyMaterialId ? `key material ${material.keyMaterialId} of ${material.keyArn}` : `the key material of ${material.keyArn}`;
}

/** Materials whose deletion makes the key unusable (KMS: "permanently associated"). */
export const isPermanentlyAssociated = (keyMaterialState: string | null): boolean =>
    keyMaterialState === "CURRENT" || keyMaterialState === "NON_CURRENT";

/**
 * What deleting a material would do to its key, given the material's and key's states: the one rule behind
 * the `deletionImpact` output, the preview of a replacement and the line the delete logs. Conditional on
 * purpose: its callers know the states only as of the last create, update or refresh, and KMS may have moved on.
 */
export function effectOfDeleting(state: { keyState: string; keyMaterialState: string | null; importState: string | null }): string {
    if (state.importState !== "IMPORTED") return "the material is not imported, so there would be nothing to delete";
    if (state.keyState === "PendingDeletion" || state.keyState === "PendingReplicaDeletion") {
        return `the key is ${state.keyState}, so it would stay so and its materials would go with it`;
    }
    if (state.keyMaterialState === null || isPermanentlyAssociated(state.keyMaterialState)) {
        return "it is permanently associated, so the key would become unusable (PendingImport) until the same material is imported again";
    }
    return "it is not yet in use, so the key would stay usable";
}
