// Unwrapping of EncryptedKeyMaterial for each wrapping algorithm (docs/kms-behaviour.md#wrapping-constructions).
// kms-local's own implementation, independent of the provider's wrapping code. Every failure is reported the same way
// (InvalidCiphertextException).

import { constants, createDecipheriv, privateDecrypt } from "node:crypto";
import type { WrappingKey } from "./wrappingPool.js";

export type WrappingAlgorithm =
    "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "RSA_AES_KEY_WRAP_SHA_1" | "RSA_AES_KEY_WRAP_SHA_256";

/** RFC 5649 alternative initial value; Node requires it explicitly for id-aes256-wrap-pad. */
const KWP_IV = Buffer.from("A65959A6", "hex");

function oaepDecrypt(key: WrappingKey, data: Buffer, hash: "sha1" | "sha256"): Buffer {
    if (data.length !== key.modulusBytes) throw new Error("RSA part has the wrong length");
    // oaepHash fixes both the OAEP digest and the MGF1 digest, as AWS uses them
    // (docs/kms-behaviour.md#wrapping-constructions).
    return privateDecrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

function aesKeyUnwrapPad(kek: Buffer, wrapped: Buffer): Buffer {
    if (wrapped.length < 16 || wrapped.length % 8 !== 0) throw new Error("AES-KWP input has the wrong length");
    const d = createDecipheriv("id-aes256-wrap-pad", kek, KWP_IV);
    return Buffer.concat([d.update(wrapped), d.final()]);
}

/** Returns the plaintext key material, or undefined if it cannot be unwrapped with this key and algorithm. */
export function unwrapKeyMaterial(algorithm: WrappingAlgorithm, key: WrappingKey, blob: Buffer): Buffer | undefined {
    try {
        switch (algorithm) {
            case "RSAES_OAEP_SHA_1":
                return oaepDecrypt(key, blob, "sha1");
            case "RSAES_OAEP_SHA_256":
                return oaepDecrypt(key, blob, "sha256");
            case "RSA_AES_KEY_WRAP_SHA_1":
            case "RSA_AES_KEY_WRAP_SHA_256": {
                // [RSA-OAEP(ephemeral AES-256 key)] ‖ [AES-KWP(material)], RSA part first
                // (docs/kms-behaviour.md#wrapping-constructions).
                const hash = algorithm === "RSA_AES_KEY_WRAP_SHA_1" ? "sha1" : "sha256";
                const aesKey = oaepDecrypt(key, blob.subarray(0, key.modulusBytes), hash);
                if (aesKey.length !== 32) return undefined;
                return aesKeyUnwrapPad(aesKey, blob.subarray(key.modulusBytes));
            }
        }
    } catch {
        return undefined;
    }
}
