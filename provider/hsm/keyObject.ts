import {
    HMAC_KEY_SPECS,
    HMAC_LENGTHS,
    KeySpec,
    RSA_KEY_SPECS,
    RSA_MODULUS_BITS,
    SYMMETRIC_KEY_LENGTH,
    ECC_CURVES,
    EccCurve,
    EccKeySpec,
    eccCurveWhere,
    isEcc,
    isHmac,
    isRsa,
} from "../wrapping/keySpecs";
import { Handle } from "./binding";
import {
    CKA_CLASS,
    CKA_EC_PARAMS,
    CKA_EXTRACTABLE,
    CKA_ID,
    CKA_KEY_TYPE,
    CKA_LABEL,
    CKA_MODULUS,
    CKA_PUBLIC_EXPONENT,
    CKA_SENSITIVE,
    CKA_SIGN,
    CKA_VALUE_LEN,
    CKA_WRAP_WITH_TRUSTED,
    CKK_AES,
    CKK_EC,
    CKK_GENERIC_SECRET,
    CKK_HMAC_TYPES,
    CKK_RSA,
    CKO_PRIVATE_KEY,
    CKO_SECRET_KEY,
} from "./constants";
import { HsmError } from "./errors";
import { TokenSession } from "./token";

/** The curve a token's CKA_EC_PARAMS names (the DER of its OID), if it is one KMS supports (a token may hold any). */
function curveOf(ecParams: Buffer): EccCurve | undefined {
    const oidDer = ecParams.toString("hex");
    return eccCurveWhere((c) => c.oidDer === oidDer);
}

/**
 * What a key object is, read from its non-secret attributes (class, key type, length, modulus, curve, flags).
 * CKA_VALUE is never read: the provider never sees key material, and sensitive objects refuse it anyway.
 */

export type KeyObjectInfo =
    | { kind: "aes" | "generic-secret"; keyType: string; length: number; common: CommonAttributes }
    | { kind: "rsa"; bits: number; modulus: Buffer; publicExponent: Buffer; common: CommonAttributes }
    | { kind: "ec"; curve: string | undefined; ecParams: Buffer; common: CommonAttributes }
    | { kind: "other"; description: string; common: CommonAttributes };

export interface CommonAttributes {
    handle: Handle;
    label: string | undefined;
    id: Buffer | undefined;
    extractable: boolean;
    sensitive: boolean;
    wrapWithTrusted: boolean;
    sign: boolean;
}

export function readKeyObject(t: TokenSession, handle: Handle): KeyObjectInfo {
    const read = (type: number) => attribute(t, handle, type);
    const flag = (type: number) => read(type)?.[0] === 1;
    const common: CommonAttributes = {
        handle,
        label: read(CKA_LABEL)?.toString("utf8"),
        id: read(CKA_ID),
        extractable: flag(CKA_EXTRACTABLE),
        sensitive: flag(CKA_SENSITIVE),
        wrapWithTrusted: flag(CKA_WRAP_WITH_TRUSTED),
        sign: flag(CKA_SIGN),
    };
    const objectClass = ulong(read(CKA_CLASS));
    const keyType = ulong(read(CKA_KEY_TYPE));
    if (objectClass === CKO_SECRET_KEY) {
        const length = ulong(read(CKA_VALUE_LEN)) ?? 0;
        if (keyType === CKK_AES) return { kind: "aes", keyType: "CKK_AES", length, common };
        const name = keyType === CKK_GENERIC_SECRET ? "CKK_GENERIC_SECRET" : CKK_HMAC_TYPES[keyType ?? -1];
        if (name) return { kind: "generic-secret", keyType: name, length, common };
        return {
            kind: "other",
            description: `a secret key of key type 0x${(keyType ?? 0).toString(16)} (${length} bytes)`,
            common,
        };
    }
    if (objectClass === CKO_PRIVATE_KEY && keyType === CKK_RSA) {
        const modulus = read(CKA_MODULUS) ?? Buffer.alloc(0);
        return {
            kind: "rsa",
            bits: bitLength(modulus),
            modulus,
            publicExponent: read(CKA_PUBLIC_EXPONENT) ?? Buffer.alloc(0),
            common,
        };
    }
    if (objectClass === CKO_PRIVATE_KEY && keyType === CKK_EC) {
        const ecParams = read(CKA_EC_PARAMS) ?? Buffer.alloc(0);
        return { kind: "ec", curve: curveOf(ecParams)?.curve, ecParams, common };
    }
    return { kind: "other", description: `a private key of key type 0x${(keyType ?? 0).toString(16)}`, common };
}

/**
 * One attribute, or undefined when the object does not have it (the binding throws for the whole template otherwise).
 */
export function attribute(t: TokenSession, handle: Handle, type: number): Buffer | undefined {
    try {
        const value = t.p11.C_GetAttributeValue(t.session, handle, [{ type }])[0]?.value;
        return Buffer.isBuffer(value) ? value : undefined;
    } catch {
        return undefined;
    }
}

/** A CK_ULONG attribute (native byte order, 4 or 8 bytes). */
function ulong(value: Buffer | undefined): number | undefined {
    if (!value || value.length === 0) return undefined;
    return value.length >= 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0);
}

function bitLength(unsigned: Buffer): number {
    let i = 0;
    while (i < unsigned.length && unsigned[i] === 0) i++;
    return i === unsigned.length ? 0 : (unsigned.length - i) * 8 - Math.clz32(unsigned[i]) + 24;
}

/** "an AES key of 16 bytes (AES-128)", "an RSA-2048 private key", … for messages. */
export function describeKeyObject(info: KeyObjectInfo): string {
    switch (info.kind) {
        case "aes":
            return `a ${info.keyType} secret key of ${info.length} bytes (AES-${info.length * 8})`;
        case "generic-secret":
            return `a ${info.keyType} secret key of ${info.length} bytes`;
        case "rsa":
            return `an RSA-${info.bits} private key`;
        case "ec":
            return (
                `an EC private key on ` +
                ((info.curve ? curveOf(info.ecParams)?.name : undefined) ??
                    `an unsupported curve (CKA_EC_PARAMS ${info.ecParams.toString("hex")})`)
            );
        case "other":
            return info.description;
    }
}

/** Why this object cannot be `keySpec` material, or undefined when it fits. */
export function objectProblem(info: KeyObjectInfo, keySpec: KeySpec): string | undefined {
    if (keySpec === "SYMMETRIC_DEFAULT") {
        if (info.kind === "aes" && info.length === SYMMETRIC_KEY_LENGTH) return undefined;
        return `SYMMETRIC_DEFAULT material must be an AES-256 secret key (CKK_AES, CKA_VALUE_LEN 32)`;
    }
    if (isHmac(keySpec)) {
        const { min, max } = HMAC_LENGTHS[keySpec];
        if (info.kind === "generic-secret" && info.length >= min && info.length <= max) return undefined;
        return (
            `${keySpec} material must be a generic secret (CKK_GENERIC_SECRET or CKK_SHA*_HMAC) of ` +
            `${min} to ${max} bytes`
        );
    }
    if (isRsa(keySpec)) {
        if (info.kind === "rsa" && info.bits === RSA_MODULUS_BITS[keySpec]) return undefined;
        return `${keySpec} material must be an RSA private key with a ${RSA_MODULUS_BITS[keySpec]}-bit modulus`;
    }
    if (isEcc(keySpec) && info.kind === "ec" && info.curve === ECC_CURVES[keySpec]) return undefined;
    return `${keySpec} material must be an EC private key on curve ${isEcc(keySpec) ? ECC_CURVES[keySpec] : "?"}`;
}

/** The key spec an object implies when keySpec is not given: as for raw material, HMAC lengths are ambiguous. */
export function inferObjectKeySpec(info: KeyObjectInfo): KeySpec {
    if (info.kind === "aes" && info.length === SYMMETRIC_KEY_LENGTH) return "SYMMETRIC_DEFAULT";
    if (info.kind === "rsa") {
        const spec = RSA_KEY_SPECS.find((s) => RSA_MODULUS_BITS[s] === info.bits);
        if (spec) return spec;
    }
    if (info.kind === "ec") {
        const spec = (Object.keys(ECC_CURVES) as EccKeySpec[]).find((s) => ECC_CURVES[s] === info.curve);
        if (spec) return spec;
    }
    if (info.kind === "generic-secret") {
        const fits = HMAC_KEY_SPECS.filter(
            (s) => info.length >= HMAC_LENGTHS[s].min && info.length <= HMAC_LENGTHS[s].max,
        );
        if (fits.length > 0)
            throw new HsmError(
                `the HSM object is ${describeKeyObject(info)}, HMAC material: set keySpec to one of ${fits.join(", ")}`,
            );
    }
    throw new HsmError(
        `the HSM object is ${describeKeyObject(info)}, which fits no key spec KMS imports: AES-256 keys, ` +
            `HMAC secrets of 28 to 128 bytes, RSA-2048/3072/4096 and EC ` +
            `P-256/P-384/P-521/secp256k1 private keys`,
    );
}

/** What the token must allow for the provider to wrap the object at all; the refusal says which attribute and why. */
export function exportProblem(info: KeyObjectInfo): string | undefined {
    if (info.common.extractable) return undefined;
    return (
        "it has CKA_EXTRACTABLE false, so the token refuses to wrap it under any key (C_WrapKey answers " +
        "CKR_KEY_UNEXTRACTABLE), " +
        "and PKCS#11 never lets CKA_EXTRACTABLE become true again. Create or import the key with " +
        "CKA_EXTRACTABLE true and " +
        "CKA_SENSITIVE true; with CKA_WRAP_WITH_TRUSTED true as well, only wrapping keys the Security " +
        "Officer marked trusted can take it out " +
        "(docs/guides/hsm.md, Object policy)"
    );
}

/**
 * What the object's policy lets a holder of the user PIN do: said at every import of an object without
 * CKA_WRAP_WITH_TRUSTED.
 */
export function exposureNote(what: string): string {
    return (
        `${what} is extractable without CKA_WRAP_WITH_TRUSTED: besides the provider, anyone who holds the ` +
        `user PIN can wrap it out ` +
        "of the token under a key of their own. For the stronger policy (wrapping only under keys the " +
        "Security Officer marks trusted) " +
        "see docs/guides/hsm.md, Object policy"
    );
}
