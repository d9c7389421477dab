import { decodeKeyMaterial, materialTextForms } from "../wrapping/encodings";
import { unwrapSecret } from "./properties";

/**
 * Redaction: the last line of defence between a secret and a message. No message is built from a secret on
 * purpose; this makes sure none carries one by accident (an SDK error quoting a request, a cause chain, a
 * partial failure's properties), in any encoding a person or a tool might have turned it into.
 *
 * One Redactor per provider call: it is built from that call's arguments and the configured credentials, and
 * disposed when the call returns, so nothing derived from a material outlives the call that needed it (a
 * cached client, pacer or logger must never hold one).
 */

const MASK = "[secret]";
/** Shorter secrets are not searched for: they would match ordinary words. Every real secret is longer. */
const MIN_TEXT = 8;

/** Inputs whose values are secrets: the material (and what other inputs may one day hold, e.g. a PIN). */
export const SECRET_INPUTS: readonly string[] = ["keyMaterial"];

export class Redactor {
    private texts = new Set<string>();
    private buffers: Buffer[] = [];
    private compiled: RegExp[] | undefined;

    /**
     * A material as a program gave it: the text itself and its literal forms (materialTextForms: PEM line by
     * line, JSON-escaped, the DER it spells and the PKCS#8 imported, in base64, base64url and hex), and the
     * bytes it decodes to, searched in every encoding (bytePatterns).
     */
    addMaterialText(text: string): void {
        for (const form of [text, ...materialTextForms(text)]) this.addSecretText(form);
        for (const bytes of decodings(text)) {
            this.addBytes(bytes);
            bytes.fill(0);
        }
    }

    /** Plaintext bytes (a copy is kept and zeroed on dispose). */
    addBytes(bytes: Buffer): void {
        if (bytes.length < MIN_TEXT / 2) return;
        this.buffers.push(Buffer.from(bytes));
        this.compiled = undefined;
    }

    /** A secret that is only ever text (a secret access key, a session token). */
    addSecretText(text: string): void {
        const trimmed = text.trim();
        if (trimmed.length < MIN_TEXT) return;
        this.texts.add(trimmed);
        this.compiled = undefined;
    }

    /** Every secret value found in a call's arguments (inputs and outputs, secret envelopes or not). */
    addFromProperties(value: unknown): void {
        if (!value || typeof value !== "object") return;
        for (const name of SECRET_INPUTS) {
            for (const leaf of stringLeaves(unwrapSecret((value as Record<string, unknown>)[name]))) this.addMaterialText(leaf);
        }
    }

    get empty(): boolean {
        return this.texts.size === 0 && this.buffers.length === 0;
    }

    redact(text: string): string {
        if (this.empty || text.length === 0) return text;
        return this.patterns().reduce((t, pattern) => t.replace(pattern, MASK), text);
    }

    /** Strings anywhere in a JSON-like value; other values unchanged. A new value, the input is not modified. */
    redactValue<T>(value: T): T {
        if (typeof value === "string") return this.redact(value) as T;
        if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
        if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redact(k), this.redactValue(v)])) as T;
        }
        return value;
    }

    /**
     * An error and everything hanging off it: message, stack, the whole `cause` chain, an AggregateError's
     * errors, and a partial failure's `reasons` and `properties` (which the engine stores and prints).
     * Modified in place, so its class (and the host's `instanceof` / `e.id` handling) is kept.
     */
    redactError<E>(error: E, seen = new Set<unknown>()): E {
        if (!error || typeof error !== "object" || seen.has(error) || this.empty) return error;
        seen.add(error);
        const e = error as Record<string, unknown>;
        for (const field of ["message", "stack"]) {
            if (typeof e[field] === "string") overwrite(e, field, this.redact(e[field] as string));
        }
        if (Array.isArray(e["reasons"])) overwrite(e, "reasons", this.redactValue(e["reasons"]));
        if (e["properties"] && typeof e["properties"] === "object") overwrite(e, "properties", this.redactValue(e["properties"]));
        if ("cause" in e) {
            const cause = e["cause"];
            if (typeof cause === "string") overwrite(e, "cause", this.redact(cause));
            else this.redactError(cause, seen);
        }
        if (Array.isArray(e["errors"])) for (const inner of e["errors"]) this.redactError(inner, seen);
        return error;
    }

    /** Forget everything: zero the plaintext copies and drop every pattern built from them. */
    dispose(): void {
        for (const buffer of this.buffers) buffer.fill(0);
        this.buffers = [];
        this.texts = new Set();
        this.compiled = undefined;
    }

    private patterns(): RegExp[] {
        this.compiled ??= [
            ...[...this.texts].sort((a, b) => b.length - a.length).map((t) => new RegExp(escape(t), "g")),
            ...this.buffers.flatMap(bytePatterns),
        ];
        return this.compiled;
    }
}

/**
 * The ways a material's bytes appear in text: raw (latin1, and UTF-8 when they are valid UTF-8); base64
 * and base64url, padded or not, line-wrapped or not, at any of the three alignments it can have inside a
 * longer base64 text; hex in either case, its bytes optionally separated by ':', '-' or whitespace.
 */
export function bytePatterns(bytes: Buffer): RegExp[] {
    const patterns = [new RegExp(escape(bytes.toString("latin1")), "g")];
    const utf8 = bytes.toString("utf8");
    if (Buffer.from(utf8, "utf8").equals(bytes)) patterns.push(new RegExp(escape(utf8), "g"));
    for (const core of base64Cores(bytes)) patterns.push(new RegExp(base64Pattern(core), "g"));
    patterns.push(new RegExp(hexPattern(bytes), "g"));
    return patterns;
}

/** The base64 characters that depend on the material alone, for each alignment (0, 1 or 2 bytes before it). */
function base64Cores(bytes: Buffer): string[] {
    const cores: string[] = [];
    for (const shift of [0, 1, 2]) {
        const prefixed = Buffer.concat([Buffer.alloc(shift), bytes]);
        const text = prefixed.toString("base64").replace(/=+$/, "");
        prefixed.fill(0);
        // Characters mixing prefix bits (start) or what follows the material (end) are left out.
        const start = [0, 2, 3][shift]!;
        const end = (shift + bytes.length) % 3 === 0 ? text.length : text.length - 1;
        if (end - start >= MIN_TEXT) cores.push(text.slice(start, end));
    }
    return cores;
}

/** Each character matches itself or its base64url twin; line breaks (real or JSON-escaped) may fall anywhere. */
function base64Pattern(core: string): string {
    const gap = "(?:\\s|\\\\[rn])*";
    return [...core].map((c) => (c === "+" ? "[+\\-]" : c === "/" ? "[/_]" : c)).join(gap);
}

function hexPattern(bytes: Buffer): string {
    const byte = (b: number) =>
        [...b.toString(16).padStart(2, "0")].map((c) => (/[a-f]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join("");
    return [...bytes].map(byte).join("[:\\s-]?");
}

/**
 * What a program's text may decode to: base64 (with PEM armour and whitespace removed, standard or url
 * alphabet) and hex. Lenient on purpose: a malformed material is still a secret.
 */
function decodings(text: string): Buffer[] {
    const body = text.replace(/-----[A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
    const imported = decodeKeyMaterial(text).bytes;
    const out: Buffer[] = imported ? [imported] : [];
    if (/^[0-9a-fA-F:-]+$/.test(body) && body.replace(/[:-]/g, "").length % 2 === 0) {
        out.push(Buffer.from(body.replace(/[:-]/g, ""), "hex"));
    }
    const base64 = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    out.push(base64);
    return out.filter((b) => b.length >= MIN_TEXT / 2);
}

function stringLeaves(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(stringLeaves);
    if (value && typeof value === "object") return Object.values(value).flatMap(stringLeaves);
    return [];
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Some errors define message/stack as getters or read-only; replace them with plain values. */
function overwrite(target: Record<string, unknown>, field: string, value: unknown): void {
    try {
        Object.defineProperty(target, field, { value, writable: true, configurable: true, enumerable: field !== "stack" && field !== "message" });
    } catch {
        // A frozen object: leave it (it never held our secret: we never freeze what we build).
    }
}
