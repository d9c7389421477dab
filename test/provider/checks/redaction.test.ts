import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { PartialFailure } from "../../../provider/material/finishImport";
import { MAX_INPUT_CHARS, Redactor, WITHHELD } from "../../../provider/checks/redaction";
import { assertNoMaterial } from "../../support/assertions";
import { ChunkScan } from "../../support/chunkScan";
import { LARGE_KINDS, LARGE_SIZES, largeInput, sizeName } from "../../support/largeInputs";
import { materialFor } from "../../support/materials";

/** Redaction of one call's secrets: every encoding, whole error graphs, partial failures; nothing kept after. */
describe("provider/checks/redaction", () => {
    const material = randomBytes(32);
    const given = material.toString("base64");
    const hex = material.toString("hex");

    function redactor(): Redactor {
        const r = new Redactor();
        r.addFromProperties({ keyMaterial: given });
        return r;
    }

    const wrap = (text: string, width: number, eol: string) =>
        text.replace(new RegExp(`(.{${width}})`, "g"), `$1${eol}`);
    const ENCODINGS: [string, string][] = [
        ["as given", given],
        ["raw bytes (latin1)", material.toString("latin1")],
        ["base64 without padding", given.replace(/=+$/, "")],
        ["base64url", material.toString("base64url")],
        ["base64 wrapped at 64 columns (\\n)", wrap(given, 64, "\n")],
        ["base64 wrapped at 16 columns (\\r\\n)", wrap(given, 16, "\r\n")],
        ["base64 wrapped inside JSON text (\\\\n)", JSON.stringify(wrap(given, 12, "\n"))],
        ["hex", hex],
        ["HEX", hex.toUpperCase()],
        ["hex bytes separated by ':'", hex.match(/../g)!.join(":")],
        ["HEX bytes separated by ' '", hex.toUpperCase().match(/../g)!.join(" ")],
        ["hex bytes separated by '-'", hex.match(/../g)!.join("-")],
        [
            "inside a longer base64 blob at offset 1",
            Buffer.concat([Buffer.from([7]), material, Buffer.from([9, 9])]).toString("base64"),
        ],
        [
            "inside a longer base64url blob at offset 2",
            Buffer.concat([Buffer.from([7, 8]), material, Buffer.from([9])]).toString("base64url"),
        ],
    ];

    for (const [what, form] of ENCODINGS) {
        it(`masks the material ${what}`, () => {
            const text = `before ${form} after`;
            const redacted = redactor().redact(text);
            assertNoMaterial(redacted, material, what);
            assert.ok(!redacted.includes(form), what);
            assert.match(redacted, /^before .*\[secret\].* after$/s);
        });
    }

    it(
        "covers a PEM private key: as given, JSON-escaped, each body line holding private bytes, the DER it " +
            "spells and the PKCS#8 imported",
        () => {
            const key = createPrivateKey({ key: materialFor("ECC_NIST_P384"), format: "der", type: "pkcs8" });
            const spki = createPublicKey(key).export({ type: "spki", format: "der" });
            const pem = String(key.export({ type: "sec1", format: "pem" }));
            const r = new Redactor();
            r.addFromProperties({ keyMaterial: pem });
            const sec1 = key.export({ type: "sec1", format: "der" });
            const pkcs8 = key.export({ type: "pkcs8", format: "der" });
            const forms = [
                pem,
                JSON.stringify(pem),
                // A line made only of the public point is public (the publicKey output carries it).
                ...pem
                    .split("\n")
                    .filter(
                        (line) =>
                            line.length >= 16 &&
                            !line.startsWith("-----") &&
                            !spki.includes(Buffer.from(line, "base64")),
                    ),
                sec1.toString("hex"),
                pkcs8.toString("base64"),
                pkcs8.toString("hex").toUpperCase().match(/../g)!.join(":"),
            ];
            for (const form of forms) {
                const redacted = r.redact(`<${form}>`);
                assert.ok(!redacted.includes(form) && redacted.includes("[secret]"), `a form of ${form.length} chars`);
            }
            assertNoMaterial(r.redact(forms.join(" ")), pkcs8, "PKCS#8");
            assert.equal(
                r.redact(`publicKey ${spki.toString("base64")}`),
                `publicKey ${spki.toString("base64")}`,
                "the public key is left alone",
            );
        },
    );

    it("leaves text without the material alone", () => {
        const text =
            "KMS key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab: 0123456789abcdef";
        assert.equal(redactor().redact(text), text);
    });

    it("masks a whole error graph: message, stack, every cause (strings too), AggregateError members", () => {
        const deepest = new Error(`KMS said ${hex.toUpperCase()}`);
        const middle = new Error("wrapped", { cause: deepest });
        const aggregate = new AggregateError(
            [new Error(`one ${material.toString("base64url")}`), new Error("two", { cause: `text cause ${given}` })],
            "many",
        );
        const top = new Error(`top ${given}`, { cause: { inner: middle, toString: () => "x" } });
        Object.assign(top, { cause: middle });
        (middle as { cause?: unknown }).cause = aggregate;
        (aggregate as { cause?: unknown }).cause = deepest;
        (deepest as { cause?: unknown }).cause = top; // a cycle must not hang
        redactor().redactError(top);
        const texts: string[] = [];
        const seen = new Set<unknown>();
        const walk = (e: unknown) => {
            if (!e || seen.has(e)) return;
            seen.add(e);
            if (typeof e === "string") return void texts.push(e);
            const error = e as { message?: string; stack?: string; cause?: unknown; errors?: unknown[] };
            texts.push(String(error.message), String(error.stack));
            walk(error.cause);
            error.errors?.forEach(walk);
        };
        walk(top);
        assert.ok(texts.length >= 10);
        assertNoMaterial(texts, material, "error graph");
    });

    it(
        "masks a partial failure's reasons and properties (the engine stores and prints both), " +
            "keeping its class and id",
        () => {
            const failure = new PartialFailure(
                `imported, but ${hex}`,
                "arn#id",
                { keyMaterialDescription: hex.toUpperCase(), nested: { list: [given] } },
                [`reason ${given}`],
            );
            const same = redactor().redactError(failure);
            assert.equal(same, failure);
            assert.ok(same instanceof PartialFailure);
            assert.equal(same.id, "arn#id");
            assertNoMaterial([same.message, same.reasons, same.properties], material, "partial failure");
        },
    );

    it("keeps nothing once disposed: the plaintext copy is zeroed and no pattern is left", () => {
        const r = redactor();
        const copies = (r as unknown as { buffers: Buffer[] }).buffers;
        assert.ok(copies.length > 0);
        r.dispose();
        assert.ok(
            copies.every((b) => b.every((byte) => byte === 0)),
            "plaintext copies zeroed",
        );
        assert.ok(r.empty);
        assert.equal(r.redact(`x ${given}`), `x ${given}`, "a disposed redactor knows nothing");
    });
});

/**
 * Issue 17's high finding: a material decoding to more than about 6 KB made the redactor compile a regular
 * expression too large for V8, whose SyntaxError spelt the material out and escaped every catch. The redactor
 * now never throws and never grows with its input: an input over MAX_INPUT_CHARS is not decoded at all
 * (strict mode), a message is searched on bounded windows, and whatever fails gives the fixed text.
 */
describe("provider/checks/redaction: bounded, and never throws", function () {
    this.timeout(120_000);
    let inputs: { what: string; text: string }[] = [];
    before(() => {
        inputs = LARGE_KINDS.flatMap((kind) =>
            LARGE_SIZES.map((size) => ({ what: `${sizeName(size)} ${kind}`, text: largeInput(kind, size) })),
        );
    });

    /** What a message might quote of an input: itself, JSON-escaped, its bytes in every encoding, inside other text. */
    function quotations(text: string): string[] {
        const all = Buffer.from(text.replace(/-----[A-Z ]+-----|\s/g, ""), /^[0-9a-f]+$/.test(text) ? "hex" : "base64");
        // A message is searched up to 16 KB: a longer quotation is cut anyway, and the tail no different.
        const bytes = all.subarray(0, 20_000);
        return [
            text,
            JSON.stringify(text),
            bytes.toString("hex").toUpperCase().match(/../g)!.join(":"),
            Buffer.concat([Buffer.from([1]), bytes]).toString("base64"),
            bytes
                .toString("base64url")
                .match(/.{1,76}/g)!
                .join("\\r\\n"),
            bytes.toString("latin1"),
            text.slice(1000, 5000),
        ];
    }

    it("derives nothing from an input longer than MAX_INPUT_CHARS: no copy, no window; strict mode instead", () => {
        for (const { what, text } of inputs) {
            const r = new Redactor();
            r.addFromProperties({ keyMaterial: text, keyMaterialDescription: "x" });
            assert.ok(r.strict && !r.empty, what);
            r.redact("probe");
            const internals = r as unknown as { buffers: Buffer[]; texts: Set<string> };
            assert.deepEqual(
                [internals.buffers.length, internals.texts.size],
                [0, 0],
                `${what}: something was derived`,
            );
        }
    });

    it(
        "leaves no 48-byte chunk of an oversized input in a message quoting it, in any form (the issue's " +
            "inputs, 8 KB to 1 MB)",
        () => {
            for (const { what, text } of inputs) {
                const r = new Redactor();
                r.addFromProperties({ keyMaterial: text });
                const scan = new ChunkScan();
                scan.add(what, text);
                for (const [i, quoted] of quotations(text).entries()) {
                    const redacted = r.redact(`KMS said: ${quoted} (request 7)`);
                    assert.ok(
                        redacted.length <= 16_384 + 200,
                        `${what}, quotation ${i}: the message grew to ${redacted.length}`,
                    );
                    assert.deepEqual(
                        scan.scan(redacted, `quotation ${i}`),
                        [],
                        `${what}, quotation ${i}: chunks of the input survived`,
                    );
                }
            }
        },
    );

    it("also in strict mode, a message without the input keeps what it says", () => {
        const r = new Redactor();
        r.addFromProperties({ keyMaterial: inputs[0].text });
        const text =
            "KMS key arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab: " +
            "keyMaterial is 9000 characters long";
        assert.equal(r.redact(text), text);
    });

    it("masks every 48-byte chunk of a material just within the bound, wherever a message quotes it", () => {
        const bytes = randomBytes(3000);
        const text = bytes.toString("base64");
        assert.ok(text.length <= MAX_INPUT_CHARS);
        const r = new Redactor();
        r.addFromProperties({ keyMaterial: text });
        assert.ok(!r.strict);
        const scan = new ChunkScan();
        scan.add("3,000 random bytes", text);
        for (let at = 0; at + 48 <= bytes.length; at += 480) {
            const chunk = bytes.subarray(at, at + 48);
            for (const form of [
                chunk.toString("base64"),
                chunk.toString("hex"),
                chunk.toString("latin1"),
                Buffer.concat([Buffer.from([9]), chunk]).toString("base64url"),
            ]) {
                assert.deepEqual(
                    scan.scan(r.redact(`error near ${form} here`), `chunk at ${at}`),
                    [],
                    `the chunk at byte ${at} survived`,
                );
            }
        }
    });

    it(
        "the chunk scan itself finds the issue's leak: the SyntaxError the old redactor threw, " +
            "spelling the material out",
        () => {
            const { what, text } = inputs.find((i) => i.what === "8 KB PKCS#12")!;
            const scan = new ChunkScan();
            scan.add(what, text);
            const oldError = `SyntaxError: Invalid regular expression: /${text
                .split("")
                .map((c) => (c === "+" ? "[+\\-]" : c === "/" ? "[/_]" : c))
                .join("(?:\\s|\\\\[rn])*")}/: Regular expression too large`;
            assert.ok(scan.scan(oldError, "old error").length >= 100, "the old error's chunks are recoverable");
        },
    );

    it("replaces what it cannot check by a fixed text: never its own error, never the original", () => {
        const material = randomBytes(32);
        const r = new Redactor();
        r.addFromProperties({ keyMaterial: material.toString("base64") });
        const hostile = new Error("x");
        Object.defineProperty(hostile, "message", {
            get: () => {
                throw new Error(`getter quoting ${material.toString("hex")}`);
            },
        });
        const frozen = Object.freeze(new Error(`frozen ${material.toString("hex")}`));
        for (const error of [hostile, frozen]) {
            const out = r.redactError(error);
            assert.notEqual(out, error);
            assert.equal((out as Error).message, WITHHELD);
        }
        assert.equal(r.redact(undefined as unknown as string), WITHHELD);
        const cyclic: Record<string, unknown> = { note: `quoting ${material.toString("base64")}` };
        cyclic["self"] = cyclic;
        assertNoMaterial(r.redactValue(cyclic), material, "a cyclic value");
    });
});
