/**
 * The key specs whose material this package can import, and what their material looks like.
 * Source: docs/kms-behaviour.md#material-formats (sizes of raw and PKCS#8 material per key spec).
 */

export const SYMMETRIC_KEY_SPECS = ["SYMMETRIC_DEFAULT"] as const;
export const HMAC_KEY_SPECS = ["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"] as const;
export const RSA_KEY_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096"] as const;
export const ECC_KEY_SPECS = ["ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"] as const;
export const KEY_SPECS = [...SYMMETRIC_KEY_SPECS, ...HMAC_KEY_SPECS, ...RSA_KEY_SPECS, ...ECC_KEY_SPECS] as const;

/**
 * KMS KeyUsage values. Imported material exists for ENCRYPT_DECRYPT (symmetric, RSA), SIGN_VERIFY (RSA, ECC),
 * GENERATE_VERIFY_MAC (HMAC) and KEY_AGREEMENT (ECC) keys.
 */
export const KEY_USAGES = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export type HmacKeySpec = (typeof HMAC_KEY_SPECS)[number];
export type RsaKeySpec = (typeof RSA_KEY_SPECS)[number];
export type EccKeySpec = (typeof ECC_KEY_SPECS)[number];
export type KeySpec = (typeof KEY_SPECS)[number];

/** Raw HMAC key lengths KMS accepts, in bytes (minimums recorded on AWS; maximums per the Developer Guide). */
export const HMAC_LENGTHS: Record<HmacKeySpec, { min: number; max: number }> = {
    HMAC_224: { min: 28, max: 64 },
    HMAC_256: { min: 32, max: 64 },
    HMAC_384: { min: 48, max: 128 },
    HMAC_512: { min: 64, max: 128 },
};

/** The symmetric encryption key is a raw 256-bit AES key. */
export const SYMMETRIC_KEY_LENGTH = 32;

export const RSA_MODULUS_BITS: Record<RsaKeySpec, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

/** OpenSSL's names for the curves of the ECC key specs, as node:crypto reports them. */
export const ECC_CURVES: Record<EccKeySpec, string> = {
    ECC_NIST_P256: "prime256v1",
    ECC_NIST_P384: "secp384r1",
    ECC_NIST_P521: "secp521r1",
    ECC_SECG_P256K1: "secp256k1",
};

export const isKeySpec = (value: unknown): value is KeySpec => (KEY_SPECS as readonly unknown[]).includes(value);
export const isHmac = (spec: KeySpec): spec is HmacKeySpec => (HMAC_KEY_SPECS as readonly string[]).includes(spec);
export const isRsa = (spec: KeySpec): spec is RsaKeySpec => (RSA_KEY_SPECS as readonly string[]).includes(spec);
export const isEcc = (spec: KeySpec): spec is EccKeySpec => (ECC_KEY_SPECS as readonly string[]).includes(spec);
export const isAsymmetric = (spec: KeySpec): boolean => isRsa(spec) || isEcc(spec);

/**
 * Only symmetric encryption keys hold several materials (rotation), carry KeyMaterialIds and accept
 * ImportType / KeyMaterialDescription. Asymmetric and HMAC keys are bound to their first material for life.
 */
export const supportsMultipleMaterials = (spec: KeySpec): boolean => spec === "SYMMETRIC_DEFAULT";
