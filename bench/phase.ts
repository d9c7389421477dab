// One measured phase: a stack operation (up, refresh, destroy) with its timeline, the KMS calls
// kms-local counted during it, the quota bound of those calls, and the provider host's CPU time.

import type { OperationCounters } from "../kms-local";
import type { OperationResult, ProgressEvent, Stack, StepOp } from "../engine-harness";
import { quotaBound, type QuotaBound } from "./bound";
import { processCpuMs } from "./procStat";
import { acceptedCalls, type BenchWorld } from "./world";

export type PhaseName = "create" | "refresh" | "update" | "delete";

export interface PhaseResult {
    phase: PhaseName;
    /** Steps of the phase's kind (create, refresh, update, delete) that completed. */
    resources: number;
    failedSteps: number;
    /** Operation errors (the first few messages). */
    errors: string[];
    wallMs: number;
    /** From the operation's start to the first step's start: host launch, Configure, the first Check. */
    firstStepStartMs: number | undefined;
    /** From the operation's start to the end of each completed step of the phase's kind, ascending. */
    stepEndsMs: number[];
    counters: Record<string, OperationCounters>;
    /** Calls per operation that KMS accepted (not throttled). */
    accepted: Record<string, number>;
    throttled: number;
    /** When each throttled attempt happened, ms from the operation's start, with its operation. */
    throttledAt: { operation: string; atMs: number }[];
    bound: QuotaBound;
    /** wall ÷ bound. */
    ratio: number | undefined;
    /** From the operation's start until the host was launched and configured (seen within 10 ms). */
    hostReadyMs: number | undefined;
    /** Host CPU ms (process lifetime totals) once configured, and at the last step's end. */
    hostCpuAtReadyMs: number | undefined;
    hostCpuAtLastStepMs: number | undefined;
    /** The provider's progress lines while pacing or waiting (the first few). */
    pacingLogs: string[];
}

export interface PhaseOptions {
    world: BenchWorld;
    stack: Stack;
    phase: PhaseName;
    /** Step op that counts as one resource of this phase. */
    stepOp: StepOp;
    /** Total expected, for progress lines. */
    expected: number;
    run: (onProgress: (e: ProgressEvent) => void) => Promise<OperationResult>;
    print: (line: string) => void;
    /** Progress line every this many ms. */
    progressEveryMs?: number;
}

const PACING = /pacing KMS|still waiting|throttl/i;

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
    const { world, stack } = o;
    world.kms.control.resetCounters();
    const logsBefore = stack.hostLogs().length;
    const stepEnds: number[] = [];
    let firstStart: number | undefined;
    let failed = 0;
    let cpuLast: number | undefined;
    const sampleCpu = (): number | undefined => {
        const pid = stack.activeHost()?.pid;
        return pid === undefined ? undefined : processCpuMs(pid);
    };
    let hostReady: number | undefined;
    let cpuReady: number | undefined;
    const t0 = performance.now();
    const clock0 = world.kms.control.clock.now();
    // The registry publishes the host once Configure has answered; before any resource call is sent.
    const readyPoll = setInterval(() => {
        if (hostReady === undefined && stack.activeHost()) {
            hostReady = performance.now() - t0;
            cpuReady = sampleCpu();
        }
    }, 10);
    const onProgress = (e: ProgressEvent): void => {
        const at = performance.now() - t0;
        if (e.phase === "start" && firstStart === undefined) {
            firstStart = at;
        }
        if (e.phase === "end") {
            if (e.status === "failed") {
                failed++;
            } else if (e.op === o.stepOp) {
                stepEnds.push(at);
            }
            cpuLast = sampleCpu() ?? cpuLast;
        }
    };
    let printedLogs = logsBefore;
    const pacingLogs: string[] = [];
    const ticker = setInterval(() => {
        const throttled = Object.values(world.kms.control.counters()).reduce((n, c) => n + c.throttled, 0);
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        o.print(`  [${o.phase}] ${stepEnds.length}/${o.expected} done · ${seconds} s · throttled attempts ${throttled}`);
        const logs = stack.hostLogs();
        for (const line of logs.slice(printedLogs)) {
            if (PACING.test(line.text)) {
                o.print(`  [${o.phase}] host: ${line.text}`);
                if (pacingLogs.length < 10) pacingLogs.push(line.text);
            }
        }
        printedLogs = logs.length;
    }, o.progressEveryMs ?? 5000);
    let result: OperationResult;
    try {
        result = await o.run(onProgress);
    } finally {
        clearInterval(ticker);
        clearInterval(readyPoll);
    }
    const wallMs = performance.now() - t0;
    const counters = world.kms.control.counters();
    const accepted = acceptedCalls(counters);
    const bound = quotaBound(accepted, (op) => world.rate(op));
    for (const line of stack.hostLogs().slice(printedLogs)) {
        if (PACING.test(line.text) && pacingLogs.length < 10) pacingLogs.push(line.text);
    }
    return {
        phase: o.phase,
        resources: stepEnds.length,
        failedSteps: failed,
        errors: result.errors.slice(0, 3).map((e) => e.message),
        wallMs,
        firstStepStartMs: firstStart,
        stepEndsMs: stepEnds.sort((a, b) => a - b),
        counters,
        accepted,
        throttled: Object.values(counters).reduce((n, c) => n + c.throttled, 0),
        throttledAt: world.kms.control
            .requests()
            .filter((q) => q.errorType === "ThrottlingException" && q.fault === undefined)
            .map((q) => ({ operation: q.operation, atMs: Math.round(q.time - clock0) })),
        bound,
        ratio: bound.ms > 0 ? wallMs / bound.ms : undefined,
        hostReadyMs: hostReady,
        hostCpuAtReadyMs: cpuReady,
        hostCpuAtLastStepMs: cpuLast,
        pacingLogs,
    };
}
