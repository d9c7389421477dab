// `npm run bench`: the provider at scale through the official Pulumi CLI (Automation API, file backend,
// offline) against kms-local enforcing AWS's quotas. See bench/README.md for what each number means.

import { availableParallelism, cpus, loadavg } from "node:os";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPOSITORY_ROOT, pulumiCli } from "../tools/pulumi-cli/cli";
import { USAGE, commandLine, parseArgs, type BenchArgs } from "./args";
import { BenchStack } from "./cliStack";
import { runPhase, type PhaseName, type PhaseResult } from "./phase";
import { materialSet } from "./program";
import {
    measureSizes,
    phaseOk,
    summarizeCold,
    type BenchResults,
    type ColdStartTrial,
    type LoadAverage,
    type ParallelismRun,
    type Sizes,
} from "./results";
import { writeResults } from "./report";
import { runFleet, writeFleetResults } from "./fleet";
import { REGION, inDays, materialName, startWorld, type BenchWorld } from "./world";

const print = (line: string): void => console.log(line);

// The AWS SDK (kms-local's operator client here) warns about Node 20 on every start.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

async function main(): Promise<void> {
    let args: BenchArgs;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        process.exit(2);
    }
    if (args.help) {
        console.log(USAGE);
        return;
    }
    const outDir = args.out ?? join(REPOSITORY_ROOT, "bench", "results");
    const tmp = join(outDir, "tmp");
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
        if (args.stacks !== undefined) {
            const load = loadSampler();
            const fleet = await runFleet(args, commandLine(args), tmp, load, print);
            console.log("");
            for (const line of fleet.lines) console.log(line);
            const { mean, max } = fleet.machine.loadAverage;
            console.log(
                `load average (1 min, every 5 s): mean ${mean.toFixed(1)}, max ${max.toFixed(1)} on ` +
                    `${fleet.machine.cpus} CPUs`,
            );
            console.log(`written: ${writeFleetResults(outDir, fleet)}`);
            if (!fleet.ok) process.exitCode = 1;
            return;
        }
        const results = await run(args, tmp);
        const files = writeResults(outDir, results);
        console.log("");
        console.log(files.markdown);
        console.log(`written: ${files.paths.join(", ")}`);
        if (!results.ok) process.exitCode = 1;
    } finally {
        rmSync(tmp, { recursive: true, force: true });
    }
}

/**
 * The parallelism the CLI uses without --parallel: 4 × GOMAXPROCS (cmd/pulumi/operations/up.go), unless
 * PULUMI_PARALLEL is set. Go's GOMAXPROCS is the CPUs this process may run on (and, since Go 1.25, at most a
 * cgroup CPU limit, rounded up); the engine's in-flight steps confirm it (maxInFlight).
 */
function cliDefaultParallelism(): number {
    return 4 * availableParallelism();
}

async function run(args: BenchArgs, tmp: string): Promise<BenchResults> {
    const started = performance.now();
    const load = loadSampler();
    const command = commandLine(args);
    // The CLI reads PULUMI_PARALLEL as its default; the bench measures the default of a plain installation.
    delete process.env["PULUMI_PARALLEL"];
    const defaultParallel = cliDefaultParallelism();
    print(
        `${command}\n  ${args.materials} materials; parallelism ` +
            `${args.parallel.map((p) => (p === "default" ? `default (${defaultParallel})` : p)).join(" and ")}; ` +
            `quota scale ${args.quotaScale} (kms-local and provider); ${cpus().length} CPUs, node ` +
            `${process.version}, load average ${loadavg()[0].toFixed(1)}`,
    );
    const { root, command: pulumi } = await pulumiCli((line) => print(`  ${line}`));
    print(`  Pulumi CLI ${pulumi.version?.toString() ?? "?"}: ${join(root, "bin", "pulumi")}`);
    const world = await startWorld({ quotaScale: args.quotaScale });
    try {
        const total = args.parallel.length * args.materials + args.coldStarts + 1;
        print(
            `setup (not measured): ${total} EXTERNAL keys created with the AWS SDK, outside the stacks ` +
                `(the @pulumi/aws plugin cannot be downloaded offline) …`,
        );
        let lastPrinted = 0;
        const keyIds = await world.createKeys(total, (done) => {
            if (done - lastPrinted >= 100 || done === total) {
                lastPrinted = done;
                print(`  keys: ${done}/${total}`);
            }
        });
        await world.warmUp(keyIds[total - 1]);
        const newStack = (name: string, set: ReturnType<typeof materialSet>, validTo: string): Promise<BenchStack> =>
            BenchStack.create({
                dir: tmp,
                name,
                command: pulumi,
                env: { ...world.credentials, ...args.cliEnv },
                config: {
                    "aws:region": REGION,
                    "pulumi-kms-byok:endpoint": world.kms.url,
                    "pulumi-kms-byok:requestRateScale": String(args.quotaScale),
                },
                program: set.program(validTo),
            });

        const cold = await coldStarts(args, world, keyIds.slice(args.parallel.length * args.materials), newStack);
        const runs: ParallelismRun[] = [];
        let sizes: Sizes | undefined;
        for (const [index, setting] of args.parallel.entries()) {
            const set = materialSet(keyIds.slice(index * args.materials, (index + 1) * args.materials));
            const validTo = inDays(180);
            const stack = await newStack(`scale-${setting}`, set, validTo);
            const parallel = setting === "default" ? undefined : setting;
            const phases: PhaseResult[] = [];
            const phase = async (name: PhaseName, program?: ReturnType<typeof set.program>): Promise<void> => {
                const parallelism =
                    setting === "default" ? `default parallelism, ${defaultParallel}` : `--parallel ${setting}`;
                print(`${name} (${parallelism}): ${args.materials} materials …`);
                const p = await runPhase({
                    world,
                    stack,
                    phase: name,
                    expected: args.materials,
                    parallel,
                    marker: `${process.pid}-${setting}-${name}`,
                    program,
                    print,
                });
                print(summaryLine(p));
                phases.push(p);
            };
            await phase("preview", set.program(validTo));
            await phase("create", set.program(validTo));
            if (!sizes) {
                const stateFileBytes = statSync(stack.stateFile).size;
                sizes = measureSizes(await stack.exportState(), stateFileBytes, args.materials, materialName(0));
            }
            await phase("refresh");
            await phase("update", set.program(inDays(300)));
            await phase("delete");
            set.dispose();
            runs.push({ setting, effective: setting === "default" ? defaultParallel : setting, phases });
        }
        const ok = runs.every((r) => r.phases.every(phaseOk)) && cold.every((c) => c.ok);
        return {
            generatedAt: new Date().toISOString(),
            command,
            machine: {
                cpus: cpus().length,
                cpuModel: cpus()[0]?.model ?? "unknown",
                node: process.version,
                pulumiCli: pulumi.version?.toString() ?? "unknown",
                cliDefaultParallelism: defaultParallel,
                loadAverage: load.stop(),
            },
            params: {
                materials: args.materials,
                quotaScale: args.quotaScale,
                parallel: args.parallel,
                coldStarts: args.coldStarts,
                cliEnv: args.cliEnv,
            },
            ok,
            runs,
            sizes,
            coldStart: summarizeCold(cold),
            benchWallMs: performance.now() - started,
        };
    } finally {
        load.stop();
        await world.stop();
    }
}

/** K one-material stacks, each `pulumi up` once: the CLI and its host start cold, as in a CI job. */
async function coldStarts(
    args: BenchArgs,
    world: BenchWorld,
    keyIds: string[],
    newStack: (name: string, set: ReturnType<typeof materialSet>, validTo: string) => Promise<BenchStack>,
): Promise<ColdStartTrial[]> {
    if (args.coldStarts === 0) return [];
    print(
        `cold start: ${args.coldStarts} trial${args.coldStarts === 1 ? "" : "s"}, each \`pulumi up\` of a ` +
            `new one-material stack`,
    );
    const trials: ColdStartTrial[] = [];
    for (let k = 0; k < args.coldStarts; k++) {
        const set = materialSet([keyIds[k]]);
        const validTo = inDays(180);
        const stack = await newStack(`cold-${k}`, set, validTo);
        const p = await runPhase({
            world,
            stack,
            phase: "create",
            expected: 1,
            parallel: undefined,
            marker: `${process.pid}-cold-${k}`,
            program: set.program(validTo),
            print,
            sampleEveryMs: 25,
        });
        set.dispose();
        trials.push({
            hostSeenMs: p.timeline.hostSeenMs,
            firstKmsAnswerMs: p.timeline.firstKmsAnswerMs,
            createDoneMs: p.timeline.stepEndsMs[0],
            wallMs: p.wallMs,
            cliCpuMs: p.cpu.cliMs,
            hostCpuMs: p.cpu.hostMs,
            ok: phaseOk(p),
        });
        print(
            `  trial ${k + 1}: host seen at ${fmt(p.timeline.hostSeenMs)} ms, first KMS answer at ` +
                `${fmt(p.timeline.firstKmsAnswerMs)} ms, ` +
                `create done at ${fmt(p.timeline.stepEndsMs[0])} ms, pulumi exited at ${fmt(p.wallMs)} ms` +
                (phaseOk(p) ? "" : ` — FAILED: ${p.errors.join(" | ")}`),
        );
    }
    return trials;
}

function summaryLine(p: PhaseResult): string {
    const bound = p.bound.bottleneck
        ? `quota bound ${(p.bound.ms / 1000).toFixed(1)} s (${p.bound.bottleneck.operation}), ratio ` +
          `${p.ratio?.toFixed(2)}`
        : "no KMS calls";
    return (
        `  ${p.phase}: ${p.resources}/${p.expected} in ${(p.wallMs / 1000).toFixed(1)} s; ${bound}; ` +
        `throttled ${p.throttled}; failed ${p.failedSteps}; ` +
        `max in flight ${p.maxInFlight}; CPU s: cli ${(p.cpu.cliMs / 1000).toFixed(1)}, host ` +
        `${(p.cpu.hostMs / 1000).toFixed(1)}; ` +
        `checkpoint writes ${p.state.checkpointWrites}` +
        (p.errors.length > 0 ? `; errors: ${p.errors.join(" | ")}` : "")
    );
}

/** The 1-minute load average every 5 s while the bench runs: the machine is shared. */
function loadSampler(): { stop(): LoadAverage } {
    const atStart = loadavg()[0];
    const samples = [atStart];
    const timer = setInterval(() => samples.push(loadavg()[0]), 5000);
    let result: LoadAverage | undefined;
    return {
        stop() {
            clearInterval(timer);
            result ??= {
                atStart,
                atEnd: loadavg()[0],
                mean: samples.reduce((a, b) => a + b, 0) / samples.length,
                max: Math.max(...samples),
            };
            return result;
        },
    };
}

function fmt(ms: number | undefined): string {
    return ms === undefined ? "–" : ms.toFixed(0);
}

void main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
});
