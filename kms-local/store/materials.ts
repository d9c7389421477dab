// Material bookkeeping shared by import, deletion, replication and rotation of multi-Region keys:
// new material imported into a primary is PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica holds it,
// then PENDING_ROTATION in the whole family (docs/kms-behaviour.md#key-material-states).

import { isPending } from "./keyState.js";
import type { Store } from "./store.js";
import type { KeyRecord } from "./types.js";

export function refreshMultiRegionPending(store: Store, k: KeyRecord): void {
    if (!k.multiRegion) return;
    const family = store.family(k);
    const primary = family.find((f) => f.mrk?.type === "PRIMARY");
    if (!primary) return;
    for (const m of primary.materials.filter(isPending)) {
        const everywhere = family.every((f) => f.materials.some((x) => x.id === m.id && x.bytes !== undefined));
        const state =
            everywhere || family.length === 1 ? "PENDING_ROTATION" : "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";
        for (const f of family) {
            const entry = f.materials.find((x) => x.id === m.id);
            if (entry) entry.state = state;
            else f.materials.push({ id: m.id, state });
        }
    }
    store.dirty = true;
}
