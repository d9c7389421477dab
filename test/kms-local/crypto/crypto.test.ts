// Unit tests of kms-local's own crypto: unwrap per algorithm, the ciphertext format, KeyMaterialId, material checks.

import * as assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { decryptSymmetric, encryptSymmetric, parseCiphertext } from "../../../kms-local/crypto/ciphertext.js";
import { materialFits } from "../../../kms-local/crypto/keySpecs.js";
import { keyMaterialId } from "../../../kms-local/crypto/materialId.js";
import { unwrapKeyMaterial, type WrappingAlgorithm } from "../../../kms-local/crypto/unwrap.js";
import { sharedWrappingKey } from "../../../kms-local/crypto/wrappingPool.js";
import { asymmetricMaterial, wrapMaterial } from "../fixture.js";

describe("kms-local crypto", () => {
    it("unwraps all four wrapping algorithms and rejects tampering", async () => {
        const key = await sharedWrappingKey("RSA_2048");
        const material = randomBytes(32);
        for (const alg of [
            "RSAES_OAEP_SHA_1",
            "RSAES_OAEP_SHA_256",
            "RSA_AES_KEY_WRAP_SHA_1",
            "RSA_AES_KEY_WRAP_SHA_256",
        ] as WrappingAlgorithm[]) {
            const blob = wrapMaterial(key.publicDer, alg, material);
            assert.deepEqual(unwrapKeyMaterial(alg, key, blob), material, alg);
            const bad = Buffer.from(blob);
            bad[bad.length - 1] = bad[bad.length - 1] ^ 0x80;
            assert.equal(unwrapKeyMaterial(alg, key, bad), undefined, `${alg} tampered`);
            assert.equal(unwrapKeyMaterial(alg, key, Buffer.alloc(0)), undefined);
        }
        // OAEP-SHA-1 output does not unwrap as OAEP-SHA-256 (the MGF1 hash follows the OAEP hash).
        assert.equal(
            unwrapKeyMaterial("RSAES_OAEP_SHA_256", key, wrapMaterial(key.publicDer, "RSAES_OAEP_SHA_1", material)),
            undefined,
        );
        // RSA_AES_KEY_WRAP carries a whole PKCS#8 RSA private key.
        const rsa = asymmetricMaterial("RSA_2048");
        assert.deepEqual(
            unwrapKeyMaterial(
                "RSA_AES_KEY_WRAP_SHA_256",
                key,
                wrapMaterial(key.publicDer, "RSA_AES_KEY_WRAP_SHA_256", rsa),
            ),
            rsa,
        );
    });

    it("authenticates header and encryption context in the ciphertext", () => {
        const material = randomBytes(32);
        const id = "ab".repeat(32);
        const blob = encryptSymmetric("1234abcd-12ab-34cd-56ef-1234567890ab", id, material, Buffer.from("hello"), {
            purpose: "test",
        });
        const parsed = parseCiphertext(blob);
        assert.equal(parsed?.keyId, "1234abcd-12ab-34cd-56ef-1234567890ab");
        assert.equal(parsed?.keyMaterialId, id);
        assert.equal(decryptSymmetric(parsed, material, { purpose: "test" })?.toString(), "hello");
        assert.equal(decryptSymmetric(parsed, material, {}), undefined);
        assert.equal(decryptSymmetric(parsed, randomBytes(32), { purpose: "test" }), undefined);
        const forged = Buffer.from(blob);
        forged.write("9", 4, "latin1");
        const p2 = parseCiphertext(forged);
        assert.equal(
            decryptSymmetric(p2 as NonNullable<typeof p2>, material, { purpose: "test" }),
            undefined,
            "header is authenticated",
        );
        assert.equal(parseCiphertext(Buffer.from("KL1")), undefined);
        assert.equal(parseCiphertext(randomBytes(100)), undefined);
    });

    it("derives KeyMaterialId from key ID and material (S27)", () => {
        const m = randomBytes(32);
        assert.equal(keyMaterialId("k1", m, "hmac-sha256"), createHmac("sha256", "k1").update(m).digest("hex"));
        assert.notEqual(keyMaterialId("k1", m, "hmac-sha256"), keyMaterialId("k2", m, "hmac-sha256"));
        assert.match(keyMaterialId("k1", m, "sha256"), /^[0-9a-f]{64}$/);
    });

    it("checks material format per key spec", () => {
        assert.ok(materialFits("SYMMETRIC_DEFAULT", randomBytes(32)));
        assert.ok(!materialFits("SYMMETRIC_DEFAULT", randomBytes(16)));
        assert.ok(materialFits("HMAC_384", randomBytes(128)));
        assert.ok(!materialFits("HMAC_384", randomBytes(47)));
        assert.ok(materialFits("ECC_SECG_P256K1", asymmetricMaterial("ECC_SECG_P256K1")));
        assert.ok(!materialFits("ECC_NIST_P256", asymmetricMaterial("ECC_SECG_P256K1")));
        assert.ok(materialFits("RSA_2048", asymmetricMaterial("RSA_2048")));
        assert.ok(!materialFits("RSA_4096", asymmetricMaterial("RSA_2048")));
        assert.ok(!materialFits("ML_DSA_44", randomBytes(32)));
    });
});
