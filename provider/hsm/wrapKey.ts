import { KeyObject } from "node:crypto";
import { MODULUS_BYTES, Wrapping, isKeyWrap, oaepDigest } from "../wrapping/algorithms";
import { Handle } from "./binding";
import { blobShapeProblem, ExpectedMaterial } from "./blobShape";
import { HsmError } from "./errors";
import { createWrappingPublicKey, destroy, oaepMechanism, withSessionAesKey } from "./tokenKeys";
import { TokenSession } from "./token";

/**
 * C_WrapKey inside the token, producing exactly what ImportKeyMaterial expects (the construction of
 * provider/wrapping/wrap.ts, done by the HSM): RSAES_OAEP_* is CKM_RSA_PKCS_OAEP with the same digest for OAEP
 * and MGF1 and an empty label; RSA_AES_KEY_WRAP_* is its two halves, both in the token: an ephemeral AES-256
 * key wraps the target with the token's RFC 5649 mechanism (CKM_AES_KEY_WRAP_KWP, or CKM_AES_KEY_WRAP_PAD where
 * the self-check showed it is RFC 5649; a private key is wrapped as its PKCS#8 PrivateKeyInfo, as PKCS#11
 * specifies), the ephemeral key is wrapped with OAEP, and then destroyed. The token's CKM_RSA_AES_KEY_WRAP
 * would do both in one call, but pkcs11js 2.1.7 cannot pass its CK_RSA_AES_KEY_WRAP_PARAMS (a structure
 * holding a pointer). The blob's shape is checked before it is handed to the import.
 */

/** The RFC 5649 mechanism a self-check approved (selfCheck.ts). */
export interface KeyWrapMechanism {
    mechanism: number;
    name: "CKM_AES_KEY_WRAP_KWP" | "CKM_AES_KEY_WRAP_PAD";
}

/** Wrapping keys the Security Officer made trusted for an object with CKA_WRAP_WITH_TRUSTED (trusted.ts). */
export interface TrustedKeys {
    publicKey: Handle;
    ephemeral?: Handle;
}

export interface WrapRequest {
    wrapping: Wrapping;
    keyWrap: KeyWrapMechanism | undefined;
    expected: ExpectedMaterial;
    trusted?: TrustedKeys;
}

/** Room for any wrapped material: an RSA-4096 PKCS#8 is about 2.4 KB. */
const WRAPPED_CAPACITY = 16 * 1024;

export async function wrapInToken(
    t: TokenSession,
    target: Handle,
    wrappingKey: KeyObject,
    request: WrapRequest,
): Promise<Buffer> {
    const { wrapping, trusted } = request;
    const publicKey = trusted?.publicKey ?? createWrappingPublicKey(t, wrappingKey);
    const rsaBlock = () => Buffer.alloc(MODULUS_BYTES[wrapping.wrappingKeySpec]);
    try {
        const oaep = oaepMechanism(oaepDigest(wrapping.algorithm));
        let blob: Buffer;
        if (!isKeyWrap(wrapping.algorithm)) {
            blob = await t.p11.C_WrapKeyAsync(t.session, oaep, publicKey, target, rsaBlock());
        } else {
            const keyWrap = request.keyWrap;
            if (!keyWrap) throw new HsmError(`${t.token} has no RFC 5649 key wrap mechanism for ${wrapping.algorithm}`);
            const twoHalves = async (ephemeral: Handle) => {
                const wrappedTarget = await t.p11.C_WrapKeyAsync(
                    t.session,
                    { mechanism: keyWrap.mechanism },
                    ephemeral,
                    target,
                    Buffer.alloc(WRAPPED_CAPACITY),
                );
                const wrappedEphemeral = await t.p11.C_WrapKeyAsync(t.session, oaep, publicKey, ephemeral, rsaBlock());
                // The RSA block comes first; KMS splits the blob at the wrapping key's modulus length.
                return Buffer.concat([wrappedEphemeral, wrappedTarget]);
            };
            blob = trusted?.ephemeral ? await twoHalves(trusted.ephemeral) : await withSessionAesKey(t, twoHalves);
        }
        const problem = blobShapeProblem(blob, wrapping, request.expected);
        if (problem) {
            throw new HsmError(
                `${t.token} produced a ${wrapping.algorithm} blob KMS could not unwrap (${problem}); ` +
                    `nothing was imported`,
            );
        }
        return blob;
    } finally {
        if (!trusted) destroy(t, publicKey);
    }
}
