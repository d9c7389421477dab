/**
 * What redaction (redaction.ts) and the engine's safe replies (engine/safeReplies.ts) share about the errors
 * and messages they rewrite: how long a message may be, how an error's own fields are replaced in place, and
 * which objects make up one error (its cause chain and an AggregateError's errors).
 */

/** Messages are kept up to this length; the rest is dropped (no message of ours comes near it). */
export const MAX_MESSAGE_CHARS = 16_384;

/** The text, cut at MAX_MESSAGE_CHARS with a note of how much was dropped. */
export const capped = (text: string): string =>
    text.length <= MAX_MESSAGE_CHARS
        ? text
        : `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters not shown)`;

/** The most objects one error graph is followed through: a cycle or a very long chain ends there. */
const MAX_ERRORS = 64;

/** Visits the error and every error hanging off it (an object `cause`, an AggregateError's `errors`), once each. */
export function visitErrorGraph(error: unknown, visit: (error: Record<string, unknown>) => void): void {
    const seen = new Set<unknown>();
    const walk = (value: unknown): void => {
        if (!value || typeof value !== "object" || seen.has(value) || seen.size > MAX_ERRORS) return;
        seen.add(value);
        const e = value as Record<string, unknown>;
        visit(e);
        walk(e["cause"]);
        if (Array.isArray(e["errors"])) for (const inner of e["errors"]) walk(inner);
    };
    walk(error);
}

/**
 * Some errors define message/stack as getters or read-only; replace them with plain values. Where that is
 * impossible (a frozen object) and the value had to change, this throws, and the caller withholds it all.
 */
export function overwriteField(target: Record<string, unknown>, field: string, value: unknown): void {
    if (target[field] === value) return;
    try {
        Object.defineProperty(target, field, {
            value,
            writable: true,
            configurable: true,
            enumerable: !["stack", "message", "name"].includes(field),
        });
    } catch {
        // checked below
    }
    if (target[field] !== value) throw new Error("an error could not be rewritten in place");
}
