import { createHash } from "node:crypto";

/**
 * diff's lines, said once per provider host. The engine calls diff twice for one resource in one `pulumi up
 * --refresh` (or `preview --refresh`): once to show the refresh's drift (stored inputs against the refreshed
 * outputs), once to plan the update (the program's inputs against the same outputs). With an unchanged program
 * both plan alike, and each line would stand twice in the step's Diagnostics. The host lives for one
 * deployment, so a line said before in this process is the same event. Kept as digests, bounded.
 */

const MAX_REMEMBERED = 4096;
const said = new Set<string>();

/** A logger that drops a line this process has already passed through it. */
export function onceInThisHost(log: (message: string) => void): (message: string) => void {
    return (message) => {
        const digest = createHash("sha256").update(message).digest("base64");
        if (said.has(digest)) return;
        const oldest = said.values().next().value;
        if (said.size >= MAX_REMEMBERED && oldest !== undefined) said.delete(oldest);
        said.add(digest);
        log(message);
    };
}
