import { escapeControls, quoteServerText } from "../client/serverText";
import type { CheckFailure } from "../checks/answers";
import { Redactor, WITHHELD } from "../checks/redaction";

/**
 * Everything the provider says to the engine passes here on its way out of dispatch: log lines, check
 * failures, errors with their whole graph. First the call's secrets are masked (redaction.ts); then the text
 * is made safe for a terminal: an error an AWS service sent (its name and message chosen by whoever answered)
 * is quoted as server text and capped at 500 characters; any other text gets every control character escaped
 * (line breaks too: no message of ours has one) and is capped. Nothing here throws: what cannot be made safe
 * is replaced by the fixed text WITHHELD.
 */

/** No message of ours comes near it; what does is cut. */
const MAX_MESSAGE_CHARS = 16_384;

export function safeText(redactor: Redactor, text: string): string {
    try {
        return cap(escapeControls(redactor.redact(text)));
    } catch {
        return WITHHELD;
    }
}

export function safeFailures(redactor: Redactor, failures: CheckFailure[]): CheckFailure[] {
    try {
        return failures.map((failure) => ({ property: failure.property, reason: safeText(redactor, failure.reason) }));
    } catch {
        return [{ property: "", reason: WITHHELD }];
    }
}

/** The error to throw to the engine: the same object (its class and partial-failure details kept), or a fixed one. */
export function safeError(redactor: Redactor, error: unknown): unknown {
    try {
        const redacted = redactor.redactError(error);
        if (redacted !== error) return redacted;
        sanitizeGraph(error, new Set());
        return error;
    } catch {
        return new Error(WITHHELD);
    }
}

function sanitizeGraph(error: unknown, seen: Set<unknown>): void {
    if (!error || typeof error !== "object" || seen.has(error) || seen.size > 64) return;
    seen.add(error);
    const e = error as Record<string, unknown>;
    // A service's error: its name (the JSON __type) and message come from whoever answered.
    const fromService = e["$metadata"] !== undefined;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any thrown value: printed as String() does
    const name = fromService ? quoteServerText(e["name"], 100) : cap(escapeControls(String(e["name"] ?? "Error")));
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any thrown value: printed as String() does
    const message = fromService ? quoteServerText(e["message"]) : cap(escapeControls(String(e["message"] ?? "")));
    if (typeof e["name"] === "string") set(e, "name", name);
    if (typeof e["message"] === "string") set(e, "message", message);
    if (typeof e["stack"] === "string") set(e, "stack", [`${name}: ${message}`, ...frames(e["stack"])].join("\n"));
    if (Array.isArray(e["reasons"]))
        set(
            e,
            "reasons",
            e["reasons"].map((reason) => cap(escapeControls(String(reason)))),
        );
    if (typeof e["cause"] === "string") set(e, "cause", quoteServerText(e["cause"]));
    else sanitizeGraph(e["cause"], seen);
    if (Array.isArray(e["errors"])) for (const inner of e["errors"]) sanitizeGraph(inner, seen);
}

/** The "    at …" lines of a stack (the message above them is rebuilt from the sanitised one). */
function frames(stack: string): string[] {
    return stack
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .slice(0, 50)
        .map((line) => cap(escapeControls(line)));
}

const cap = (text: string): string =>
    text.length <= MAX_MESSAGE_CHARS
        ? text
        : `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters not shown)`;

function set(target: Record<string, unknown>, field: string, value: unknown): void {
    if (target[field] === value) return;
    Object.defineProperty(target, field, {
        value,
        writable: true,
        configurable: true,
        enumerable: !["stack", "message", "name"].includes(field),
    });
    if (target[field] !== value) throw new Error("an error could not be sanitised in place");
}
