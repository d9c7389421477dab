// What an operation reports: the steps the engine took or planned, check failures, errors,
// diagnostics and the host's log lines. This is the information the CLI prints (render.ts turns
// it into CLI-like text), in a form tests can assert on.

import type { DiffChanges, HostLogLine } from "./host";
import type { KeyDiff } from "./values";

/**
 * Step operations, named as the engine names them (display.StepOp). A replacement is three steps:
 * `create-replacement` and `delete-replaced` (physical) around the logical `replace`.
 * `remove-pending-replace` drops a resource already deleted by an earlier delete-before-replace.
 */
export type StepOp =
    | "same"
    | "create"
    | "update"
    | "delete"
    | "replace"
    | "create-replacement"
    | "delete-replaced"
    | "refresh"
    | "remove-pending-replace";

export type OperationKind = "preview" | "update" | "refresh" | "destroy";

export interface RefreshOutcome {
    /** What refresh found (RefreshStep.ResultOp): unchanged, drifted, or gone (id ""). */
    result: "same" | "update" | "delete";
    /** Stored outputs → read outputs: what `pulumi refresh` shows as `[diff: …]`. */
    outputDiff: KeyDiff;
    /** Old → new value of each updated output, as `pulumi refresh --diff` shows them (secrets as "[secret]"). */
    outputChanges: Record<string, { old: unknown; new: unknown }>;
    /** Stored inputs → inputs after refresh (changes only when read returned `inputs`). */
    inputDiff: KeyDiff;
}

export interface StepRecord {
    urn: string;
    name: string;
    type: string;
    op: StepOp;
    /** Logical steps are the ones the CLI lists (not create-replacement / delete-replaced). */
    logical: boolean;
    /** planned = preview (nothing executed); done; failed. */
    status: "planned" | "done" | "failed";
    /** Old inputs → new inputs, filtered by the changed keys the diff reported: the CLI's `[diff: …]`. */
    diff?: KeyDiff;
    /** What Diff answered (after the engine's DIFF_UNKNOWN fallback the effective answer is in `changes`). */
    providerDiff?: DiffChanges;
    /** Effective diff after the engine's fallback: "none" or "some". */
    changes?: "none" | "some";
    replaceKeys?: string[];
    deleteBeforeReplace?: boolean;
    refresh?: RefreshOutcome;
    /** retainOnDelete: removed from state without calling the provider. */
    retained?: boolean;
    /** Why the step failed. */
    error?: string;
    initErrors?: string[];
    durationMs: number;
}

export interface CheckFailureRecord {
    urn: string;
    name: string;
    type: string;
    property: string;
    reason: string;
    /** The CLI's text: "<type> resource '<name>'s property '<p>' value {<v>} has a problem: <reason>". */
    message: string;
}

export interface ErrorRecord {
    urn?: string;
    message: string;
    /** Reasons of a partial failure (ErrorResourceInitFailed). */
    reasons?: string[];
}

export interface Diagnostic {
    severity: "info" | "warning" | "error";
    urn?: string;
    message: string;
}

/** Counts of logical steps, as in the CLI's "Resources:" summary. */
export interface ChangeSummary {
    create: number;
    update: number;
    replace: number;
    delete: number;
    same: number;
}

export interface OperationResult {
    kind: OperationKind;
    /** True for preview (and preview --refresh): nothing was executed or persisted. */
    dryRun: boolean;
    ok: boolean;
    steps: StepRecord[];
    checkFailures: CheckFailureRecord[];
    errors: ErrorRecord[];
    diagnostics: Diagnostic[];
    /** Host output produced during this operation. */
    logs: HostLogLine[];
    summary: ChangeSummary;
    /** Version the host reported (GetPluginInfo), when a host was started. */
    pluginVersion?: string;
    durationMs: number;
}

export interface ProgressEvent {
    phase: "start" | "end";
    op: StepOp;
    urn: string;
    name: string;
    type: string;
    dryRun: boolean;
    /** On "end". */
    status?: StepRecord["status"];
    elapsedMs?: number;
}

/** Called when a step starts and ends, so a long step can show progress. */
export type ProgressHook = (event: ProgressEvent) => void;

/**
 * Thrown after a failure was recorded, to stop the operation like the engine's bail: the
 * message is already in the result, nothing more to report.
 */
export class Bail extends Error {
    /** `reason`: the recorded message, when the bail is for one step's failure. */
    constructor(readonly reason?: string) {
        super("operation stopped after a recorded failure");
        this.name = "Bail";
    }
}

/** Collects one operation's result as it runs. */
export class Recorder {
    readonly steps: StepRecord[] = [];
    readonly checkFailures: CheckFailureRecord[] = [];
    readonly errors: ErrorRecord[] = [];
    readonly diagnostics: Diagnostic[] = [];
    readonly logs: HostLogLine[] = [];
    private readonly started = Date.now();

    constructor(
        readonly kind: OperationKind,
        readonly dryRun: boolean,
        private readonly progress: ProgressHook | undefined,
    ) {}

    /**
     * Runs one step, timing it and reporting progress; the body fills in the record. In a dry run
     * steps are "planned", except those that really execute then too (`executes`: refresh reads).
     * Steps are listed in the order they finish (steps run in parallel with `parallel` > 1).
     */
    async step(
        base: Omit<StepRecord, "status" | "durationMs" | "logical">,
        body?: (rec: StepRecord) => Promise<void>,
        executes: boolean = false,
    ): Promise<StepRecord> {
        // As Step.Logical() in the engine: the physical halves of a replacement, refreshes and
        // pending-replace removals are not what the CLI lists as the plan.
        const logical = !["create-replacement", "delete-replaced", "refresh", "remove-pending-replace"].includes(base.op);
        const rec: StepRecord = { ...base, logical, status: this.dryRun && !executes ? "planned" : "done", durationMs: 0 };
        const t0 = Date.now();
        const ev = { op: rec.op, urn: rec.urn, name: rec.name, type: rec.type, dryRun: this.dryRun };
        this.progress?.({ phase: "start", ...ev });
        try {
            await body?.(rec);
        } catch (e) {
            rec.status = "failed";
            rec.error = e instanceof Bail ? (e.reason ?? this.errors[this.errors.length - 1]?.message) : e instanceof Error ? e.message : String(e);
            throw e;
        } finally {
            rec.durationMs = Date.now() - t0;
            this.steps.push(rec);
            this.progress?.({ phase: "end", ...ev, status: rec.status, elapsedMs: rec.durationMs });
        }
        return rec;
    }

    warn(message: string, urn?: string): void {
        this.diagnostics.push({ severity: "warning", message, urn });
    }

    finish(pluginVersion: string | undefined): OperationResult {
        const summary: ChangeSummary = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
        for (const s of this.steps) {
            if (s.status === "failed") {
                continue;
            }
            if (s.op === "refresh" && s.refresh && this.kind === "refresh") {
                summary[s.refresh.result === "update" ? "update" : s.refresh.result === "delete" ? "delete" : "same"]++;
            } else if (s.logical && s.op in summary) {
                summary[s.op as keyof ChangeSummary]++;
            }
        }
        const ok = this.errors.length === 0 && this.checkFailures.length === 0 && this.steps.every((s) => s.status !== "failed");
        return {
            kind: this.kind,
            dryRun: this.dryRun,
            ok,
            steps: this.steps,
            checkFailures: this.checkFailures,
            errors: this.errors,
            diagnostics: this.diagnostics,
            logs: this.logs,
            summary,
            pluginVersion,
            durationMs: Date.now() - this.started,
        };
    }
}
