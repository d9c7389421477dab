// kms-local: a KMS-compatible endpoint on loopback for offline tests of imported key material.
// startKmsLocal() starts one; point @aws-sdk/client-kms (or boto3, the aws CLI, Pulumi) at `url` / `env`.

import type { AddressInfo } from "node:net";
import { createControl, type KmsLocalControl } from "./control/control.js";
import type { FaultKind } from "./control/faults.js";
import { Runtime } from "./control/runtime.js";
import { coerceSwitches, type Switches } from "./model/switches.js";
import { timingSwitches, type TimingPreset } from "./control/timing.js";
import { prewarmWrappingKeys } from "./crypto/wrappingPool.js";
import { createHostGuard, type HostGuard } from "./wire/hostGuard.js";
import { isLoopbackHostname } from "./wire/loopback.js";
import { createKmsServer, DEFAULT_BODY_LIMIT, DEFAULT_MAX_CONNECTIONS } from "./wire/server.js";
import { isRegionName } from "./wire/sigv4.js";

export type { ConsistencySettings, KeySummary, KmsLocalControl } from "./control/control.js";
export type { FaultKind, FaultSettings, FaultTiming } from "./control/faults.js";
export type { HoldInfo, HoldOutcome, HoldPhase, HoldSpec, HoldState, RequestHold } from "./control/holds.js";
export type { OperationCounters, RequestRecord } from "./control/metrics.js";
export type { EventRecord } from "./model/events.js";
export type { QuotaSettings } from "./control/quotas.js";
export type { Switches } from "./model/switches.js";
export type { StsControl } from "./control/stsControl.js";
export type { RoleDefinition } from "./store/sessions.js";
export type { TimingPreset, TimingSwitches } from "./control/timing.js";
export { TIMING_PRESETS } from "./control/timing.js";
export type { KeyState, MaterialState } from "./store/types.js";
export { DEFAULT_SWITCHES, SWITCH_CHOICES, SWITCH_REFS } from "./model/switches.js";

export interface KmsLocalOptions {
    /** TCP port; default 0 (ephemeral). */
    port?: number;
    /** Listen address; default "127.0.0.1". A non-loopback address is refused unless allowNonLoopback is true. */
    host?: string;
    /**
     * Allow listening on a non-loopback address (e.g. "0.0.0.0" inside a container). kms-local has no
     * authentication and its state file holds key material in the clear: a warning is printed.
     */
    allowNonLoopback?: boolean;
    /**
     * Host names (or addresses) that requests may carry in their Host / Origin header besides loopback ones, e.g. a
     * container's service name. Every other Host is refused (403), against DNS rebinding. The bind address (and, for
     * 0.0.0.0 or ::, this machine's interface addresses) is added by itself. Bare names only: no port or wildcard.
     */
    allowedHosts?: string[];
    /** Connections served at once; default 256. A request on one more is answered 503 ServiceUnavailableException. */
    maxConnections?: number;
    /** Account of every key; default "111122223333". */
    accountId?: string;
    /** Region reported in `env` (AWS_REGION); requests use the Region of their SigV4 scope. Default "us-east-1". */
    region?: string;
    /** Optional persistence: loaded at start, written atomically (temp file + rename) after every change. */
    stateFile?: string;
    /**
     * How long asynchronous AWS behaviour takes: "fast" (default: immediate where AWS allows it, rotation 300 ms, one
     * shared wrapping key pair per spec) or "aws" (new keys invisible 1 s, state changes propagating 1 s, rotation
     * 3 s, replicas Creating 2 s, a fresh wrapping key pair per GetParametersForImport). `switches`, `consistency`
     * and `rotationDelayMs` override single values.
     */
    timing?: TimingPreset;
    switches?: Partial<Switches>;
    /** Request quotas; default enabled at the current AWS rates (scale 1). */
    quotas?: { enabled?: boolean; scale?: number; rps?: Partial<Record<string, number>> };
    faults?: {
        rate: number;
        kinds?: FaultKind[];
        timing?: "before" | "after" | "mixed";
        operations?: string[];
        seed?: number;
        count?: number;
    };
    /** S28: a new key or replica answers NotFoundException for this many ms. */
    consistency?: { newKeyInvisibleMs?: number; stateChangePropagationMs?: number };
    /**
     * On-demand rotation completes this many ms (kms-local clock) after RotateKeyOnDemand; default 300 (timing "aws":
     * 3000).
     */
    rotationDelayMs?: number;
    /**
     * Largest accepted request body in bytes; default 64 KiB, what KMS requests need (larger: 413
     * RequestEntityTooLargeException).
     */
    bodyLimit?: number;
    /** Generate the shared RSA wrapping key pairs in the background right away (mode "shared"); default true. */
    prewarm?: boolean;
    /** One line per request, no secrets. */
    log?: (line: string) => void;
}

export interface KmsLocal {
    /** "http://127.0.0.1:<port>" */
    url: string;
    /** AWS_ENDPOINT_URL_KMS, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (dummy values). */
    env: Record<string, string>;
    control: KmsLocalControl;
    /** Closes the server and all its sockets promptly, and writes the state file. */
    stop(): Promise<void>;
}

/** Dummy credentials; with signatureCheck = "verify" the secret must equal the signatureSecret switch. */
export { DUMMY_ACCESS_KEY_ID } from "./store/sessions.js";
import { DUMMY_ACCESS_KEY_ID } from "./store/sessions.js";

/** Refuses a non-loopback listen address without the opt-in; warns with it. */
function checkListenAddress(host: string, options: KmsLocalOptions, guard: HostGuard): void {
    if (isLoopbackHostname(host)) return;
    if (!options.allowNonLoopback) {
        throw new Error(
            `kms-local refuses to listen on ${host}: it has no authentication and keeps key material in the clear. ` +
                "Use a loopback address (127.0.0.1, ::1, localhost), or pass allowNonLoopback: true (CLI: " +
                "--allow-non-loopback).",
        );
    }
    const warn = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    warn(
        `kms-local WARNING: listening on non-loopback address ${host}. Anyone who can reach it can ` +
            `use and change every ` +
            "key (no authentication unless --switch signatureCheck=verify with your own " +
            "signatureSecret); use it only on a " +
            `network you control, for tests. Host headers answered: loopback, ` +
            `${guard.extraHosts.join(", ")} (more: --allowed-host NAME).`,
    );
}

/** Checks the options the server is built from; throws with the option's name. */
function checkServerOptions(options: KmsLocalOptions, region: string): void {
    if (!isRegionName(region))
        throw new Error(
            `region ${JSON.stringify(region)} is not an AWS Region name (lowercase words and a number, e.g. us-east-1)`,
        );
    for (const [name, value] of [
        ["maxConnections", options.maxConnections],
        ["bodyLimit", options.bodyLimit],
    ] as const) {
        if (value !== undefined && !(Number.isInteger(value) && value > 0))
            throw new Error(`${name} must be a positive integer`);
    }
}

export async function startKmsLocal(options: KmsLocalOptions = {}): Promise<KmsLocal> {
    const host = options.host ?? "127.0.0.1";
    const region = options.region ?? "us-east-1";
    checkServerOptions(options, region);
    const hostGuard = createHostGuard(host, options.allowedHosts);
    checkListenAddress(host, options, hostGuard);
    const startSwitches: Partial<Switches> = coerceSwitches({
        ...(options.timing !== undefined ? timingSwitches(options.timing) : {}),
        ...(options.switches ?? {}),
        ...(options.consistency ?? {}),
        ...(options.rotationDelayMs !== undefined ? { rotationDelayMs: options.rotationDelayMs } : {}),
    });
    const runtime = new Runtime({
        accountId: options.accountId ?? "111122223333",
        stateFile: options.stateFile,
        switches: startSwitches,
        quotas: options.quotas ?? {},
        faults: options.faults,
        log: options.log,
    });
    if (options.prewarm !== false && runtime.switches.wrappingKeyPerCall === "shared") prewarmWrappingKeys();
    const control = createControl(runtime, startSwitches);
    const server = createKmsServer(runtime, control, {
        bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        defaultRegion: region,
        maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        hostGuard,
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    let stopped: Promise<void> | undefined;
    return {
        url,
        env: {
            AWS_ENDPOINT_URL_KMS: url,
            AWS_REGION: region,
            AWS_DEFAULT_REGION: region,
            AWS_ACCESS_KEY_ID: DUMMY_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY: runtime.switches.signatureSecret,
        },
        control,
        stop: () => {
            stopped ??= new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
                runtime.close();
            });
            return stopped;
        },
    };
}
