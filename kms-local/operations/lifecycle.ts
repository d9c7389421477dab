// ScheduleKeyDeletion / CancelKeyDeletion (docs/kms-behaviour.md#schedulekeydeletion-and-cancelkeydeletion) and
// EnableKey / DisableKey (docs/kms-behaviour.md#enablekey-and-disablekey).

import { E } from "../model/errors.js";
import { validationError } from "../model/validate.js";
import { keyState, materialMissing } from "../store/keyState.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import { ts } from "../model/context.js";
import type { Handler } from "./context.js";

const DAY = 86_400_000;

export const scheduleKeyDeletion: Handler = (ctx, input) => {
    const days = (input.PendingWindowInDays ?? 30) as number;
    // The model allows 1–365; the service allows 7–30
    // (docs/kms-behaviour.md#schedulekeydeletion-and-cancelkeydeletion). Wording follows the model validator's.
    if (days < 7)
        throw validationError([
            `Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ` +
                `greater than or equal to 7`,
        ]);
    if (days > 30)
        throw validationError([
            `Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ` +
                `less than or equal to 30`,
        ]);
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    checkState("ScheduleKeyDeletion", keyState(k), arn, ctx.switches);
    k.pendingWindowInDays = days;
    ctx.store.dirty = true;
    if (k.mrk?.type === "PRIMARY" && ctx.store.replicasOf(k).length > 0) {
        // The waiting period starts when the last replica is deleted: no DeletionDate yet
        // (docs/kms-behaviour.md#schedulekeydeletion-and-cancelkeydeletion).
        k.lifecycle = "PendingReplicaDeletion";
        return { KeyId: arn, KeyState: "PendingReplicaDeletion", PendingWindowInDays: days };
    }
    k.lifecycle = "PendingDeletion";
    k.deletionDate = ctx.now + days * DAY;
    return { KeyId: arn, DeletionDate: ts(k.deletionDate), KeyState: "PendingDeletion", PendingWindowInDays: days };
};

export const cancelKeyDeletion: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    checkState("CancelKeyDeletion", keyState(k), arn, ctx.switches);
    k.lifecycle = "Active";
    delete k.deletionDate;
    delete k.pendingWindowInDays;
    // After a cancel the key is Disabled; a key without material is PendingImport unless S21 says Disabled.
    k.enabled = false;
    if (materialMissing(k) && ctx.switches.cancelDeletionWithoutMaterial === "disabled")
        k.disabledWithoutMaterial = true;
    ctx.store.dirty = true;
    return { KeyId: arn };
};

function setEnabled(enabled: boolean, operation: "EnableKey" | "DisableKey"): Handler {
    return (ctx, input) => {
        const k = resolveKey(ctx, input.KeyId as string, false);
        const arn = ctx.store.arn(k);
        checkState(operation, keyState(k), arn, ctx.switches);
        if (!ctx.hotKeys.take(arn, ctx.switches.hotKeyRps)) throw E.throttling();
        k.enabled = enabled;
        if (enabled) delete k.disabledWithoutMaterial;
        ctx.store.dirty = true;
        return {};
    };
}

export const enableKey = setEnabled(true, "EnableKey");
export const disableKey = setEnabled(false, "DisableKey");
