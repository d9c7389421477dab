// The key-state machine (docs/kms-behaviour.md#key-states). The state of an active key is derived, never stored: it
// follows from the owner's Enabled/Disabled wish and from which permanently associated materials are present. Deriving
// it means no transition (import, deletion, expiry, rotation) can forget to update it.

import type { KeyRecord, KeyState, MaterialRecord } from "./types.js";

/**
 * CURRENT and NON_CURRENT materials are permanently associated
 * (docs/kms-behaviour.md#permanent-association-and-keymaterialid); pending ones are not.
 */
export const isPermanent = (m: MaterialRecord): boolean => m.state === "CURRENT" || m.state === "NON_CURRENT";
export const isPending = (m: MaterialRecord): boolean =>
    m.state === "PENDING_ROTATION" || m.state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";

export function currentMaterial(k: KeyRecord): MaterialRecord | undefined {
    return k.materials.find((m) => m.state === "CURRENT");
}

export function pendingMaterial(k: KeyRecord): MaterialRecord | undefined {
    return k.materials.find(isPending);
}

/** True when an EXTERNAL key lacks material it needs: none yet, or a required material is not imported. */
export function materialMissing(k: KeyRecord): boolean {
    if (k.origin !== "EXTERNAL") return false;
    if (k.materials.length === 0) return true;
    return k.materials.some((m) => (isPermanent(m) || m.required === true) && m.bytes === undefined);
}

export function keyState(k: KeyRecord): KeyState {
    if (k.forcedState) return k.forcedState;
    if (k.lifecycle !== "Active") return k.lifecycle;
    if (k.creatingUntil !== undefined) return "Creating";
    if (materialMissing(k)) return k.disabledWithoutMaterial ? "Disabled" : "PendingImport";
    return k.enabled ? "Enabled" : "Disabled";
}
