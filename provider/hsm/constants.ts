/**
 * The PKCS#11 (v2.40) numbers this package uses, from the OASIS header pkcs11t.h. Kept here rather than taken
 * from the binding: the binding is optional (loaded only when hsmKey is used), and it lacks some of them
 * (CKM_RSA_AES_KEY_WRAP, CKM_AES_KEY_WRAP_KWP, CKZ_DATA_SPECIFIED).
 */

export const CKO_PUBLIC_KEY = 0x2;
export const CKO_PRIVATE_KEY = 0x3;
export const CKO_SECRET_KEY = 0x4;

export const CKK_RSA = 0x0;
export const CKK_EC = 0x3;
export const CKK_GENERIC_SECRET = 0x10;
export const CKK_AES = 0x1f;
/** CKK_SHA256_HMAC … CKK_SHA224_HMAC: secret keys some tokens type by their HMAC digest. */
export const CKK_HMAC_TYPES: Record<number, string> = {
    0x2b: "CKK_SHA256_HMAC",
    0x2c: "CKK_SHA384_HMAC",
    0x2d: "CKK_SHA512_HMAC",
    0x2e: "CKK_SHA224_HMAC",
};

export const CKA_CLASS = 0x0;
export const CKA_TOKEN = 0x1;
export const CKA_PRIVATE = 0x2;
export const CKA_LABEL = 0x3;
export const CKA_VALUE = 0x11;
export const CKA_TRUSTED = 0x86;
export const CKA_KEY_TYPE = 0x100;
export const CKA_ID = 0x102;
export const CKA_SENSITIVE = 0x103;
export const CKA_ENCRYPT = 0x104;
export const CKA_DECRYPT = 0x105;
export const CKA_WRAP = 0x106;
export const CKA_UNWRAP = 0x107;
export const CKA_SIGN = 0x108;
export const CKA_VERIFY = 0x10a;
export const CKA_DERIVE = 0x10c;
export const CKA_MODULUS = 0x120;
export const CKA_MODULUS_BITS = 0x121;
export const CKA_PUBLIC_EXPONENT = 0x122;
export const CKA_PRIVATE_EXPONENT = 0x123;
export const CKA_PRIME_1 = 0x124;
export const CKA_PRIME_2 = 0x125;
export const CKA_EXPONENT_1 = 0x126;
export const CKA_EXPONENT_2 = 0x127;
export const CKA_COEFFICIENT = 0x128;
export const CKA_VALUE_LEN = 0x161;
export const CKA_EXTRACTABLE = 0x162;
export const CKA_MODIFIABLE = 0x170;
export const CKA_COPYABLE = 0x171;
export const CKA_EC_PARAMS = 0x180;
export const CKA_EC_POINT = 0x181;
export const CKA_WRAP_WITH_TRUSTED = 0x210;

export const CKM_RSA_PKCS_KEY_PAIR_GEN = 0x0;
export const CKM_RSA_PKCS_OAEP = 0x9;
export const CKM_SHA_1 = 0x220;
export const CKM_SHA256 = 0x250;
export const CKM_GENERIC_SECRET_KEY_GEN = 0x350;
export const CKM_EC_KEY_PAIR_GEN = 0x1040;
export const CKM_ECDSA = 0x1041;
export const CKM_RSA_AES_KEY_WRAP = 0x1054;
export const CKM_AES_KEY_GEN = 0x1080;
export const CKM_AES_CMAC = 0x108a;
/**
 * PKCS#11 3.0: RFC 3394 over input the application padded (NSS: PKCS#7); SoftHSM 2.6.1 and nShield put RFC 5649 here.
 */
export const CKM_AES_KEY_WRAP_PAD = 0x210a;
/** PKCS#11 3.0: AES key wrap with padding, RFC 5649 (what KMS's RSA_AES_KEY_WRAP uses). */
export const CKM_AES_KEY_WRAP_KWP = 0x210b;

export const CKG_MGF1_SHA1 = 0x1;
export const CKG_MGF1_SHA256 = 0x2;
export const CKZ_DATA_SPECIFIED = 0x1;

export const CKF_RW_SESSION = 0x2;
export const CKF_SIGN = 0x800;
export const CKF_GENERATE_KEY_PAIR = 0x10000;
export const CKF_SERIAL_SESSION = 0x4;
export const CKF_GENERATE = 0x8000;
export const CKF_WRAP = 0x20000;
export const CKU_SO = 0;
export const CKU_USER = 1;

/** Token flags (CK_TOKEN_INFO.flags) about failed logins: the PIN's retry counter as the token reports it. */
export const CKF_USER_PIN_COUNT_LOW = 0x10000;
export const CKF_USER_PIN_FINAL_TRY = 0x20000;
export const CKF_USER_PIN_LOCKED = 0x40000;
export const CKF_SO_PIN_COUNT_LOW = 0x100000;
export const CKF_SO_PIN_FINAL_TRY = 0x200000;
export const CKF_SO_PIN_LOCKED = 0x400000;

/** pkcs11js's parameter-structure tags (its CK_PARAMS_* constants). */
export const CK_PARAMS_RSA_OAEP = 4;
