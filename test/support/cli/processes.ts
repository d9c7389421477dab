import { readFileSync, readdirSync } from "node:fs";

/**
 * The processes of one stack's CLI runs, found by a marker in their environment: the `pulumi` CLI and the
 * provider host it started (the plugin script `pulumi-resource-pulumi-nodejs` and the Node process it runs),
 * which inherit the CLI's environment. Linux only (/proc), like the machines the tests run on.
 */

export interface StackProcess {
    pid: number;
    role: "cli" | "host" | "other";
}

export function processesWithMarker(marker: string): StackProcess[] {
    const found: StackProcess[] = [];
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        if (pid === process.pid) continue;
        try {
            if (!readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(marker)) continue;
            const argv = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
            const role = argv[0]?.endsWith("/bin/pulumi")
                ? "cli"
                : argv.some((a) => a.endsWith("cmd/dynamic-provider/index.js"))
                  ? "host"
                  : "other";
            found.push({ pid, role });
        } catch {
            // Gone meanwhile, or not ours to read.
        }
    }
    return found;
}

/** SIGKILL, as an out-of-memory killer or a cancelled CI job would; true if a process of that role was found. */
export function killRole(marker: string, role: StackProcess["role"]): boolean {
    const targets = processesWithMarker(marker).filter((p) => p.role === role);
    for (const p of targets) {
        try {
            process.kill(p.pid, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
    return targets.length > 0;
}

/** Kills whatever is left of the marker's processes (an orphaned provider host keeps running after its CLI died). */
export function killAll(marker: string): number {
    const left = processesWithMarker(marker);
    for (const p of left) {
        try {
            process.kill(p.pid, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
    return left.length;
}
