import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    MODULUS_BYTES,
    Wrapping,
    WrappingAlgorithm,
    WrappingKeySpec,
    wrappingCapacity,
} from "../../../provider/wrapping/algorithms";
import { WrappingKeyError, parseWrappingKey, wrapKeyMaterial } from "../../../provider/wrapping/wrap";
import { materialFor } from "../../support/materials";

/**
 * The wrapping is checked against an independent implementation: the openssl command line, running the
 * AWS Developer Guide's own recipe (pkeyutl OAEP decrypt; enc -d -id-aes256-wrap-pad).
 */
describe("provider/wrapping/wrap", () => {
    const dir = mkdtempSync(join(tmpdir(), "wrap-test-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const pairs = new Map<WrappingKeySpec, { spki: Buffer; pem: string }>();

    function wrappingPair(spec: WrappingKeySpec) {
        let pair = pairs.get(spec);
        if (!pair) {
            const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: MODULUS_BYTES[spec] * 8 });
            const pem = join(dir, `${spec}.pem`);
            writeFileSync(pem, privateKey.export({ type: "pkcs8", format: "pem" }));
            pair = { spki: publicKey.export({ type: "spki", format: "der" }), pem };
            pairs.set(spec, pair);
        }
        return pair;
    }

    function opensslOaepDecrypt(pem: string, blob: Buffer, digest: string): Buffer {
        const input = join(dir, "in.bin");
        writeFileSync(input, blob);
        return execFileSync("openssl", [
            "pkeyutl",
            "-decrypt",
            "-inkey",
            pem,
            "-in",
            input,
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            `rsa_oaep_md:${digest}`,
            "-pkeyopt",
            `rsa_mgf1_md:${digest}`,
        ]);
    }

    function opensslUnwrap(blob: Buffer, wrapping: Wrapping, pem: string): Buffer {
        const digest = wrapping.algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
        if (!wrapping.algorithm.startsWith("RSA_AES")) return opensslOaepDecrypt(pem, blob, digest);
        const k = MODULUS_BYTES[wrapping.wrappingKeySpec];
        const aesKey = opensslOaepDecrypt(pem, blob.subarray(0, k), digest);
        assert.equal(aesKey.length, 32, "the RSA block carries an AES-256 key");
        const input = join(dir, "kwp.bin");
        writeFileSync(input, blob.subarray(k));
        return execFileSync("openssl", [
            "enc",
            "-d",
            "-id-aes256-wrap-pad",
            "-K",
            aesKey.toString("hex"),
            "-iv",
            "A65959A6",
            "-in",
            input,
        ]);
    }

    const cases: [WrappingAlgorithm, WrappingKeySpec, Parameters<typeof materialFor>[0]][] = [
        ["RSAES_OAEP_SHA_256", "RSA_2048", "SYMMETRIC_DEFAULT"],
        ["RSAES_OAEP_SHA_1", "RSA_2048", "SYMMETRIC_DEFAULT"],
        ["RSAES_OAEP_SHA_256", "RSA_4096", "HMAC_512"],
        ["RSAES_OAEP_SHA_256", "RSA_3072", "ECC_NIST_P521"],
        ["RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", "RSA_2048"],
        ["RSA_AES_KEY_WRAP_SHA_1", "RSA_3072", "ECC_NIST_P384"],
        ["RSA_AES_KEY_WRAP_SHA_256", "RSA_4096", "RSA_4096"],
    ];
    for (const [algorithm, wrappingKeySpec, spec] of cases) {
        it(`${algorithm} with ${wrappingKeySpec} carries ${spec} material that openssl unwraps byte for byte`, () => {
            const wrapping = { algorithm, wrappingKeySpec };
            const pair = wrappingPair(wrappingKeySpec);
            const material = materialFor(spec);
            const blob = wrapKeyMaterial(material, parseWrappingKey(pair.spki, wrapping), wrapping);
            assert.ok(!blob.includes(material), "the wrapped blob does not contain the plaintext");
            assert.deepEqual(opensslUnwrap(blob, wrapping, pair.pem), material);
        });
    }

    it(
        "RSA_AES_KEY_WRAP output is the RSA block followed by ceil(n/8)*8+8 bytes of AES-KWP " +
            "(Developer Guide layout)",
        () => {
            const wrapping: Wrapping = { algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048" };
            const blob = wrapKeyMaterial(
                randomBytes(138),
                parseWrappingKey(wrappingPair("RSA_2048").spki, wrapping),
                wrapping,
            );
            assert.equal(blob.length, 256 + Math.ceil(138 / 8) * 8 + 8);
        },
    );

    it("wrapping twice gives different ciphertexts (fresh OAEP randomness and ephemeral AES key)", () => {
        const wrapping: Wrapping = { algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048" };
        const key = parseWrappingKey(wrappingPair("RSA_2048").spki, wrapping);
        const material = randomBytes(32);
        assert.notDeepEqual(wrapKeyMaterial(material, key, wrapping), wrapKeyMaterial(material, key, wrapping));
    });

    for (const algorithm of ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] as const) {
        it(`wrappingCapacity(${algorithm}, RSA_2048) is exactly what OpenSSL accepts`, () => {
            const wrapping = { algorithm, wrappingKeySpec: "RSA_2048" as const };
            const key = parseWrappingKey(wrappingPair("RSA_2048").spki, wrapping);
            const capacity = wrappingCapacity(algorithm, "RSA_2048");
            assert.doesNotThrow(() => wrapKeyMaterial(randomBytes(capacity), key, wrapping));
            assert.throws(() => wrapKeyMaterial(randomBytes(capacity + 1), key, wrapping));
        });
    }

    it("refuses a wrapping key of another size than requested", () => {
        assert.throws(
            () =>
                parseWrappingKey(wrappingPair("RSA_2048").spki, {
                    algorithm: "RSAES_OAEP_SHA_256",
                    wrappingKeySpec: "RSA_4096",
                }),
            (e: unknown) => e instanceof WrappingKeyError && /2048 bits, but RSA_4096 was requested/.test(e.message),
        );
    });

    it("refuses public exponents other than 65537 (with 1, OAEP output is the readable encoding itself)", () => {
        const wrapping: Wrapping = { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" };
        const e3 = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 3 }).publicKey.export({
            type: "spki",
            format: "der",
        });
        assert.throws(() => parseWrappingKey(e3, wrapping), /public exponent is 3, not 65537/);
        const jwk = createPublicKey({ key: wrappingPair("RSA_2048").spki, format: "der", type: "spki" }).export({
            format: "jwk",
        });
        const e1 = createPublicKey({ key: { ...jwk, e: "AQ" }, format: "jwk" }).export({ type: "spki", format: "der" });
        assert.throws(() => parseWrappingKey(e1, wrapping), /public exponent is 1, not 65537/);
        assert.doesNotThrow(() => parseWrappingKey(wrappingPair("RSA_2048").spki, wrapping));
    });

    it("refuses a non-RSA wrapping key", () => {
        const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({
            type: "spki",
            format: "der",
        });
        assert.throws(
            () => parseWrappingKey(ec, { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }),
            WrappingKeyError,
        );
    });
});
