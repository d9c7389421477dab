import { decodeKeyMaterial } from "../wrapping/encodings";
import { inspectMaterial, publicKeyOf } from "../wrapping/material";
import { unwrapSecret } from "./engineValues";
import { capped, overwriteField, visitErrorGraph } from "./errorGraph";

/**
 * Redaction: the last line of defence between a secret and a message. No message is built from a secret on
 * purpose; this makes sure none carries one by accident (an SDK error quoting a request, a cause chain, a
 * partial failure's properties), in any encoding a person or a tool might have turned it into.
 *
 * It never throws and never grows with its input:
 * - a secret is indexed as fixed windows (WINDOW characters) of each of its encodings, searched for at every
 *   position of three views of a message (as is; as base64 without line breaks; as hex without separators).
 *   Building costs a few windows per character of a bounded secret; a message costs one set lookup per
 *   position and view. No regular expression is ever compiled from an input.
 * - a secret longer than MAX_INPUT_CHARS (which check refuses: no key material is that long) is not decoded
 *   or encoded at all. It switches the redactor to strict mode instead: every long run of base64 or hex
 *   characters and every control or latin1 character in a message is masked, and a message holding any of
 *   a few sampled pieces of that secret is withheld whole.
 * - a message is cut at MAX_MESSAGE_CHARS before it is searched, and whatever fails inside turns the whole
 *   message into WITHHELD: never the redactor's own error, never the original.
 *
 * One Redactor per provider call: it is built from that call's arguments and the configured credentials, and
 * disposed when the call returns, so nothing derived from a material outlives the call that needed it (a
 * cached client, pacer or logger must never hold one).
 */

/**
 * The longest string any input may hold, key material included; check refuses longer ones before anything
 * is derived from them. The largest legitimate material is an RSA-4096 private key as PEM: about 2,350 DER
 * bytes (PKCS#1) or 2,375 (PKCS#8), 3,170 base64 characters in 50 lines of 64, plus the BEGIN/END lines:
 * about 3,270 characters, 3,320 with CRLF line ends or JSON-escaped line breaks. 4,096 leaves room for
 * legacy PEM headers and bag attributes, and still refuses a certificate chain, a PKCS#12 bundle or the wrong
 * file. No other input comes near it (a session policy is at most 2,048 characters, an external ID 1,224).
 */
export const MAX_INPUT_CHARS = 4096;

/** What replaces a whole message that could not be checked, or that holds part of an oversized secret. */
export const WITHHELD = "[message withheld: it may contain a secret input]";

const MASK = "[secret]";
/** Shorter secrets are not searched for: they would match ordinary words. Every real secret is longer. */
const MIN_TEXT = 8;
/** The window every longer secret is cut into: 16 base64 or latin1 characters (12 bytes), 16 hex (8 bytes). */
const WINDOW = 16;
/** Secret text indexed per call, in all (a call holds a material at most twice: old and new inputs). */
const MAX_INDEXED_CHARS = 8 * MAX_INPUT_CHARS;
/** Strict mode: runs this long (36 bytes of base64, 24 of hex) are masked, so no 48-byte piece survives. */
const STRICT_RUN = 48;
/** Strict mode: pieces sampled from each oversized secret (at most this many secrets). */
const SAMPLES = 64;
const SAMPLE_CHARS = 32;
const MAX_OVERSIZED = 8;

/** Inputs whose values are key material: searched for in every encoding (material/schema.ts: secret "material"). */
export const SECRET_INPUTS: readonly string[] = ["keyMaterial"];
/** Inputs whose values are credentials (secret "credential"): never shown, searched for as text. */
export const CREDENTIAL_INPUTS: readonly string[] = ["hsmPin", "hsmModuleParameters"];

type ViewName = "raw" | "base64" | "hex";
const VIEWS: readonly ViewName[] = ["raw", "base64", "hex"];

export class Redactor {
    private texts = new Set<string>();
    private buffers: Buffer[] = [];
    private indexedChars = 0;
    /** Sampled pieces of oversized secrets; set: strict mode. */
    private samples: string[] | undefined;
    private index: Map<ViewName, WindowSet> | undefined;

    /**
     * A material as a program gave it: the text itself, and the bytes it decodes to (as imported: PKCS#1 and
     * SEC1 become PKCS#8; and as the base64 or hex it spells), each searched for in every encoding.
     */
    addMaterialText(text: string): void {
        if (!this.admit(text)) return;
        this.texts.add(withoutArmor(text));
        for (const bytes of decodings(text)) {
            this.addBytes(bytes);
            bytes.fill(0);
        }
    }

    /** Plaintext bytes (a copy is kept and zeroed on dispose). */
    addBytes(bytes: Buffer): void {
        if (bytes.length < MIN_TEXT / 2) return;
        if (bytes.length > MAX_INPUT_CHARS) {
            this.oversized(bytes.toString("latin1"));
            return;
        }
        this.buffers.push(Buffer.from(bytes));
        this.index = undefined;
    }

    /** A secret that is only ever text (a secret access key, a session token, a PIN). */
    addSecretText(text: string): void {
        if (!this.admit(text)) return;
        this.texts.add(text.trim());
    }

    /**
     * Every secret value found in a call's arguments (inputs and outputs, secret envelopes or not). Any string
     * longer than MAX_INPUT_CHARS, in any property, may be a pasted material: strict mode, nothing derived.
     */
    addFromProperties(value: unknown): void {
        if (!value || typeof value !== "object") return;
        const record = value as Record<string, unknown>;
        for (const [name, leaf] of Object.entries(record)) {
            if (name === "__provider") continue;
            for (const text of stringLeaves(unwrapSecret(leaf)))
                if (text.length > MAX_INPUT_CHARS) this.oversized(text);
        }
        for (const name of SECRET_INPUTS) {
            for (const leaf of stringLeaves(unwrapSecret(record[name]))) this.addMaterialText(leaf);
        }
    }

    get empty(): boolean {
        return this.texts.size === 0 && this.buffers.length === 0 && this.samples === undefined;
    }

    /** Does check refuse, and redaction mask, every secret of this call? false: some secret was too large to index. */
    get strict(): boolean {
        return this.samples !== undefined;
    }

    /** The text with every secret masked; WITHHELD when that cannot be done. Never throws. */
    redact(text: string): string {
        try {
            if (typeof text !== "string") return WITHHELD;
            if (this.empty || text.length === 0) return text;
            const cut = capped(text);
            if (this.samples?.some((piece) => cut.includes(piece))) return WITHHELD;
            return capped(mask(cut, [...this.secretRanges(cut), ...(this.strict ? strictRanges(cut) : [])]));
        } catch {
            return WITHHELD;
        }
    }

    /** Does the text hold any indexed secret (exact windows only; for check's "material pasted elsewhere")? */
    holdsSecret(text: string): boolean {
        try {
            return text.length <= MAX_INPUT_CHARS && this.secretRanges(text).length > 0;
        } catch {
            return true;
        }
    }

    /** Strings anywhere in a JSON-like value; other values unchanged. A new value, the input is not modified. */
    redactValue<T>(value: T, depth = 0): T {
        if (typeof value === "string") return this.redact(value) as T;
        if (depth > 32) return WITHHELD as T;
        if (Array.isArray(value)) return (value as unknown[]).map((v) => this.redactValue(v, depth + 1)) as T;
        if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
            return Object.fromEntries(
                Object.entries(value).map(([k, v]) => [this.redact(k), this.redactValue(v, depth + 1)]),
            ) as T;
        }
        return value;
    }

    /**
     * An error and everything hanging off it: name, message, stack, the whole `cause` chain, an
     * AggregateError's errors, and a partial failure's `reasons` and `properties` (which the engine stores and
     * prints). Modified in place, so its class (and the host's `instanceof` / `e.id` handling) is kept. When
     * that fails, a new error with the fixed text: never the original, never redaction's own error.
     */
    redactError<E>(error: E): E | Error {
        try {
            if (!this.empty) visitErrorGraph(error, (e) => this.redactOwnFields(e));
            return error;
        } catch {
            return new Error(WITHHELD);
        }
    }

    /** Forget everything: zero the plaintext copies and drop every window built from them. */
    dispose(): void {
        for (const buffer of this.buffers) buffer.fill(0);
        this.buffers = [];
        this.texts = new Set();
        this.samples = undefined;
        this.index = undefined;
        this.indexedChars = 0;
    }

    /** One error's own fields; the errors hanging off it are visited by visitErrorGraph. */
    private redactOwnFields(e: Record<string, unknown>): void {
        for (const field of ["name", "message", "stack"]) {
            if (typeof e[field] === "string") overwriteField(e, field, this.redact(e[field]));
        }
        if (Array.isArray(e["reasons"])) overwriteField(e, "reasons", this.redactValue(e["reasons"]));
        if (e["properties"] && typeof e["properties"] === "object")
            overwriteField(e, "properties", this.redactValue(e["properties"]));
        if (typeof e["cause"] === "string") overwriteField(e, "cause", this.redact(e["cause"]));
    }

    /** A secret this call may index (bounded); an oversized one switches to strict mode instead. */
    private admit(text: string): boolean {
        const length = text.trim().length;
        if (length < MIN_TEXT) return false;
        if (length > MAX_INPUT_CHARS || this.indexedChars + length > MAX_INDEXED_CHARS) {
            this.oversized(text);
            return false;
        }
        this.indexedChars += length;
        this.index = undefined;
        return true;
    }

    /** Strict mode, and a few pieces of the text at fixed intervals: bounded whatever its size, nothing decoded. */
    private oversized(text: string): void {
        this.samples ??= [];
        if (this.samples.length >= SAMPLES * MAX_OVERSIZED) return;
        const step = Math.max(SAMPLE_CHARS, Math.floor(text.length / SAMPLES));
        for (
            let at = 0;
            at + SAMPLE_CHARS <= text.length && this.samples.length < SAMPLES * MAX_OVERSIZED;
            at += step
        ) {
            const piece = text.slice(at, at + SAMPLE_CHARS);
            if (piece.trim().length === SAMPLE_CHARS) this.samples.push(piece);
        }
    }

    /** Where indexed secrets occur in the text, as [start, end) ranges of it. */
    private secretRanges(text: string): [number, number][] {
        const index = this.windows();
        const ranges: [number, number][] = [];
        for (const [name, windows] of index) {
            if (windows.size === 0) continue;
            const view = viewOf(text, name);
            for (const [start, end] of windows.find(view.text))
                ranges.push([view.origin(start), view.origin(end - 1) + 1]);
        }
        return ranges;
    }

    /** Built on first use (most calls never redact anything), from every secret in every view. */
    private windows(): Map<ViewName, WindowSet> {
        if (this.index) return this.index;
        const index = new Map(VIEWS.map((name) => [name, new WindowSet()] as const));
        const shared = new WindowSet();
        for (const text of this.texts) {
            for (const [name, windows] of index)
                for (const segment of segments(viewOf(text, name).text)) windows.add(segment);
        }
        for (const bytes of this.buffers) {
            for (const [name, form] of byteForms(bytes)) index.get(name)?.add(form); // every view has a set
            // The public half of a private key is no secret (the publicKey output, a partial failure's properties).
            const spki = publicHalf(bytes);
            if (spki) for (const [, form] of byteForms(spki)) shared.add(form);
        }
        for (const windows of index.values()) windows.remove(shared);
        this.index = index;
        return index;
    }
}

/** Fixed-length windows of needles, and the lengths of needles shorter than a window. */
class WindowSet {
    private readonly windows = new Set<string>();
    private readonly lengths = new Set<number>();

    get size(): number {
        return this.windows.size;
    }

    add(needle: string): void {
        if (needle.length < MIN_TEXT) return;
        const length = Math.min(needle.length, WINDOW);
        this.lengths.add(length);
        for (let at = 0; at + length <= needle.length; at++) this.windows.add(needle.slice(at, at + length));
    }

    remove(other: WindowSet): void {
        for (const window of other.windows) this.windows.delete(window);
    }

    /** [start, end) of every window found in the text: one lookup per position and needle length. */
    find(text: string): [number, number][] {
        const found: [number, number][] = [];
        for (const length of this.lengths) {
            for (let at = 0; at + length <= text.length; at++) {
                if (this.windows.has(text.slice(at, at + length))) found.push([at, at + length]);
            }
        }
        return found;
    }
}

interface View {
    text: string;
    /** The position in the original text of a view character. */
    origin(at: number): number;
}

const BREAK = "\u0000";
const isWhitespace = (c: string) => c === " " || c === "\n" || c === "\r" || c === "\t";
const isHex = (c: string) => (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
const isAlphanumeric = (c: string) => (c >= "0" && c <= "9") || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");

/**
 * raw: the text itself. base64: the standard alphabet (base64url's - and _ read as + and /), line breaks
 * (real or JSON-escaped) and spaces dropped. hex: lower-case digits, byte separators (: - space) and line
 * breaks dropped. Any other character breaks a run, so no window spans it.
 */
function viewOf(text: string, name: ViewName): View {
    if (name === "raw") return { text, origin: (at) => at };
    const out: string[] = [];
    const origin = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === "\\" && (text[i + 1] === "n" || text[i + 1] === "r")) {
            i++;
            continue;
        }
        if (isWhitespace(c)) continue;
        let mapped: string;
        if (name === "base64")
            mapped = isAlphanumeric(c) ? c : c === "+" || c === "-" ? "+" : c === "/" || c === "_" ? "/" : BREAK;
        else if (c === ":" || c === "-") continue;
        else mapped = isHex(c) ? c.toLowerCase() : BREAK;
        origin[out.length] = i;
        out.push(mapped);
    }
    return { text: out.join(""), origin: (at) => origin[at] };
}

const segments = (view: string): string[] => view.split(BREAK).filter((s) => s.length >= MIN_TEXT);

/**
 * The ways a material's bytes appear in text, per view: raw (latin1, and UTF-8 when they are valid UTF-8);
 * base64 at each of the three alignments it can have inside a longer base64 text (only the characters that
 * depend on the material alone); hex.
 */
function byteForms(bytes: Buffer): [ViewName, string][] {
    const forms: [ViewName, string][] = [
        ["raw", bytes.toString("latin1")],
        ["hex", bytes.toString("hex")],
    ];
    const utf8 = bytes.toString("utf8");
    if (Buffer.from(utf8, "utf8").equals(bytes)) forms.push(["raw", utf8]);
    for (const core of base64Cores(bytes)) forms.push(["base64", core]);
    return forms;
}

function base64Cores(bytes: Buffer): string[] {
    const cores: string[] = [];
    for (const shift of [0, 1, 2]) {
        const prefixed = Buffer.concat([Buffer.alloc(shift), bytes]);
        const text = prefixed.toString("base64").replace(/=+$/, "");
        prefixed.fill(0);
        // Characters mixing prefix bits (start) or what follows the material (end) are left out.
        const start = [0, 2, 3][shift];
        const end = (shift + bytes.length) % 3 === 0 ? text.length : text.length - 1;
        if (end - start >= MIN_TEXT) cores.push(text.slice(start, end));
    }
    return cores;
}

/** The SubjectPublicKeyInfo of a PKCS#8 private key, undefined for anything else. */
function publicHalf(bytes: Buffer): Buffer | undefined {
    try {
        return inspectMaterial(bytes).kind === "pkcs8" ? publicKeyOf(bytes) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Strict mode (an oversized secret is about): every run of STRICT_RUN base64 or hex characters, and every
 * character raw bytes turn into that ordinary text does not use, masked. Linear in the text; independent of
 * the secret.
 */
function strictRanges(text: string): [number, number][] {
    const ranges: [number, number][] = [];
    for (const name of ["base64", "hex"] as const) {
        const view = viewOf(text, name);
        let start = 0;
        for (let i = 0; i <= view.text.length; i++) {
            if (i < view.text.length && view.text[i] !== BREAK) continue;
            if (i - start >= STRICT_RUN) ranges.push([view.origin(start), view.origin(i - 1) + 1]);
            start = i + 1;
        }
    }
    // Raw bytes read as text: controls, latin1's upper half, and what a UTF-8 decoder makes of invalid bytes.
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if ((code < 0x20 && code !== 0x0a && code !== 0x09) || (code >= 0x7f && code <= 0xff) || code === 0xfffd)
            ranges.push([i, i + 1]);
    }
    return ranges;
}

/** Each range replaced by MASK; ranges closer than MASK's length merged, so masking never lengthens a text much. */
function mask(text: string, ranges: [number, number][]): string {
    if (ranges.length === 0) return text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = "";
    let at = 0;
    let current: [number, number] | undefined;
    for (const range of ranges) {
        if (current && range[0] < current[1] + MASK.length) {
            current[1] = Math.max(current[1], range[1]);
            continue;
        }
        if (current) {
            out += text.slice(at, current[0]) + MASK;
            at = current[1];
        }
        current = [range[0], range[1]];
    }
    if (!current) return text;
    out += text.slice(at, current[0]) + MASK + text.slice(current[1]);
    return out;
}

/**
 * What a program's text may decode to: the bytes imported (decodeKeyMaterial), base64 (with PEM armour and
 * whitespace removed, standard or url alphabet) and hex. Lenient on purpose: a malformed material is still a
 * secret. Only ever called with a bounded text.
 */
function decodings(text: string): Buffer[] {
    const body = withoutArmor(text).replace(/\s+/g, "");
    const out: Buffer[] = [];
    try {
        const imported = decodeKeyMaterial(text).bytes;
        if (imported) out.push(imported);
    } catch {
        // Not a material decodeKeyMaterial understands: its spelt-out bytes below still are secret.
    }
    if (/^[0-9a-fA-F:-]+$/.test(body) && body.replace(/[:-]/g, "").length % 2 === 0) {
        out.push(Buffer.from(body.replace(/[:-]/g, ""), "hex"));
    }
    out.push(Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
    return out.filter((b) => b.length >= MIN_TEXT / 2);
}

/** A PEM text without its BEGIN/END lines and "Name: value" headers (public, and the same in every PEM file). */
function withoutArmor(text: string): string {
    if (!text.includes("-----")) return text.trim();
    const normalized = text.includes("\n") ? text : text.replace(/(?:\\r)?\\n/g, "\n");
    return normalized
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => !line.startsWith("-----") && !line.includes(":"))
        .join("\n");
}

function stringLeaves(value: unknown, depth = 0): string[] {
    if (typeof value === "string") return [value];
    if (depth > 32) return [];
    if (Array.isArray(value)) return value.flatMap((v) => stringLeaves(v, depth + 1));
    if (value && typeof value === "object") return Object.values(value).flatMap((v) => stringLeaves(v, depth + 1));
    return [];
}
