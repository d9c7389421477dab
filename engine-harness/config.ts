// Stack configuration and what the engine makes of it for the `pulumi-nodejs` provider.
//
// target.go GetPackageConfig: "For dynamic providers, we always pass the full configuration".
// Keys keep their namespace (`aws:region`, `<project>:key`); values are strings (structured
// config is sent as its JSON text); secret values are wrapped as secrets in the Configure args
// (the only request that keeps secrets). `variables` carries the deprecated spelling
// `pulumi-nodejs:config:<key>` with plain strings. PULUMI_CONFIG for the plugin holds only
// `pulumi-nodejs:`-namespaced keys (host.go), which is why `new pulumi.Config()` inside provider
// code sees nothing (reference §1.5).

import type { ConfigEntry } from "./state";
import { isSecret, secret, type JsonValue, type PropertyMap } from "./values";

/** A config value as a test gives it: plain JSON, or secret(...) for `pulumi config set --secret`. */
export type ConfigInput = JsonValue;

/**
 * Normalizes config like `pulumi config set` does: a key without a namespace belongs to the
 * project (`foo` → `<project>:foo`); a secret(...) value is stored as a secret.
 */
export function normalizeConfig(project: string, input: Record<string, ConfigInput>): Record<string, ConfigEntry> {
    const out: Record<string, ConfigEntry> = {};
    for (const [key, raw] of Object.entries(input)) {
        const full = key.includes(":") ? key : `${project}:${key}`;
        out[full] = isSecret(raw) ? { value: raw.value as JsonValue, secret: true } : { value: raw, secret: false };
    }
    return out;
}

function asString(v: JsonValue): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** ConfigureRequest.args and .variables for the default pulumi-nodejs provider. */
export function configureRequest(config: Record<string, ConfigEntry>): { args: PropertyMap; variables: Record<string, string> } {
    const args: PropertyMap = {};
    const variables: Record<string, string> = {};
    for (const [key, entry] of Object.entries(config)) {
        const text = asString(entry.value);
        args[key] = entry.secret ? secret(text) : text;
        variables[`pulumi-nodejs:config:${key}`] = text;
    }
    return { args, variables };
}

/** PULUMI_CONFIG for the plugin process: only the `pulumi-nodejs:` namespace. */
export function pluginConfigJson(config: Record<string, ConfigEntry>): string {
    const own: Record<string, string> = {};
    for (const [key, entry] of Object.entries(config)) {
        if (key.startsWith("pulumi-nodejs:")) {
            own[key] = asString(entry.value);
        }
    }
    return JSON.stringify(own);
}
