import { createCipheriv } from "node:crypto";

/**
 * The key check value of AES material, as ANSI X9.24-1:2017 defines it for AES and payment HSMs (and AWS
 * Payment Cryptography's KeyCheckValueAlgorithm CMAC) show it: AES-CMAC (NIST SP 800-38B) of one block of 16
 * zero bytes, the leftmost 3 bytes, in hex. It lets an operator match KMS's material with the HSM's object and
 * a key ceremony record without either showing the key. Not secret by convention, but derived from the
 * material: it is computed where the material already is (here, for keyMaterial; inside the token for hsmKey).
 */

export const KEY_CHECK_VALUE_ALGORITHM = "CMAC";
const CHECK_VALUE_BYTES = 3;
const BLOCK = 16;
/** SP 800-38B's R_128: the constant of the subkey doubling. */
const R128 = 0x87;

/** For a single complete block M = 0¹²⁸: T = AES_K(M ⊕ K1) = AES_K(K1), K1 = dbl(AES_K(0¹²⁸)). */
export function aesCmacCheckValue(key: Buffer): string {
    const cipher = `aes-${key.length * 8}-ecb`;
    const l = aesBlock(cipher, key, Buffer.alloc(BLOCK));
    const k1 = double(l);
    const tag = aesBlock(cipher, key, k1);
    try {
        return checkValueOf(tag);
    } finally {
        for (const b of [l, k1, tag]) b.fill(0);
    }
}

/** The leftmost 3 bytes of a full CMAC, uppercase hex (as payment HSMs print check values). */
export const checkValueOf = (cmac: Buffer): string => cmac.subarray(0, CHECK_VALUE_BYTES).toString("hex").toUpperCase();

function aesBlock(cipher: string, key: Buffer, block: Buffer): Buffer {
    const aes = createCipheriv(cipher, key, null).setAutoPadding(false);
    return Buffer.concat([aes.update(block), aes.final()]);
}

/** Doubling in GF(2¹²⁸): shift left one bit, and xor R_128 into the last byte if the top bit fell off. */
function double(block: Buffer): Buffer {
    const out = Buffer.alloc(BLOCK);
    for (let i = 0; i < BLOCK; i++) out[i] = ((block[i] << 1) | (i + 1 < BLOCK ? block[i + 1] >> 7 : 0)) & 0xff;
    if (block[0] & 0x80) out[BLOCK - 1] = out[BLOCK - 1] ^ R128;
    return out;
}
