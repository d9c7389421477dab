// ImportKeyMaterial (docs/kms-behaviour.md#importkeymaterial). Order of checks: request semantics (ValidationException)
// → key (NotFound, origin, state) → symmetric-only members → token (bound to key, 24 h, single use) → unwrap → material
// format → association rules (same material, already associated, one pending rotation, replicas) → apply.

import { isSymmetric, materialFits } from "../crypto/keySpecs.js";
import { keyMaterialId } from "../crypto/materialId.js";
import { unwrapKeyMaterial, type WrappingAlgorithm } from "../crypto/unwrap.js";
import { wrappingKeyById } from "../crypto/wrappingPool.js";
import { E, refused } from "../model/errors.js";
import type { Input } from "../model/validate.js";
import { keyState, materialMissing, pendingMaterial } from "../store/keyState.js";
import { refreshMultiRegionPending } from "../store/materials.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import type { ExpirationModel, KeyRecord, MaterialRecord, TokenRecord } from "../store/types.js";
import type { Output } from "../model/context.js";
import type { Handler, OpContext } from "./context.js";
import { incompatibleWrapping, TOKEN_VALIDITY_MS } from "./getParametersForImport.js";

const YEAR_MS = 365 * 86_400_000;

function checkExpiry(ctx: OpContext, input: Input): { model: ExpirationModel; validTo?: number } {
    const model = (input.ExpirationModel ?? "KEY_MATERIAL_EXPIRES") as ExpirationModel;
    const validTo = input.ValidTo as number | undefined;
    if (model === "KEY_MATERIAL_EXPIRES") {
        if (validTo === undefined) throw E.validToRequired();
        if (validTo <= ctx.now) throw E.validation(ctx.switches.validToPastMessage);
        if (validTo > ctx.now + YEAR_MS) throw E.validation(ctx.switches.validToTooLateMessage);
        return { model, validTo };
    }
    if (validTo !== undefined) throw E.validation(ctx.switches.validToWithDoesNotExpireMessage);
    return { model };
}

function takeToken(ctx: OpContext, k: KeyRecord, token: Buffer): TokenRecord {
    const t = ctx.store.tokens.get(token.toString("hex"));
    if (!t || t.region !== ctx.region || t.keyId !== k.keyId) throw E.tokenInvalid();
    if (ctx.now >= t.issuedAt + TOKEN_VALIDITY_MS) throw E.tokenExpired();
    if (t.used && ctx.switches.tokenReuse === "reject") throw E.tokenUsed();
    return t;
}

function unwrap(ctx: OpContext, k: KeyRecord, t: TokenRecord, blob: Buffer): Buffer {
    const wrapping = wrappingKeyById(t.wrappingKeyId);
    if (!wrapping) throw E.tokenInvalid();
    if (
        ctx.switches.incompatibleWrapping === "atImport" &&
        incompatibleWrapping(k.keySpec, t.algorithm, t.wrappingKeySpec)
    ) {
        throw E.invalidCiphertext();
    }
    const material = unwrapKeyMaterial(t.algorithm as WrappingAlgorithm, wrapping, blob);
    if (!material) throw E.invalidCiphertext();
    if (!materialFits(k.keySpec, material)) {
        const type = ctx.switches.badMaterialError;
        throw type === "InvalidCiphertextException" ? E.invalidCiphertext() : E.badMaterial(type, k.keySpec);
    }
    return material;
}

/** Finds or creates the material entry this import fills, enforcing the association rules. */
function targetEntry(ctx: OpContext, k: KeyRecord, id: string, input: Input): MaterialRecord {
    const arn = ctx.store.arn(k);
    const existing = k.materials.find((m) => m.id === id);
    if (!isSymmetric(k.keySpec)) {
        // Asymmetric and HMAC keys are bound to their first material for ever
        // (docs/kms-behaviour.md#permanent-association-and-keymaterialid).
        if (k.materials.length > 0 && !existing) throw E.notSameMaterial();
        if (existing) return existing;
        const first: MaterialRecord = { id, state: "CURRENT" };
        k.materials.push(first);
        return first;
    }
    const importType = (input.ImportType ??
        (k.materials.length === 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL")) as string;
    ctx.facts.importType = importType;
    if (importType === "EXISTING_KEY_MATERIAL") {
        if (!existing) throw E.notSameMaterial();
        return existing;
    }
    if (k.mrk?.type === "REPLICA") throw E.replicaNewMaterial(arn);
    if (existing) throw E.alreadyAssociated();
    const pending = pendingMaterial(k);
    if (pending) throw E.pendingRotationExists(id, arn, pending.id);
    const entry: MaterialRecord = { id, state: k.materials.length === 0 ? "CURRENT" : "PENDING_ROTATION" };
    k.materials.push(entry);
    return entry;
}

function symmetricOnlyMembers(ctx: OpContext, k: KeyRecord, input: Input): void {
    if (isSymmetric(k.keySpec)) return;
    for (const member of ["ImportType", "KeyMaterialId", "KeyMaterialDescription"]) {
        if (input[member] !== undefined) {
            throw refused(
                ctx.switches.importTypeOnAsymmetricError,
                `${member} is supported only for symmetric encryption KMS keys.`,
            );
        }
    }
}

export const importKeyMaterial: Handler = (ctx, input) => {
    const expiry = checkExpiry(ctx, input);
    if (input.KeyMaterialId !== undefined && input.ImportType === "NEW_KEY_MATERIAL") {
        throw refused(
            ctx.switches.materialIdWithNewError,
            "KeyMaterialId must not be specified when ImportType is NEW_KEY_MATERIAL.",
        );
    }
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    if (k.origin !== "EXTERNAL") throw E.originNotValid(arn, k.origin);
    const stateBefore = keyState(k);
    checkState("ImportKeyMaterial", stateBefore, arn, ctx.switches);
    symmetricOnlyMembers(ctx, k, input);
    const token = takeToken(ctx, k, input.ImportToken as Buffer);
    const material = unwrap(ctx, k, token, input.EncryptedKeyMaterial as Buffer);
    const id = keyMaterialId(k.keyId, material, ctx.switches.keyMaterialIdDerivation);
    ctx.facts.keyMaterialId = id;
    if (input.KeyMaterialId !== undefined && input.KeyMaterialId !== id) throw E.materialIdMismatch();
    const entry = targetEntry(ctx, k, id, input);

    token.used = true;
    entry.bytes = material.toString("base64");
    delete entry.lost;
    delete entry.required;
    entry.expirationModel = expiry.model;
    entry.validTo = expiry.validTo;
    if (input.KeyMaterialDescription !== undefined) entry.description = input.KeyMaterialDescription as string;
    refreshMultiRegionPending(ctx.store, k);
    // Success makes a PendingImport key Enabled once all permanent materials are present; a Disabled key follows S19.
    if (!materialMissing(k)) {
        if (
            stateBefore === "PendingImport" ||
            (stateBefore === "Disabled" && ctx.switches.importIntoDisabled === "enable")
        )
            k.enabled = true;
        delete k.disabledWithoutMaterial;
    }
    ctx.store.dirty = true;
    return importResponse(ctx, k, id);
};

function importResponse(ctx: OpContext, k: KeyRecord, id: string): Output {
    if (ctx.switches.responseShapes === "legacy") return {};
    const withId = isSymmetric(k.keySpec) || ctx.switches.importResponseMaterialIdAsymmetric === "id";
    return { KeyId: ctx.store.arn(k), KeyMaterialId: withId ? id : undefined };
}
