import { escapeControls, quoteServerText } from "../client/serverText";
import type { CheckFailure } from "../checks/answers";
import { capped, overwriteField, visitErrorGraph } from "../checks/errorGraph";
import { Redactor, WITHHELD } from "../checks/redaction";

/**
 * Everything the provider says to the engine passes here on its way out of dispatch: log lines, check
 * failures, errors with their whole graph. First the call's secrets are masked (redaction.ts); then the text
 * is made safe for a terminal: an error an AWS service sent (its name and message chosen by whoever answered)
 * is quoted as server text and capped at 500 characters; any other text gets every control character escaped
 * (line breaks too: no message of ours has one) and is capped. Nothing here throws: what cannot be made safe
 * is replaced by the fixed text WITHHELD.
 */

export function safeText(redactor: Redactor, text: string): string {
    try {
        return capped(escapeControls(redactor.redact(text)));
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
        visitErrorGraph(error, sanitizeOwnFields);
        return error;
    } catch {
        return new Error(WITHHELD);
    }
}

/** One error's own fields; the errors hanging off it are visited by visitErrorGraph. */
function sanitizeOwnFields(e: Record<string, unknown>): void {
    // A service's error: its name (the JSON __type) and message come from whoever answered.
    const fromService = e["$metadata"] !== undefined;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any thrown value: printed as String() does
    const name = fromService ? quoteServerText(e["name"], 100) : capped(escapeControls(String(e["name"] ?? "Error")));
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any thrown value: printed as String() does
    const message = fromService ? quoteServerText(e["message"]) : capped(escapeControls(String(e["message"] ?? "")));
    if (typeof e["name"] === "string") overwriteField(e, "name", name);
    if (typeof e["message"] === "string") overwriteField(e, "message", message);
    if (typeof e["stack"] === "string")
        overwriteField(e, "stack", [`${name}: ${message}`, ...frames(e["stack"])].join("\n"));
    if (Array.isArray(e["reasons"]))
        overwriteField(
            e,
            "reasons",
            e["reasons"].map((reason) => capped(escapeControls(String(reason)))),
        );
    if (typeof e["cause"] === "string") overwriteField(e, "cause", quoteServerText(e["cause"]));
}

/** The "    at …" lines of a stack (the message above them is rebuilt from the sanitised one). */
function frames(stack: string): string[] {
    return stack
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .slice(0, 50)
        .map((line) => capped(escapeControls(line)));
}
