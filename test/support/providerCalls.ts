import type { LeakRegistry } from "./leakScan";

/**
 * In-process provider tests call the provider's operations directly (createMaterial, checkInputs, …). So that
 * the leak scan sees what those calls produce without editing every call site, the exported functions are
 * wrapped once, at the start of the run: a wrapper calls the real function unchanged and records the
 * materials in its arguments, its result (outputs, check failures) and the message of anything it throws.
 * Callers reach exports through the module object at call time (CommonJS), so the wrappers are what they
 * call; install() verifies that, so a change in module format cannot silently blind the scan.
 */

const MODULES: Record<string, string[]> = {
    "../../provider/material/lifecycle": [
        "createMaterial",
        "readMaterial",
        "updateMaterial",
        "deleteMaterial",
        "diffMaterial",
    ],
    "../../provider/material/check": ["checkInputs"],
    "../../provider/rotation/lifecycle": [
        "checkRotation",
        "diffRotation",
        "applyRotation",
        "readRotation",
        "deleteRotation",
    ],
};

const WRAPPED = Symbol("leak-scan-recorded");

type AnyFunction = ((...args: unknown[]) => unknown) & { [WRAPPED]?: true };

/**
 * What a call shows the user: a check's failures (its checked inputs carry the material to the engine, which stores it
 * as a secret); anything else whole.
 */
function shown(value: unknown): unknown {
    const failures = (value as { failures?: unknown } | null)?.failures;
    return Array.isArray(failures) ? { failures } : value;
}

export function recordProviderCalls(registry: LeakRegistry): void {
    let calls = 0;
    for (const [path, names] of Object.entries(MODULES)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- patches its CommonJS exports
        const exports = require(path) as Record<string, AnyFunction>;
        for (const name of names) {
            const original = exports[name];
            if (typeof original !== "function")
                throw new Error(`leak scan: ${path} no longer exports ${name}; update providerCalls.ts`);
            if (original[WRAPPED]) continue;
            const where = `${path.replace(/^(\.\.\/)+/, "")}.${name}`;
            const wrapper: AnyFunction = function (this: unknown, ...args: unknown[]) {
                const call = ++calls;
                const record = (kind: "provider outputs" | "error message", text: string) =>
                    registry.addText(kind, `${where} call #${call}`, text);
                registry.addMaterialsIn(args, `arguments of ${where}`);
                const failed = (error: unknown) => {
                    const e = error as
                        { message?: unknown; stack?: unknown; cause?: { message?: unknown } } | undefined;
                    record(
                        "error message",
                        [e?.message, e?.stack, e?.cause?.message].filter((x) => typeof x === "string").join("\n") ||
                            String(error),
                    );
                    throw error;
                };
                let result: unknown;
                try {
                    result = original.apply(this, args);
                } catch (error) {
                    failed(error);
                }
                const outputs = (value: unknown) =>
                    record("provider outputs", JSON.stringify(shown(value)) ?? "undefined");
                if (result instanceof Promise) return result.then((value: unknown) => (outputs(value), value), failed);
                outputs(result);
                return result;
            };
            wrapper[WRAPPED] = true;
            exports[name] = wrapper;
            if (exports[name] !== wrapper)
                throw new Error(`leak scan: cannot record calls of ${where} (read-only export)`);
        }
    }
}
