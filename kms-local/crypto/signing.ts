// The signing and MAC algorithms of KMS (Sign, Verify, GenerateMac, VerifyMac) over a key's material: DER PKCS#8
// for asymmetric keys, raw bytes for HMAC keys. RAW messages are hashed and signed by node:crypto; DIGEST messages
// are signed as given (prehashed.ts). Signature formats are KMS's: RSASSA-PKCS1-v1_5 and RSASSA-PSS (MGF1 with the
// same hash, salt length = hash length), ECDSA as a DER ECDSA-Sig-Value, Ed25519 as 64 raw bytes.

import {
    constants,
    createHmac,
    createPrivateKey,
    createPublicKey,
    sign,
    timingSafeEqual,
    verify,
    type KeyObject,
} from "node:crypto";
import {
    HASH_BYTES,
    signEcdsaDigest,
    signPkcs1Digest,
    signPssDigest,
    verifyEcdsaDigest,
    verifyPkcs1Digest,
    verifyPssDigest,
    type HashName,
} from "./prehashed.js";

type Scheme = "pkcs1" | "pss" | "ecdsa" | "ed25519";

export interface SigningAlgorithm {
    scheme: Scheme;
    /** The hash applied to a RAW message (and the length a DIGEST must have); Ed25519 hashes internally. */
    hash: HashName;
    /** MessageType values KMS accepts for the algorithm. */
    messageTypes: readonly ("RAW" | "DIGEST")[];
}

const RAW_OR_DIGEST = ["RAW", "DIGEST"] as const;

const ALGORITHMS: Readonly<Record<string, SigningAlgorithm>> = {
    RSASSA_PKCS1_V1_5_SHA_256: { scheme: "pkcs1", hash: "sha256", messageTypes: RAW_OR_DIGEST },
    RSASSA_PKCS1_V1_5_SHA_384: { scheme: "pkcs1", hash: "sha384", messageTypes: RAW_OR_DIGEST },
    RSASSA_PKCS1_V1_5_SHA_512: { scheme: "pkcs1", hash: "sha512", messageTypes: RAW_OR_DIGEST },
    RSASSA_PSS_SHA_256: { scheme: "pss", hash: "sha256", messageTypes: RAW_OR_DIGEST },
    RSASSA_PSS_SHA_384: { scheme: "pss", hash: "sha384", messageTypes: RAW_OR_DIGEST },
    RSASSA_PSS_SHA_512: { scheme: "pss", hash: "sha512", messageTypes: RAW_OR_DIGEST },
    ECDSA_SHA_256: { scheme: "ecdsa", hash: "sha256", messageTypes: RAW_OR_DIGEST },
    ECDSA_SHA_384: { scheme: "ecdsa", hash: "sha384", messageTypes: RAW_OR_DIGEST },
    ECDSA_SHA_512: { scheme: "ecdsa", hash: "sha512", messageTypes: RAW_OR_DIGEST },
    // "ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW" (Sign API reference). ED25519_PH_SHA_512
    // (Ed25519ph): node:crypto does pure Ed25519 only, so kms-local does not emulate it.
    ED25519_SHA_512: { scheme: "ed25519", hash: "sha512", messageTypes: ["RAW"] },
};

export const signingAlgorithm = (name: string): SigningAlgorithm | undefined => ALGORITHMS[name];

/** The length a DIGEST message must have for `algorithm`. */
export const digestLength = (algorithm: SigningAlgorithm): number => HASH_BYTES[algorithm.hash];

const privateKeyOf = (pkcs8: Buffer): KeyObject => createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });

const pssOptions = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };

/** Signs `message` (a RAW message, or a digest of the algorithm's hash) with the private key in `pkcs8`. */
export function signMessage(pkcs8: Buffer, algorithm: SigningAlgorithm, message: Buffer, digest: boolean): Buffer {
    const key = privateKeyOf(pkcs8);
    if (algorithm.scheme === "ed25519") return sign(null, message, key);
    if (digest) {
        if (algorithm.scheme === "pkcs1") return signPkcs1Digest(key, algorithm.hash, message);
        if (algorithm.scheme === "pss") return signPssDigest(key, algorithm.hash, message);
        return signEcdsaDigest(key, message);
    }
    if (algorithm.scheme === "pss") return sign(algorithm.hash, message, { key, ...pssOptions });
    return sign(algorithm.hash, message, { key, dsaEncoding: "der" });
}

/** Does `signature` verify for `message` under the key in `pkcs8`? Malformed signatures are simply invalid. */
export function verifyMessage(
    pkcs8: Buffer,
    algorithm: SigningAlgorithm,
    message: Buffer,
    digest: boolean,
    signature: Buffer,
): boolean {
    const key = privateKeyOf(pkcs8);
    const pub = createPublicKey(key);
    try {
        if (algorithm.scheme === "ed25519") return verify(null, message, pub, signature);
        if (digest) {
            if (algorithm.scheme === "pkcs1") return verifyPkcs1Digest(key, algorithm.hash, message, signature);
            if (algorithm.scheme === "pss") return verifyPssDigest(key, algorithm.hash, message, signature);
            return verifyEcdsaDigest(key, message, signature);
        }
        if (algorithm.scheme === "pss") return verify(algorithm.hash, message, { key: pub, ...pssOptions }, signature);
        return verify(algorithm.hash, message, { key: pub, dsaEncoding: "der" }, signature);
    } catch {
        return false;
    }
}

// ---- HMAC (RFC 2104), GenerateMac / VerifyMac

/** HMAC_SHA_224 → sha224 … */
export const macHash = (macAlgorithm: string): string => `sha${macAlgorithm.slice("HMAC_SHA_".length)}`;

export function computeMac(material: Buffer, macAlgorithm: string, message: Buffer): Buffer {
    return createHmac(macHash(macAlgorithm), material).update(message).digest();
}

export function macMatches(material: Buffer, macAlgorithm: string, message: Buffer, mac: Buffer): boolean {
    const expected = computeMac(material, macAlgorithm, message);
    return expected.length === mac.length && timingSafeEqual(expected, mac);
}
