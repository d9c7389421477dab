// What each KeySpec is: its family, the KeyUsage values it allows, the algorithm lists DescribeKey shows
// (docs/kms-behaviour.md#createkey-describekey-and-listkeys [R]), the format of importable material
// (docs/kms-behaviour.md#material-formats), and material generation for AWS_KMS keys.

import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes } from "node:crypto";
import type { KeySpec } from "../model/keySpecs.js";

export type Family = "symmetric" | "hmac" | "rsa" | "ecc" | "ed25519" | "mldsa" | "sm2";

interface SpecInfo {
    family: Family;
    usages: readonly string[];
    /** RSA modulus bits, ECC curve name (Node naming), HMAC length range. */
    bits?: number;
    curve?: string;
    hmac?: readonly [number, number];
    signing?: readonly string[];
}

const RSA_SIGN = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
];

const SPECS: Readonly<Record<KeySpec, SpecInfo>> = {
    SYMMETRIC_DEFAULT: { family: "symmetric", usages: ["ENCRYPT_DECRYPT"] },
    HMAC_224: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], hmac: [28, 64] },
    HMAC_256: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], hmac: [32, 64] },
    HMAC_384: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], hmac: [48, 128] },
    HMAC_512: { family: "hmac", usages: ["GENERATE_VERIFY_MAC"], hmac: [64, 128] },
    RSA_2048: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], bits: 2048, signing: RSA_SIGN },
    RSA_3072: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], bits: 3072, signing: RSA_SIGN },
    RSA_4096: { family: "rsa", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], bits: 4096, signing: RSA_SIGN },
    ECC_NIST_P256: {
        family: "ecc",
        usages: ["SIGN_VERIFY", "KEY_AGREEMENT"],
        curve: "prime256v1",
        signing: ["ECDSA_SHA_256"],
    },
    ECC_NIST_P384: {
        family: "ecc",
        usages: ["SIGN_VERIFY", "KEY_AGREEMENT"],
        curve: "secp384r1",
        signing: ["ECDSA_SHA_384"],
    },
    ECC_NIST_P521: {
        family: "ecc",
        usages: ["SIGN_VERIFY", "KEY_AGREEMENT"],
        curve: "secp521r1",
        signing: ["ECDSA_SHA_512"],
    },
    ECC_SECG_P256K1: { family: "ecc", usages: ["SIGN_VERIFY"], curve: "secp256k1", signing: ["ECDSA_SHA_256"] },
    ECC_NIST_EDWARDS25519: {
        family: "ed25519",
        usages: ["SIGN_VERIFY"],
        signing: ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    },
    ML_DSA_44: { family: "mldsa", usages: ["SIGN_VERIFY"], signing: ["ML_DSA_SHAKE_256"] },
    ML_DSA_65: { family: "mldsa", usages: ["SIGN_VERIFY"], signing: ["ML_DSA_SHAKE_256"] },
    ML_DSA_87: { family: "mldsa", usages: ["SIGN_VERIFY"], signing: ["ML_DSA_SHAKE_256"] },
    SM2: { family: "sm2", usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"] },
};

const BY_NAME: Readonly<Partial<Record<string, SpecInfo>>> = SPECS;

export function specInfo(spec: string): SpecInfo {
    const info = BY_NAME[spec];
    if (!info) throw new Error(`unknown key spec ${spec}`);
    return info;
}

export const familyOf = (spec: string): Family => specInfo(spec).family;
export const isSymmetric = (spec: string): boolean => spec === "SYMMETRIC_DEFAULT";
export const isAsymmetric = (spec: string): boolean =>
    ["rsa", "ecc", "ed25519", "mldsa", "sm2"].includes(familyOf(spec));

/** KeyMetadata / GetPublicKey's algorithm lists: a key has the one list its spec and usage call for. */
export type AlgorithmLists = Partial<
    Record<"EncryptionAlgorithms" | "SigningAlgorithms" | "MacAlgorithms" | "KeyAgreementAlgorithms", string[]>
>;

/** The algorithm lists of KeyMetadata / GetPublicKey for a spec and usage. */
export function algorithmLists(spec: string, usage: string): AlgorithmLists {
    const info = specInfo(spec);
    if (info.family === "hmac") return { MacAlgorithms: [`HMAC_SHA_${spec.slice(5)}`] };
    if (usage === "KEY_AGREEMENT") return { KeyAgreementAlgorithms: ["ECDH"] };
    if (usage === "SIGN_VERIFY") return { SigningAlgorithms: [...(info.signing ?? [])] };
    if (info.family === "rsa") return { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] };
    return { EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"] };
}

/**
 * Does the unwrapped material fit the key spec (docs/kms-behaviour.md#material-formats)? Asymmetric material is a
 * DER PKCS#8 private key.
 */
export function materialFits(spec: string, material: Buffer): boolean {
    const info = specInfo(spec);
    if (info.family === "symmetric") return material.length === 32;
    if (info.family === "hmac") {
        const [min, max] = info.hmac as readonly [number, number];
        return material.length >= min && material.length <= max;
    }
    if (info.family === "mldsa" || info.family === "sm2") return false;
    try {
        const key = createPrivateKey({ key: material, format: "der", type: "pkcs8" });
        const details = key.asymmetricKeyDetails ?? {};
        if (info.family === "rsa") return key.asymmetricKeyType === "rsa" && details.modulusLength === info.bits;
        if (info.family === "ecc") return key.asymmetricKeyType === "ec" && details.namedCurve === info.curve;
        return key.asymmetricKeyType === "ed25519";
    } catch {
        return false;
    }
}

/** DER SubjectPublicKeyInfo of an asymmetric material (PKCS#8 DER). */
export function publicKeyOf(material: Buffer): Buffer {
    return createPublicKey(createPrivateKey({ key: material, format: "der", type: "pkcs8" })).export({
        type: "spki",
        format: "der",
    });
}

/** Generates material for an AWS_KMS-origin key (asynchronously: RSA-4096 takes a while). */
export function generateMaterial(spec: string): Promise<Buffer> {
    const info = specInfo(spec);
    if (info.family === "symmetric") return Promise.resolve(randomBytes(32));
    if (info.family === "hmac") return Promise.resolve(randomBytes((info.hmac as readonly [number, number])[0]));
    const der = {
        privateKeyEncoding: { type: "pkcs8", format: "der" },
        publicKeyEncoding: { type: "spki", format: "der" },
    } as const;
    return new Promise((resolve, reject) => {
        const done = (err: Error | null, _pub: Buffer, priv: Buffer) => (err ? reject(err) : resolve(priv));
        if (info.family === "rsa") generateKeyPair("rsa", { modulusLength: info.bits as number, ...der }, done);
        else if (info.family === "ecc") generateKeyPair("ec", { namedCurve: info.curve as string, ...der }, done);
        else if (info.family === "ed25519") generateKeyPair("ed25519", der, done);
        else reject(new Error(`kms-local cannot generate ${spec} key material`));
    });
}
