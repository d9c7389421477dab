import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createCipheriv, randomBytes } from "node:crypto";
import { aesCmacCheckValue } from "../../../provider/wrapping/checkValue";

/**
 * The software key check value: AES-CMAC over 16 zero bytes, leftmost 3 bytes, checked against OpenSSL's CMAC
 * (an independent implementation) for SP 800-38B's AES-256 example key and for random keys.
 */
describe("provider/wrapping/checkValue: the AES-CMAC key check value", () => {
    it("matches the CMAC of SP 800-38B's AES-256 example key over 16 zero bytes, as OpenSSL computes it", () => {
        // The key of SP 800-38B D.3 (AES-256); the zero block is the check value's input.
        const key = Buffer.from("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "hex");
        assert.equal(aesCmacCheckValue(key), opensslCmac(key).slice(0, 6).toUpperCase());
    });

    it("matches OpenSSL's CMAC on random keys, including ones whose subkey doubling carries", () => {
        const carries = new Set<boolean>();
        for (let i = 0; i < 64 && carries.size < 2; i++) {
            const key = randomBytes(32);
            // The subkey K1 = dbl(AES_K(0)) carries when AES_K(0)'s top bit is set.
            carries.add((createCipheriv("aes-256-ecb", key, null).update(Buffer.alloc(16))[0] & 0x80) !== 0);
            assert.equal(aesCmacCheckValue(key), opensslCmac(key).slice(0, 6).toUpperCase(), `key #${i}`);
        }
        assert.equal(carries.size, 2, "both kinds of subkey were tried");
    });

    it("is 6 uppercase hex digits and leaves the key as it was", () => {
        const key = randomBytes(32);
        const copy = Buffer.from(key);
        assert.match(aesCmacCheckValue(key), /^[0-9A-F]{6}$/);
        assert.deepEqual(key, copy);
    });
});

/** `openssl mac` (OpenSSL 3): CMAC with AES-256-CBC over 16 zero bytes, hex. */
function opensslCmac(key: Buffer): string {
    return execFileSync(
        "openssl",
        ["mac", "-cipher", "AES-256-CBC", "-macopt", `hexkey:${key.toString("hex")}`, "CMAC"],
        { input: Buffer.alloc(16) },
    )
        .toString()
        .trim()
        .toLowerCase();
}
