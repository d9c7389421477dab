// What Linux tells about a process in /proc: CPU time (utime + stime, in clock ticks of USER_HZ = 100 per
// second, so 10 ms resolution), peak memory, and the environment it was started with. CPU time excludes
// every wait (KMS, the pacer, timers, the disk): it is what the process computed.

import { readFileSync, readdirSync, readlinkSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name, which is in parentheses and may contain spaces. */
function statFields(pid: number | "self"): string[] | undefined {
    try {
        const text = readFileSync(`/proc/${pid}/stat`, "utf8");
        return text.slice(text.lastIndexOf(")") + 2).split(" ");
    } catch {
        return undefined;
    }
}

const ticksToMs = (ticks: number): number => (ticks * 1000) / TICKS_PER_SECOND;

/** CPU milliseconds the process has used so far, or undefined when it is gone (or not Linux). */
export function processCpuMs(pid: number | "self"): number | undefined {
    const fields = statFields(pid);
    // Fields 14 and 15 of the file are utime and stime; after ")" they are at positions 11 and 12.
    const [utime, stime] = [Number(fields?.[11]), Number(fields?.[12])];
    return Number.isFinite(utime) && Number.isFinite(stime) ? ticksToMs(utime + stime) : undefined;
}

/**
 * CPU milliseconds of this process's children that have exited and been waited for (cutime + cstime,
 * fields 16 and 17), each including its own waited-for descendants: exact, however short-lived they were.
 */
export function exitedChildrenCpuMs(): number | undefined {
    const fields = statFields("self");
    const [cutime, cstime] = [Number(fields?.[13]), Number(fields?.[14])];
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? ticksToMs(cutime + cstime) : undefined;
}

/** Peak resident memory (VmHWM) in bytes, or undefined. */
export function peakRssBytes(pid: number): number | undefined {
    try {
        const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        return match ? Number(match[1]) * 1024 : undefined;
    } catch {
        return undefined;
    }
}

/** Process ids currently listed in /proc. */
export function processIds(): number[] {
    try {
        return readdirSync("/proc")
            .filter((name) => /^\d+$/.test(name))
            .map(Number);
    } catch {
        return [];
    }
}

/** The value of one variable in the environment the process started with (own processes only), or undefined. */
export function environmentValue(pid: number, name: string): string | undefined {
    let text: string;
    try {
        text = readFileSync(`/proc/${pid}/environ`, "latin1");
    } catch {
        return undefined;
    }
    const prefix = `${name}=`;
    return text
        .split("\0")
        .find((entry) => entry.startsWith(prefix))
        ?.slice(prefix.length);
}

/** The executable's path and the command line, as far as readable. */
export function processIdentity(pid: number): { exe: string; argv: string[] } {
    let exe = "";
    let argv: string[] = [];
    try {
        exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
        // Gone, or not ours.
    }
    try {
        argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
        // Gone.
    }
    return { exe, argv };
}
