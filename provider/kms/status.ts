import { KeyMetadata, RotationsListEntry } from "@aws-sdk/client-kms";
import { regionOfArn } from "../client/settings";

/** KMS's value sets, as its API spells them (the resources' outputs use them). */
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

/** A key scheduled for deletion (a replica's too): KMS refuses imports, and its materials go with it. */
export const isPendingDeletion = (keyState: string | null | undefined): boolean =>
    keyState === "PendingDeletion" || keyState === "PendingReplicaDeletion";

/** A KeyMaterialId as KMS makes them: 64 lowercase hex digits (the SHA-256 of the material). */
export const isKeyMaterialId = (value: unknown): value is string =>
    typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
export type MultiRegionKeyType = "PRIMARY" | "REPLICA";
export type ImportType = "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL";

/**
 * Status functions: what KMS says about one material, reduced to what the resource reports. Pure, so the
 * drift rules are unit-tested without a server.
 */

/** What happened to the material, in the user's terms (refresh shows changes of this value as drift). */
/** KMS's KeyMaterialState of one material (ListKeyRotations). */
export type KeyMaterialState =
    "CURRENT" | "NON_CURRENT" | "PENDING_ROTATION" | "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";

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
export function singleMaterialStatus(
    key: KeyMetadata,
    keyMaterialId: string | null,
    context: StatusContext,
): MaterialStatus {
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
    return date ? canonicalTime(date) : null;
}

/**
 * The one spelling of a validTo, in inputs (check rewrites what the program gave) and outputs (as read from
 * KMS): toISOString's ("2027-06-04T00:00:00.000Z", the form states have always stored; KMS's timestamps carry
 * milliseconds). A preview's outputs of an update are its checked inputs, so two spellings of one instant
 * ("…T00:00:00Z" given, "…T00:00:00.000Z" read back) would show as a change that is not drift.
 */
export function canonicalTime(date: Date): string {
    return date.toISOString();
}

/** "key material <id> of <arn>", for errors (and outputs): the full names, to act on. */
export function materialLabel(material: { keyArn: string; keyMaterialId: string | null }): string {
    return material.keyMaterialId
        ? `key material ${material.keyMaterialId} of ${material.keyArn}`
        : `the key material of ${material.keyArn}`;
}

/**
 * "key 1234abcd… material 0f3c9a1b2d4e…", for log lines: a dynamic provider is not told the resource's name,
 * so a line names the key and material by short ids (the full ARN and id stay in the outputs); a multi-Region
 * key's primary and replicas share an id, so their Region is added.
 */
export function shortLabel(material: { keyArn: string; keyMaterialId?: string | null }): string {
    const keyId = material.keyArn.split("/").pop() ?? material.keyArn;
    const multiRegion = keyId.startsWith("mrk-");
    const shortKey = multiRegion
        ? `${keyId.slice(0, 12)}… in ${regionOfArn(material.keyArn) ?? "?"}`
        : keyId.length > 8
          ? `${keyId.slice(0, 8)}…`
          : keyId;
    return material.keyMaterialId
        ? `key ${shortKey} material ${material.keyMaterialId.slice(0, 12)}…`
        : `key ${shortKey}`;
}

/** Materials whose deletion makes the key unusable (KMS: "permanently associated"). */
export const isPermanentlyAssociated = (keyMaterialState: string | null): boolean =>
    keyMaterialState === "CURRENT" || keyMaterialState === "NON_CURRENT";

/**
 * What deleting a material would do to its key, as a code (the `deletionImpact` output; docs/guides/lifecycle.md
 * says what each means):
 * - NOTHING_TO_DELETE: the material is not imported (deleted or expired), so a destroy deletes nothing;
 * - KEY_PENDING_DELETION: the key is PendingDeletion or PendingReplicaDeletion: it stays so, its materials go with it;
 * - KEY_BECOMES_PENDING_IMPORT: the material is permanently associated (CURRENT, NON_CURRENT, or an asymmetric or
 *   HMAC key's only material), so the key becomes unusable (PendingImport) until the same material is imported again;
 * - KEY_STAYS_USABLE: the material is not yet in use (pending rotation), so only it goes.
 */
export type DeletionImpact =
    "NOTHING_TO_DELETE" | "KEY_PENDING_DELETION" | "KEY_BECOMES_PENDING_IMPORT" | "KEY_STAYS_USABLE";

/**
 * The one rule behind the `deletionImpact` output and the preview of a replacement. Conditional on purpose:
 * its callers know the states only as of the last create, update or refresh, and KMS may have moved on (a
 * destroy reports what KMS answered instead: deleteMaterial.ts).
 */
export function deletionImpactOf(state: {
    keyState: string;
    keyMaterialState: string | null;
    importState: string | null;
}): DeletionImpact {
    if (state.importState !== "IMPORTED") return "NOTHING_TO_DELETE";
    if (isPendingDeletion(state.keyState)) return "KEY_PENDING_DELETION";
    if (state.keyMaterialState === null || isPermanentlyAssociated(state.keyMaterialState))
        return "KEY_BECOMES_PENDING_IMPORT";
    return "KEY_STAYS_USABLE";
}

/** The same rule in words, for the preview line of a replacement ("would": states as of the last refresh). */
export function effectOfDeleting(state: {
    keyState: string;
    keyMaterialState: string | null;
    importState: string | null;
}): string {
    const effects: Record<DeletionImpact, string> = {
        NOTHING_TO_DELETE: "nothing to delete (not imported)",
        KEY_PENDING_DELETION: `key is ${state.keyState} and would stay so`,
        KEY_BECOMES_PENDING_IMPORT: "key would become PendingImport (unusable)",
        KEY_STAYS_USABLE: "key would stay usable (material not yet in use)",
    };
    return effects[deletionImpactOf(state)];
}
