import { MODULUS_BYTES, Wrapping, isKeyWrap } from "../wrapping/algorithms";
import { ECC_CURVE_INFO, KeySpec, RSA_MODULUS_BITS, isEcc, isRsa } from "../wrapping/keySpecs";

/**
 * The shape KMS expects of EncryptedKeyMaterial, checked on what the token returned before any
 * ImportKeyMaterial: one RSA block of the wrapping key's size (RSAES_OAEP_*), or that block followed by an
 * RFC 5649 blob (RSA_AES_KEY_WRAP_*), whose length follows from the material's: 8·⌈n/8⌉ + 8 bytes. A token
 * that wrapped with RFC 3394 over PKCS#7 padding instead gives 8 more bytes for a 32-byte key (48, not 40).
 * Only lengths can be checked here: the blob is encrypted for KMS.
 */

export type ExpectedMaterial = { kind: "secret"; length: number } | { kind: "private"; keySpec: KeySpec };

/** RFC 5649's output length for n bytes of input. */
export const rfc5649Length = (n: number): number => (n <= 8 ? 16 : 8 * Math.ceil(n / 8) + 8);

export function blobShapeProblem(blob: Buffer, wrapping: Wrapping, expected: ExpectedMaterial): string | undefined {
    const rsa = MODULUS_BYTES[wrapping.wrappingKeySpec];
    if (!isKeyWrap(wrapping.algorithm)) {
        return blob.length === rsa
            ? undefined
            : `${blob.length} bytes, where one ${wrapping.wrappingKeySpec} block is ${rsa}`;
    }
    const kwp = blob.length - rsa;
    if (kwp < 16 || kwp % 8 !== 0)
        return `its AES key wrap part is ${kwp} bytes, where RFC 5649 gives a multiple of 8, at least 16`;
    if (expected.kind === "secret") {
        const want = rfc5649Length(expected.length);
        return kwp === want
            ? undefined
            : `its AES key wrap part is ${kwp} bytes, where RFC 5649 gives ${want} for a ${expected.length}-byte key`;
    }
    const most = rfc5649Length(largestPkcs8(expected.keySpec));
    return kwp <= most
        ? undefined
        : `its AES key wrap part is ${kwp} bytes, more than RFC 5649 gives for any ${expected.keySpec} ` +
              `PKCS#8 (at most ${most})`;
}

/** A generous bound on a private key's PKCS#8 (optional attributes and the public key included). */
function largestPkcs8(keySpec: KeySpec): number {
    if (isRsa(keySpec)) return (RSA_MODULUS_BITS[keySpec] / 8) * 5 + 200;
    const scalar = isEcc(keySpec) ? ECC_CURVE_INFO[keySpec].scalarBytes : 64;
    return 3 * scalar + 100;
}
