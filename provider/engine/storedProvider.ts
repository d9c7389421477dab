import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The serialized provider (`__provider`) every resource stores, twice (inputs and outputs), and the engine
 * hands back to the dynamic-provider host, which loads it as a module and calls `handler()`. Deliberately
 * tiny: it requires the implementation from the installed package at run time (resolved from the Pulumi
 * project directory, where the engine starts the provider host) and calls `dispatch(API_VERSION, method,
 * args, kind)`, the contract every release keeps. No clients, no config, no secrets.
 *
 * Two forms exist in stacks:
 * - `providerText(kind)`, what the resources write now: the module text itself, under 300 bytes;
 * - the objects below, serialized by dynamic.Resource's closure serializer as earlier releases stored them
 *   (2.5 KB: the serializer wraps each of the seven methods in its own boilerplate; 62 % of a material's
 *   state). Stacks written then keep working: their text reaches the same `dispatch`, and the next `up`
 *   records the new text without any import (material/plan.ts: a provider change is record-only).
 * Changing either text changes every stored `__provider`; the contract behind them is API_VERSION in runtime.ts.
 */

const RUNTIME_MODULE = "pulumi-kms-byok/dist/provider/dynamic/runtime";
const API_VERSION = 1;

interface Runtime {
    dispatch(apiVersion: number, method: string, args: unknown[], kind: string): Promise<unknown>;
}

function shimFor(kind: string): dynamic.ResourceProvider {
    const call = <T>(method: string, args: unknown[]): Promise<T> => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded by the __provider text
        const runtime = require(RUNTIME_MODULE) as Runtime;
        return runtime.dispatch(API_VERSION, method, args, kind) as Promise<T>;
    };
    return {
        configure: (req) => call("configure", [req]),
        check: (olds, news) => call("check", [olds, news]),
        diff: (id, olds, news) => call("diff", [id, olds, news]),
        create: (inputs) => call("create", [inputs]),
        read: (id, props) => call("read", [id, props]),
        update: (id, olds, news) => call("update", [id, olds, news]),
        delete: (id, props) => call("delete", [id, props]),
    };
}

/** The provider objects earlier releases had serialized into `__provider` (still usable with dynamic.Resource). */
export const importedKeyMaterialProvider = shimFor("ImportedKeyMaterial");
export const keyMaterialRotationProvider = shimFor("KeyMaterialRotation");

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"];

/**
 * The `__provider` text of a resource kind: a module whose handler builds the seven methods on the installed runtime.
 */
export function providerText(kind: "ImportedKeyMaterial" | "KeyMaterialRotation"): string {
    return (
        `exports.handler = () => {\n` +
        `    const runtime = require(${JSON.stringify(RUNTIME_MODULE)});\n` +
        `    return Object.fromEntries(${JSON.stringify(METHODS)}.map((m) => [m, (...args) => ` +
        `runtime.dispatch(${API_VERSION}, m, args, ${JSON.stringify(kind)})]));\n` +
        `};\n`
    );
}
