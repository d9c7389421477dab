import * as settings from "@pulumi/pulumi/runtime/settings";

/**
 * What every process that runs Automation API inline programs one after another needs — the tests, the demo
 * and the bench (upstream behaviour, seen in CI): each run's program dials that run's resource monitor, a fresh port on
 * 127.0.0.1. grpc-js keeps connections in a process-wide subchannel pool keyed by address, so when the OS hands a later
 * monitor the port of an earlier, closed one, the new program can be given the earlier subchannel in its failure
 * backoff and its first call fails with `14 UNAVAILABLE: No connection established` before the engine sees a single
 * resource. A pool per client makes each run dial its own monitor.
 */
export function isolateInlineRuns(): void {
    const options = (settings as unknown as { grpcClientOptions?: Record<string, unknown> }).grpcClientOptions;
    if (options) options["grpc.use_local_subchannel_pool"] = 1;
}

/**
 * A failed run's program can leave engine calls that reject after the run has ended (its monitor is gone).
 * Between runs no Automation API handler is installed, and Node ends the process on such a rejection; it
 * belongs to a run that is over and has been reported, so it is logged and dropped instead. During a run the
 * Automation API's own handler still counts it as that run's error.
 */
export function tolerateLateRejections(): void {
    process.on("unhandledRejection", (reason: unknown) => {
        if (isEngineCallFailure(reason)) return;
        console.error("unhandled rejection:", reason);
        process.exit(1);
    });
}

function isEngineCallFailure(reason: unknown): boolean {
    const code = (reason as { code?: unknown } | null)?.code;
    return typeof code === "number" && (code === 1 /* CANCELLED */ || code === 14); /* UNAVAILABLE */
}
