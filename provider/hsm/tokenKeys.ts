import { KeyObject } from "node:crypto";
import { oaepDigest } from "../wrapping/algorithms";
import { Attribute, Handle, Mechanism } from "./binding";
import {
    CKA_CLASS,
    CKA_DECRYPT,
    CKA_ENCRYPT,
    CKA_EXTRACTABLE,
    CKA_KEY_TYPE,
    CKA_MODULUS,
    CKA_PUBLIC_EXPONENT,
    CKA_SENSITIVE,
    CKA_TOKEN,
    CKA_UNWRAP,
    CKA_VALUE_LEN,
    CKA_WRAP,
    CKG_MGF1_SHA1,
    CKG_MGF1_SHA256,
    CKK_AES,
    CKK_RSA,
    CKM_AES_KEY_GEN,
    CKM_RSA_PKCS_OAEP,
    CKM_SHA256,
    CKM_SHA_1,
    CKO_PUBLIC_KEY,
    CKO_SECRET_KEY,
    CKZ_DATA_SPECIFIED,
    CK_PARAMS_RSA_OAEP,
} from "./constants";
import { HsmError } from "./errors";
import { TokenSession, destroyQuietly } from "./token";

/**
 * The short-lived objects the provider makes in a token: the KMS wrapping public key and ephemeral AES-256
 * keys, as session objects (CKA_TOKEN false) that never outlive the session, destroyed as soon as they are used.
 */

export type Digest = ReturnType<typeof oaepDigest>;

/** The template of an RSA public key that may wrap: KMS's wrapping key (or the self-checks' probe key). */
export function wrappingPublicKeyTemplate(key: KeyObject): Attribute[] {
    const { n, e } = key.export({ format: "jwk" });
    if (n === undefined || e === undefined) throw new HsmError("the wrapping public key is not an RSA key");
    return [
        { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
        { type: CKA_KEY_TYPE, value: CKK_RSA },
        { type: CKA_WRAP, value: true },
        { type: CKA_ENCRYPT, value: false },
        { type: CKA_MODULUS, value: Buffer.from(n, "base64url") },
        { type: CKA_PUBLIC_EXPONENT, value: Buffer.from(e, "base64url") },
    ];
}

/** The public key as a session object. */
export function createWrappingPublicKey(t: TokenSession, key: KeyObject): Handle {
    return t.p11.C_CreateObject(t.session, [...wrappingPublicKeyTemplate(key), { type: CKA_TOKEN, value: false }]);
}

/** An AES-256 key that may wrap and be wrapped (sensitive: its value never leaves the token in plaintext). */
export const EPHEMERAL_AES_TEMPLATE: readonly Attribute[] = [
    { type: CKA_CLASS, value: CKO_SECRET_KEY },
    { type: CKA_KEY_TYPE, value: CKK_AES },
    { type: CKA_VALUE_LEN, value: 32 },
    { type: CKA_SENSITIVE, value: true },
    { type: CKA_EXTRACTABLE, value: true },
    { type: CKA_WRAP, value: true },
    { type: CKA_UNWRAP, value: false },
    { type: CKA_ENCRYPT, value: false },
    { type: CKA_DECRYPT, value: false },
];

/** A fresh session AES-256 key for `use`, destroyed afterwards. */
export async function withSessionAesKey<T>(t: TokenSession, use: (key: Handle) => Promise<T>): Promise<T> {
    const key = await t.p11.C_GenerateKeyAsync(t.session, { mechanism: CKM_AES_KEY_GEN }, [
        ...EPHEMERAL_AES_TEMPLATE,
        { type: CKA_TOKEN, value: false },
    ]);
    try {
        return await use(key);
    } finally {
        destroy(t, key);
    }
}

/** CKM_RSA_PKCS_OAEP as KMS unwraps: the same digest for OAEP and MGF1, an empty label. */
export function oaepMechanism(digest: Digest): Mechanism {
    const sha256 = digest === "sha256";
    return {
        mechanism: CKM_RSA_PKCS_OAEP,
        parameter: {
            type: CK_PARAMS_RSA_OAEP,
            hashAlg: sha256 ? CKM_SHA256 : CKM_SHA_1,
            mgf: sha256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1,
            source: CKZ_DATA_SPECIFIED,
        },
    };
}

export function destroy(t: TokenSession, object: Handle): void {
    destroyQuietly(t.p11, t.session, object);
}
