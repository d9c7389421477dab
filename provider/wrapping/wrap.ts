import {
    KeyObject,
    checkPrimeSync,
    constants,
    createCipheriv,
    createPublicKey,
    publicEncrypt,
    randomBytes,
} from "node:crypto";
import { MODULUS_BYTES, Wrapping, isKeyWrap, oaepDigest } from "./algorithms";

/**
 * Wrapping of key material for ImportKeyMaterial, exactly as the AWS Developer Guide constructs it
 * (docs/kms-behaviour.md#wrapping-constructions): RSA-OAEP with the same digest for OAEP and MGF1 and an
 * empty label, or RSA_AES_KEY_WRAP = RSA-OAEP(ephemeral AES-256 key) ‖ AES-KWP(material) (RFC 5649).
 */

/** RFC 5649's alternative initial value; node:crypto requires it explicitly for id-aes256-wrap-pad. */
const KWP_IV = Buffer.from("A65959A6", "hex");

/** The endpoint's wrapping key is not one a genuine KMS issues; nothing was wrapped with it. */
export class WrappingKeyError extends Error {
    override readonly name = "WrappingKeyError";
}

/** The only public exponent KMS's wrapping keys have (and the only one this provider wraps under). */
const PUBLIC_EXPONENT = 65537n;

/**
 * Parse GetParametersForImport's PublicKey (DER SubjectPublicKeyInfo) and check it is exactly what KMS
 * issues for the request: RSA, the modulus of the requested WrappingKeySpec, public exponent 65537.
 * Whoever answers GetParametersForImport chooses this key; with exponent 1, "encryption" leaves the OAEP
 * encoding readable and anyone who sees the wrapped blob recovers the material; exponent 3 and short
 * moduli are weak. A modulus anyone can factor is as bad: a prime (the private exponent follows from n − 1),
 * or one with a small factor (3·q: q = n / 3). Anything else is refused before the material is touched.
 */
export function parseWrappingKey(spkiDer: Uint8Array | undefined, wrapping: Wrapping): KeyObject {
    let key: KeyObject;
    try {
        key = createPublicKey({ key: Buffer.from(spkiDer ?? []), format: "der", type: "spki" });
    } catch {
        throw new WrappingKeyError("it is not a DER SubjectPublicKeyInfo public key");
    }
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType !== "rsa")
        throw new WrappingKeyError(`it is a ${key.asymmetricKeyType ?? "unknown"} key, not RSA`);
    const bits = details.modulusLength ?? 0;
    if (bits / 8 !== MODULUS_BYTES[wrapping.wrappingKeySpec]) {
        throw new WrappingKeyError(`its modulus has ${bits} bits, but ${wrapping.wrappingKeySpec} was requested`);
    }
    if (details.publicExponent !== PUBLIC_EXPONENT) {
        throw new WrappingKeyError(`its public exponent is ${details.publicExponent ?? "missing"}, not 65537`);
    }
    const problem = modulusProblem(key);
    if (problem)
        throw new WrappingKeyError(`${problem}, so anyone can compute its private key and unwrap the material`);
    return key;
}

/** Small primes: a genuine RSA modulus is the product of two primes of half its size, so none divides it. */
const SMALL_PRIME_BOUND = 20_000;
let smallPrimes: bigint | undefined;

/**
 * What makes a modulus easy to factor, each cheap to see (milliseconds, once per import): even, a small
 * factor (one gcd with the product of the primes below SMALL_PRIME_BOUND), or prime itself (Miller-Rabin:
 * a genuine modulus fails its first round; only a prime passes all of them).
 */
function modulusProblem(key: KeyObject): string | undefined {
    const n = BigInt(`0x${Buffer.from(key.export({ format: "jwk" }).n ?? "", "base64url").toString("hex") || "0"}`);
    if (n % 2n === 0n) return "its modulus is even";
    if (gcd(n, (smallPrimes ??= productOfPrimesBelow(SMALL_PRIME_BOUND))) !== 1n)
        return `its modulus has a prime factor below ${SMALL_PRIME_BOUND}`;
    if (checkPrimeSync(n, { checks: 16 })) return "its modulus is a prime number";
    return undefined;
}

function productOfPrimesBelow(bound: number): bigint {
    const composite = new Uint8Array(bound);
    let product = 1n;
    for (let i = 2; i < bound; i++) {
        if (composite[i]) continue;
        product *= BigInt(i);
        for (let j = i * i; j < bound; j += i) composite[j] = 1;
    }
    return product;
}

function gcd(a: bigint, b: bigint): bigint {
    while (b !== 0n) [a, b] = [b, a % b];
    return a;
}

export function wrapKeyMaterial(material: Buffer, wrappingKey: KeyObject, wrapping: Wrapping): Buffer {
    const digest = oaepDigest(wrapping.algorithm);
    if (!isKeyWrap(wrapping.algorithm)) return oaep(wrappingKey, material, digest);
    const ephemeral = randomBytes(32);
    try {
        const cipher = createCipheriv("id-aes256-wrap-pad", ephemeral, KWP_IV);
        const wrappedMaterial = Buffer.concat([cipher.update(material), cipher.final()]);
        // The RSA block comes first; KMS splits the blob at the wrapping key's modulus length.
        return Buffer.concat([oaep(wrappingKey, ephemeral, digest), wrappedMaterial]);
    } finally {
        ephemeral.fill(0);
    }
}

function oaep(key: KeyObject, data: Buffer, digest: "sha1" | "sha256"): Buffer {
    // oaepHash sets both the OAEP digest and the MGF1 digest, which is what KMS expects.
    return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: digest }, data);
}
