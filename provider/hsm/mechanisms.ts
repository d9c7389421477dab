import { KeyObject, generateKeyPairSync } from "node:crypto";
import { MODULUS_BYTES, WRAPPING_ALGORITHMS, WrappingAlgorithm, WrappingKeySpec, isKeyWrap, oaepDigest } from "../wrapping/algorithms";
import { CKF_GENERATE, CKF_WRAP, CKM_AES_KEY_GEN, CKM_AES_KEY_WRAP_PAD, CKM_RSA_AES_KEY_WRAP, CKM_RSA_PKCS_OAEP } from "./constants";
import { HsmError, tokenAnswer } from "./errors";
import { KeyObjectInfo } from "./keyObject";
import { TokenSession } from "./token";
import { probeOaep } from "./wrapKey";

/**
 * Which KMS wrapping algorithms this token can carry out for this object. Mechanisms and their flags come
 * from C_GetMechanismList / C_GetMechanismInfo; which OAEP digests the token accepts for wrapping is not
 * listed anywhere, so it is tried once on a throwaway session key (SoftHSM 2.6.1 answers CKR_ARGUMENTS_BAD
 * to SHA-256). An algorithm the user asked for is used or refused, never replaced.
 */

/** Preferred first: SHA-256, and a single OAEP block where it can carry the material. */
const PREFERENCE: readonly WrappingAlgorithm[] = ["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256", "RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_1"];

export interface WrappingDecision {
    algorithm: WrappingAlgorithm;
    /** Algorithms preferred over the chosen one and why the token cannot use them (logged). */
    passedOver: string[];
}

export async function chooseWrapping(
    t: TokenSession,
    info: KeyObjectInfo,
    asked: WrappingAlgorithm | undefined,
    wrappingKeySpec: WrappingKeySpec,
): Promise<WrappingDecision> {
    const check = capabilityChecker(t, info, wrappingKeySpec);
    if (asked) {
        const problem = await check(asked);
        if (!problem) return { algorithm: asked, passedOver: [] };
        const usable: WrappingAlgorithm[] = [];
        for (const other of WRAPPING_ALGORITHMS) if (other !== asked && !(await check(other))) usable.push(other);
        throw new HsmError(
            `${t.token} cannot wrap this object with ${asked}: ${problem}. ` +
                (usable.length > 0
                    ? `Algorithms it can use for this object: ${usable.join(", ")} (set wrappingAlgorithm to one of them, or omit it to let the provider choose)`
                    : "It can use no KMS wrapping algorithm for this object"),
        );
    }
    const passedOver: string[] = [];
    // Private keys only ever go through RSA_AES_KEY_WRAP; OAEP is not worth mentioning for them.
    const secret = info.kind === "aes" || info.kind === "generic-secret";
    for (const algorithm of secret ? PREFERENCE : PREFERENCE.filter(isKeyWrap)) {
        const problem = await check(algorithm);
        if (!problem) return { algorithm, passedOver };
        passedOver.push(`${algorithm}: ${problem}`);
    }
    throw new HsmError(`${t.token} can use no KMS wrapping algorithm for this object: ${passedOver.join("; ")}`);
}

type Checker = (algorithm: WrappingAlgorithm) => Promise<string | undefined>;

function capabilityChecker(t: TokenSession, info: KeyObjectInfo, wrappingKeySpec: WrappingKeySpec): Checker {
    const mechanisms = new Set(t.p11.C_GetMechanismList(t.slot));
    const probes = new Map<string, Promise<string | undefined>>();
    const probe = (algorithm: WrappingAlgorithm) => {
        const digest = oaepDigest(algorithm);
        if (!probes.has(digest)) probes.set(digest, tryOaep(t, algorithm));
        return probes.get(digest)!;
    };
    return async (algorithm) => {
        if (!isKeyWrap(algorithm) && info.kind !== "aes" && info.kind !== "generic-secret") {
            return "PKCS#11's CKM_RSA_PKCS_OAEP wraps only secret keys; a private key needs RSA_AES_KEY_WRAP_SHA_256 or _SHA_1";
        }
        const rsaBits = MODULUS_BYTES[wrappingKeySpec] * 8;
        const missing =
            mechanismProblem(t, mechanisms, CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", CKF_WRAP, rsaBits) ??
            (isKeyWrap(algorithm)
                ? (mechanismProblem(t, mechanisms, CKM_AES_KEY_GEN, "CKM_AES_KEY_GEN", CKF_GENERATE, 256) ??
                  mechanismProblem(t, mechanisms, CKM_AES_KEY_WRAP_PAD, "CKM_AES_KEY_WRAP_PAD", CKF_WRAP))
                : undefined);
        if (missing) {
            const single = isKeyWrap(algorithm) && mechanisms.has(CKM_RSA_AES_KEY_WRAP)
                ? " (the token has CKM_RSA_AES_KEY_WRAP, but the pkcs11js binding cannot pass its parameters, so the provider builds it from CKM_AES_KEY_WRAP_PAD and CKM_RSA_PKCS_OAEP)"
                : "";
            return missing + single;
        }
        return probe(algorithm);
    };
}

function mechanismProblem(t: TokenSession, mechanisms: Set<number>, mechanism: number, name: string, flag: number, keyBits?: number): string | undefined {
    if (!mechanisms.has(mechanism)) return `the token does not offer ${name}`;
    const info = t.p11.C_GetMechanismInfo(t.slot, mechanism);
    if ((info.flags & flag) === 0) return `the token offers ${name} but not for ${flag === CKF_WRAP ? "wrapping (no CKF_WRAP)" : "key generation (no CKF_GENERATE)"}`;
    // RSA mechanisms state key sizes in bits; AES key generation in bytes for most tokens, bits for some.
    if (keyBits !== undefined && mechanism === CKM_RSA_PKCS_OAEP && (keyBits < info.minKeySize || keyBits > info.maxKeySize)) {
        return `the token's ${name} takes RSA keys of ${info.minKeySize} to ${info.maxKeySize} bits, not the ${keyBits}-bit KMS wrapping key (choose another wrappingKeySpec)`;
    }
    return undefined;
}

async function tryOaep(t: TokenSession, algorithm: WrappingAlgorithm): Promise<string | undefined> {
    try {
        await probeOaep(t, probeKey(), oaepDigest(algorithm));
        return undefined;
    } catch (error) {
        return `the token refused CKM_RSA_PKCS_OAEP with ${oaepDigest(algorithm) === "sha1" ? "SHA-1" : "SHA-256"} for wrapping (${tokenAnswer(error)})`;
    }
}

let cachedProbeKey: KeyObject | undefined;

/**
 * A public key only for trying OAEP parameters on a throwaway AES key; its private half is discarded at once.
 * The probe's output is ignored, and it never involves the user's object.
 */
function probeKey(): KeyObject {
    cachedProbeKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    return cachedProbeKey;
}
