import { KeyObject } from "node:crypto";
import { MODULUS_BYTES, Wrapping, isKeyWrap, oaepDigest } from "../wrapping/algorithms";
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
    CKM_AES_KEY_WRAP_PAD,
    CKM_RSA_PKCS_OAEP,
    CKM_SHA256,
    CKM_SHA_1,
    CKO_PUBLIC_KEY,
    CKO_SECRET_KEY,
    CKZ_DATA_SPECIFIED,
    CK_PARAMS_RSA_OAEP,
} from "./constants";
import { TokenSession } from "./token";

/**
 * C_WrapKey inside the token, producing exactly what ImportKeyMaterial expects (the construction of
 * provider/wrapping/wrap.ts, done by the HSM): RSAES_OAEP_* is CKM_RSA_PKCS_OAEP with the same digest for OAEP
 * and MGF1 and an empty label; RSA_AES_KEY_WRAP_* is its two halves, both in the token: an ephemeral AES-256
 * session key wraps the target with CKM_AES_KEY_WRAP_PAD (RFC 5649; a private key is wrapped as its PKCS#8
 * PrivateKeyInfo, as PKCS#11 specifies), the ephemeral key is wrapped with OAEP, and then destroyed. The token's
 * CKM_RSA_AES_KEY_WRAP would do both in one call, but pkcs11js cannot pass its CK_RSA_AES_KEY_WRAP_PARAMS (a
 * structure holding a pointer).
 */

/** Room for any wrapped material: an RSA-4096 PKCS#8 is about 2.4 KB. */
const WRAPPED_CAPACITY = 16 * 1024;
/** Room for one RSA block of the largest KMS wrapping key (RSA_4096). */
const MAX_RSA_BYTES = 512;

export async function wrapInToken(t: TokenSession, target: Handle, wrappingKey: KeyObject, wrapping: Wrapping): Promise<Buffer> {
    const publicKey = createWrappingPublicKey(t, wrappingKey);
    try {
        const oaep = oaepMechanism(oaepDigest(wrapping.algorithm));
        if (!isKeyWrap(wrapping.algorithm)) return await t.p11.C_WrapKeyAsync(t.session, oaep, publicKey, target, Buffer.alloc(MODULUS_BYTES[wrapping.wrappingKeySpec]));
        return await withEphemeralAesKey(t, async (ephemeral) => {
            const wrappedTarget = await t.p11.C_WrapKeyAsync(t.session, { mechanism: CKM_AES_KEY_WRAP_PAD }, ephemeral, target, Buffer.alloc(WRAPPED_CAPACITY));
            const wrappedEphemeral = await t.p11.C_WrapKeyAsync(t.session, oaep, publicKey, ephemeral, Buffer.alloc(MODULUS_BYTES[wrapping.wrappingKeySpec]));
            // The RSA block comes first; KMS splits the blob at the wrapping key's modulus length.
            return Buffer.concat([wrappedEphemeral, wrappedTarget]);
        });
    } finally {
        destroy(t, publicKey);
    }
}

/** The OAEP half alone, on a throwaway AES key: does the token accept OAEP with this digest for wrapping? */
export async function probeOaep(t: TokenSession, wrappingKey: KeyObject, digest: Digest): Promise<void> {
    const publicKey = createWrappingPublicKey(t, wrappingKey);
    try {
        await withEphemeralAesKey(t, (ephemeral) => t.p11.C_WrapKeyAsync(t.session, oaepMechanism(digest), publicKey, ephemeral, Buffer.alloc(MAX_RSA_BYTES)));
    } finally {
        destroy(t, publicKey);
    }
}

/** The KMS wrapping public key as a session object (CKA_TOKEN false): it never outlives the session. */
function createWrappingPublicKey(t: TokenSession, key: KeyObject): Handle {
    const jwk = key.export({ format: "jwk" });
    const template: Attribute[] = [
        { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
        { type: CKA_KEY_TYPE, value: CKK_RSA },
        { type: CKA_TOKEN, value: false },
        { type: CKA_WRAP, value: true },
        { type: CKA_ENCRYPT, value: false },
        { type: CKA_MODULUS, value: Buffer.from(jwk.n!, "base64url") },
        { type: CKA_PUBLIC_EXPONENT, value: Buffer.from(jwk.e!, "base64url") },
    ];
    return t.p11.C_CreateObject(t.session, template);
}

async function withEphemeralAesKey<T>(t: TokenSession, use: (key: Handle) => Promise<T>): Promise<T> {
    const template: Attribute[] = [
        { type: CKA_CLASS, value: CKO_SECRET_KEY },
        { type: CKA_KEY_TYPE, value: CKK_AES },
        { type: CKA_VALUE_LEN, value: 32 },
        { type: CKA_TOKEN, value: false },
        { type: CKA_SENSITIVE, value: true },
        { type: CKA_EXTRACTABLE, value: true },
        { type: CKA_WRAP, value: true },
        { type: CKA_UNWRAP, value: false },
        { type: CKA_ENCRYPT, value: false },
        { type: CKA_DECRYPT, value: false },
    ];
    const key = await t.p11.C_GenerateKeyAsync(t.session, { mechanism: CKM_AES_KEY_GEN }, template);
    try {
        return await use(key);
    } finally {
        destroy(t, key);
    }
}

type Digest = ReturnType<typeof oaepDigest>;

function oaepMechanism(digest: Digest): Mechanism {
    const sha256 = digest === "sha256";
    return {
        mechanism: CKM_RSA_PKCS_OAEP,
        parameter: { type: CK_PARAMS_RSA_OAEP, hashAlg: sha256 ? CKM_SHA256 : CKM_SHA_1, mgf: sha256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1, source: CKZ_DATA_SPECIFIED },
    };
}

function destroy(t: TokenSession, object: Handle): void {
    try {
        t.p11.C_DestroyObject(t.session, object);
    } catch {
        // A session object goes with its session, which is closed right after.
    }
}
