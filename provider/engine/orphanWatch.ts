import { readFileSync } from "node:fs";
import { basename } from "node:path";

/**
 * The dynamic-provider host (`@pulumi/pulumi` 3.270) does not notice when the Pulumi CLI that started it dies
 * (SIGKILL, an out-of-memory kill, a cancelled CI job): it keeps serving, holding the stack's credentials, and
 * can even finish an import that no state will ever record. On Linux the host runs under the plugin script's
 * shell, started by the CLI; this watch finds that CLI among the host's ancestors and ends the host within
 * seconds of the CLI's death. Elsewhere, or when no `pulumi` ancestor is found (a test driving the host
 * directly), it does nothing.
 */

const CHECK_EVERY_MS = 2_000;

interface Ancestor {
    pid: number;
    /** Field 22 of /proc/<pid>/stat: tells a live CLI from a new process that reused its pid. */
    startTime: string;
}

let watching = false;

export function exitWhenCliDies(log: (message: string) => void): void {
    if (watching || process.platform !== "linux") return;
    watching = true;
    const cli = pulumiAncestor();
    if (!cli) return;
    setInterval(() => {
        if (statOf(cli.pid)?.startTime === cli.startTime) return;
        log(`the Pulumi CLI (pid ${cli.pid}) that started this provider host is gone; the host exits`);
        process.exit(1);
    }, CHECK_EVERY_MS).unref();
}

/** The nearest ancestor whose executable is named `pulumi`. */
function pulumiAncestor(): Ancestor | undefined {
    let pid = process.ppid;
    for (let depth = 0; depth < 4 && pid > 1; depth++) {
        const stat = statOf(pid);
        if (!stat) return undefined;
        if (basename(argv0(pid)) === "pulumi") return { pid, startTime: stat.startTime };
        pid = stat.ppid;
    }
    return undefined;
}

function statOf(pid: number): { ppid: number; startTime: string } | undefined {
    try {
        const text = readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name (field 2) is in parentheses and may contain spaces: count the fields after ")".
        const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
        return { ppid: Number(fields[1]), startTime: fields[19] ?? "" };
    } catch {
        return undefined;
    }
}

function argv0(pid: number): string {
    try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    } catch {
        return "";
    }
}
