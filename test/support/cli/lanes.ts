import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { tolerateLateRejections } from "../../../tools/pulumi-cli/inlineRuns";
import { formatLeakReport, leakRegistry, summarizeLeakReport } from "../leakScan";

/**
 * Jobs spread over child processes ("lanes"), each running one job at a time. Why not in this process: the
 * Automation API runs inline programs in the calling process and installs its handlers for unhandled
 * rejections process-wide, so when one run's CLI dies or fails early (a kill, a failed preview), the
 * rejected engine calls of its program count as errors of every other inline run in the process. A lane
 * process holds one run at a time; the test process only hands out jobs and collects results.
 *
 * A job is `require(module)[run](job)` in the lane (`module` relative to dist/test); when the queue is
 * empty, the lane calls `require(module)[finish]()` if given, scans its own artifacts for leaks (the
 * suite-wide scan cannot see them) and exits.
 */

export interface LaneSettings {
    /** Module path relative to dist/test, e.g. "cli/crashes/trials". */
    module: string;
    /** The exported function running one job; it resolves to a short text. */
    run: string;
    /** An exported function run once before the lane exits (closing what its jobs opened). */
    finish?: string;
    lanes: number;
}

export interface Job {
    id: string;
}

export interface LeakSummary {
    summary: string;
    failure: string | undefined;
}

export interface LaneRun {
    /** The result of each job, by id (rejected with the lane's error message). */
    results: Map<string, Promise<string>>;
    /** One leak report per lane, once it has finished. */
    leakReports: Promise<LeakSummary[]>;
    /** Ends every lane still running. */
    stop(): void;
}

type LaneRequest = { job: Job; module: string; run: string } | { done: true; module: string; finish?: string };
type LaneReply = { id: string; ok: boolean; message: string } | { leak: LeakSummary };

export function runInLanes(jobs: Job[], settings: LaneSettings): LaneRun {
    const results = new Map<string, Promise<string>>();
    const settle = new Map<string, { resolve: (message: string) => void; reject: (error: Error) => void }>();
    for (const job of jobs) {
        const promise = new Promise<string>((resolve, reject) => settle.set(job.id, { resolve, reject }));
        promise.catch(() => undefined); // awaited by its test
        results.set(job.id, promise);
    }
    const queue = [...jobs];
    const children: ChildProcess[] = [];
    const reports: Promise<LeakSummary>[] = [];
    for (let i = 0; i < Math.min(settings.lanes, jobs.length); i++) {
        const child = fork(join(__dirname, "lanes.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
        children.push(child);
        let current: string | undefined;
        const next = () => {
            const job = queue.shift();
            current = job?.id;
            const request: LaneRequest = job
                ? { job, module: settings.module, run: settings.run }
                : { done: true, module: settings.module, ...(settings.finish ? { finish: settings.finish } : {}) };
            child.send(request);
        };
        reports.push(
            new Promise((resolve, reject) => {
                child.on("message", (reply: LaneReply) => {
                    if ("leak" in reply) {
                        resolve(reply.leak);
                        return;
                    }
                    const handlers = settle.get(reply.id)!;
                    if (reply.ok) handlers.resolve(reply.message);
                    else handlers.reject(new Error(reply.message));
                    next();
                });
                child.on("exit", (code) => {
                    if (current)
                        settle
                            .get(current)!
                            .reject(new Error(`lane ${i + 1} exited (${code}) before job ${current} ended`));
                    if (code !== 0) reject(new Error(`lane ${i + 1} exited with ${code}`));
                });
            }),
        );
        next();
    }
    return {
        results,
        leakReports: Promise.all(reports),
        stop: () => {
            for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
        },
    };
}

/** The lane process itself. */
if (require.main === module) {
    tolerateLateRejections();
    // The test process is gone (killed, or mocha exited): a lane left running would hold CLIs and hosts for ever.
    process.on("disconnect", () => process.exit(1));
    process.on("message", (request: LaneRequest) => {
        void handle(request).catch((error: unknown) => {
            console.error(error);
            process.exit(1);
        });
    });
}

async function handle(request: LaneRequest): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- module named by the request
    const target = require(join(__dirname, "..", "..", request.module)) as Record<
        string,
        (...args: unknown[]) => Promise<unknown>
    >;
    if ("job" in request) {
        const reply: LaneReply = await target[request.run](request.job).then(
            (message) => ({ id: request.job.id, ok: true, message: String(message) }),
            (error: unknown) => ({
                id: request.job.id,
                ok: false,
                message: error instanceof Error ? error.message : String(error),
            }),
        );
        process.send!(reply);
        return;
    }
    if (request.finish) await target[request.finish]();
    const report = await leakRegistry.scan();
    const reply: LaneReply = {
        leak: {
            summary: summarizeLeakReport(report),
            failure: report.hits.length > 0 ? formatLeakReport(report) : undefined,
        },
    };
    process.send!(reply, () => process.exit(0));
}
