/** The files the style tools read: every tracked TypeScript or ES-module file, build output and packages aside. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** The longest line the style allows (prettier's printWidth in .prettierrc.json is the same number). */
export const MAX_LINE_LENGTH = 120;

/** The repository's root: the tools run from `dist/tools/style`, two floors under `dist`. */
export function repositoryRoot(): string {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
}

/** Tracked `.ts` and `.mjs` files (git's index, so nothing generated or ignored), as absolute paths. */
export function styledFiles(root: string): string[] {
    const listed = execFileSync("git", ["ls-files", "-z", "--", "*.ts", "*.mjs"], { cwd: root, encoding: "utf8" });
    return listed
        .split("\0")
        .filter((file) => file !== "" && !/^(dist|node_modules)\//.test(file) && !file.endsWith(".d.ts"))
        .map((file) => path.join(root, file));
}
