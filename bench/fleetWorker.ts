// One stack of the fleet bench, in a process of its own, as one CI pipeline would run it: its own backend
// directory, PULUMI_HOME and inline program (its materials are generated here and never leave this process
// except as the provider's inputs), driven by the fleet's parent over IPC one phase at a time. Each phase is
// one CLI command (`pulumi up`, `preview --refresh`, `destroy`), so each has its own provider host.

import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { pulumiCli } from "../tools/pulumi-cli/cli";
import { tolerateLateRejections } from "../tools/pulumi-cli/inlineRuns";
import { BenchStack } from "./cliStack";
import { FLEET_PHASES, type FleetPhaseName, type StackPhaseResult } from "./fleetReport";
import { materialSet } from "./program";
import { REGION, inDays } from "./world";

/** The parent's first message: what this stack is. */
export interface FleetWorkerInit {
    type: "init";
    stack: number;
    dir: string;
    keyIds: string[];
    kmsUrl: string;
    credentials: Record<string, string>;
    quotaScale: number;
    cliEnv: Record<string, string>;
}

export interface FleetWorkerPhase {
    type: "phase";
    phase: FleetPhaseName;
}

export type FleetWorkerReply =
    { type: "ready" } | { type: "result"; result: StackPhaseResult } | { type: "failed"; message: string };

const PACING = /pacing KMS|throttl/i;
const isMaterial = (type: string | undefined): boolean =>
    !!type && type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");

function send(reply: FleetWorkerReply): void {
    if (!process.send) throw new Error("the fleet worker must run as a forked child process (no IPC channel)");
    process.send(reply);
}

async function start(init: FleetWorkerInit): Promise<(phase: FleetPhaseName) => Promise<StackPhaseResult>> {
    const { command } = await pulumiCli(() => undefined);
    const set = materialSet(init.keyIds);
    const validTo = { create: inDays(180), update: inDays(300) };
    const stack = await BenchStack.create({
        dir: join(init.dir, `stack-${init.stack}`),
        name: `fleet-${init.stack}`,
        command,
        env: { ...init.credentials, ...init.cliEnv },
        config: {
            "aws:region": REGION,
            "pulumi-kms-byok:endpoint": init.kmsUrl,
            "pulumi-kms-byok:requestRateScale": String(init.quotaScale),
        },
        program: set.program(validTo.create),
    });
    return (phase) =>
        runPhase(
            init.stack,
            stack,
            phase,
            phase === "update" ? set.program(validTo.update) : set.program(validTo.create),
        );
}

async function runPhase(
    index: number,
    stack: BenchStack,
    phase: FleetPhaseName,
    program: ReturnType<ReturnType<typeof materialSet>["program"]>,
): Promise<StackPhaseResult> {
    const { command, stepOp } = FLEET_PHASES[phase];
    const started = new Map<string, string>();
    let steps = 0;
    let failedSteps = 0;
    const errors: string[] = [];
    const pacingLogs: string[] = [];
    let startedAt = Date.now();
    let endedAt: number | undefined;
    const onEvent = (e: EngineEvent): void => {
        const pre = e.resourcePreEvent?.metadata;
        if (pre && isMaterial(pre.type)) started.set(pre.urn, pre.op);
        const done = e.resOutputsEvent?.metadata;
        if (done && isMaterial(done.type) && started.get(done.urn) === stepOp) steps++;
        const failure = e.resOpFailedEvent?.metadata;
        if (failure && isMaterial(failure.type)) failedSteps++;
        const diagnostic = e.diagnosticEvent;
        if (diagnostic?.severity === "error" && errors.length < 3) errors.push(diagnostic.message.trim().slice(0, 500));
        if (diagnostic && PACING.test(diagnostic.message) && pacingLogs.length < 10)
            pacingLogs.push(diagnostic.message.trim());
    };
    const result = await stack.run(command, {
        program,
        parallel: undefined,
        refresh: phase === "preview-refresh",
        marker: `${process.pid}-fleet-${index}-${phase}`,
        onEvent,
        hooks: { started: () => void (startedAt = Date.now()), ended: () => void (endedAt = Date.now()) },
    });
    if (!result.ok && result.error) errors.push(result.error.slice(0, 1000));
    return {
        stack: index,
        ok: result.ok,
        steps,
        failedSteps,
        errors,
        startedAt,
        endedAt: endedAt ?? Date.now(),
        pacingLogs,
    };
}

function main(): void {
    if (!process.send)
        throw new Error("the fleet worker runs as a child of the bench (node dist/bench/main.js --stacks K)");
    tolerateLateRejections();
    // The bench is gone (interrupted): so is this stack's reason to run.
    process.on("disconnect", () => process.exit(1));
    let run: ((phase: FleetPhaseName) => Promise<StackPhaseResult>) | undefined;
    process.on("message", (message: FleetWorkerInit | FleetWorkerPhase | { type: "exit" }) => {
        const handle = async (): Promise<void> => {
            if (message.type === "init") {
                run = await start(message);
                send({ type: "ready" });
            } else if (message.type === "phase") {
                if (!run) throw new Error("phase before init");
                send({ type: "result", result: await run(message.phase) });
            } else {
                process.disconnect();
            }
        };
        handle().catch((error: unknown) =>
            send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
        );
    });
}

main();
