import { randomBytes } from "node:crypto";
import { ECC_CURVE_INFO, HMAC_LENGTHS, KeySpec, RSA_MODULUS_BITS, isEcc, isHmac, isRsa } from "../wrapping/keySpecs";
import { Attribute, Handle } from "./binding";
import {
    CKA_CLASS,
    CKA_COPYABLE,
    CKA_DECRYPT,
    CKA_DERIVE,
    CKA_EC_PARAMS,
    CKA_ENCRYPT,
    CKA_EXTRACTABLE,
    CKA_ID,
    CKA_KEY_TYPE,
    CKA_LABEL,
    CKA_MODIFIABLE,
    CKA_MODULUS_BITS,
    CKA_PRIVATE,
    CKA_PUBLIC_EXPONENT,
    CKA_SENSITIVE,
    CKA_SIGN,
    CKA_TOKEN,
    CKA_UNWRAP,
    CKA_VALUE_LEN,
    CKA_VERIFY,
    CKA_WRAP,
    CKA_WRAP_WITH_TRUSTED,
    CKF_GENERATE,
    CKF_GENERATE_KEY_PAIR,
    CKK_AES,
    CKK_EC,
    CKK_GENERIC_SECRET,
    CKK_RSA,
    CKM_AES_KEY_GEN,
    CKM_EC_KEY_PAIR_GEN,
    CKM_GENERIC_SECRET_KEY_GEN,
    CKM_RSA_PKCS_KEY_PAIR_GEN,
    CKO_PRIVATE_KEY,
    CKO_PUBLIC_KEY,
    CKO_SECRET_KEY,
} from "./constants";
import { HsmError, isTokenAnswer, tokenAnswer } from "./errors";
import { mechanismProblem } from "./mechanisms";
import { TokenSession } from "./token";
import { Pkcs11Uri } from "./uri";

/**
 * Material born in the HSM (hsmGenerate): no person and no process outside the token ever sees it. The object
 * is a token object labelled and identified as hsmKey names it (object=, id=; a random CKA_ID when id= is not
 * given, shared by both halves of a key pair), so a later run finds the same object, and it is never destroyed
 * by the provider. Its policy is the strongest the token allows: sensitive, extractable only because KMS can
 * be given it no other way, CKA_WRAP_WITH_TRUSTED when the Security Officer marks the KMS wrapping keys trusted
 * (trusted.ts), not modifiable and not copyable where the token supports those, and no use in the token but
 * CKA_SIGN on AES keys, which the check value needs (CKM_AES_CMAC).
 */

export interface GenerationPolicy {
    /** CKA_WRAP_WITH_TRUSTED: only keys the Security Officer marked trusted may wrap the object. */
    wrapWithTrusted: boolean;
}

export interface Generated {
    handle: Handle;
    /** The policy the token accepted, for the log. */
    policy: string;
}

type Recipe = { mechanism: number; name: string } & (
    { pair: false; secret: Attribute[] } | { pair: true; publicKey: Attribute[] }
);

function recipe(keySpec: KeySpec): Recipe {
    if (keySpec === "SYMMETRIC_DEFAULT") {
        return {
            mechanism: CKM_AES_KEY_GEN,
            name: "CKM_AES_KEY_GEN",
            pair: false,
            secret: [
                { type: CKA_KEY_TYPE, value: CKK_AES },
                { type: CKA_VALUE_LEN, value: 32 },
                { type: CKA_SIGN, value: true },
            ],
        };
    }
    if (isHmac(keySpec)) {
        const length = HMAC_LENGTHS[keySpec].min;
        return {
            mechanism: CKM_GENERIC_SECRET_KEY_GEN,
            name: "CKM_GENERIC_SECRET_KEY_GEN",
            pair: false,
            secret: [
                { type: CKA_KEY_TYPE, value: CKK_GENERIC_SECRET },
                { type: CKA_VALUE_LEN, value: length },
                { type: CKA_SIGN, value: false },
            ],
        };
    }
    if (isRsa(keySpec)) {
        return {
            mechanism: CKM_RSA_PKCS_KEY_PAIR_GEN,
            name: "CKM_RSA_PKCS_KEY_PAIR_GEN",
            pair: true,
            publicKey: [
                { type: CKA_KEY_TYPE, value: CKK_RSA },
                { type: CKA_MODULUS_BITS, value: RSA_MODULUS_BITS[keySpec] },
                { type: CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
            ],
        };
    }
    if (isEcc(keySpec)) {
        const params = ECC_CURVE_INFO[keySpec].oidDer;
        return {
            mechanism: CKM_EC_KEY_PAIR_GEN,
            name: "CKM_EC_KEY_PAIR_GEN",
            pair: true,
            publicKey: [
                { type: CKA_KEY_TYPE, value: CKK_EC },
                { type: CKA_EC_PARAMS, value: Buffer.from(params, "hex") },
            ],
        };
    }
    throw new HsmError(`the provider cannot generate ${keySpec as string} material in a token`);
}

/** Why this token cannot generate `keySpec` material, or undefined (checked at preview, before anything is made). */
export function generationProblem(t: TokenSession, keySpec: KeySpec): string | undefined {
    const r = recipe(keySpec);
    const problem = mechanismProblem(t, r.mechanism, r.name, r.pair ? CKF_GENERATE_KEY_PAIR : CKF_GENERATE);
    return problem ? `${t.token} cannot generate ${keySpec} material: ${problem}` : undefined;
}

/** Hardening attributes, dropped one by one (last first) only if the token refuses them. */
const HARDENING: readonly Attribute[] = [
    { type: CKA_MODIFIABLE, value: false },
    { type: CKA_COPYABLE, value: false },
];
const HARDENING_NAMES = ["CKA_MODIFIABLE false", "CKA_COPYABLE false"];

export async function generateObject(
    t: TokenSession,
    uri: Pkcs11Uri,
    keySpec: KeySpec,
    policy: GenerationPolicy,
): Promise<Generated> {
    const problem = generationProblem(t, keySpec);
    if (problem) throw new HsmError(problem);
    // check refuses hsmGenerate without object=; a state written around it still gets a clear error.
    if (uri.object === undefined)
        throw new HsmError("hsmGenerate needs hsmKey to name the object by its label (object=)");
    const r = recipe(keySpec);
    const naming: Attribute[] = [
        { type: CKA_LABEL, value: Buffer.from(uri.object, "utf8") },
        { type: CKA_ID, value: uri.id ?? randomBytes(16) },
    ];
    const protectedPart: Attribute[] = [
        { type: CKA_TOKEN, value: true },
        { type: CKA_PRIVATE, value: true },
        { type: CKA_SENSITIVE, value: true },
        { type: CKA_EXTRACTABLE, value: true },
        { type: CKA_WRAP_WITH_TRUSTED, value: policy.wrapWithTrusted },
        { type: CKA_DECRYPT, value: false },
        { type: CKA_UNWRAP, value: false },
        { type: CKA_DERIVE, value: false },
        ...naming,
    ];
    for (let kept = HARDENING.length; kept >= 0; kept--) {
        const hardening = HARDENING.slice(0, kept);
        try {
            const handle = await generate(t, r, [...protectedPart, ...hardening], naming);
            const applied = [
                "CKA_SENSITIVE",
                "CKA_EXTRACTABLE (wrapping only)",
                `CKA_WRAP_WITH_TRUSTED ${policy.wrapWithTrusted}`,
                ...HARDENING_NAMES.slice(0, kept),
            ];
            return { handle, policy: applied.join(", ") };
        } catch (error) {
            // NSS softokn answers CKA_COPYABLE with CKR_GENERAL_ERROR.
            const refusedTemplate = isTokenAnswer(
                error,
                "CKR_ATTRIBUTE_TYPE_INVALID",
                "CKR_ATTRIBUTE_VALUE_INVALID",
                "CKR_TEMPLATE_INCONSISTENT",
                "CKR_GENERAL_ERROR",
            );
            if (!refusedTemplate || kept === 0)
                throw new HsmError(
                    `${t.token} refused to generate ${keySpec} material with ${r.name} (${tokenAnswer(error)})`,
                );
        }
    }
    throw new HsmError(`${t.token} refused to generate ${keySpec} material`);
}

async function generate(t: TokenSession, r: Recipe, privatePart: Attribute[], naming: Attribute[]): Promise<Handle> {
    if (!r.pair) {
        // CKA_SIGN comes from the recipe (AES: the check value's CMAC); the rest of a secret key's uses are never
        // needed.
        const unused: Attribute[] = [CKA_VERIFY, CKA_ENCRYPT, CKA_WRAP].map((type) => ({ type, value: false }));
        return t.p11.C_GenerateKeyAsync(t.session, { mechanism: r.mechanism }, [
            { type: CKA_CLASS, value: CKO_SECRET_KEY },
            ...r.secret,
            ...unused,
            ...privatePart,
        ]);
    }
    // The public half is a token object too: EC private keys carry no public point, and the import is checked against
    // it.
    const publicTemplate: Attribute[] = [
        { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
        ...r.publicKey,
        { type: CKA_TOKEN, value: true },
        { type: CKA_PRIVATE, value: false },
        { type: CKA_VERIFY, value: true },
        { type: CKA_ENCRYPT, value: false },
        { type: CKA_WRAP, value: false },
        ...naming,
    ];
    const privateTemplate: Attribute[] = [
        { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
        { type: CKA_SIGN, value: false },
        ...privatePart,
    ];
    return (await t.p11.C_GenerateKeyPairAsync(t.session, { mechanism: r.mechanism }, publicTemplate, privateTemplate))
        .privateKey;
}
