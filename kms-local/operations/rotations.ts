// RotateKeyOnDemand, GetKeyRotationStatus, ListKeyRotations
// (docs/kms-behaviour.md#listkeyrotations-and-getkeyrotationstatus, docs/kms-behaviour.md#rotatekeyondemand). Rotation
// completes asynchronously: RotateKeyOnDemand only schedules it (rotationDelayMs on the kms-local clock); settlement
// promotes PENDING_ROTATION → CURRENT and CURRENT → NON_CURRENT in the whole family.

import { generateMaterial, isSymmetric } from "../crypto/keySpecs.js";
import { keyMaterialId } from "../crypto/materialId.js";
import { E } from "../model/errors.js";
import { keyState } from "../store/keyState.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import type { KeyRecord, MaterialRecord } from "../store/types.js";
import { ts } from "../model/context.js";
import type { Handler, OpContext } from "./context.js";
import { paginate } from "./paging.js";

function notSymmetric(ctx: OpContext, k: KeyRecord) {
    // Real AWS answers RotateKeyOnDemand on an RSA key with no message at all (docs/kms-behaviour.md#rotatekeyondemand,
    // S34).
    return ctx.switches.emptyMessageErrors === "empty"
        ? E.unsupportedEmpty()
        : E.keySpecNotValid(ctx.store.arn(k), k.keySpec);
}

export const rotateKeyOnDemand: Handler = async (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    // The state check precedes the key-spec check: a disabled RSA key gives DisabledException
    // (docs/kms-behaviour.md#rotatekeyondemand [R]).
    checkState("RotateKeyOnDemand", keyState(k), arn, ctx.switches);
    if (!isSymmetric(k.keySpec)) throw notSymmetric(ctx, k);
    if (k.mrk?.type === "REPLICA") throw E.replicaRotation(arn);
    if (k.rotationCompletesAt !== undefined) throw E.rotationInProgress(arn);
    if (k.onDemandRotations >= ctx.switches.onDemandRotationLimit) throw E.rotationLimit(arn);
    const family = ctx.store.family(k);
    if (k.origin === "EXTERNAL") {
        if (!k.materials.some((m) => m.state === "PENDING_ROTATION")) throw E.noPendingRotation(arn);
    } else {
        const bytes = await generateMaterial(k.keySpec);
        const id = keyMaterialId(k.keyId, bytes, ctx.switches.keyMaterialIdDerivation);
        for (const f of family) f.materials.push({ id, bytes: bytes.toString("base64"), state: "PENDING_ROTATION" });
    }
    for (const f of family) {
        f.rotationStartedAt = ctx.now;
        f.rotationCompletesAt = ctx.now + ctx.switches.rotationDelayMs;
        f.onDemandRotations += 1;
    }
    ctx.store.dirty = true;
    return { KeyId: arn };
};

export const getKeyRotationStatus: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    checkState("GetKeyRotationStatus", keyState(k), arn, ctx.switches);
    if (!isSymmetric(k.keySpec)) throw E.keySpecNotValid(arn, k.keySpec);
    if (k.origin === "EXTERNAL" && ctx.switches.rotationStatusExternal === "unsupported")
        throw E.originNotValid(arn, "EXTERNAL");
    return { KeyRotationEnabled: false, KeyId: arn, OnDemandRotationStartDate: ts(k.rotationStartedAt) };
};

function entry(k: KeyRecord, m: MaterialRecord) {
    const external = k.origin === "EXTERNAL";
    return {
        KeyId: k.keyId,
        KeyMaterialId: m.id,
        KeyMaterialDescription: external ? m.description : undefined,
        ImportState: external ? (m.bytes !== undefined ? "IMPORTED" : "PENDING_IMPORT") : undefined,
        KeyMaterialState: m.state,
        ExpirationModel: external ? m.expirationModel : undefined,
        ValidTo: m.expirationModel === "KEY_MATERIAL_EXPIRES" ? ts(m.validTo) : undefined,
        RotationDate: ts(m.rotationDate),
        RotationType: m.rotationType,
    };
}

export const listKeyRotations: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    checkState("ListKeyRotations", keyState(k), arn, ctx.switches);
    if (!isSymmetric(k.keySpec)) {
        if (ctx.switches.listRotationsAsymmetric === "emptyList") return { Rotations: [], Truncated: false };
        throw E.keySpecNotValid(arn, k.keySpec);
    }
    const all = input.IncludeKeyMaterial === "ALL_KEY_MATERIAL";
    // ROTATIONS_ONLY: materials made current by completed rotations. ALL_KEY_MATERIAL adds the first material and
    // imported material pending rotation (AWS_KMS keys have no visible pending material).
    const materials = k.materials.filter((m) =>
        all ? !(k.origin === "AWS_KMS" && m.state === "PENDING_ROTATION") : m.rotationDate !== undefined,
    );
    const page = paginate(
        "ListKeyRotations",
        materials,
        input.Limit as number | undefined,
        input.Marker as string | undefined,
    );
    return { Rotations: page.items.map((m) => entry(k, m)), NextMarker: page.NextMarker, Truncated: page.Truncated };
};
