import { existsSync } from "node:fs";
import { Pkcs11, loadBinding } from "./binding";
import { HsmError, tokenAnswer } from "./errors";

/**
 * One PKCS#11 library per module path, initialized while it is in use and finalized when the last user is
 * done. The dynamic-provider host runs resources in parallel in one process, and PKCS#11 keeps one login state
 * per application and token, so work on a library is serialized: each transaction logs in, works and logs out
 * before the next starts. Transactions are short (milliseconds; never a KMS call inside one).
 */

interface Library {
    module: Pkcs11;
    users: number;
    queue: Promise<unknown>;
    /** False when something else in this process had initialized the library: then it is theirs to finalize. */
    initialized: boolean;
}

const libraries = new Map<string, Library>();

export async function withLibrary<T>(modulePath: string, use: (p11: Pkcs11) => Promise<T>): Promise<T> {
    const library = acquire(modulePath);
    try {
        const run = library.queue.then(() => use(library.module));
        library.queue = run.catch(() => undefined);
        return await run;
    } finally {
        release(modulePath, library);
    }
}

/** How messages name the library: by where its path was given, not the path (an input: anything can be pasted there). */
const LIBRARY = "the PKCS#11 library named by hsmKey's module-path (or the config pulumi-kms-byok:hsmModulePath)";

function acquire(modulePath: string): Library {
    const existing = libraries.get(modulePath);
    if (existing) {
        existing.users++;
        return existing;
    }
    const { PKCS11 } = loadBinding();
    if (!existsSync(modulePath)) {
        throw new HsmError(
            `${LIBRARY} does not exist on this machine: install the HSM vendor's PKCS#11 library ` +
                "(SoftHSM: apt-get install softhsm2) or correct the path",
        );
    }
    const module = new PKCS11();
    try {
        module.load(modulePath);
    } catch (error) {
        throw new HsmError(`${LIBRARY} cannot be loaded (${tokenAnswer(error)}): is it a PKCS#11 module for this platform?`);
    }
    let initialized = true;
    try {
        module.C_Initialize();
    } catch (error) {
        initialized = false;
        if (tokenAnswer(error) !== "CKR_CRYPTOKI_ALREADY_INITIALIZED") {
            module.close();
            throw new HsmError(`${LIBRARY} failed to initialize (${tokenAnswer(error)}); check its configuration (for SoftHSM: SOFTHSM2_CONF)`);
        }
    }
    const library: Library = { module, users: 1, queue: Promise.resolve(), initialized };
    libraries.set(modulePath, library);
    return library;
}

function release(modulePath: string, library: Library): void {
    if (--library.users > 0) return;
    libraries.delete(modulePath);
    try {
        if (library.initialized) library.module.C_Finalize();
    } finally {
        library.module.close();
    }
}
