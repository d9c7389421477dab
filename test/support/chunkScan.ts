/**
 * The leak scan for inputs too large for the suite-wide one (leakScan.ts indexes every 12-character gram of
 * every form of every material: right for keys, gigabytes for a megabyte of input). It answers the question
 * issue 17 asked of the redactor: is any 48-byte chunk of an input recoverable from a text?
 *
 * An input is taken as the text a program gives (any text) and as the bytes it spells (base64, hex, or a PEM
 * body). Pieces of it are indexed at a stride chosen so that every whole 48-byte chunk, in any of its forms,
 * contains at least one indexed piece: the text itself; the bytes as base64 at each alignment, as hex, as
 * latin1. A text is searched as it is, and in views that undo what a message does to encoded data: line
 * breaks (real or JSON-escaped) and spaces removed, base64url read as base64, hex lower-cased without byte
 * separators, and the regular-expression source the old redactor compiled (the leak: a SyntaxError
 * spelling the material one character at a time). A hit names the input and the chunk, never its content.
 */

interface Piece {
    input: number;
    chunk: number;
}

type View = "text" | "base64" | "hex";

export interface ChunkHit {
    input: string;
    chunk: number;
    where: string;
}

export class ChunkScan {
    private readonly inputs: { name: string }[] = [];
    private readonly pieces = new Map<View, Map<number, Map<string, Piece>>>([
        ["text", new Map()],
        ["base64", new Map()],
        ["hex", new Map()],
    ]);

    /** An input as a program gives it; `name` identifies it in reports. */
    add(name: string, input: string): void {
        const id = this.inputs.push({ name }) - 1;
        // The text: 48-character chunks, as given and in the base64 and hex views (chunk numbers of the text).
        this.index("text", input, id, 16, 32, (at) => at);
        for (const view of ["base64", "hex"] as const) {
            for (const [segment] of viewOf(input, view).matchAll(/[^\u0000]{16,}/g))
                this.index(view, segment, id, 16, 32, () => 0);
        }
        const bytes = bytesOf(input);
        if (!bytes) return;
        // The bytes it spells: 48-byte chunks as latin1 (48 characters), hex (96) and base64 at each alignment (64).
        this.index("text", bytes.toString("latin1"), id, 24, 24, (at) => at);
        this.index("hex", bytes.toString("hex"), id, 32, 64, (at) => at / 2);
        for (const shift of [0, 1, 2]) {
            const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
            const start = [0, 2, 3][shift];
            this.index(
                "base64",
                encoded.slice(start, encoded.length - 4),
                id,
                32,
                32,
                (at) => ((at + start) * 3) / 4 - shift,
            );
        }
    }

    get inputCount(): number {
        return this.inputs.length;
    }

    /** Every chunk found in `text` (searched in every view); `where` names the text in the report. */
    scan(text: string, where: string): ChunkHit[] {
        const hits = new Map<string, ChunkHit>();
        const search = (view: View, haystack: string) => {
            for (const [length, pieces] of this.pieces.get(view)!) {
                for (let at = 0; at + length <= haystack.length; at++) {
                    const piece = pieces.get(haystack.slice(at, at + length));
                    if (piece)
                        hits.set(`${piece.input}/${piece.chunk}`, {
                            input: this.inputs[piece.input].name,
                            chunk: piece.chunk,
                            where,
                        });
                }
            }
        };
        for (const source of text.includes("(?:") ? [text, undoRegexSource(text)] : [text]) {
            search("text", source);
            search("base64", viewOf(source, "base64"));
            search("hex", viewOf(source, "hex"));
        }
        return [...hits.values()];
    }

    /**
     * Pieces of `length` characters every `stride` characters; `offset` maps a position to the input's byte or
     * character.
     */
    private index(
        view: View,
        form: string,
        input: number,
        length: number,
        stride: number,
        offset: (at: number) => number,
    ): void {
        let byLength = this.pieces.get(view)!.get(length);
        if (!byLength) this.pieces.get(view)!.set(length, (byLength = new Map<string, Piece>()));
        for (let at = 0; at + length <= form.length; at += stride) {
            byLength.set(form.slice(at, at + length), { input, chunk: Math.floor(Math.max(0, offset(at)) / 48) });
        }
    }
}

const BREAK = "\u0000";

/** As in the redactor: the characters a form keeps, anything else a break (a table per view: inputs are megabytes). */
function viewOf(text: string, view: "base64" | "hex"): string {
    const table = TABLES[view];
    const out = new Uint16Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code === 0x5c && (text[i + 1] === "n" || text[i + 1] === "r")) {
            i++;
            continue;
        }
        const mapped = code < 128 ? table[code] : 0;
        if (mapped !== SKIP) out[n++] = mapped;
    }
    return Buffer.from(out.buffer, 0, n * 2).toString("utf16le");
}

const SKIP = 0xffff;
const TABLES = {
    base64: tableOf((c) =>
        /[A-Za-z0-9]/.test(c)
            ? c
            : c === "+" || c === "-"
              ? "+"
              : c === "/" || c === "_"
                ? "/"
                : /\s/.test(c)
                  ? undefined
                  : BREAK,
    ),
    hex: tableOf((c) => (/[0-9a-fA-F]/.test(c) ? c.toLowerCase() : /[\s:-]/.test(c) ? undefined : BREAK)),
};

function tableOf(map: (c: string) => string | undefined): Uint16Array {
    const table = new Uint16Array(128);
    for (let code = 0; code < 128; code++) {
        const mapped = map(String.fromCharCode(code));
        table[code] = mapped === undefined ? SKIP : mapped.charCodeAt(0);
    }
    return table;
}

/** The old redactor's patterns, back to what they spelt: gaps, alternatives and escapes removed. */
function undoRegexSource(text: string): string {
    return text
        .replace(/\(\?:\\s\|\\\\\[rn\]\)\*/g, "")
        .replace(/\[:\\s-\]\?/g, "")
        .replace(/\[\+\\-\]/g, "+")
        .replace(/\[\/_\]/g, "/")
        .replace(/\[([0-9a-f])[0-9A-F]\]/g, "$1")
        .replace(/\\(.)/g, "$1");
}

/** The bytes an input spells: a PEM body, hex, or base64 (standard or url); undefined for other text. */
function bytesOf(input: string): Buffer | undefined {
    const body = input.replace(/-----[A-Z0-9 ]+-----/g, "").replace(/\s+/g, "");
    if (/^[0-9a-fA-F]+$/.test(body) && body.length % 2 === 0) return Buffer.from(body, "hex");
    if (/^[A-Za-z0-9+/_-]+=*$/.test(body)) return Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return undefined;
}

/** Every string inside a JSON-like value (engine events), so escapes of JSON text do not hide a form. */
export function stringsOf(value: unknown, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
    else if (value && typeof value === "object") for (const v of Object.values(value)) stringsOf(v, out);
    return out;
}
