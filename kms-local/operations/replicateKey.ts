// ReplicateKey (docs/kms-behaviour.md#replicatekey, docs/kms-behaviour.md#multi-region-keys): a replica of a
// multi-Region primary in another Region. It is Creating for replicaCreatingMs, then PendingImport (EXTERNAL: it starts
// without material and must import the same material as the primary) or Enabled (AWS_KMS: KMS copies the material).
// Counts as 2 CreateKey in the replica Region (docs/kms-behaviour.md#request-quotas).

import { E } from "../model/errors.js";
import { keyState } from "../store/keyState.js";
import { refreshMultiRegionPending } from "../store/materials.js";
import { keyMetadata } from "./keyMetadata.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import type { KeyRecord } from "../store/types.js";
import type { Handler } from "./context.js";
import { checkTags } from "./keys.js";

export const replicateKey: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    // State first, as RotateKeyOnDemand does on AWS (docs/kms-behaviour.md#rotatekeyondemand): a Creating replica says
    // "is creating."
    checkState("ReplicateKey", keyState(k), arn, ctx.switches);
    if (!k.multiRegion || k.mrk?.type !== "PRIMARY") throw E.notMultiRegion(arn);
    const replicaRegion = input.ReplicaRegion as string;
    if (replicaRegion === ctx.region) throw E.sameRegion(replicaRegion);
    const existing = ctx.store.region(replicaRegion).keys.get(k.keyId);
    if (existing) throw E.replicaExists(ctx.store.arn(existing));
    const tags = checkTags(input.Tags as { TagKey: string; TagValue: string }[] | undefined);
    if (!ctx.quotas.take(ctx.account, replicaRegion, "CreateKey", "CreateKey", 2)) throw E.throttling();
    const external = k.origin === "EXTERNAL";
    const replica: KeyRecord = {
        ...k,
        region: replicaRegion,
        creationDate: ctx.now,
        description: (input.Description as string | undefined) ?? k.description,
        mrk: { type: "REPLICA", primaryRegion: k.region },
        lifecycle: "Active",
        enabled: true,
        materials: k.materials.map((m) =>
            external
                ? { id: m.id, state: m.state, rotationDate: m.rotationDate, rotationType: m.rotationType }
                : { ...m },
        ),
        onDemandRotations: k.onDemandRotations,
        tags,
        policy: (input.Policy as string | undefined) ?? k.policy,
        creatingUntil: ctx.switches.replicaCreatingMs > 0 ? ctx.now + ctx.switches.replicaCreatingMs : undefined,
        visibleAt: ctx.switches.newKeyInvisibleMs > 0 ? ctx.now + ctx.switches.newKeyInvisibleMs : undefined,
    };
    delete replica.deletionDate;
    delete replica.pendingWindowInDays;
    delete replica.forcedState;
    delete replica.staleUntil;
    delete replica.staleMetadata;
    delete replica.disabledWithoutMaterial;
    ctx.store.region(replicaRegion).keys.set(k.keyId, replica);
    refreshMultiRegionPending(ctx.store, k);
    ctx.store.dirty = true;
    return {
        // The ReplicateKey response omits CurrentKeyMaterialId (docs/kms-behaviour.md#replicatekey [R]).
        ReplicaKeyMetadata: keyMetadata(ctx.store, replica, ctx.switches, { omitCurrentMaterialId: true }),
        ReplicaPolicy: replica.policy,
        ReplicaTags: tags,
    };
};
