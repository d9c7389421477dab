import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime";
import { decodeKeyMaterial } from "../../provider/wrapping/encodings";
import { inspectMaterial, publicKeyOf } from "../../provider/wrapping/material";

/**
 * The leak scan: every key material the test suite used, searched for in every artifact the suite produced:
 * everything the real Pulumi CLI printed or left (stdout, stderr, errors, engine event logs, `pulumi stack
 * export` without --show-secrets, every file of each backend, PULUMI_HOME and the CLI's temporary directory,
 * which holds the provider host's output as the CLI relays it), in-process provider logs, outputs and errors,
 * kms-local logs and records. A root hook (leakScanHook.ts) scans once after the whole suite; tests that prove
 * the scan works use their own LeakRegistry.
 *
 * Materials come from three places, so no test has to remember to register them: the support generators
 * (materials.ts), every secret config value a CLI stack is given (cli/cliStack.ts), and the inputs of
 * in-process provider calls (providerCalls.ts).
 *
 * Forms searched: raw bytes (latin1 / binary text, and raw bytes in files), hex (both cases), base64 and
 * base64url, the latter two also when the material sits at any byte offset inside a longer base64 blob, and
 * the decimal byte list of a JSON-serialized Buffer.
 * A report names the artifact, the form, the offset and the material by number, size, a SHA-256 prefix and
 * where it came from — never the material itself.
 */

export type ArtifactKind =
    | "state file"
    | "state dir file"
    | "operation result"
    | "provider log"
    | "provider outputs"
    | "error message"
    | "kms-local log"
    | "kms-local records"
    | "planted";

interface Material {
    bytes: Buffer;
    source: string;
    number: number;
}

interface Artifact {
    kind: ArtifactKind;
    where: string;
    read: () => string | Buffer | undefined;
}

export interface LeakHit {
    kind: ArtifactKind;
    where: string;
    form: string;
    offset: number;
    material: string;
}

export interface LeakReport {
    materials: number;
    artifacts: number;
    chars: number;
    byKind: Record<string, number>;
    hits: LeakHit[];
}

/** Shortest material worth searching for: shorter byte strings occur by chance. */
const MIN_MATERIAL_BYTES = 16;
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class LeakRegistry {
    private readonly materials = new Map<string, Material>();
    private readonly artifacts: Artifact[] = [];
    /** Set by the root hook, so a test can tell the suite-wide scan is installed. */
    hookInstalled = false;

    get materialCount(): number {
        return this.materials.size;
    }

    /** A material the suite uses (raw bytes). Copied: callers may zero theirs. */
    addMaterial(bytes: Buffer, source: string): void {
        if (bytes.length < MIN_MATERIAL_BYTES) return;
        const key = bytes.toString("hex");
        if (!this.materials.has(key))
            this.materials.set(key, { bytes: Buffer.from(bytes), source, number: this.materials.size + 1 });
    }

    /** A material given as a program or config carries it (base64, or PEM for private keys): see addMaterialText. */
    addMaterialBase64(value: unknown, source: string): void {
        this.addMaterialText(value, source);
    }

    private addBase64(value: string, source: string): void {
        if (value.length >= 20 && STANDARD_BASE64.test(value)) this.addMaterial(Buffer.from(value, "base64"), source);
    }

    /**
     * A material as a user gives it (base64 or PEM text): the bytes it spells out (each PEM block's DER) and the
     * bytes the provider imports (a PKCS#1 or SEC1 key converted to PKCS#8), so either form is searched for.
     */
    addMaterialText(value: unknown, source: string): void {
        if (typeof value !== "string") return;
        this.addBase64(value.replace(/\s+/g, ""), source);
        // The text as a whole, and each private key block of it (a public key or certificate is no secret).
        const blocks = [...value.matchAll(/-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g)].map(
            (m) => m[0],
        );
        for (const block of blocks)
            this.addBase64(
                block
                    .split(/\r?\n|\\n/)
                    .filter((l) => !l.startsWith("-----") && !l.includes(":"))
                    .join(""),
                source,
            );
        const publicKeys: Buffer[] = [];
        for (const text of [value, ...blocks]) {
            const decoded = decodeKeyMaterial(text).bytes;
            if (!decoded) continue;
            this.addMaterial(decoded, `${source} (as imported)`);
            if (inspectMaterial(decoded).kind === "pkcs8") publicKeys.push(publicKeyOf(decoded));
            decoded.fill(0);
        }
        // Each line on its own: a PEM body or wrapped base64 leaks line by line (a JSON-escaped PEM keeps its
        // breaks as "\n"), and a whole-material pattern would not match across them. A line made only of a
        // public key's bytes (a PEM's last line holds the EC point) is public: the publicKey output carries it.
        const lined = value.includes("-----BEGIN") ? blocks.join("\n") : value;
        for (const line of lined.split(/\r?\n|\\n/).map((l) => l.trim())) {
            if (!(line.length >= 20 && STANDARD_BASE64.test(line))) continue;
            const bytes = Buffer.from(line, "base64");
            if (!publicKeys.some((key) => key.includes(bytes))) this.addMaterial(bytes, `${source} (one line)`);
        }
    }

    /** Every `keyMaterial` property (plain or secret) and every secret string inside `value`. */
    addMaterialsIn(value: unknown, source: string, secretContext = false): void {
        if (typeof value === "string") {
            if (secretContext) this.addMaterialText(value, source);
            return;
        }
        if (!value || typeof value !== "object") return;
        if (Array.isArray(value)) {
            for (const v of value) this.addMaterialsIn(v, source, secretContext);
            return;
        }
        const record = value as Record<string, unknown>;
        if (record[specialSigKey] === specialSecretSig && "value" in record) {
            this.addMaterialsIn(record["value"], source, true);
            return;
        }
        for (const [k, v] of Object.entries(record))
            this.addMaterialsIn(v, source, secretContext || k === "keyMaterial");
    }

    /** An artifact read when the scan runs (it must still exist then). */
    addArtifact(kind: ArtifactKind, where: string, read: () => string | Buffer | undefined): void {
        this.artifacts.push({ kind, where, read });
    }

    /** An artifact captured now. */
    addText(kind: ArtifactKind, where: string, text: string | Buffer): void {
        this.artifacts.push({ kind, where, read: () => text });
    }

    /** Every file under `dir`, read now (call before the directory is removed). */
    addDirectory(dir: string, where: string): void {
        for (const file of listFiles(dir))
            this.addText("state dir file", `${where}: ${file.slice(dir.length + 1)}`, readFileSync(file));
    }

    /** Searches every artifact for every material. */
    async scan(): Promise<LeakReport> {
        const index = new PatternIndex([...this.materials.values()]);
        const hits: LeakHit[] = [];
        const byKind: Record<string, number> = {};
        let chars = 0;
        let artifacts = 0;
        const search = (kind: ArtifactKind, where: string, content: string | Buffer | undefined) => {
            if (content === undefined) return;
            const text = typeof content === "string" ? content : content.toString("latin1");
            artifacts++;
            chars += text.length;
            byKind[kind] = (byKind[kind] ?? 0) + 1;
            for (const hit of index.search(text)) hits.push({ kind, where, ...hit });
        };
        for (const artifact of this.artifacts) {
            let content: string | Buffer | undefined;
            try {
                content = artifact.read();
            } catch (error) {
                throw new Error(
                    `leak scan: cannot read ${artifact.kind} ${artifact.where}: ${(error as Error).message}`,
                    { cause: error },
                );
            }
            search(artifact.kind, artifact.where, content);
        }
        return { materials: this.materials.size, artifacts, chars, byKind, hits };
    }
}

function listFiles(dir: string): string[] {
    const out: string[] = [];
    for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) out.push(...listFiles(path));
        else out.push(path);
    }
    return out;
}

/** The strings a material can appear as in text, each with a name for the report. */
export function materialPatterns(material: Buffer): { form: string; text: string }[] {
    const hex = material.toString("hex");
    const patterns = [
        { form: "raw bytes", text: material.toString("latin1") },
        { form: "hex", text: hex },
        { form: "HEX", text: hex.toUpperCase() },
        // JSON.stringify of a Buffer: {"type":"Buffer","data":[…]}
        { form: "decimal byte list", text: material.join(",") },
    ];
    for (const encoding of ["base64", "base64url"] as const) {
        for (const shift of [0, 1, 2]) {
            const form = shift === 0 ? encoding : `${encoding} (at byte offset ${shift} mod 3 inside a longer blob)`;
            patterns.push({ form, text: alignedCore(material, shift, encoding) });
        }
    }
    return patterns;
}

/**
 * The base64 characters that depend only on the material's bits when it starts `shift` bytes (mod 3) into an
 * encoded blob: found wherever the material is encoded, alone or inside anything longer.
 */
function alignedCore(material: Buffer, shift: number, encoding: "base64" | "base64url"): string {
    const encoded = Buffer.concat([Buffer.alloc(shift), material]).toString(encoding);
    const start = Math.ceil((8 * shift) / 6);
    const end = Math.floor((8 * (shift + material.length)) / 6);
    return encoded.slice(start, end);
}

/**
 * Multi-pattern search without a pass per pattern: every GRAM-long substring of every pattern is indexed;
 * the text is sampled every `stride` characters, where stride = shortest pattern − GRAM + 1, so each
 * occurrence of any pattern covers at least one sample whose gram is one of its own. Candidates are verified
 * exactly.
 */
class PatternIndex {
    private static readonly GRAM = 12;
    private readonly grams = new Map<string, { pattern: number; at: number }[]>();
    private readonly patterns: { form: string; text: string; material: Material }[] = [];
    private readonly stride: number;

    constructor(materials: Material[]) {
        const G = PatternIndex.GRAM;
        let shortest = Infinity;
        for (const material of materials) {
            for (const p of materialPatterns(material.bytes)) {
                const id = this.patterns.push({ ...p, material }) - 1;
                shortest = Math.min(shortest, p.text.length);
                for (let at = 0; at + G <= p.text.length; at++) {
                    const gram = p.text.slice(at, at + G);
                    let list = this.grams.get(gram);
                    if (!list) this.grams.set(gram, (list = []));
                    list.push({ pattern: id, at });
                }
            }
        }
        this.stride = Number.isFinite(shortest) ? Math.max(1, shortest - G + 1) : 1;
    }

    search(text: string): { form: string; offset: number; material: string }[] {
        const G = PatternIndex.GRAM;
        const found = new Map<string, { form: string; offset: number; material: string }>();
        if (this.patterns.length === 0) return [];
        for (let i = 0; i + G <= text.length; i += this.stride) {
            const candidates = this.grams.get(text.slice(i, i + G));
            if (!candidates) continue;
            for (const { pattern, at } of candidates) {
                const start = i - at;
                const p = this.patterns[pattern];
                if (start < 0 || !text.startsWith(p.text, start)) continue;
                const key = `${pattern}@${start}`;
                if (!found.has(key))
                    found.set(key, { form: p.form, offset: start, material: describeMaterial(p.material) });
            }
        }
        return [...found.values()];
    }
}

function describeMaterial(m: Material): string {
    const fingerprint = createHash("sha256").update(m.bytes).digest("hex").slice(0, 12);
    return `material #${m.number} (${m.bytes.length} bytes, sha256 ${fingerprint}…, ${m.source})`;
}

/** A report that fails loudly: one line per hit, saying where. */
export function formatLeakReport(report: LeakReport): string {
    const lines = report.hits.map(
        (h) => `  ${h.kind} "${h.where}": ${h.material} found as ${h.form} at offset ${h.offset}`,
    );
    return `LEAK SCAN FAILED: key material found in ${report.hits.length} place(s):\n${lines.join("\n")}`;
}

export function summarizeLeakReport(report: LeakReport): string {
    const kinds = Object.entries(report.byKind)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(", ");
    return (
        `leak scan: ${report.materials} key materials × ${report.artifacts} artifacts ` +
        `(${(report.chars / 1e6).toFixed(1)} M chars: ${kinds}): ` +
        `${report.hits.length} hit(s)`
    );
}

/** The registry of the whole test run (scanned by the root hook). */
export const leakRegistry = new LeakRegistry();

/**
 * Options for a kms-local whose log lines (one per request) the leak scan covers; call `attach` once it is
 * started, so its request log, event log and key summaries are scanned too.
 */
export function kmsLocalArtifacts(
    where: string,
    registry: LeakRegistry = leakRegistry,
    forward?: (line: string) => void,
) {
    const lines: string[] = [];
    registry.addArtifact("kms-local log", `kms-local ${where}: log lines`, () => lines.join("\n"));
    return {
        log: (line: string) => {
            lines.push(line);
            forward?.(line);
        },
        attach(kms: { control: { requests(): unknown; events(): unknown; keys(): unknown } }): void {
            registry.addArtifact("kms-local records", `kms-local ${where}: requests, events, keys`, () =>
                JSON.stringify([kms.control.requests(), kms.control.events(), kms.control.keys()]),
            );
        },
    };
}
