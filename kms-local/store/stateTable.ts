// The state × operation table (docs/kms-behaviour.md#key-state-table, from the archived Developer Guide, plus the "Not
// in the 2023 table" rows). One row per operation, one cell per key state; the cell names the outcome. Cells that
// depend on a switch name the switch. Checks beyond key state (origin, key spec, pending material) live in the
// operations.

import { E, KmsError } from "../model/errors.js";
import type { Switches } from "../model/switches.js";
import type { KeyState } from "./types.js";

export type Outcome =
    | "ok"
    | "disabled" // DisabledException "<arn> is disabled." [1]
    | "pendingDeletion" // KMSInvalidStateException "<arn> is pending deletion." [3]
    | "pendingImport" // KMSInvalidStateException "<arn> is pending import." [5]
    | "creating" // [14]
    | "updating" // [15]
    | "unavailable" // [11]
    | "notPendingDeletion" // [4]
    | "unsupported" // UnsupportedOperationException: Unavailable keys are custom-key-store keys [9]
    | "S1" // DeleteImportedKeyMaterial on PendingDeletion
    | "S2" // DeleteImportedKeyMaterial on PendingImport
    | "S19"; // ImportKeyMaterial on Disabled

type Row = Readonly<Record<KeyState, Outcome>>;

const row = (
    Enabled: Outcome,
    Disabled: Outcome,
    PD: Outcome,
    PendingImport: Outcome,
    Unavailable: Outcome,
    Creating: Outcome,
    Updating: Outcome,
): Row => ({
    Enabled,
    Disabled,
    PendingDeletion: PD,
    PendingReplicaDeletion: PD,
    PendingImport,
    Unavailable,
    Creating,
    Updating,
});

const CRYPTO = row("ok", "disabled", "pendingDeletion", "pendingImport", "unavailable", "creating", "ok");
const ENABLE_DISABLE = row("ok", "ok", "pendingDeletion", "pendingImport", "ok", "creating", "updating");
const ALWAYS = row("ok", "ok", "ok", "ok", "ok", "ok", "ok");

export const STATE_TABLE: Readonly<Partial<Record<string, Row>>> = {
    CancelKeyDeletion: row(
        "notPendingDeletion",
        "notPendingDeletion",
        "ok",
        "notPendingDeletion",
        "notPendingDeletion",
        "notPendingDeletion",
        "notPendingDeletion",
    ),
    Encrypt: CRYPTO,
    Decrypt: CRYPTO,
    GetPublicKey: CRYPTO,
    Sign: CRYPTO,
    Verify: CRYPTO,
    GenerateMac: CRYPTO,
    VerifyMac: CRYPTO,
    DeleteImportedKeyMaterial: row("ok", "ok", "S1", "S2", "unsupported", "creating", "updating"),
    DescribeKey: ALWAYS,
    ListKeyRotations: ALWAYS,
    GetKeyRotationStatus: ALWAYS,
    DisableKey: ENABLE_DISABLE,
    EnableKey: ENABLE_DISABLE,
    GetParametersForImport: row("ok", "ok", "pendingDeletion", "ok", "unsupported", "creating", "updating"),
    ImportKeyMaterial: row("ok", "S19", "pendingDeletion", "ok", "unsupported", "creating", "ok"),
    ReplicateKey: row("ok", "disabled", "pendingDeletion", "pendingImport", "unsupported", "creating", "updating"),
    ScheduleKeyDeletion: row("ok", "ok", "pendingDeletion", "ok", "ok", "ok", "updating"),
    RotateKeyOnDemand: row("ok", "disabled", "pendingDeletion", "pendingImport", "unavailable", "creating", "updating"),
    CreateAlias: row("ok", "ok", "pendingDeletion", "ok", "ok", "ok", "ok"),
};

/** The error for an outcome, or undefined when the operation may proceed. */
export function outcomeError(outcome: Outcome, state: KeyState, arn: string, switches: Switches): KmsError | undefined {
    switch (outcome) {
        case "ok":
            return undefined;
        case "disabled":
            return E.disabled(arn);
        case "pendingDeletion":
            return state === "PendingReplicaDeletion" ? E.pendingReplicaDeletion(arn) : E.pendingDeletion(arn);
        case "pendingImport":
            return E.pendingImport(arn);
        case "creating":
            return E.creating(arn);
        case "updating":
            return E.updating(arn);
        case "unavailable":
            return E.unavailable(arn);
        case "notPendingDeletion":
            return E.notPendingDeletion(arn);
        case "unsupported":
            return E.originNotValid(arn, "AWS_CLOUDHSM");
        case "S1":
            return switches.deleteOnPendingDeletion === "reject"
                ? outcomeError("pendingDeletion", state, arn, switches)
                : undefined;
        case "S2":
            return switches.deleteOnPendingImport === "reject" ? E.pendingImport(arn) : undefined;
        case "S19":
            return switches.importIntoDisabled === "reject" ? E.disabledInvalidState(arn) : undefined;
    }
}

/** Throws the table's error for `operation` on a key in `state`. */
export function checkState(operation: string, state: KeyState, arn: string, switches: Switches): void {
    const r = STATE_TABLE[operation];
    if (!r) throw new Error(`no state-table row for ${operation}`);
    const e = outcomeError(r[state], state, arn, switches);
    if (e) throw e;
}
