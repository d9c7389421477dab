// What the fleet bench reports per phase: K stacks at once against one kms-local, judged by the quota they share.

import type { OperationCounters } from "../kms-local";
import { quotaBound, type QuotaBound } from "./bound";
import { acceptedCalls } from "./world";

/** The phases of the fleet bench, each one CLI command per stack, all stacks at once. */
export const FLEET_PHASES = {
    create: { command: "up", stepOp: "create", what: "`pulumi up` creating every material" },
    "preview-refresh": {
        command: "preview",
        stepOp: "refresh",
        what: "`pulumi preview --refresh`, a CI pipeline's drift check",
    },
    update: { command: "up", stepOp: "update", what: "`pulumi up` moving validTo: every material reimported" },
    delete: { command: "destroy", stepOp: "delete", what: "`pulumi destroy`" },
} as const;

export type FleetPhaseName = keyof typeof FLEET_PHASES;

/** One stack's command in one phase, as its worker process reports it. */
export interface StackPhaseResult {
    stack: number;
    ok: boolean;
    /** Steps of the phase's kind that completed. */
    steps: number;
    failedSteps: number;
    /** Error diagnostics and the command's error (the first few). */
    errors: string[];
    /** The `pulumi` process's spawn and exit, epoch ms (comparable across the workers). */
    startedAt: number;
    endedAt: number;
    /** The provider host's messages about throttling and pacing (the first few). */
    pacingLogs: string[];
}

export interface FleetPhaseResult {
    phase: FleetPhaseName;
    stacks: number;
    /** Steps each stack must complete (its materials). */
    steps: number;
    /** From the first `pulumi` spawn to the last exit. */
    wallMs: number;
    bound: QuotaBound;
    /** kms-local's counters over the phase, every stack's calls together. */
    counters: Record<string, OperationCounters>;
    /** Throttled and total calls of the operation that sets the bound (all operations' when none). */
    throttled: number;
    calls: number;
    failedSteps: number;
    /** Steps that did not complete (failed, or never started because the command failed). */
    missingSteps: number;
    perStack: StackPhaseResult[];
    /**
     * kms-local's first and last answer of the phase, ms after the first `pulumi` spawn: the KMS window, start-up and
     * end excluded.
     */
    kmsWindow: { firstMs: number; lastMs: number } | undefined;
    /**
     * When KMS throttled the busiest operation, ms after the first `pulumi` spawn (where the throttles come from:
     * joins, probes).
     */
    throttledAtMs: number[];
    loadAverage: { atStart: number; atEnd: number };
}

export function summarizeFleetPhase(
    phase: FleetPhaseName,
    steps: number,
    perStack: StackPhaseResult[],
    counters: Record<string, OperationCounters>,
    rateOf: (operation: string) => number,
    loadAverage: { atStart: number; atEnd: number },
    kmsAnswers: readonly { time: number; operation: string; throttled: boolean }[] = [],
): FleetPhaseResult {
    const bound = quotaBound(acceptedCalls(counters), rateOf);
    const busiest = bound.bottleneck ? counters[bound.bottleneck.operation] : undefined;
    const all = Object.values(counters);
    const startedAt = Math.min(...perStack.map((s) => s.startedAt));
    const endedAt = Math.max(...perStack.map((s) => s.endedAt));
    return {
        phase,
        stacks: perStack.length,
        steps,
        wallMs: endedAt - startedAt,
        bound,
        counters,
        throttled: busiest ? busiest.throttled : all.reduce((n, c) => n + c.throttled, 0),
        calls: busiest ? busiest.calls : all.reduce((n, c) => n + c.calls, 0),
        failedSteps: perStack.reduce((n, s) => n + s.failedSteps, 0),
        missingSteps: perStack.reduce((n, s) => n + Math.max(0, steps - s.steps), 0),
        perStack,
        kmsWindow:
            kmsAnswers.length > 0
                ? {
                      firstMs: Math.min(...kmsAnswers.map((a) => a.time)) - startedAt,
                      lastMs: Math.max(...kmsAnswers.map((a) => a.time)) - startedAt,
                  }
                : undefined,
        throttledAtMs: kmsAnswers
            .filter((a) => a.throttled && a.operation === bound.bottleneck?.operation)
            .map((a) => a.time - startedAt),
        loadAverage,
    };
}

/**
 * `fleet <phase>: K stacks × N steps in X s; shared quota bound Y s (OPERATION); throttled T of C calls; failed steps
 * F`
 */
export function fleetLine(p: FleetPhaseResult): string {
    const operation = p.bound.bottleneck?.operation ?? "no KMS calls";
    return (
        `fleet ${p.phase}: ${p.stacks} stacks × ${p.steps} steps in ${(p.wallMs / 1000).toFixed(1)} s; ` +
        `shared quota bound ${(p.bound.ms / 1000).toFixed(1)} s (${operation}); throttled ${p.throttled} ` +
        `of ${p.calls} calls; failed steps ${p.failedSteps}`
    );
}

/** Every step of every stack completed, none failed, no command failed. */
export function fleetPhaseOk(p: FleetPhaseResult): boolean {
    return p.failedSteps === 0 && p.missingSteps === 0 && p.perStack.every((s) => s.ok);
}
