import { KeySpec, isRsa } from "./keySpecs";

/** Wrapping algorithms AWS still accepts outside China (RSAES_PKCS1_V1_5 is unsupported since 2023-10-10). */
export const WRAPPING_ALGORITHMS = [
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
] as const;
export const WRAPPING_KEY_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096"] as const;

export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

export const isWrappingAlgorithm = (v: unknown): v is WrappingAlgorithm =>
    (WRAPPING_ALGORITHMS as readonly unknown[]).includes(v);
export const isWrappingKeySpec = (v: unknown): v is WrappingKeySpec =>
    (WRAPPING_KEY_SPECS as readonly unknown[]).includes(v);

/** Algorithms AWS defines that this package refuses, with the reason shown to the user. */
export const REFUSED_WRAPPING: Record<string, string> = {
    RSAES_PKCS1_V1_5: "RSAES_PKCS1_V1_5 is no longer supported by AWS KMS (since 2023-10-10); use RSAES_OAEP_SHA_256",
    SM2PKE: "SM2PKE is only available in AWS China Regions, which this provider does not support",
    SM2: "SM2 wrapping keys are only available in AWS China Regions, which this provider does not support",
};

export const MODULUS_BYTES: Record<WrappingKeySpec, number> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

export const oaepDigest = (algorithm: WrappingAlgorithm): "sha1" | "sha256" =>
    algorithm.endsWith("SHA_1") ? "sha1" : "sha256";

export const isKeyWrap = (algorithm: WrappingAlgorithm): boolean => algorithm.startsWith("RSA_AES_KEY_WRAP");

/**
 * The most material bytes one RSA-OAEP block carries: k - 2·hLen - 2 (RFC 8017 §7.1.1).
 * RSA_AES_KEY_WRAP has no practical limit: the material goes through AES key wrap with padding.
 */
export function wrappingCapacity(algorithm: WrappingAlgorithm, keySpec: WrappingKeySpec): number {
    if (isKeyWrap(algorithm)) return Number.POSITIVE_INFINITY;
    const hashLength = oaepDigest(algorithm) === "sha1" ? 20 : 32;
    return MODULUS_BYTES[keySpec] - 2 * hashLength - 2;
}

export interface Wrapping {
    algorithm: WrappingAlgorithm;
    wrappingKeySpec: WrappingKeySpec;
}

/**
 * Defaults per key spec: RSA_4096 wrapping keys always (every material fits, and it is AWS's strongest);
 * RSAES_OAEP_SHA_256 for everything a single OAEP block carries, RSA_AES_KEY_WRAP_SHA_256 for RSA private
 * keys, which no OAEP block can carry.
 */
export function defaultWrapping(keySpec: KeySpec): Wrapping {
    return {
        algorithm: isRsa(keySpec) ? "RSA_AES_KEY_WRAP_SHA_256" : "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_4096",
    };
}

/** Why this wrapping cannot carry `materialLength` bytes of `keySpec` material, or undefined if it can. */
export function wrappingProblem(keySpec: KeySpec, materialLength: number, wrapping: Wrapping): string | undefined {
    if (isRsa(keySpec) && !isKeyWrap(wrapping.algorithm)) {
        return `${keySpec} private keys can only be imported with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256`;
    }
    const capacity = wrappingCapacity(wrapping.algorithm, wrapping.wrappingKeySpec);
    if (materialLength > capacity) {
        return (
            `${wrapping.algorithm} with a ${wrapping.wrappingKeySpec} wrapping key carries at ` +
            `most ${capacity} bytes, ` +
            `but this ${keySpec} material is ${materialLength} bytes; use a larger wrapping key spec or ` +
            `RSA_AES_KEY_WRAP_SHA_256`
        );
    }
    return undefined;
}
