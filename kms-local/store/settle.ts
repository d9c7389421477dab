// Lazy settlement: everything AWS does by itself over time is applied when kms-local next looks, on every
// request and every control read, using the kms-local clock. So no timer can be missed and a clock advance takes
// effect at once: replica creation (Creating → PendingImport/Enabled), material expiry at ValidTo, on-demand
// rotation completion, and key deletion at DeletionDate (with PendingReplicaDeletion → PendingDeletion).

import type { EventRecord } from "../model/events.js";
import type { Switches } from "../model/switches.js";
import { isPending } from "./keyState.js";
import type { Store } from "./store.js";
import type { KeyRecord, MaterialRecord } from "./types.js";

const DAY = 86_400_000;

/** Removes a pending material from a primary (or single-Region key) and the matching entries of its replicas. */
export function dropPendingMaterial(store: Store, k: KeyRecord, m: MaterialRecord): void {
    const targets = k.mrk?.type === "PRIMARY" ? store.family(k) : [k];
    for (const t of targets) t.materials = t.materials.filter((x) => x.id !== m.id);
    store.dirty = true;
}

function expire(store: Store, k: KeyRecord, now: number, switches: Switches, event: (e: EventRecord) => void): boolean {
    let changed = false;
    for (const m of [...k.materials]) {
        if (
            m.bytes === undefined ||
            m.expirationModel !== "KEY_MATERIAL_EXPIRES" ||
            m.validTo === undefined ||
            now < m.validTo
        )
            continue;
        event({
            time: m.validTo,
            event: "DeleteExpiredKeyMaterial",
            region: k.region,
            keyId: k.keyId,
            keyMaterialId: m.id,
        });
        changed = true;
        if (isPending(m) && switches.pendingMaterialExpiry === "remove" && k.mrk?.type !== "REPLICA") {
            dropPendingMaterial(store, k, m);
            continue;
        }
        delete m.bytes;
        m.lost = "expired";
    }
    return changed;
}

function completeRotation(store: Store, k: KeyRecord, event: (e: EventRecord) => void): void {
    const at = k.rotationCompletesAt as number;
    const pending = k.materials.find((m) => m.state === "PENDING_ROTATION");
    if (pending) {
        for (const m of k.materials) if (m.state === "CURRENT") m.state = "NON_CURRENT";
        pending.state = "CURRENT";
        pending.rotationDate = at;
        pending.rotationType = "ON_DEMAND";
        event({ time: at, event: "RotationCompleted", region: k.region, keyId: k.keyId, keyMaterialId: pending.id });
    }
    delete k.rotationCompletesAt;
    delete k.rotationStartedAt;
    store.dirty = true;
}

function settleOnce(store: Store, now: number, switches: Switches, event: (e: EventRecord) => void): boolean {
    let changed = false;
    const replicaDeletions = new Map<string, number>();
    const keys = store
        .allKeys()
        .sort((a, b) => (a.mrk?.type === "REPLICA" ? -1 : 0) - (b.mrk?.type === "REPLICA" ? -1 : 0));
    for (const k of keys) {
        if (k.creatingUntil !== undefined && now >= k.creatingUntil) {
            event({ time: k.creatingUntil, event: "ReplicaCreated", region: k.region, keyId: k.keyId });
            delete k.creatingUntil;
            changed = true;
        }
        if (expire(store, k, now, switches, event)) changed = true;
        if (k.rotationCompletesAt !== undefined && now >= k.rotationCompletesAt) {
            completeRotation(store, k, event);
            changed = true;
        }
        if (k.lifecycle === "PendingDeletion" && k.deletionDate !== undefined && now >= k.deletionDate) {
            store.removeKey(k);
            event({ time: k.deletionDate, event: "DeleteKey", region: k.region, keyId: k.keyId });
            if (k.mrk?.type === "REPLICA")
                replicaDeletions.set(k.keyId, Math.max(replicaDeletions.get(k.keyId) ?? 0, k.deletionDate));
            changed = true;
        }
    }
    for (const k of store.allKeys()) {
        if (k.lifecycle !== "PendingReplicaDeletion" || store.replicasOf(k).length > 0) continue;
        // The waiting period of a primary starts when its last replica is deleted
        // (docs/kms-behaviour.md#schedulekeydeletion-and-cancelkeydeletion).
        const from = replicaDeletions.get(k.keyId) ?? now;
        k.lifecycle = "PendingDeletion";
        k.deletionDate = from + (k.pendingWindowInDays ?? 30) * DAY;
        changed = true;
    }
    if (changed) store.dirty = true;
    return changed;
}

/** Import tokens are kept a week after issue (so a late one is "expired", not "invalid"), then forgotten. */
const TOKEN_RETENTION_MS = 7 * DAY;

/** Applies everything due at `now`. */
export function settle(store: Store, now: number, switches: Switches, event: (e: EventRecord) => void): void {
    for (let i = 0; i < 4 && settleOnce(store, now, switches, event); i++);
    for (const [id, t] of store.tokens) {
        if (now - t.issuedAt > TOKEN_RETENTION_MS) {
            store.tokens.delete(id);
            store.dirty = true;
        }
    }
}
