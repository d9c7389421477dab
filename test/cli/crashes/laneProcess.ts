import { leakRegistry, summarizeLeakReport, formatLeakReport } from "../../support/leakScan";
import { openLane, runTrial, type Lane, type Trial } from "./trials";

/**
 * One crash lane in a process of its own. The Automation API runs inline programs in the calling process and
 * installs its handlers for unhandled rejections process-wide: when a trial kills a CLI, the killed run's
 * program rejects its pending calls to the engine, and every other inline run in the same process would count
 * those as its own errors. So each lane is a child process running one trial at a time; the test process only
 * hands out trials and collects results. The lane scans its own artifacts for leaks before it exits.
 *
 * Messages in: { trial } (run it), { done: true } (close, scan, exit). Out: { id, ok, message }, { leak }.
 */

export type LaneRequest = { trial: Trial } | { done: true };
export type LaneReply = { id: number; ok: boolean; message: string } | { leak: { summary: string; failure: string | undefined } };

let lane: Lane | undefined;

process.on("message", (request: LaneRequest) => {
    void handle(request).catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
});

async function handle(request: LaneRequest): Promise<void> {
    if ("trial" in request) {
        lane ??= await openLane();
        const reply: LaneReply = await runTrial(lane, request.trial).then(
            (message) => ({ id: request.trial.id, ok: true, message }),
            (error: unknown) => ({ id: request.trial.id, ok: false, message: error instanceof Error ? error.message : String(error) }),
        );
        process.send!(reply);
        return;
    }
    await lane?.world.close();
    const report = await leakRegistry.scan();
    const reply: LaneReply = { leak: { summary: summarizeLeakReport(report), failure: report.hits.length > 0 ? formatLeakReport(report) : undefined } };
    process.send!(reply, () => process.exit(0));
}
