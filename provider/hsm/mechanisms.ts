import {
    MODULUS_BYTES,
    WRAPPING_ALGORITHMS,
    WrappingAlgorithm,
    WrappingKeySpec,
    isKeyWrap,
    oaepDigest,
} from "../wrapping/algorithms";
import {
    CKF_GENERATE,
    CKF_GENERATE_KEY_PAIR,
    CKF_SIGN,
    CKF_WRAP,
    CKM_AES_KEY_GEN,
    CKM_AES_KEY_WRAP_KWP,
    CKM_AES_KEY_WRAP_PAD,
    CKM_RSA_AES_KEY_WRAP,
    CKM_RSA_PKCS_OAEP,
} from "./constants";
import { HsmError } from "./errors";
import { digestName, keyWrapProblem, oaepProblem } from "./selfCheck";
import { TokenSession } from "./token";
import { Digest } from "./tokenKeys";
import { KeyWrapMechanism } from "./wrapKey";

/**
 * Which KMS wrapping algorithms this token can carry out for this object, discovered, never assumed: the
 * mechanisms and their flags from C_GetMechanismList / C_GetMechanismInfo, then what the token's mechanisms
 * really produce, from self-checks on throwaway keys (selfCheck.ts), remembered per token for the run. When no
 * algorithm is named, the strongest both the token and KMS can do is chosen; one the user named is used or
 * refused with the token's own list, never replaced.
 */

/** Strongest first, as AWS recommends: RSA_AES_KEY_WRAP_SHA_256, RSAES_OAEP_SHA_256, then the SHA-1 forms. */
export const PREFERENCE: readonly WrappingAlgorithm[] = [
    "RSA_AES_KEY_WRAP_SHA_256",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSAES_OAEP_SHA_1",
];

/** RFC 5649 candidates, the standard's own first. */
const KEY_WRAP_CANDIDATES: readonly KeyWrapMechanism[] = [
    { mechanism: CKM_AES_KEY_WRAP_KWP, name: "CKM_AES_KEY_WRAP_KWP" },
    { mechanism: CKM_AES_KEY_WRAP_PAD, name: "CKM_AES_KEY_WRAP_PAD" },
];

export interface WrappingDecision {
    algorithm: WrappingAlgorithm;
    /** The RFC 5649 mechanism for RSA_AES_KEY_WRAP_*; undefined for RSAES_OAEP_*. */
    keyWrap: KeyWrapMechanism | undefined;
    /** Algorithms preferred over the chosen one and why the token cannot use them (logged). */
    passedOver: string[];
    /** The PKCS#11 mechanisms the wrapping uses, for the output and the docs' list of calls. */
    mechanisms: string;
}

export type ObjectKind = "secret" | "private";

export async function chooseWrapping(
    t: TokenSession,
    library: string,
    kind: ObjectKind,
    asked: WrappingAlgorithm | undefined,
    wrappingKeySpec: WrappingKeySpec,
): Promise<WrappingDecision> {
    const token = tokenCapabilities(t, library);
    const check = (algorithm: WrappingAlgorithm) => algorithmProblem(t, token, kind, algorithm, wrappingKeySpec);
    const decided = async (algorithm: WrappingAlgorithm, passedOver: string[]): Promise<WrappingDecision> => {
        const keyWrap = isKeyWrap(algorithm) ? await keyWrapFor(t, token, oaepDigest(algorithm)) : undefined;
        if (keyWrap && "problem" in keyWrap) throw new HsmError(keyWrap.problem);
        if (keyWrap && offeredMechanisms(t).has(CKM_RSA_AES_KEY_WRAP)) {
            t.log(
                `${t.token} offers CKM_RSA_AES_KEY_WRAP, but the pkcs11js binding cannot pass its ` +
                    `parameters (CK_RSA_AES_KEY_WRAP_PARAMS holds a pointer): ${algorithm} is built from ` +
                    `${keyWrap.name} and CKM_RSA_PKCS_OAEP inside the token`,
            );
        }
        return { algorithm, keyWrap, passedOver, mechanisms: describeMechanisms(algorithm, keyWrap) };
    };
    if (asked) {
        const problem = await check(asked);
        if (!problem) return decided(asked, []);
        const usable: WrappingAlgorithm[] = [];
        for (const other of WRAPPING_ALGORITHMS) if (other !== asked && !(await check(other))) usable.push(other);
        throw new HsmError(
            `${t.token} cannot wrap this object with ${asked}: ${problem}. ` +
                (usable.length > 0
                    ? `Algorithms it can use for this object: ${usable.join(", ")} (set wrappingAlgorithm to ` +
                      `one of them, or omit it to let the provider choose)`
                    : "It can use no KMS wrapping algorithm for this object"),
        );
    }
    const passedOver: string[] = [];
    // Private keys only ever go through RSA_AES_KEY_WRAP; OAEP is not worth mentioning for them.
    for (const algorithm of kind === "secret" ? PREFERENCE : PREFERENCE.filter(isKeyWrap)) {
        const problem = await check(algorithm);
        if (!problem) return decided(algorithm, passedOver);
        passedOver.push(`${algorithm}: ${problem}`);
    }
    throw new HsmError(`${t.token} can use no KMS wrapping algorithm for this object: ${passedOver.join("; ")}`);
}

export function describeMechanisms(algorithm: WrappingAlgorithm, keyWrap: KeyWrapMechanism | undefined): string {
    const oaep = `CKM_RSA_PKCS_OAEP (${digestName(oaepDigest(algorithm))}, MGF1-${digestName(oaepDigest(algorithm))})`;
    if (!keyWrap) return oaep;
    return `CKM_AES_KEY_GEN (ephemeral AES-256), ${keyWrap.name} (RFC 5649, self-checked), ${oaep}`;
}

/** What this run learnt about a token: the verdicts of its self-checks. */
interface TokenCapabilities {
    oaep: Map<Digest, Promise<string | undefined>>;
    keyWrap: Map<Digest, Promise<KeyWrapMechanism | { problem: string }>>;
}

const known = new Map<string, TokenCapabilities>();

function tokenCapabilities(t: TokenSession, library: string): TokenCapabilities {
    const key = `${library}\0${t.tokenIdentity}`;
    let token = known.get(key);
    if (!token) {
        token = { oaep: new Map(), keyWrap: new Map() };
        known.set(key, token);
    }
    return token;
}

async function algorithmProblem(
    t: TokenSession,
    token: TokenCapabilities,
    kind: ObjectKind,
    algorithm: WrappingAlgorithm,
    wrappingKeySpec: WrappingKeySpec,
): Promise<string | undefined> {
    if (!isKeyWrap(algorithm) && kind !== "secret") {
        return (
            "PKCS#11's CKM_RSA_PKCS_OAEP wraps only secret keys; a private key needs " +
            "RSA_AES_KEY_WRAP_SHA_256 or _SHA_1"
        );
    }
    const rsaBits = MODULUS_BYTES[wrappingKeySpec] * 8;
    const missing =
        mechanismProblem(t, CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", CKF_WRAP, rsaBits) ??
        (isKeyWrap(algorithm) ? mechanismProblem(t, CKM_AES_KEY_GEN, "CKM_AES_KEY_GEN", CKF_GENERATE) : undefined);
    if (missing) return missing;
    const digest = oaepDigest(algorithm);
    const oaep = await remembered(token.oaep, digest, () => oaepProblem(t, digest));
    if (oaep || !isKeyWrap(algorithm)) return oaep;
    const keyWrap = await keyWrapFor(t, token, digest);
    return "problem" in keyWrap ? keyWrap.problem : undefined;
}

/** The first candidate the token offers for wrapping whose output is RFC 5649. */
function keyWrapFor(
    t: TokenSession,
    token: TokenCapabilities,
    digest: Digest,
): Promise<KeyWrapMechanism | { problem: string }> {
    return remembered(token.keyWrap, digest, async () => {
        const problems: string[] = [];
        for (const candidate of KEY_WRAP_CANDIDATES) {
            const missing = mechanismProblem(t, candidate.mechanism, candidate.name, CKF_WRAP);
            const problem = missing ?? (await keyWrapProblem(t, candidate.mechanism, candidate.name, digest));
            if (!problem) return candidate;
            problems.push(problem);
        }
        return {
            problem: `the token has no RFC 5649 AES key wrap, which RSA_AES_KEY_WRAP needs: ${problems.join("; ")}`,
        };
    });
}

function remembered<K, V>(cache: Map<K, Promise<V>>, key: K, compute: () => Promise<V>): Promise<V> {
    let value = cache.get(key);
    if (!value) {
        value = compute();
        cache.set(key, value);
        // A failed probe (the session broke) is not a verdict on the token: try again next time.
        value.catch(() => cache.delete(key));
    }
    return value;
}

/** The token's mechanism list (C_GetMechanismList), read once per session: every check below asks it. */
const offeredBySession = new WeakMap<TokenSession, ReadonlySet<number>>();

export function offeredMechanisms(t: TokenSession): ReadonlySet<number> {
    let offered = offeredBySession.get(t);
    if (!offered) {
        offered = new Set(t.p11.C_GetMechanismList(t.slot));
        offeredBySession.set(t, offered);
    }
    return offered;
}

/** Why the token cannot use `mechanism` for `flag` (and, for RSA-OAEP, a key of `keyBits`), or undefined. */
export function mechanismProblem(
    t: TokenSession,
    mechanism: number,
    name: string,
    flag: number,
    keyBits?: number,
): string | undefined {
    if (!offeredMechanisms(t).has(mechanism)) return `the token does not offer ${name}`;
    const info = t.p11.C_GetMechanismInfo(t.slot, mechanism);
    if ((info.flags & flag) === 0)
        return `the token offers ${name} but not for ${FLAG_USES[flag] ?? `flag 0x${flag.toString(16)}`}`;
    // RSA mechanisms state key sizes in bits; AES key generation in bytes for most tokens, bits for some.
    if (
        keyBits !== undefined &&
        mechanism === CKM_RSA_PKCS_OAEP &&
        (keyBits < info.minKeySize || keyBits > info.maxKeySize)
    ) {
        return (
            `the token's ${name} takes RSA keys of ${info.minKeySize} to ${info.maxKeySize} bits, not the ` +
            `${keyBits}-bit KMS wrapping key (choose another wrappingKeySpec)`
        );
    }
    return undefined;
}

const FLAG_USES: Record<number, string> = {
    [CKF_WRAP]: "wrapping (no CKF_WRAP)",
    [CKF_GENERATE]: "key generation (no CKF_GENERATE)",
    [CKF_SIGN]: "signing (no CKF_SIGN)",
    [CKF_GENERATE_KEY_PAIR]: "key pair generation (no CKF_GENERATE_KEY_PAIR)",
};
