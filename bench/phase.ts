// One measured phase: one CLI command (preview, up, refresh, destroy) with its timeline, the KMS calls
// kms-local counted during it, the quota bound of those calls, the CPU time of every process involved, and
// the checkpoint writes of the file backend.

import { loadavg } from "node:os";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation";
import type { OperationCounters } from "../kms-local";
import { boundRatio, quotaBound, type QuotaBound } from "./bound";
import { PREVIEW_ENVIRONMENT, type BenchStack, type CommandName } from "./cliStack";
import { exitedChildrenCpuMs, processCpuMs } from "./procStat";
import { ProcessWatcher, cpuByRole, type WatchedProcess } from "./processes";
import { StateWriteWatcher, type StateWrites } from "./stateWrites";
import { acceptedCalls, type BenchWorld } from "./world";

export type PhaseName = "preview" | "create" | "refresh" | "update" | "delete";

/** The CLI command of each phase and the step op that counts as one resource done. */
export const PHASES: Record<PhaseName, { command: CommandName; stepOp: string }> = {
    preview: { command: "preview", stepOp: "create" },
    create: { command: "up", stepOp: "create" },
    refresh: { command: "refresh", stepOp: "refresh" },
    update: { command: "up", stepOp: "update" },
    delete: { command: "destroy", stepOp: "delete" },
};

/** Where a phase's wall time went, in ms from the `pulumi` process's spawn. */
export interface Timeline {
    /**
     * The inline program started running (preview and up only: the engine asked the bench's language server to run it).
     */
    programStartedMs: number | undefined;
    /** The provider host process first seen (sampled every 100 ms; 25 ms in cold-start trials). */
    hostSeenMs: number | undefined;
    /** The engine's first step of a material started (resourcePreEvent). */
    firstStepStartMs: number | undefined;
    /** kms-local answered the phase's first and last KMS request. */
    firstKmsAnswerMs: number | undefined;
    lastKmsAnswerMs: number | undefined;
    /** Each completed step of the phase's kind (resOutputsEvent), ascending. */
    stepEndsMs: number[];
}

export interface PhaseCpu {
    /** CLI, host, and every other process of the command (the plugin's wrapper script), summed exactly (cutime). */
    allProcessesMs: number | undefined;
    /** Sampled per process (each process's last sample before it exited). */
    cliMs: number;
    hostMs: number;
    otherMs: number;
    /** The bench process: the inline program, the Automation API's event stream, kms-local. */
    benchProcessMs: number | undefined;
}

export interface PhaseResult {
    phase: PhaseName;
    /** The CLI command line (flags that matter; never a value). */
    command: string;
    expected: number;
    /** Steps of the phase's kind that completed (planned steps, for the preview). */
    resources: number;
    failedSteps: number;
    /** Error diagnostics and the command's error (the first few). */
    errors: string[];
    /** The `pulumi` process, from spawn to exit. */
    wallMs: number;
    /** The whole Automation API call (after an up it runs `stack output` and `stack history` as well). */
    apiWallMs: number;
    /** The engine's own duration (summary event), whole seconds. */
    engineDurationSeconds: number | undefined;
    timeline: Timeline;
    /** Most resource steps in flight at once: the engine's effective parallelism. */
    maxInFlight: number;
    counters: Record<string, OperationCounters>;
    /** Calls per operation KMS accepted (not throttled). */
    accepted: Record<string, number>;
    throttled: number;
    bound: QuotaBound;
    /** wall ÷ bound. */
    ratio: number | undefined;
    cpu: PhaseCpu;
    processes: WatchedProcess[];
    state: StateWrites;
    /** The provider's progress lines while pacing or waiting (the first few). */
    pacingLogs: string[];
    loadAverage: { atStart: number; atEnd: number };
}

export interface PhaseOptions {
    world: BenchWorld;
    stack: BenchStack;
    phase: PhaseName;
    expected: number;
    /** `--parallel`, or undefined for the CLI's default. */
    parallel: number | undefined;
    /** Unique per phase: finds this command's processes. */
    marker: string;
    /** The program of a preview or up. */
    program?: PulumiFn;
    print: (line: string) => void;
    /** Process sampling interval. */
    sampleEveryMs?: number;
    progressEveryMs?: number;
}

const PACING = /pacing KMS|still waiting|throttl/i;
const isMaterial = (type: string | undefined): boolean =>
    !!type && type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");

export async function runPhase(o: PhaseOptions): Promise<PhaseResult> {
    const { world, stack } = o;
    const { command, stepOp } = PHASES[o.phase];
    const loadAtStart = loadavg()[0];
    world.kms.control.resetCounters();

    let t0 = performance.now();
    let wallMs: number | undefined;
    let kmsClock0 = world.kms.control.clock.now();
    let childrenCpu0: number | undefined;
    let benchCpu0: number | undefined;
    let childrenCpuMs: number | undefined;
    let benchCpuMs: number | undefined;
    let watcher: ProcessWatcher | undefined;
    let processes: WatchedProcess[] = [];
    const stateWatcher = new StateWriteWatcher(stack.stateDirectory, stack.name);
    let state: StateWrites | undefined;

    const stepEnds: number[] = [];
    const inFlight = new Map<string, string>();
    let maxInFlight = 0;
    let firstStepStart: number | undefined;
    let programStarted: number | undefined;
    const inner = o.program;
    const program: PulumiFn | undefined = inner
        ? async () => {
              programStarted ??= performance.now() - t0;
              return inner();
          }
        : undefined;
    let failed = 0;
    let engineDuration: number | undefined;
    const errors: string[] = [];
    const pacingLogs: string[] = [];
    const onEvent = (e: EngineEvent): void => {
        const at = performance.now() - t0;
        // A step's end (resOutputsEvent) may carry another op than its start: a refresh that found no drift
        // ends as "same". A step is the phase's kind by its start.
        const pre = e.resourcePreEvent?.metadata;
        if (pre && isMaterial(pre.type)) {
            firstStepStart ??= at;
            inFlight.set(pre.urn, pre.op);
            maxInFlight = Math.max(maxInFlight, inFlight.size);
        }
        const done = e.resOutputsEvent?.metadata;
        if (done && isMaterial(done.type)) {
            if (inFlight.get(done.urn) === stepOp) stepEnds.push(at);
            inFlight.delete(done.urn);
        }
        const failure = e.resOpFailedEvent?.metadata;
        if (failure && isMaterial(failure.type)) {
            inFlight.delete(failure.urn);
            failed++;
        }
        const diagnostic = e.diagnosticEvent;
        if (diagnostic?.severity === "error" && errors.length < 3) errors.push(diagnostic.message.trim().slice(0, 500));
        if (diagnostic && PACING.test(diagnostic.message) && pacingLogs.length < 10) {
            pacingLogs.push(diagnostic.message.trim());
            o.print(`  [${o.phase}] host: ${diagnostic.message.trim()}`);
        }
        if (e.summaryEvent) engineDuration = e.summaryEvent.durationSeconds;
    };

    const ticker = setInterval(() => {
        const throttled = Object.values(world.kms.control.counters()).reduce((n, c) => n + c.throttled, 0);
        const cpu = watcher ? cpuByRole(watcher.processes()) : undefined;
        o.print(
            `  [${o.phase}] ${stepEnds.length}/${o.expected} · ` +
                `${((performance.now() - t0) / 1000).toFixed(1)} s · throttled ${throttled}` +
                (cpu ? ` · CPU s: cli ${(cpu.cli / 1000).toFixed(1)}, host ${(cpu.host / 1000).toFixed(1)}` : "") +
                ` · load ${loadavg()[0].toFixed(1)}`,
        );
    }, o.progressEveryMs ?? 5000);

    let result;
    try {
        result = await stack.run(command, {
            program,
            parallel: o.parallel,
            marker: o.marker,
            onEvent,
            hooks: {
                started: () => {
                    childrenCpu0 = exitedChildrenCpuMs();
                    benchCpu0 = processCpuMs("self");
                    stateWatcher.start();
                    watcher = new ProcessWatcher(o.marker, o.sampleEveryMs ?? 100).start();
                    kmsClock0 = world.kms.control.clock.now();
                    t0 = performance.now();
                },
                ended: () => {
                    wallMs = performance.now() - t0;
                    processes = watcher?.stop() ?? [];
                    state = stateWatcher.stop();
                    const children = exitedChildrenCpuMs();
                    const bench = processCpuMs("self");
                    childrenCpuMs =
                        children !== undefined && childrenCpu0 !== undefined ? children - childrenCpu0 : undefined;
                    benchCpuMs = bench !== undefined && benchCpu0 !== undefined ? bench - benchCpu0 : undefined;
                },
            },
        });
    } finally {
        clearInterval(ticker);
        watcher?.stop();
        stateWatcher.stop();
    }
    if (!result.ok && result.error) errors.push(result.error.slice(0, 1000));

    const counters = world.kms.control.counters();
    const accepted = acceptedCalls(counters);
    const bound = quotaBound(accepted, (op) => world.rate(op));
    const answers = world.kms.control
        .requests()
        .map((q) => q.time - kmsClock0)
        .sort((a, b) => a - b);
    const wall = wallMs ?? result.apiWallMs;
    const byRole = cpuByRole(processes);
    return {
        phase: o.phase,
        command: `${
            command === "preview"
                ? Object.entries(PREVIEW_ENVIRONMENT)
                      .map(([k, v]) => `${k}=${v} `)
                      .join("")
                : ""
        }pulumi ${command}${o.parallel ? ` --parallel ${o.parallel}` : ""}`,
        expected: o.expected,
        resources: stepEnds.length,
        failedSteps: failed,
        errors,
        wallMs: wall,
        apiWallMs: result.apiWallMs,
        engineDurationSeconds: engineDuration,
        timeline: {
            programStartedMs: programStarted === undefined ? undefined : Math.round(programStarted),
            hostSeenMs: watcherFirstSeen(processes, "host"),
            firstStepStartMs: firstStepStart,
            firstKmsAnswerMs: answers[0],
            lastKmsAnswerMs: answers[answers.length - 1],
            stepEndsMs: stepEnds.sort((a, b) => a - b).map(Math.round),
        },
        maxInFlight,
        counters,
        accepted,
        throttled: Object.values(counters).reduce((n, c) => n + c.throttled, 0),
        bound,
        ratio: boundRatio(wall, bound),
        cpu: {
            allProcessesMs: childrenCpuMs,
            cliMs: byRole.cli,
            hostMs: byRole.host,
            otherMs: byRole.other,
            benchProcessMs: benchCpuMs,
        },
        processes,
        state: state ?? {
            checkpointWrites: 0,
            checkpointBytesWritten: 0,
            largestCheckpointBytes: 0,
            fileEvents: 0,
            checkpointWriteTimesMs: [],
        },
        pacingLogs,
        loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] },
    };
}

function watcherFirstSeen(processes: readonly WatchedProcess[], role: WatchedProcess["role"]): number | undefined {
    const times = processes.filter((p) => p.role === role).map((p) => p.firstSeenMs);
    return times.length > 0 ? Math.round(Math.min(...times)) : undefined;
}
