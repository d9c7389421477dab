import { lstatSync, realpathSync, Stats } from "node:fs";
import { dirname, isAbsolute, normalize } from "node:path";

/**
 * Which PKCS#11 library files the provider agrees to load. Loading a library runs its code in the provider host,
 * whose environment holds AWS credentials, so the path (an input: anything can be pasted there) must name a file
 * only its owner can have put there: an absolute, canonical path (no `.`/`..` segments, no symbolic link
 * anywhere along it, so what is checked is what is loaded), a regular file owned by root or by the user running
 * Pulumi and writable by nobody else, in directories with the same owners where nobody else can replace an entry
 * (a world-writable directory only with the sticky bit, like /tmp). Teams can narrow this further with an
 * allow-list (config pulumi-kms-byok:hsmAllowedModulePaths). Messages never show the path.
 */

export interface LibraryPathRules {
    /**
     * Canonical library paths, or directories ending in "/", that may be loaded; undefined: any path the rules accept.
     */
    allowed?: readonly string[];
    /** The user the provider host runs as (process.getuid()). */
    uid?: number;
}

const GROUP_OR_WORLD_WRITABLE = 0o022;
const STICKY = 0o1000;

/** Why the library at `path` must not be loaded, or undefined. `where` names where the path was given. */
export function libraryPathProblem(path: string, where: string, rules: LibraryPathRules = {}): string | undefined {
    if (!isAbsolute(path)) return `${where} must be an absolute path`;
    if (path.split("/").some((segment) => segment === "." || segment === "..") || normalize(path) !== path) {
        return (
            `${where} has "." or ".." segments or repeated slashes: give the library's canonical path ` +
            `(readlink -f prints it)`
        );
    }
    let stats: Stats;
    try {
        stats = lstatSync(path);
    } catch {
        return (
            `${where} names no file on this machine: install the HSM vendor's PKCS#11 library (SoftHSM: ` +
            `apt-get install softhsm2) or correct the path`
        );
    }
    if (realpathOrUndefined(path) !== path) {
        return (
            `${where} is a symbolic link or passes through one: give the path it resolves to (readlink -f ` +
            `prints it), so that the file checked is the file loaded`
        );
    }
    if (!stats.isFile()) return `${where} is not a regular file`;
    const uid = rules.uid ?? process.getuid?.() ?? 0;
    const fileProblem = ownershipProblem(stats, uid, "the library file");
    if (fileProblem) return `${where}: ${fileProblem}`;
    for (let dir = dirname(path); ; dir = dirname(dir)) {
        const dirStats = lstatSync(dir);
        const problem = ownershipProblem(dirStats, uid, "a directory on its path", true);
        if (problem) return `${where}: ${problem}`;
        if (dir === "/") break;
    }
    if (
        rules.allowed &&
        !rules.allowed.some((entry) => (entry.endsWith("/") ? path.startsWith(entry) : entry === path))
    ) {
        return (
            `${where} is not in the config pulumi-kms-byok:hsmAllowedModulePaths (the libraries this stack may ` +
            `load): add it there, or use a listed library`
        );
    }
    return undefined;
}

function ownershipProblem(stats: Stats, uid: number, what: string, directory = false): string | undefined {
    if (stats.uid !== 0 && stats.uid !== uid) {
        return (
            `${what} is owned by another user (uid ${stats.uid}); only files and directories owned by root or ` +
            `by the user running Pulumi are trusted`
        );
    }
    if ((stats.mode & GROUP_OR_WORLD_WRITABLE) === 0) return undefined;
    if (directory && (stats.mode & STICKY) !== 0) return undefined;
    return (
        `${what} is writable by its group or by everyone (mode ${(stats.mode & 0o7777).toString(8)}), so ` +
        `someone else could replace the library: chmod go-w it`
    );
}

function realpathOrUndefined(path: string): string | undefined {
    try {
        return realpathSync(path);
    } catch {
        return undefined;
    }
}
