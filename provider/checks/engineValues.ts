/**
 * The values the engine hands a dynamic provider besides plain data: the placeholder for an unknown value and
 * the secret envelope. Shared by both resources' checks and operations.
 */

/** The engine's placeholder for a value not known until apply (e.g. the id of a key created in the same run). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const isUnknown = (value: unknown): boolean => value === UNKNOWN;

/** Pulumi's wire envelope for secrets. The dynamic host should never receive one; tolerate it if it does. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function unwrapSecret(value: unknown): unknown {
    if (value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG) {
        return (value as Record<string, unknown>)["value"];
    }
    return value;
}

export function plainInputs(raw: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, unwrapSecret(v)]));
}
