/**
 * Text an endpoint chose (an error's message, its exception name, STS's answer) reaches CI logs and the
 * user's terminal when it is quoted. Whoever answers can put anything there: escape sequences (OSC 52 writes
 * the clipboard, ESC[2J clears the screen), line breaks that forge Pulumi's own status lines, bidirectional
 * overrides that reorder what is shown, or megabytes of text. So it is quoted only through quoteServerText:
 * every such character escaped and the length capped.
 */

/** KMS's own messages are under 300 characters; what is longer is cut. */
export const MAX_QUOTED_CHARS = 500;

/**
 * C0 controls, DEL and C1 controls (ESC and CSI among them), the line and paragraph separators, and the
 * bidirectional formatting characters (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069).
 */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string): string => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/** Server text as it may be quoted in a message: one line, no control character, at most `max` characters. */
export function quoteServerText(text: unknown, max = MAX_QUOTED_CHARS): string {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a server's odd value prints as String() does
    const value = typeof text === "string" ? text : String(text ?? "");
    // Cut first, so escaping costs no more than the cap; escaping lengthens, so the result is cut again.
    const shown = value.slice(0, max).replace(CONTROLS, escaped);
    return value.length <= max && shown.length <= max ? shown : `${shown.slice(0, max)}… (cut at ${max} characters)`;
}

/**
 * Any text on its way to the terminal (it may quote what a server or a library said, or what a state holds):
 * every control escaped, line breaks included. No message of the provider spans lines, so a line break in
 * one came from outside, and could forge a status line.
 */
export function escapeControls(text: string): string {
    return text.replace(CONTROLS, escaped);
}
