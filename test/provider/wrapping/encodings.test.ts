import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import { createMaterial } from "../../../provider/material/lifecycle";
import { decodeKeyMaterial } from "../../../provider/wrapping/encodings";
import { ECC_KEY_SPECS, KeySpec, RSA_KEY_SPECS } from "../../../provider/wrapping/keySpecs";
import { encodingsOf, openssl, opensslPem, opensslPkcs8 } from "../../support/keyEncodings";
import { useProviderKms } from "../../support/kms";
import { leakRegistry } from "../../support/leakScan";
import { materialFor } from "../../support/materials";

/**
 * Key material as people have it: every encoding of every asymmetric key spec becomes the same bytes
 * (canonical PKCS#8, pinned against this machine's openssl), PKCS#8 is passed through byte for byte,
 * and what cannot be imported is refused with a message that shows how to fix it (the commands are run).
 */

const ASYMMETRIC: readonly KeySpec[] = [...RSA_KEY_SPECS, ...ECC_KEY_SPECS];

/** No 12-character stretch of the input's content (PEM armor lines aside) appears in the message. */
function assertNotQuoted(message: string, input: string): void {
    const content = input
        .split(/\r?\n/)
        .filter((line) => !line.startsWith("-----"))
        .join("")
        .replace(/\s+/g, "");
    for (let i = 0; i + 12 <= content.length; i += 4) {
        assert.ok(!message.includes(content.slice(i, i + 12)), "the message quotes the input");
    }
}

function problemOf(text: string): string {
    const decoded = decodeKeyMaterial(text);
    assert.equal(decoded.bytes, undefined, "expected a refusal");
    assertNotQuoted(decoded.problem, text);
    return decoded.problem;
}

describe("provider/wrapping/encodings", () => {
    for (const spec of ASYMMETRIC) {
        describe(`${spec}: every encoding → the same bytes`, () => {
            const pkcs8 = materialFor(spec);
            const canonical = opensslPkcs8(pkcs8);

            it(
                "the canonical form is what openssl pkcs8 -topk8 -nocrypt writes, and a key node:crypto " +
                    "generated already has it",
                () => {
                    assert.deepEqual(canonical, pkcs8);
                },
            );

            for (const form of encodingsOf(spec, pkcs8)) {
                it(form.name, () => {
                    const decoded = decodeKeyMaterial(form.text);
                    assert.equal(decoded.problem, undefined, decoded.problem);
                    if (form.passThrough) {
                        assert.ok(!form.passThrough.equals(canonical), "the variant differs from the canonical form");
                        assert.deepEqual(decoded.bytes, form.passThrough, "PKCS#8 is passed through byte for byte");
                    } else {
                        assert.deepEqual(decoded.bytes, canonical);
                    }
                    assert.deepEqual(decodeKeyMaterial(form.text).bytes, decoded.bytes, "deterministic");
                });
            }
        });
    }

    describe(
        "through the provider into kms-local: one KMS key per spec " + "takes every encoding as the same material",
        () => {
            // kms-local derives the KeyMaterialId from the bytes (as KMS does) and, with this switch, reports it for
            // asymmetric keys too: the same id for every encoding is the same bytes reaching KMS.
            const fixture = useProviderKms({ switches: { importResponseMaterialIdAsymmetric: "id" } });
            for (const spec of ASYMMETRIC) {
                it(spec, async function () {
                    this.timeout(60_000);
                    const pkcs8 = materialFor(spec);
                    const expectedPublicKey = openssl(["pkey", "-pubout", "-outform", "DER"], opensslPem(pkcs8));
                    const key = await fixture().createKey({ KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
                    const ids = new Set<string | null>();
                    for (const form of encodingsOf(spec, pkcs8)) {
                        const imported = createMaterial(fixture().context, { keyId: key.Arn!, keyMaterial: form.text });
                        if (form.passThrough) {
                            // Other bytes of the same key: kms-local, like KMS, accepts only the bytes the key already
                            // holds.
                            await assert.rejects(imported, /IncorrectKeyMaterialException/, form.name);
                            continue;
                        }
                        const { outs } = await imported;
                        ids.add(outs.keyMaterialId);
                        assert.deepEqual(Buffer.from(outs.publicKey!, "base64"), expectedPublicKey, form.name);
                    }
                    assert.equal(ids.size, 1, "one KeyMaterialId for every encoding");
                    assert.match([...ids][0]!, /^[0-9a-f]{64}$/);
                    const { PublicKey } = await fixture().client.send(new GetPublicKeyCommand({ KeyId: key.Arn }));
                    assert.deepEqual(
                        Buffer.from(PublicKey!),
                        expectedPublicKey,
                        "GetPublicKey is the public half of the key openssl sees",
                    );
                });
            }
        },
    );

    describe("raw material", () => {
        it("passes symmetric and HMAC bytes through, also when they start like a DER SEQUENCE", () => {
            for (const bytes of [
                randomBytes(32),
                Buffer.concat([Buffer.from([0x30, 0x1e]), randomBytes(30)]),
                Buffer.concat([Buffer.from([0x30, 0x81, 0x7e]), randomBytes(125)]),
            ]) {
                const decoded = decodeKeyMaterial(bytes.toString("base64"));
                assert.equal(decoded.encoding, "raw");
                assert.deepEqual(decoded.bytes, bytes);
            }
        });
    });

    describe("refusals say what to do, without quoting the input", () => {
        const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        const pem = String(ec.privateKey.export({ type: "pkcs8", format: "pem" }));
        leakRegistry.addMaterialText(pem, "encodings.test refusals");
        const rsaDer = materialFor("RSA_2048");
        const rows: [string, string, RegExp][] = [
            ["hex", randomBytes(32).toString("hex"), /looks like hex.*xxd -r -p/],
            ["upper-case hex", randomBytes(32).toString("hex").toUpperCase(), /looks like hex/],
            ["0x-prefixed hex", `0x${randomBytes(32).toString("hex")}`, /looks like hex/],
            [
                "colon-separated hex (openssl -text)",
                randomBytes(32)
                    .toString("hex")
                    .replace(/(..)(?!$)/g, "$1:"),
                /looks like hex/,
            ],
            ["not base64", "this is not key material!", /standard base64 .* or PEM/],
            [
                "encrypted PKCS#8 PEM",
                String(ec.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })),
                /encrypted private key.*openssl pkey/,
            ],
            [
                "encrypted traditional PEM (Proc-Type: 4,ENCRYPTED)",
                String(ec.privateKey.export({ type: "sec1", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })),
                /encrypted private key/,
            ],
            [
                "encrypted PKCS#8 DER",
                ec.privateKey
                    .export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "pw" })
                    .toString("base64"),
                /encrypted private key.*-inform DER/,
            ],
            [
                "public key PEM",
                String(ec.publicKey.export({ type: "spki", format: "pem" })),
                /public key or certificate/,
            ],
            [
                "public key DER",
                ec.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
                /public key or certificate/,
            ],
            ["two private keys", pem + pem, /holds 2 private keys; give exactly one/],
            ["PEM without its END line", pem.replace(/-----END[^]*$/, ""), /no complete -----BEGIN/],
            [
                "PEM whose body is not base64",
                "-----BEGIN PRIVATE KEY-----\nnot*base64\n-----END PRIVATE KEY-----\n",
                /not valid base64 inside/,
            ],
            [
                "PEM labelled RSA PRIVATE KEY holding an EC key",
                pem.replace(/PRIVATE KEY/g, "RSA PRIVATE KEY"),
                /labelled RSA PRIVATE KEY but does not hold a PKCS#1/,
            ],
            [
                "a DSA private key",
                "-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n",
                /kind KMS cannot import/,
            ],
            [
                "an RSA key in EC PRIVATE KEY armor",
                String(
                    createPrivateKey({ key: rsaDer, format: "der", type: "pkcs8" }).export({
                        type: "pkcs1",
                        format: "pem",
                    }),
                ).replace(/RSA PRIVATE KEY/g, "EC PRIVATE KEY"),
                /does not hold a SEC1/,
            ],
        ];
        for (const [what, text, expected] of rows) {
            it(what, () => assert.match(problemOf(text), expected));
        }
    });

    describe("the commands the refusals give work (run with this machine's tools)", () => {
        let dir: string;
        beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "byok-encodings-"))));
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        const bash = (command: string) =>
            execFileSync("bash", ["-c", command], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        const commandIn = (message: string, starts: string) => {
            const command = [...message.matchAll(/`([^`]+)`/g)].map((m) => m[1]).find((c) => c.startsWith(starts));
            assert.ok(command, `the message gives a ${starts} command`);
            return command;
        };

        it("hex: xxd -r -p … | openssl base64 -A gives base64 of the same bytes", () => {
            const bytes = randomBytes(32);
            writeFileSync(join(dir, "key.hex"), `${bytes.toString("hex")}\n`);
            const command = commandIn(problemOf(bytes.toString("hex")), "xxd");
            assert.deepEqual(decodeKeyMaterial(bash(command).toString()).bytes, bytes);
        });

        for (const [what, key, inform] of [
            ["encrypted PKCS#8 PEM", () => generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey, ""],
            ["encrypted PKCS#1 PEM", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey, ""],
            [
                "encrypted PKCS#8 DER",
                () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey,
                " -inform DER",
            ],
        ] as const) {
            it(`${what}: the openssl pkey command decrypts it into accepted material`, () => {
                const privateKey = key();
                leakRegistry.addMaterial(privateKey.export({ type: "pkcs8", format: "der" }), `encodings.test ${what}`);
                const type = what.includes("PKCS#1") ? "pkcs1" : "pkcs8";
                const encrypted = inform
                    ? privateKey.export({ type, format: "der", cipher: "aes-256-cbc", passphrase: "pw" })
                    : Buffer.from(
                          String(privateKey.export({ type, format: "pem", cipher: "aes-256-cbc", passphrase: "pw" })),
                      );
                writeFileSync(join(dir, "encrypted.pem"), encrypted);
                const text = inform ? encrypted.toString("base64") : encrypted.toString();
                const command = commandIn(problemOf(text), "openssl pkey");
                bash(`${command}${inform} -passin pass:pw`);
                const decoded = decodeKeyMaterial(readFileSync(join(dir, "plain.pem"), "utf8"));
                assert.deepEqual(decoded.bytes, privateKey.export({ type: "pkcs8", format: "der" }));
            });
        }

        it("OpenSSH private key: the ssh-keygen command converts a copy into accepted material", () => {
            bash("ssh-keygen -q -t ecdsa -b 256 -N '' -C '' -f copy-of-key");
            const original = readFileSync(join(dir, "copy-of-key"), "utf8");
            const publicKey = readFileSync(join(dir, "copy-of-key.pub"), "utf8");
            leakRegistry.addMaterialText(original, "encodings.test OpenSSH key");
            bash(commandIn(problemOf(original), "ssh-keygen"));
            const converted = readFileSync(join(dir, "copy-of-key"), "utf8");
            leakRegistry.addMaterialText(converted, "encodings.test OpenSSH key, converted");
            const decoded = decodeKeyMaterial(converted);
            assert.equal(decoded.encoding, "PKCS#8");
            const ours = createPublicKey(createPrivateKey({ key: decoded.bytes, format: "der", type: "pkcs8" }));
            const theirs = openssl(
                ["pkey", "-pubin", "-pubout", "-outform", "DER"],
                bash(`ssh-keygen -e -m PKCS8 -f copy-of-key.pub`),
            );
            assert.deepEqual(
                ours.export({ type: "spki", format: "der" }),
                theirs,
                `the same key as ${publicKey.split(" ")[0]}`,
            );
        });
    });
});
