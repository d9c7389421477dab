import assert from "node:assert/strict";
import { blobShapeProblem, rfc5649Length } from "../../../provider/hsm/blobShape";

/**
 * The shape KMS expects of a token's EncryptedKeyMaterial, checked before ImportKeyMaterial: lengths only (the
 * blob is encrypted for KMS), which is what tells RFC 5649 from RFC 3394 over PKCS#7 padding for a 32-byte key.
 */
describe("provider/hsm/blobShape: what a token's wrapped blob must look like", () => {
    const RSA_4096 = 512;
    const KEY_WRAP = { algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_4096" } as const;
    const blob = (kwp: number, rsa = RSA_4096) => Buffer.alloc(rsa + kwp);

    it("RFC 5649's lengths: 8·⌈n/8⌉ + 8, at least 16", () => {
        assert.deepEqual([1, 8, 9, 28, 32, 67, 138].map(rfc5649Length), [16, 16, 24, 40, 40, 80, 152]);
    });

    it("accepts an AES-256 key wrapped as RFC 5649 (40 bytes) and refuses PKCS#7 + RFC 3394 (48)", () => {
        assert.equal(blobShapeProblem(blob(40), KEY_WRAP, { kind: "secret", length: 32 }), undefined);
        assert.match(
            blobShapeProblem(blob(48), KEY_WRAP, { kind: "secret", length: 32 }) ?? "",
            /its AES key wrap part is 48 bytes, where RFC 5649 gives 40 for a 32-byte key/,
        );
        assert.match(blobShapeProblem(blob(41), KEY_WRAP, { kind: "secret", length: 32 }) ?? "", /a multiple of 8/);
    });

    it("bounds a private key's part by the largest PKCS#8 of its key spec, SoftHSM's zero padding included", () => {
        assert.equal(
            blobShapeProblem(blob(rfc5649Length(1219)), KEY_WRAP, { kind: "private", keySpec: "RSA_2048" }),
            undefined,
        );
        assert.equal(
            blobShapeProblem(blob(rfc5649Length(67)), KEY_WRAP, { kind: "private", keySpec: "ECC_NIST_P256" }),
            undefined,
        );
        assert.match(
            blobShapeProblem(blob(rfc5649Length(2374)), KEY_WRAP, { kind: "private", keySpec: "RSA_2048" }) ?? "",
            /more than RFC 5649 gives for any RSA_2048 PKCS#8/,
        );
    });

    it("an OAEP blob is exactly one block of the wrapping key", () => {
        const oaep = { algorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_2048" } as const;
        assert.equal(blobShapeProblem(Buffer.alloc(256), oaep, { kind: "secret", length: 32 }), undefined);
        assert.match(
            blobShapeProblem(Buffer.alloc(512), oaep, { kind: "secret", length: 32 }) ?? "",
            /512 bytes, where one RSA_2048 block is 256/,
        );
    });
});
