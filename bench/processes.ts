// The processes of one CLI command, found by a marker variable in their environment (/proc/<pid>/environ):
// the bench sets it in the command's environment, the CLI inherits it and passes it on to the plugins it
// starts (the dynamic-provider host). Each process found is sampled every `intervalMs` for CPU time and
// peak memory until it exits; its last sample stands for its total, so up to one interval of its work at
// the very end may be missed (the exact total of all of them is read separately, see exitedChildrenCpuMs).

import { basename } from "node:path";
import { environmentValue, peakRssBytes, processCpuMs, processIds, processIdentity } from "./procStat";

export const MARKER_VARIABLE = "PULUMI_KMS_BYOK_BENCH_MARKER";

/**
 * cli: the `pulumi` binary; host: the dynamic-provider host (node); other: the plugin's shell wrapper and its helpers.
 */
export type ProcessRole = "cli" | "host" | "other";

export interface WatchedProcess {
    pid: number;
    role: ProcessRole;
    /** Executable name and first argument, e.g. `pulumi up` (no argument that could hold a value). */
    what: string;
    /** ms after the watch started when the process was first and last seen. */
    firstSeenMs: number;
    lastSeenMs: number;
    /** CPU ms at the last sample. */
    cpuMs: number;
    peakRssBytes: number | undefined;
}

export function roleOf(exe: string, argv: readonly string[]): ProcessRole {
    if (basename(exe) === "pulumi") return "cli";
    // The plugin script first runs `node -e "…require.resolve('@pulumi/pulumi/cmd/dynamic-provider')…"`, then the host.
    if (argv[1] !== "-e" && argv.some((arg) => arg.includes("dynamic-provider"))) return "host";
    return "other";
}

const RECHECK_YOUNG_MS = 2_000;

export class ProcessWatcher {
    /** Pids not (or not yet) ours, with when they were first seen. */
    private readonly seen = new Map<number, number>();
    private readonly watched = new Map<number, WatchedProcess>();
    private timer: NodeJS.Timeout | undefined;
    private readonly t0 = performance.now();

    constructor(
        private readonly marker: string,
        private readonly intervalMs = 100,
    ) {}

    start(): this {
        // Everything running before the command started cannot be one of its processes.
        for (const pid of processIds()) this.seen.set(pid, -Infinity);
        this.timer = setInterval(() => this.sample(), this.intervalMs);
        return this;
    }

    /** One last sample, then the processes found. */
    stop(): WatchedProcess[] {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        this.sample();
        return [...this.watched.values()];
    }

    /** The processes found so far (live view, for progress lines). */
    processes(): WatchedProcess[] {
        return [...this.watched.values()];
    }

    private sample(): void {
        const now = performance.now() - this.t0;
        for (const pid of processIds()) {
            if (this.watched.has(pid)) continue;
            // Between fork and exec a new process still has its parent's environment: a young process is
            // looked at again for a while.
            const since = this.seen.get(pid) ?? now;
            if (now - since > RECHECK_YOUNG_MS) continue;
            this.seen.set(pid, since);
            if (environmentValue(pid, MARKER_VARIABLE) !== this.marker) continue;
            const { exe, argv } = processIdentity(pid);
            const role = roleOf(exe, argv);
            this.watched.set(pid, {
                pid,
                role,
                what: describe(exe, argv, role),
                firstSeenMs: now,
                lastSeenMs: now,
                cpuMs: 0,
                peakRssBytes: undefined,
            });
        }
        for (const p of this.watched.values()) {
            const cpu = processCpuMs(p.pid);
            if (cpu === undefined) continue;
            p.cpuMs = cpu;
            p.lastSeenMs = now;
            p.peakRssBytes = peakRssBytes(p.pid) ?? p.peakRssBytes;
        }
    }
}

function describe(exe: string, argv: readonly string[], role: ProcessRole): string {
    const name = basename(exe) || basename(argv[0] ?? "?");
    if (role === "cli") return `pulumi ${argv.slice(1).find((a) => !a.startsWith("-")) ?? ""}`.trim();
    if (role === "host") return `${name} dynamic-provider`;
    // The wrapper script's own `node -e "…resolve…"` and the shell: name only.
    return name;
}

/** CPU ms by role. */
export function cpuByRole(processes: readonly WatchedProcess[]): Record<ProcessRole, number> {
    const total: Record<ProcessRole, number> = { cli: 0, host: 0, other: 0 };
    for (const p of processes) total[p.role] += p.cpuMs;
    return total;
}
