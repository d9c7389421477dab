// The `__provider` property, produced exactly as `dynamic.Resource` produces it.
//
// @pulumi/pulumi/dynamic/index.js serializes with
//   serializeFunction(() => provider, { allowSecrets: true })
// and makes the resulting Output secret when `containsSecrets` is true (reference §2.3, §3.1).
// `pulumi.runtime.serializeFunction` is the public re-export of that same function.

import * as pulumi from "@pulumi/pulumi";

/** A serialized provider: the `__provider` text and whether it captured a secret Output. */
export class SerializedProvider {
    constructor(
        readonly text: string,
        readonly containsSecrets: boolean = false,
    ) {}
}

/**
 * Serializes a provider object the way `new dynamic.Resource(provider, …)` does.
 * Throws the SDK's own serialization error (e.g. a captured native function).
 */
export async function serializeProvider(provider: object): Promise<SerializedProvider> {
    const result = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return new SerializedProvider(result.text, result.containsSecrets);
}

/**
 * Like dynamic.Resource's program-side cache (a WeakMap keyed on the provider object's identity):
 * the same object is serialized once, so every resource using it carries the same text.
 */
export class ProviderSerializer {
    private readonly cache = new WeakMap<object, Promise<SerializedProvider>>();

    /** A provider object, or ready text: a SerializedProvider, or a plain string (not secret). */
    serialize(provider: object | SerializedProvider | string): Promise<SerializedProvider> {
        if (provider instanceof SerializedProvider) {
            return Promise.resolve(provider);
        }
        if (typeof provider === "string") {
            return Promise.resolve(new SerializedProvider(provider, false));
        }
        let p = this.cache.get(provider);
        if (!p) {
            p = serializeProvider(provider);
            this.cache.set(provider, p);
        }
        return p;
    }
}

/** One cache for the whole process, like the SDK's module-level WeakMap. */
export const defaultSerializer: ProviderSerializer = new ProviderSerializer();
