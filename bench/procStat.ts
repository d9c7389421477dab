// CPU time of a process from /proc/<pid>/stat (Linux): utime + stime, in clock ticks (USER_HZ, 100
// per second on Linux), so the resolution is 10 ms. CPU time excludes every wait (KMS, the pacer,
// timers): it is what the process computed.

import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** CPU milliseconds the process has used so far, or undefined when it is gone (or not Linux). */
export function processCpuMs(pid: number): number | undefined {
    let text: string;
    try {
        text = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
        return undefined;
    }
    // The command name (field 2) is in parentheses and may contain spaces: count fields after ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of the file are utime and stime; after ")" they are at positions 11 and 12.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
        return undefined;
    }
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}
