// The KeySpec values of the KMS service model (botocore service-2.json), in one place: the request shapes accept
// them, DescribeKey reports them, and crypto/keySpecs.ts describes each (a spec missing there fails to compile).

/** The specs CustomerMasterKeySpec (KeySpec's deprecated twin) can name: DescribeKey reports it for these only. */
export const CUSTOMER_MASTER_KEY_SPECS = [
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "SYMMETRIC_DEFAULT",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
] as const;

/** Every KeySpec: the older ones and those added after CustomerMasterKeySpec was deprecated. */
export const KEY_SPECS = [
    ...CUSTOMER_MASTER_KEY_SPECS,
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
] as const;

export type KeySpec = (typeof KEY_SPECS)[number];

const CUSTOMER_MASTER = new Set<string>(CUSTOMER_MASTER_KEY_SPECS);

/** The CustomerMasterKeySpec DescribeKey shows for a key of this spec, if it has one. */
export const customerMasterKeySpecOf = (spec: string): string | undefined =>
    CUSTOMER_MASTER.has(spec) ? spec : undefined;
