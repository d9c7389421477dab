// `npm run bench`: the provider at scale, through the real dynamic-provider host, against kms-local
// enforcing AWS's quotas. See bench/README.md for what each number means.

import { cpus, loadavg } from "node:os";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { importedKeyMaterialProvider } from "../provider";
import { defaultSerializer } from "../engine-harness/serialize";
import { defaultProjectDir, type OperationResult, type ProgressHook, type Stack, type StepOp } from "../engine-harness";
import { DEFAULTS, USAGE, parseArgs, type BenchArgs } from "./args";
import { runPhase, type PhaseName, type PhaseResult } from "./phase";
import { callsPerResource, measureSizes, summarizeCold, type BenchResults, type ColdStartTrial } from "./results";
import { writeResults } from "./report";
import { inDays, materialSet, startWorld, stackDir } from "./world";

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
    const outDir = args.out ?? join(defaultProjectDir(), "bench", "results");
    const tmp = stackDir(outDir);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const results = await run(args, tmp);
    const files = writeResults(outDir, results);
    console.log("");
    console.log(files.markdown);
    console.log(`written: ${files.paths.join(", ")}`);
    rmSync(tmp, { recursive: true, force: true });
    if (!results.ok) {
        process.exitCode = 1;
    }
}

const print = (line: string): void => console.log(line);

async function run(args: BenchArgs, tmp: string): Promise<BenchResults> {
    const started = performance.now();
    // Other work on the machine slows every phase: recorded with the results.
    const loadAtStart = loadavg()[0];
    const command = commandLine(args);
    print(`${command}\n  ${args.materials} materials, parallel ${args.parallel}, quota scale ${args.quotaScale} (kms-local and provider), ${cpus().length} CPUs, node ${process.version}`);
    const world = await startWorld({ quotaScale: args.quotaScale, dir: tmp });
    try {
        const total = args.materials + args.coldStarts + 1;
        print(`setup: creating ${total} EXTERNAL keys outside the measured stack (CreateKey ${world.rate("CreateKey")}/s) …`);
        let lastPrinted = 0;
        const keyIds = await world.createKeys(total, (done) => {
            if (done - lastPrinted >= 50 || done === total) {
                lastPrinted = done;
                print(`  keys: ${done}/${total}`);
            }
        });

        await world.warmUp(keyIds[total - 1]);
        // The program serializes the provider once per process (dynamic.Resource caches it): not the host's cost.
        await defaultSerializer.serialize(importedKeyMaterialProvider);
        print(`cold start: ${args.coldStarts} trials, each a fresh host and a one-material stack`);
        const cold: ColdStartTrial[] = [];
        for (let k = 0; k < args.coldStarts; k++) {
            const stack = world.newStack(`cold-${k}`, args.parallel);
            const set = materialSet([keyIds[args.materials + k]]);
            const phase = await runPhase({
                world,
                stack,
                phase: "create",
                stepOp: "create",
                expected: 1,
                run: (onProgress) => stack.up(set.program(inDays(180)), { onProgress }),
                print,
            });
            cold.push({
                toHostReadyMs: phase.hostReadyMs,
                toFirstCreateMs: phase.stepEndsMs[0],
                hostCpuAtReadyMs: phase.hostCpuAtReadyMs,
                hostCpuAtCreateMs: phase.hostCpuAtLastStepMs,
                ok: phase.failedSteps === 0 && phase.errors.length === 0 && phase.resources === 1,
            });
            print(`  trial ${k + 1}: host configured at ${fmt(phase.hostReadyMs)} ms, create done at ${fmt(phase.stepEndsMs[0])} ms`);
            await stack.close();
        }

        const set = materialSet(keyIds.slice(0, args.materials));
        const stack = world.newStack("scale", args.parallel);
        const phases: PhaseResult[] = [];
        const phase = async (name: PhaseName, stepOp: StepOp, op: (onProgress: ProgressHook) => Promise<OperationResult>): Promise<PhaseResult> => {
            print(`phase ${name}: ${args.materials} materials …`);
            const r = await runPhase({ world, stack, phase: name, stepOp, expected: args.materials, run: op, print });
            print(
                `  ${name}: ${r.resources} ${stepOp} steps in ${(r.wallMs / 1000).toFixed(1)} s; quota bound ${(r.bound.ms / 1000).toFixed(1)} s ` +
                    `(${r.bound.bottleneck?.operation ?? "no KMS calls"}); throttled attempts ${r.throttled}; failed steps ${r.failedSteps}` +
                    (r.errors.length > 0 ? `; errors: ${r.errors.join(" | ")}` : ""),
            );
            phases.push(r);
            return r;
        };
        const validTo = inDays(180);
        await phase("create", "create", (onProgress) => stack.up(set.program(validTo), { onProgress }));
        const sizes = measureSizes(stack, args.materials);
        await phase("refresh", "refresh", (onProgress) => stack.refresh(set.program(validTo), { onProgress }));
        await phase("update", "update", (onProgress) => stack.up(set.program(inDays(300)), { onProgress }));
        await phase("delete", "delete", (onProgress) => stack.destroy(set.program(validTo), { onProgress }));
        await closeQuietly(stack);

        const ok = phases.every((p) => p.failedSteps === 0 && p.errors.length === 0 && p.resources === args.materials) && cold.every((c) => c.ok);
        return {
            generatedAt: new Date().toISOString(),
            command,
            machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version, loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] } },
            params: { materials: args.materials, quotaScale: args.quotaScale, parallel: args.parallel, coldStarts: args.coldStarts },
            ok,
            phases,
            callsPerResource: callsPerResource(phases),
            sizes,
            coldStart: summarizeCold(cold, phases[0]),
            benchWallMs: performance.now() - started,
        };
    } finally {
        await world.stop();
    }
}

async function closeQuietly(stack: Stack): Promise<void> {
    await stack.close().catch(() => undefined);
}

function commandLine(args: BenchArgs): string {
    const flags: string[] = [];
    if (args.materials !== DEFAULTS.materials) flags.push(`--materials ${args.materials}`);
    if (args.quotaScale !== DEFAULTS.quotaScale) flags.push(`--quota-scale ${args.quotaScale}`);
    if (args.parallel !== DEFAULTS.parallel) flags.push(`--parallel ${args.parallel}`);
    if (args.coldStarts !== DEFAULTS.coldStarts) flags.push(`--cold-starts ${args.coldStarts}`);
    return `npm run bench${flags.length > 0 ? ` -- ${flags.join(" ")}` : ""}`;
}

function fmt(ms: number | undefined): string {
    return ms === undefined ? "–" : ms.toFixed(0);
}

void main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
});
