// `npm run bench -- --stacks K`: K stacks at once against one kms-local, as K CI pipelines sharing one AWS
// account and Region. Each stack runs in a process of its own (bench/fleetWorker.ts) with its own backend and
// its own `pulumi` commands, so each phase has K provider hosts, each pacing itself, sharing one set of quota
// buckets. A phase starts in every stack at once and ends when the last stack's command exits; it is judged
// by the quota the stacks share: one line per phase (bench/README.md, "Fleet").

import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { BenchArgs } from "./args";
import {
    FLEET_PHASES,
    fleetLine,
    fleetPhaseOk,
    summarizeFleetPhase,
    type FleetPhaseName,
    type FleetPhaseResult,
    type StackPhaseResult,
} from "./fleetReport";
import type { FleetWorkerInit, FleetWorkerReply } from "./fleetWorker";
import type { LoadAverage } from "./results";
import { startWorld, type BenchWorld } from "./world";

export interface FleetResults {
    generatedAt: string;
    command: string;
    machine: { cpus: number; cpuModel: string; node: string; loadAverage: LoadAverage };
    params: { stacks: number; materials: number; quotaScale: number; cliEnv: Record<string, string> };
    ok: boolean;
    phases: FleetPhaseResult[];
    lines: string[];
    benchWallMs: number;
}

export async function runFleet(
    args: BenchArgs,
    command: string,
    tmp: string,
    load: { stop(): LoadAverage },
    print: (line: string) => void,
): Promise<FleetResults> {
    const started = performance.now();
    const stacks = args.stacks;
    if (stacks === undefined) throw new Error("runFleet needs --stacks");
    print(
        `${command}\n  ${stacks} stacks × ${args.materials} materials, each stack its own process, backend ` +
            `and CLI commands; quota scale ${args.quotaScale} ` +
            `(kms-local and every provider); ${cpus().length} CPUs, node ${process.version}, load average ` +
            loadavg()[0].toFixed(1),
    );
    const world = await startWorld({ quotaScale: args.quotaScale });
    const workers: Worker[] = [];
    try {
        const total = stacks * args.materials + 1;
        print(`setup (not measured): ${total} EXTERNAL keys created with the AWS SDK, outside the stacks …`);
        const keyIds = await world.createKeys(total);
        await world.warmUp(keyIds[total - 1]);
        for (let k = 0; k < stacks; k++) {
            workers.push(
                await Worker.start({
                    type: "init",
                    stack: k,
                    dir: join(tmp, "fleet"),
                    keyIds: keyIds.slice(k * args.materials, (k + 1) * args.materials),
                    kmsUrl: world.kms.url,
                    credentials: world.credentials,
                    quotaScale: args.quotaScale,
                    cliEnv: args.cliEnv,
                }),
            );
        }
        print(`  ${stacks} stack processes ready`);
        const phases: FleetPhaseResult[] = [];
        for (const phase of Object.keys(FLEET_PHASES) as FleetPhaseName[]) {
            print(`${phase} (${FLEET_PHASES[phase].what}) in ${stacks} stacks at once …`);
            const result = await fleetPhase(world, workers, phase, args.materials, print);
            phases.push(result);
            print(fleetLine(result));
            for (const s of result.perStack.filter((s) => !s.ok || s.failedSteps > 0))
                print(`  stack ${s.stack}: ${s.errors.join(" | ")}`);
        }
        return {
            generatedAt: new Date().toISOString(),
            command,
            machine: {
                cpus: cpus().length,
                cpuModel: cpus()[0]?.model ?? "unknown",
                node: process.version,
                loadAverage: load.stop(),
            },
            params: { stacks, materials: args.materials, quotaScale: args.quotaScale, cliEnv: args.cliEnv },
            ok: phases.every(fleetPhaseOk),
            phases,
            lines: phases.map(fleetLine),
            benchWallMs: performance.now() - started,
        };
    } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await world.stop();
    }
}

async function fleetPhase(
    world: BenchWorld,
    workers: Worker[],
    phase: FleetPhaseName,
    steps: number,
    print: (line: string) => void,
): Promise<FleetPhaseResult> {
    const atStart = loadavg()[0];
    world.kms.control.resetCounters();
    const t0 = performance.now();
    const ticker = setInterval(() => {
        const counters = Object.entries(world.kms.control.counters()).filter(([, c]) => c.throttled > 0);
        const throttled = counters.map(([op, c]) => `${op} ${c.throttled} of ${c.calls}`).join(", ") || "none";
        print(
            `  [${phase}] ${((performance.now() - t0) / 1000).toFixed(0)} s · throttled: ${throttled} · ` +
                `load ${loadavg()[0].toFixed(1)}`,
        );
    }, 10_000);
    let perStack: StackPhaseResult[];
    try {
        perStack = await Promise.all(workers.map((w) => w.phase(phase)));
    } finally {
        clearInterval(ticker);
    }
    for (const log of new Set(perStack.flatMap((s) => s.pacingLogs.slice(0, 2)))) print(`  host: ${log}`);
    // kms-local's clock is real time here (the bench never moves it): comparable to the workers' Date.now().
    const answers = world.kms.control
        .requests()
        .map((r) => ({ time: r.time, operation: r.operation, throttled: r.errorType === "ThrottlingException" }));
    const result = summarizeFleetPhase(
        phase,
        steps,
        perStack,
        world.kms.control.counters(),
        (op) => world.rate(op),
        { atStart, atEnd: loadavg()[0] },
        answers,
    );
    if (result.kmsWindow && result.bound.ms > 0) {
        const { firstMs, lastMs } = result.kmsWindow;
        print(
            `  KMS answered from ${(firstMs / 1000).toFixed(1)} s to ${(lastMs / 1000).toFixed(1)} s: ` +
                `window ÷ shared bound ${((lastMs - firstMs) / result.bound.ms).toFixed(2)}`,
        );
    }
    return result;
}

export function writeFleetResults(dir: string, results: FleetResults): string {
    mkdirSync(dir, { recursive: true });
    const path = join(
        dir,
        `fleet-${results.params.stacks}x${results.params.materials}-scale${results.params.quotaScale}.json`,
    );
    writeFileSync(path, JSON.stringify(results, null, 2) + "\n");
    return path;
}

/** One stack's process: a phase at a time, its answer awaited. */
class Worker {
    private pending: { resolve: (reply: FleetWorkerReply) => void; reject: (error: Error) => void } | undefined;

    private constructor(
        private readonly child: ChildProcess,
        readonly index: number,
    ) {
        child.on("message", (reply: FleetWorkerReply) => this.settle(reply));
        child.on("exit", (code) =>
            this.pending?.reject(
                new Error(`fleet stack ${index}'s process exited (code ${code}) in the middle of a phase`),
            ),
        );
    }

    static async start(init: FleetWorkerInit): Promise<Worker> {
        const child = fork(join(__dirname, "fleetWorker.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
        const worker = new Worker(child, init.stack);
        await worker.request(init);
        return worker;
    }

    async phase(phase: FleetPhaseName): Promise<StackPhaseResult> {
        const reply = await this.request({ type: "phase", phase });
        if (reply.type !== "result") throw new Error(`fleet stack ${this.index}: unexpected answer ${reply.type}`);
        return reply.result;
    }

    async stop(): Promise<void> {
        if (this.child.exitCode !== null || !this.child.connected) return;
        const exited = new Promise((resolve) => this.child.once("exit", resolve));
        this.child.send({ type: "exit" });
        const timer = setTimeout(() => this.child.kill(), 10_000);
        await exited;
        clearTimeout(timer);
    }

    private request(message: unknown): Promise<FleetWorkerReply> {
        return new Promise((resolve, reject) => {
            this.pending = { resolve, reject };
            this.child.send(message as object);
        });
    }

    private settle(reply: FleetWorkerReply): void {
        const pending = this.pending;
        this.pending = undefined;
        if (reply.type === "failed") pending?.reject(new Error(`fleet stack ${this.index}: ${reply.message}`));
        else pending?.resolve(reply);
    }
}
