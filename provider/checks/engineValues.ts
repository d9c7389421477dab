import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/**
 * The values the engine hands a dynamic provider besides plain data: the placeholder for an unknown value and
 * the secret envelope, as the Pulumi SDK defines them (the dynamic host that loads this code has loaded the SDK).
 * Shared by both resources' checks and operations.
 */

/** The engine's placeholder for a value not known until apply (e.g. the id of a key created in the same run). */
export const UNKNOWN = unknownValue;
export const isUnknown = (value: unknown): boolean => value === UNKNOWN;

/** Pulumi's wire envelope for secrets. The dynamic host should never receive one; tolerate it if it does. */
export function unwrapSecret(value: unknown): unknown {
    if (value && typeof value === "object" && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig) {
        return (value as Record<string, unknown>)["value"];
    }
    return value;
}

export function plainInputs(raw: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, unwrapSecret(v)]));
}
