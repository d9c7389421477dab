import { KeyObject } from "node:crypto";
import { Attribute, Handle } from "./binding";
import { CKA_LABEL, CKA_PRIVATE, CKA_TOKEN, CKA_TRUSTED, CKA_WRAP_WITH_TRUSTED, CKM_AES_KEY_GEN } from "./constants";
import { HsmError, isTokenAnswer, tokenAnswer } from "./errors";
import { EPHEMERAL_AES_TEMPLATE, destroy, wrappingPublicKeyTemplate } from "./tokenKeys";
import { TokenSession } from "./token";
import { TrustedKeys } from "./wrapKey";

/**
 * Wrapping an object that has CKA_WRAP_WITH_TRUSTED true: the token wraps it only under keys with CKA_TRUSTED
 * true, which PKCS#11 lets only the Security Officer set. That is the policy that stops a holder of the user
 * PIN from wrapping the material out under a key of their own. For each import, the Security Officer's login
 * (the secret config pulumi-kms-byok:hsmSoPin) creates the KMS wrapping public key as a trusted token object
 * and, for RSA_AES_KEY_WRAP, the ephemeral AES key as a trusted one that itself may be wrapped only under
 * trusted keys; the user's login then wraps, and both objects are destroyed at once (public token objects:
 * a Security Officer's session objects do not survive its logout on every token).
 *
 * A token that lets the user set CKA_TRUSTED (NSS softokn does) enforces nothing: the keys are made in the user's
 * session there, and the log says that the attribute protects nothing on this token.
 */

const LABEL = Buffer.from("pulumi-kms-byok transient trusted wrapping key");

/** The Security Officer's part: trusted token objects, returned for destruction after the wrap. */
export async function prepareTrustedKeys(t: TokenSession, wrappingKey: KeyObject, keyWrap: boolean): Promise<Handle[]> {
    const made: Handle[] = [];
    try {
        made.push(createTrusted(t, wrappingKey, true));
        if (keyWrap) made.push(await generateTrustedEphemeral(t, true));
        return made;
    } catch (error) {
        // Quietly: a failed cleanup must not hide why marking failed, nor leave the other objects behind.
        for (const object of made) destroy(t, object);
        if (error instanceof HsmError) throw error;
        throw new HsmError(
            `${t.token} did not let its Security Officer mark the KMS wrapping key trusted ` +
                `(${tokenAnswer(error)}), which an object with CKA_WRAP_WITH_TRUSTED true needs`,
        );
    }
}

export const trustedKeysOf = (prepared: Handle[]): TrustedKeys => ({ publicKey: prepared[0], ephemeral: prepared[1] });

/**
 * Without a Security Officer: can the user mark keys trusted here? Then the token does not enforce the policy,
 * and the keys are made as session objects. Otherwise a clear refusal: the object needs the Security Officer.
 */
export async function userTrustedKeys(
    t: TokenSession,
    wrappingKey: KeyObject,
    keyWrap: boolean,
    what: string,
): Promise<TrustedKeys> {
    let publicKey: Handle;
    try {
        publicKey = createTrusted(t, wrappingKey, false);
    } catch (error) {
        if (
            !isTokenAnswer(
                error,
                "CKR_ATTRIBUTE_READ_ONLY",
                "CKR_ATTRIBUTE_VALUE_INVALID",
                "CKR_ATTRIBUTE_TYPE_INVALID",
                "CKR_TEMPLATE_INCONSISTENT",
                "CKR_USER_NOT_LOGGED_IN",
            )
        )
            throw error;
        throw new HsmError(
            `${what} has CKA_WRAP_WITH_TRUSTED true, so ${t.token} wraps it only under keys its Security ` +
                `Officer marked trusted ` +
                `(it refused that to the user: ${tokenAnswer(error)}). Set the secret config ` +
                `pulumi-kms-byok:hsmSoPin (or PKCS11_SO_PIN) so that ` +
                "the Security Officer's login marks each KMS wrapping key trusted (docs/guides/hsm.md, Object policy)",
        );
    }
    t.log(
        `${t.token} lets any user mark keys CKA_TRUSTED, so CKA_WRAP_WITH_TRUSTED protects nothing on this ` +
            `token: a holder of the user PIN can wrap ${what} out under a key of their own`,
    );
    return { publicKey, ephemeral: keyWrap ? await generateTrustedEphemeral(t, false) : undefined };
}

/**
 * Without a Security Officer, can the user mark a key trusted here (a throwaway session object)? Checked at preview.
 */
export function userMayMarkTrusted(t: TokenSession, someKey: KeyObject): boolean {
    try {
        destroy(t, createTrusted(t, someKey, false));
        return true;
    } catch {
        return false;
    }
}

function createTrusted(t: TokenSession, wrappingKey: KeyObject, tokenObject: boolean): Handle {
    return t.p11.C_CreateObject(t.session, [...wrappingPublicKeyTemplate(wrappingKey), ...objectKind(tokenObject)]);
}

function generateTrustedEphemeral(t: TokenSession, tokenObject: boolean): Promise<Handle> {
    // Trusted, so it may wrap the object; wrap-with-trusted itself, so it leaves only under the trusted KMS key.
    return t.p11.C_GenerateKeyAsync(t.session, { mechanism: CKM_AES_KEY_GEN }, [
        ...EPHEMERAL_AES_TEMPLATE,
        ...objectKind(tokenObject),
        { type: CKA_WRAP_WITH_TRUSTED, value: true },
    ]);
}

function objectKind(tokenObject: boolean): Attribute[] {
    return [
        { type: CKA_TOKEN, value: tokenObject },
        { type: CKA_PRIVATE, value: false },
        { type: CKA_TRUSTED, value: true },
        { type: CKA_LABEL, value: LABEL },
    ];
}
