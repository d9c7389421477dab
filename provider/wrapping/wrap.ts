import { KeyObject, constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";
import { MODULUS_BYTES, Wrapping, isKeyWrap, oaepDigest } from "./algorithms";

/**
 * Wrapping of key material for ImportKeyMaterial, exactly as the AWS Developer Guide constructs it
 * (reference §7.2): RSA-OAEP with the same digest for OAEP and MGF1 and an empty label, or
 * RSA_AES_KEY_WRAP = RSA-OAEP(ephemeral AES-256 key) ‖ AES-KWP(material) (RFC 5649).
 */

/** RFC 5649's alternative initial value; node:crypto requires it explicitly for id-aes256-wrap-pad. */
const KWP_IV = Buffer.from("A65959A6", "hex");

export class WrappingKeyError extends Error {}

/** Parse GetParametersForImport's PublicKey (DER SubjectPublicKeyInfo) and check it is what we asked for. */
export function parseWrappingKey(spkiDer: Uint8Array, wrapping: Wrapping): KeyObject {
    const key = createPublicKey({ key: Buffer.from(spkiDer), format: "der", type: "spki" });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (key.asymmetricKeyType !== "rsa" || bits / 8 !== MODULUS_BYTES[wrapping.wrappingKeySpec]) {
        throw new WrappingKeyError(
            `KMS returned a ${key.asymmetricKeyType ?? "non-RSA"} ${bits}-bit wrapping key, expected ${wrapping.wrappingKeySpec}`,
        );
    }
    return key;
}

export function wrapKeyMaterial(material: Buffer, wrappingKey: KeyObject, wrapping: Wrapping): Buffer {
    const digest = oaepDigest(wrapping.algorithm);
    if (!isKeyWrap(wrapping.algorithm)) return oaep(wrappingKey, material, digest);
    const ephemeral = randomBytes(32);
    try {
        const cipher = createCipheriv("id-aes256-wrap-pad", ephemeral, KWP_IV);
        const wrappedMaterial = Buffer.concat([cipher.update(material), cipher.final()]);
        // The RSA block comes first; KMS splits the blob at the wrapping key's modulus length.
        return Buffer.concat([oaep(wrappingKey, ephemeral, digest), wrappedMaterial]);
    } finally {
        ephemeral.fill(0);
    }
}

function oaep(key: KeyObject, data: Buffer, digest: "sha1" | "sha256"): Buffer {
    // oaepHash sets both the OAEP digest and the MGF1 digest, which is what KMS expects.
    return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: digest }, data);
}
