import { createHash } from "node:crypto";
import { Pkcs11, loadBinding } from "./binding";
import { HsmError, tokenAnswer } from "./errors";
import { LibraryPathRules, libraryPathProblem } from "./libraryPath";

/**
 * One PKCS#11 library per module path, initialized while it is in use and finalized when the last user is
 * done. The dynamic-provider host runs resources in parallel in one process, and PKCS#11 keeps one login state
 * per application and token, so work on a library is serialized: each transaction logs in, works and logs out
 * before the next starts. Transactions are short (milliseconds; never a KMS call inside one).
 *
 * Module parameters (hsmModuleParameters: NSS softokn's `configdir='sql:DIR'`, a vendor's configuration string)
 * go to C_Initialize. One process can hold a library only once, so a transaction that needs other parameters
 * than the library was initialized with finalizes it and initializes it again, in its turn.
 */

export interface LibraryTarget {
    modulePath: string;
    /** For C_Initialize; may hold paths and PINs: never shown, never logged. */
    moduleParameters?: string;
    rules?: LibraryPathRules;
}

interface Library {
    module: Pkcs11;
    users: number;
    queue: Promise<unknown>;
    /** The parameters of the current initialization; undefined while not initialized by this provider. */
    initializedWith?: string;
    /** Something else in this process had initialized the library: then it is theirs to finalize. */
    foreign: boolean;
}

const libraries = new Map<string, Library>();

/**
 * How messages name the library: by where its path was given, not the path (an input: anything can be pasted there).
 */
export const LIBRARY =
    "the PKCS#11 library named by hsmKey's module-path (or the config pulumi-kms-byok:hsmModulePath)";

export async function withLibrary<T>(target: LibraryTarget, use: (p11: Pkcs11) => Promise<T>): Promise<T> {
    const problem = libraryPathProblem(target.modulePath, LIBRARY, target.rules);
    if (problem) throw new HsmError(problem);
    const library = acquire(target.modulePath);
    try {
        const run = library.queue.then(() => {
            initialize(library, target);
            return use(library.module);
        });
        library.queue = run.catch(() => undefined);
        return await run;
    } finally {
        release(target.modulePath, library);
    }
}

/** Identifies the library and its parameters (for remembering refused PINs) without holding the parameters. */
export function libraryIdentity(target: LibraryTarget): string {
    return createHash("sha256")
        .update(target.modulePath)
        .update("\0")
        .update(target.moduleParameters ?? "")
        .digest("hex");
}

function acquire(modulePath: string): Library {
    const existing = libraries.get(modulePath);
    if (existing) {
        existing.users++;
        return existing;
    }
    const { PKCS11 } = loadBinding();
    const module = new PKCS11();
    try {
        module.load(modulePath);
    } catch (error) {
        throw new HsmError(
            `${LIBRARY} cannot be loaded (${loaderReason(error, modulePath)}): ` +
                "is it a PKCS#11 module for this platform?",
        );
    }
    const library: Library = { module, users: 1, queue: Promise.resolve(), foreign: false };
    libraries.set(modulePath, library);
    return library;
}

/** The loader's reason without the path it was given (dlerror's text starts with it; no message shows the path). */
function loaderReason(error: unknown, modulePath: string): string {
    return tokenAnswer(error)
        .split(modulePath)
        .join("the library")
        .replace(/^the library:\s*/, "");
}

function initialize(library: Library, target: LibraryTarget): void {
    const parameters = target.moduleParameters ?? "";
    if (library.foreign || library.initializedWith === parameters) return;
    if (library.initializedWith !== undefined) {
        library.module.C_Finalize();
        library.initializedWith = undefined;
    }
    try {
        library.module.C_Initialize(parameters ? { libraryParameters: parameters } : undefined);
        library.initializedWith = parameters;
    } catch (error) {
        if (tokenAnswer(error) === "CKR_CRYPTOKI_ALREADY_INITIALIZED") {
            library.foreign = true;
            return;
        }
        const hint = parameters
            ? "check its module parameters (hsmModuleParameters or the config " +
              "pulumi-kms-byok:hsmModuleParameters; not shown) and its configuration"
            : "check its configuration (for SoftHSM: SOFTHSM2_CONF); a library that needs module parameters " +
              "(NSS softokn: configdir='sql:DIR') takes them from hsmModuleParameters or the config " +
              "pulumi-kms-byok:hsmModuleParameters";
        throw new HsmError(`${LIBRARY} failed to initialize (${tokenAnswer(error)}): ${hint}`);
    }
}

function release(modulePath: string, library: Library): void {
    if (--library.users > 0) return;
    libraries.delete(modulePath);
    try {
        if (library.initializedWith !== undefined) library.module.C_Finalize();
    } finally {
        library.module.close();
    }
}
