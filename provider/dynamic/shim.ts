import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The objects `dynamic.Resource` serializes into every stack's state as `__provider`. Deliberately tiny:
 * each method requires the implementation from the installed package at run time (resolved from the Pulumi
 * project directory, where the engine starts the provider host). Keep them free of captured values other
 * than these constants: no clients, no config, no secrets. Changing this text changes every stored
 * `__provider`, so change it only together with API_VERSION in runtime.ts.
 */

const RUNTIME_MODULE = "pulumi-kms-byok/dist/provider/dynamic/runtime";
const API_VERSION = 1;

interface Runtime {
    dispatch(apiVersion: number, method: string, args: unknown[], kind: string): Promise<unknown>;
}

function shimFor(kind: string): dynamic.ResourceProvider {
    const call = <T>(method: string, args: unknown[]): Promise<T> => {
        const runtime: Runtime = require(RUNTIME_MODULE);
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

export const importedKeyMaterialProvider = shimFor("ImportedKeyMaterial");
export const keyMaterialRotationProvider = shimFor("KeyMaterialRotation");
