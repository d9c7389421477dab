// DeleteImportedKeyMaterial (docs/kms-behaviour.md#deleteimportedkeymaterial): by KeyMaterialId, default the current
// material. Permanent material is dropped (the key becomes PendingImport, or stays PendingDeletion); pending material
// is removed (from the replicas too when deleted in a primary), unless S6 says it keeps the key PendingImport until
// reimported.

import { isSymmetric } from "../crypto/keySpecs.js";
import { E } from "../model/errors.js";
import { currentMaterial, isPending, keyState } from "../store/keyState.js";
import { refreshMultiRegionPending } from "../store/materials.js";
import { resolveKey } from "../store/resolve.js";
import { dropPendingMaterial } from "../store/settle.js";
import { checkState } from "../store/stateTable.js";
import type { KeyRecord, MaterialRecord } from "../store/types.js";
import type { Output } from "../model/context.js";
import type { Handler, OpContext } from "./context.js";

function target(ctx: OpContext, k: KeyRecord, requested: string | undefined): MaterialRecord | undefined {
    if (requested === undefined) return isSymmetric(k.keySpec) ? currentMaterial(k) : k.materials[0];
    const m = k.materials.find((x) => x.id === requested);
    if (!m) throw E.materialNotFound(ctx.switches.deleteUnknownMaterialError, requested, ctx.store.arn(k));
    return m;
}

function remove(ctx: OpContext, k: KeyRecord, m: MaterialRecord): void {
    if (!isPending(m)) {
        delete m.bytes;
        m.lost = "deleted";
    } else if (k.mrk?.type === "REPLICA") {
        // A replica's copy only: the entry stays so the material can be imported again.
        delete m.bytes;
        m.lost = "deleted";
        refreshMultiRegionPending(ctx.store, k);
    } else if (ctx.switches.deletePendingRotationMaterial === "pendingImport") {
        delete m.bytes;
        m.lost = "deleted";
        m.required = true;
    } else {
        dropPendingMaterial(ctx.store, k, m);
    }
    ctx.store.dirty = true;
}

function response(ctx: OpContext, k: KeyRecord, m: MaterialRecord | undefined): Output {
    if (ctx.switches.responseShapes === "legacy") return {};
    const arn = ctx.store.arn(k);
    if (isSymmetric(k.keySpec)) return { KeyId: arn, KeyMaterialId: m?.id };
    const mode = ctx.switches.deleteResponseMaterialIdAsymmetric;
    return { KeyId: arn, KeyMaterialId: mode === "omit" ? undefined : mode === "empty" ? "" : m?.id };
}

export const deleteImportedKeyMaterial: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    if (k.origin !== "EXTERNAL") throw E.originNotValid(arn, k.origin, ctx.switches.deleteOnAwsKmsMessage === "origin");
    checkState("DeleteImportedKeyMaterial", keyState(k), arn, ctx.switches);
    const m = target(ctx, k, input.KeyMaterialId as string | undefined);
    if (m) {
        ctx.facts.keyMaterialId = m.id;
        if (m.bytes !== undefined) remove(ctx, k, m);
    }
    return response(ctx, k, m);
};
