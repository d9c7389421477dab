import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import { keyStructure } from "./der";
import {
    ECC_CURVES,
    EccKeySpec,
    HMAC_KEY_SPECS,
    HMAC_LENGTHS,
    KeySpec,
    RSA_KEY_SPECS,
    RSA_MODULUS_BITS,
    SYMMETRIC_KEY_LENGTH,
    isEcc,
    isHmac,
    isRsa,
} from "./keySpecs";

/**
 * Plaintext key material handling. Every message here describes the material's *shape* (length, algorithm,
 * curve) and never its content: these strings reach the CLI, logs and CI output.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (the lenient Buffer decoder would silently drop bad characters). */
export function decodeBase64Material(text: string): Buffer | undefined {
    const compact = text.replace(/\s+/g, "");
    if (compact.length === 0 || !BASE64.test(compact)) return undefined;
    return Buffer.from(compact, "base64");
}

/**
 * What a material is, as far as KMS cares: raw bytes, or a PKCS#8 private key of some algorithm and size
 * (decodeKeyMaterial has already turned every private key encoding into PKCS#8).
 */
export type MaterialShape =
    | { kind: "raw"; length: number }
    | { kind: "pkcs8"; length: number; keySpec: KeySpec | undefined; description: string };

export function inspectMaterial(material: Buffer): MaterialShape {
    const key = parsePkcs8(material);
    if (!key) return { kind: "raw", length: material.length };
    return { kind: "pkcs8", length: material.length, ...describePrivateKey(key) };
}

function parsePkcs8(material: Buffer): KeyObject | undefined {
    // A PKCS#8 PrivateKeyInfo by its structure (node:crypto's type hint alone is not binding on OpenSSL 3.5),
    // and then a key node:crypto reads: raw symmetric/HMAC bytes that happen to start with 0x30 never get here.
    if (material.length < 32 || keyStructure(material) !== "pkcs8") return undefined;
    try {
        return createPrivateKey({ key: material, format: "der", type: "pkcs8" });
    } catch {
        return undefined;
    }
}

function describePrivateKey(key: KeyObject): { keySpec: KeySpec | undefined; description: string } {
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === "rsa") {
        const bits = details.modulusLength ?? 0;
        const keySpec = RSA_KEY_SPECS.find((s) => RSA_MODULUS_BITS[s] === bits);
        return { keySpec, description: `an RSA-${bits} private key` };
    }
    if (key.asymmetricKeyType === "ec") {
        const curve = details.namedCurve ?? "unknown";
        const keySpec = (Object.keys(ECC_CURVES) as EccKeySpec[]).find((s) => ECC_CURVES[s] === curve);
        return { keySpec, description: `an EC private key on curve ${curve}` };
    }
    return { keySpec: undefined, description: `a ${key.asymmetricKeyType ?? "unknown"} private key` };
}

/** Why `material` cannot be imported into a `keySpec` key, or undefined when it fits. */
export function materialProblem(shape: MaterialShape, keySpec: KeySpec): string | undefined {
    if (keySpec === "SYMMETRIC_DEFAULT") {
        if (shape.kind === "raw" && shape.length === SYMMETRIC_KEY_LENGTH) return undefined;
        return (
            `SYMMETRIC_DEFAULT material must be exactly ${SYMMETRIC_KEY_LENGTH} raw bytes (a 256-bit key), got ` +
            describeShape(shape)
        );
    }
    if (isHmac(keySpec)) {
        const { min, max } = HMAC_LENGTHS[keySpec];
        if (shape.kind === "raw" && shape.length >= min && shape.length <= max) return undefined;
        return `${keySpec} material must be ${min} to ${max} raw bytes, got ${describeShape(shape)}`;
    }
    const expected = isRsa(keySpec)
        ? `an RSA-${RSA_MODULUS_BITS[keySpec]} private key`
        : `an EC private key on curve ${isEcc(keySpec) ? ECC_CURVES[keySpec] : "?"}`;
    if (shape.kind === "pkcs8" && shape.keySpec === keySpec) return undefined;
    return (
        `${keySpec} material must be ${expected} (PEM text, or base64 of DER PKCS#8, PKCS#1 or SEC1), got ` +
        describeShape(shape)
    );
}

function describeShape(shape: MaterialShape): string {
    return shape.kind === "raw" ? `${shape.length} raw bytes` : `${shape.description} (PKCS#8, ${shape.length} bytes)`;
}

/**
 * The key spec a material implies when the user gave none. 32 raw bytes mean SYMMETRIC_DEFAULT (the
 * overwhelmingly common BYOK case); other raw lengths are ambiguous between HMAC specs, so they need keySpec.
 */
export function inferKeySpec(shape: MaterialShape): { keySpec?: KeySpec; problem?: string } {
    if (shape.kind === "pkcs8") {
        return shape.keySpec
            ? { keySpec: shape.keySpec }
            : { problem: `the material is ${shape.description}, which AWS KMS cannot import` };
    }
    if (shape.length === SYMMETRIC_KEY_LENGTH) return { keySpec: "SYMMETRIC_DEFAULT" };
    const fits = HMAC_KEY_SPECS.filter(
        (s) => shape.length >= HMAC_LENGTHS[s].min && shape.length <= HMAC_LENGTHS[s].max,
    );
    if (fits.length === 0) {
        return {
            problem:
                `${shape.length} raw bytes fit no key spec: SYMMETRIC_DEFAULT needs 32 bytes, HMAC specs 28 to 128, ` +
                "asymmetric keys an RSA or EC private key (PEM text, or base64 of DER PKCS#8, PKCS#1 or SEC1)",
        };
    }
    return { problem: `${shape.length} raw bytes are HMAC material: set keySpec to one of ${fits.join(", ")}` };
}

/** DER SubjectPublicKeyInfo of an asymmetric private key: what KMS GetPublicKey must return after import. */
export function publicKeyOf(material: Buffer): Buffer {
    const privateKey = createPrivateKey({ key: material, format: "der", type: "pkcs8" });
    return createPublicKey(privateKey).export({ type: "spki", format: "der" });
}

/** Run `use` with the plaintext, then overwrite it: plaintext never outlives the operation that needs it. */
export async function withPlaintext<T>(material: Buffer, use: (material: Buffer) => Promise<T>): Promise<T> {
    try {
        return await use(material);
    } finally {
        material.fill(0);
    }
}
