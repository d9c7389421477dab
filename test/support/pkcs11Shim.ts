import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

/**
 * The PKCS#11 shim of the tests (pkcs11Shim.c): built once per test process with the C compiler CI installs
 * (the same one that builds pkcs11js), against the PKCS#11 header pkcs11js ships. Its environment variables go
 * to whatever process loads it: this one, or the provider host through the CLI's environment.
 */

let built: string | undefined;

/** The shim's canonical path (in a fresh 0700 directory, so the provider's library path rules accept it). */
export function pkcs11Shim(): string {
    if (built) return built;
    const source = resolve(__dirname, "../../../test/support/pkcs11Shim.c");
    const headers = join(dirname(require.resolve("pkcs11js/package.json")), "includes", "pkcs11");
    if (!existsSync(join(headers, "pkcs11.h")))
        throw new Error(`the PKCS#11 shim needs pkcs11js's PKCS#11 headers (${headers})`);
    const out = join(mkdtempSync(join(tmpdir(), "pkcs11-shim-")), "libbyokshim.so");
    try {
        execFileSync("cc", ["-shared", "-fPIC", "-O1", "-Wall", "-I", headers, "-o", out, source, "-ldl"], {
            stdio: "pipe",
        });
    } catch (error) {
        const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
        throw new Error(
            `building the PKCS#11 test shim failed (a C compiler is required: apt-get install gcc; .ci/run ` +
                `installs it): ${stderr || (error as Error).message}`,
            { cause: error },
        );
    }
    built = out;
    return out;
}

export interface ShimControls {
    /** The real library behind the shim. */
    module: string;
    /** File the shim appends one line to per C_Login. */
    log?: string;
    /** Flags OR-ed into C_GetTokenInfo's. */
    tokenFlags?: number;
    /** Mechanisms the shim hides from C_GetMechanismList. */
    hideMechanisms?: number[];
}

/** The shim's environment variables. */
export function shimEnv(controls: ShimControls): Record<string, string> {
    return {
        BYOK_SHIM_MODULE: controls.module,
        BYOK_SHIM_LOG: controls.log ?? "",
        BYOK_SHIM_TOKEN_FLAGS: controls.tokenFlags ? `0x${controls.tokenFlags.toString(16)}` : "",
        BYOK_SHIM_HIDE_MECHANISMS: (controls.hideMechanisms ?? []).map((m) => `0x${m.toString(16)}`).join(","),
    };
}

/**
 * Sets the controls in this process (for provider operations run in-process); returns a function restoring the previous
 * ones.
 */
export function useShimHere(controls: ShimControls): () => void {
    const env = shimEnv(controls);
    const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    return () => {
        for (const [name, value] of Object.entries(previous)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
}

/** The C_Login lines the shim logged: user type ("0" SO, "1" user) and the token's answer. */
export function loginsLogged(log: string): { userType: string; rv: string }[] {
    if (!existsSync(log)) return [];
    return readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("C_Login "))
        .map((l) => {
            const [, userType, rv] = l.split(" ");
            return { userType: userType, rv: rv };
        });
}
