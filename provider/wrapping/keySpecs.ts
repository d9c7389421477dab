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

/** A curve of an ECC key spec, everything the provider needs to know about it in one place. */
export interface EccCurve {
    /** OpenSSL's name, as node:crypto reports it (asymmetricKeyDetails.namedCurve). */
    curve: string;
    /** The curve's OID as DER, hex: what a PKCS#8 names and a token's CKA_EC_PARAMS holds. */
    oidDer: string;
    /** The private scalar's length in bytes. */
    scalarBytes: number;
    /** Its name for people. */
    name: string;
}

export const ECC_CURVE_INFO: Readonly<Record<EccKeySpec, EccCurve>> = {
    ECC_NIST_P256: { curve: "prime256v1", oidDer: "06082a8648ce3d030107", scalarBytes: 32, name: "NIST P-256" },
    ECC_NIST_P384: { curve: "secp384r1", oidDer: "06052b81040022", scalarBytes: 48, name: "NIST P-384" },
    ECC_NIST_P521: { curve: "secp521r1", oidDer: "06052b81040023", scalarBytes: 66, name: "NIST P-521" },
    ECC_SECG_P256K1: { curve: "secp256k1", oidDer: "06052b8104000a", scalarBytes: 32, name: "secp256k1" },
};

/** OpenSSL's names for the curves of the ECC key specs, as node:crypto reports them. */
export const ECC_CURVES = Object.fromEntries(
    Object.entries(ECC_CURVE_INFO).map(([spec, info]) => [spec, info.curve]),
) as Readonly<Record<EccKeySpec, string>>;

/** The ECC curve with this OpenSSL name or DER OID (hex), if it is one KMS imports. */
export const eccCurveWhere = (match: (curve: EccCurve) => boolean): EccCurve | undefined =>
    Object.values(ECC_CURVE_INFO).find(match);

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
