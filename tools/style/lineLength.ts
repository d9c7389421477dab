/**
 * Fails (exit 1) listing every line of a tracked .ts/.mjs file longer than MAX_LINE_LENGTH characters.
 * `npm run lint` runs it after prettier, which keeps code within the width but leaves long strings and comments.
 * `tools/style/splitLongLines.ts` fixes most of what it reports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_LINE_LENGTH, repositoryRoot, styledFiles } from "./files";

/**
 * A line that is only one token (a URL, a digest, a long number), perhaps behind a comment marker, in quotes or
 * after a property name:
 * splitting it would make it unusable (a URL no longer clicks, a digest no longer greps), so it may be long.
 */
export function isUnbreakable(line: string): boolean {
    const content = line.trim().replace(/^(\/\/|\/\*\*|\*)\s*/, "");
    // The token may follow a property name (`n: 0x01ff…n,`) or stand alone (`"https://…",`).
    if (/^(\S+: )?\S+$/.test(content)) return true;
    // A regular-expression literal is one token too: it has no `+` to split at, and as `new RegExp("…" + "…")`
    // every backslash would double. Tests match whole messages with them.
    return !/^\/[/*]/.test(content) && /^([?:] )?\/.+\/[dgimsuyv]*[,;)]*(\.test\($)?$/.test(content);
}

/** `file:line: length` for every over-long line, in file order. */
export function overLongLines(root: string, files: readonly string[]): string[] {
    const found: string[] = [];
    for (const file of files) {
        const lines = fs.readFileSync(file, "utf8").split("\n");
        lines.forEach((line, index) => {
            if (line.length > MAX_LINE_LENGTH && !isUnbreakable(line)) {
                found.push(`${path.relative(root, file)}:${index + 1}: ${line.length} characters`);
            }
        });
    }
    return found;
}

function main(): void {
    const root = repositoryRoot();
    const found = overLongLines(root, styledFiles(root));
    if (found.length > 0) {
        console.error(found.join("\n"));
        console.error(
            `${found.length} line(s) exceed ${MAX_LINE_LENGTH} characters: run \`npm run format\` ` +
                "(prettier, then tools/style/splitLongLines), then shorten what remains by hand.",
        );
        process.exitCode = 1;
    }
}

if (require.main === module) {
    main();
}
