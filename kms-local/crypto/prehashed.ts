// Signatures over a digest the caller computed (Sign/Verify with MessageType DIGEST). node:crypto always hashes
// what it signs, so the hash-free step of each scheme is built here from primitives OpenSSL does expose:
//   RSASSA-PKCS1-v1_5: DigestInfo ‖ digest through RSA private-key "encryption" with PKCS #1 type-1 padding.
//   RSASSA-PSS:        EMSA-PSS encoding (RFC 8017 §9.1, MGF1 with the same hash, salt length = hash length, as
//                      KMS uses) through raw RSA.
//   ECDSA:             the FIPS 186 equations with BigInt; the only elliptic-curve operation, k·G, is OpenSSL's
//                      (an ECDH object's public key for private key k). Verification uses the identity
//                      u1·G + u2·Q = (u1 + u2·d)·G, since kms-local holds d.
// Messages of type RAW go through node:crypto directly (signing.ts); tests check both paths against node:crypto
// and the openssl CLI.

import {
    constants,
    createECDH,
    createHash,
    createPublicKey,
    privateEncrypt,
    publicDecrypt,
    randomBytes,
    timingSafeEqual,
    type KeyObject,
} from "node:crypto";

export type HashName = "sha256" | "sha384" | "sha512";

/** Digest sizes, also the exact length of a DIGEST message. */
export const HASH_BYTES: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48, sha512: 64 };

/** DER of DigestInfo's AlgorithmIdentifier and OCTET STRING header, per hash (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Readonly<Record<HashName, Buffer>> = {
    sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
    sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
    sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

// ---- RSASSA-PKCS1-v1_5

export function signPkcs1Digest(key: KeyObject, hash: HashName, digest: Buffer): Buffer {
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], digest]));
}

export function verifyPkcs1Digest(key: KeyObject, hash: HashName, digest: Buffer, signature: Buffer): boolean {
    try {
        const decoded = publicDecrypt({ key: createPublicKey(key), padding: constants.RSA_PKCS1_PADDING }, signature);
        return sameBytes(decoded, Buffer.concat([DIGEST_INFO[hash], digest]));
    } catch {
        return false;
    }
}

// ---- RSASSA-PSS (RFC 8017 §8.1, §9.1)

function mgf1(hash: HashName, seed: Buffer, length: number): Buffer {
    const blocks: Buffer[] = [];
    for (let counter = 0; blocks.length * HASH_BYTES[hash] < length; counter++) {
        const c = Buffer.alloc(4);
        c.writeUInt32BE(counter);
        blocks.push(createHash(hash).update(seed).update(c).digest());
    }
    return Buffer.concat(blocks).subarray(0, length);
}

const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]));

function rsaSizes(key: KeyObject): { modulusBytes: number; emBits: number; emLen: number } {
    const bits = key.asymmetricKeyDetails?.modulusLength as number;
    const emBits = bits - 1;
    return { modulusBytes: Math.ceil(bits / 8), emBits, emLen: Math.ceil(emBits / 8) };
}

const pssPrefix = (hash: HashName, digest: Buffer, salt: Buffer): Buffer =>
    createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();

export function signPssDigest(key: KeyObject, hash: HashName, digest: Buffer): Buffer {
    const hLen = HASH_BYTES[hash];
    const { modulusBytes, emBits, emLen } = rsaSizes(key);
    const salt = randomBytes(hLen);
    const h = pssPrefix(hash, digest, salt);
    const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
    const maskedDb = xor(db, mgf1(hash, h, emLen - hLen - 1));
    maskedDb[0] = maskedDb[0] & (0xff >> (8 * emLen - emBits));
    const em = Buffer.concat([Buffer.alloc(modulusBytes - emLen), maskedDb, h, Buffer.from([0xbc])]);
    return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
}

export function verifyPssDigest(key: KeyObject, hash: HashName, digest: Buffer, signature: Buffer): boolean {
    const hLen = HASH_BYTES[hash];
    const { modulusBytes, emBits, emLen } = rsaSizes(key);
    if (signature.length !== modulusBytes) return false;
    let decoded: Buffer;
    try {
        decoded = publicDecrypt({ key: createPublicKey(key), padding: constants.RSA_NO_PADDING }, signature);
    } catch {
        return false;
    }
    if (decoded.subarray(0, modulusBytes - emLen).some((b) => b !== 0)) return false;
    const em = decoded.subarray(modulusBytes - emLen);
    const topMask = 0xff >> (8 * emLen - emBits);
    if (em[emLen - 1] !== 0xbc || (em[0] & ~topMask) !== 0) return false;
    const maskedDb = em.subarray(0, emLen - hLen - 1);
    const h = em.subarray(emLen - hLen - 1, emLen - 1);
    const db = xor(maskedDb, mgf1(hash, h, emLen - hLen - 1));
    db[0] = db[0] & topMask;
    const separator = emLen - 2 * hLen - 2;
    if (db.subarray(0, separator).some((b) => b !== 0) || db[separator] !== 1) return false;
    return sameBytes(h, pssPrefix(hash, digest, db.subarray(separator + 1)));
}

// ---- ECDSA (FIPS 186-5 §6.4)

interface Curve {
    /** Name for crypto.createECDH. */
    ecdh: string;
    /** Group order. */
    n: bigint;
    /** Field element (and private key) size in bytes. */
    bytes: number;
}

/** Group orders from SEC 2 / FIPS 186-5 (D.1.2): P-256, P-384, P-521, secp256k1. */
const CURVES: Readonly<Partial<Record<string, Curve>>> = {
    prime256v1: {
        ecdh: "prime256v1",
        n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
        bytes: 32,
    },
    secp384r1: {
        ecdh: "secp384r1",
        n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
        bytes: 48,
    },
    secp521r1: {
        ecdh: "secp521r1",
        n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
        bytes: 66,
    },
    secp256k1: { ecdh: "secp256k1", n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n, bytes: 32 },
};

const toBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));
const toBytes = (x: bigint, length: number): Buffer => Buffer.from(x.toString(16).padStart(length * 2, "0"), "hex");
const mod = (a: bigint, n: bigint): bigint => ((a % n) + n) % n;

function modPow(base: bigint, exponent: bigint, n: bigint): bigint {
    let result = 1n;
    let b = mod(base, n);
    for (let e = exponent; e > 0n; e >>= 1n) {
        if (e & 1n) result = (result * b) % n;
        b = (b * b) % n;
    }
    return result;
}

/** n is prime, so a⁻¹ = a^(n-2) mod n. */
const inverse = (a: bigint, n: bigint): bigint => modPow(a, n - 2n, n);

function curveOf(key: KeyObject): Curve {
    const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
    if (!curve) throw new Error(`no ECDSA parameters for curve ${String(key.asymmetricKeyDetails?.namedCurve)}`);
    return curve;
}

/** The digest as an integer: its leftmost bitlen(n) bits (FIPS 186-5 §6.4.1 step 4). */
function digestInteger(digest: Buffer, n: bigint): bigint {
    const excess = digest.length * 8 - n.toString(2).length;
    return excess > 0 ? toBig(digest) >> BigInt(excess) : toBig(digest);
}

/** x-coordinate of k·G, computed by OpenSSL. */
function xOfMultiple(curve: Curve, k: bigint): bigint {
    const ecdh = createECDH(curve.ecdh);
    ecdh.setPrivateKey(toBytes(k, curve.bytes));
    return toBig(ecdh.getPublicKey().subarray(1, 1 + curve.bytes));
}

function privateScalar(key: KeyObject): bigint {
    const d = key.export({ format: "jwk" }).d;
    if (typeof d !== "string") throw new Error("EC key without a private scalar");
    return toBig(Buffer.from(d, "base64url"));
}

export function signEcdsaDigest(key: KeyObject, digest: Buffer): Buffer {
    const curve = curveOf(key);
    const { n } = curve;
    const d = privateScalar(key);
    const e = digestInteger(digest, n);
    for (;;) {
        // 64 extra random bits make the reduction's bias negligible (FIPS 186-5 A.3.1).
        const k = (toBig(randomBytes(curve.bytes + 8)) % (n - 1n)) + 1n;
        const r = xOfMultiple(curve, k) % n;
        if (r === 0n) continue;
        const s = mod(inverse(k, n) * (e + r * d), n);
        if (s !== 0n) return encodeEcdsaSignature(r, s);
    }
}

export function verifyEcdsaDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
    const curve = curveOf(key);
    const { n } = curve;
    const rs = decodeEcdsaSignature(signature);
    if (!rs) return false;
    const [r, s] = rs;
    if (r < 1n || r >= n || s < 1n || s >= n) return false;
    const w = inverse(s, n);
    const u1 = mod(digestInteger(digest, n) * w, n);
    const u2 = mod(r * w, n);
    // u1·G + u2·Q with Q = d·G is (u1 + u2·d)·G; the point at infinity never verifies.
    const scalar = mod(u1 + u2 * privateScalar(key), n);
    return scalar !== 0n && xOfMultiple(curve, scalar) % n === r;
}

// ---- DER: ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (the format KMS returns)

function derLength(length: number): Buffer {
    if (length < 0x80) return Buffer.from([length]);
    const bytes = Buffer.from(length.toString(16).padStart(length > 0xff ? 4 : 2, "0"), "hex");
    return Buffer.concat([Buffer.from([0x80 | bytes.length]), bytes]);
}

function derInteger(x: bigint): Buffer {
    let hex = x.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let bytes = Buffer.from(hex, "hex");
    if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02]), derLength(bytes.length), bytes]);
}

export function encodeEcdsaSignature(r: bigint, s: bigint): Buffer {
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Parses a DER ECDSA signature strictly enough for a verifier; undefined when malformed. */
export function decodeEcdsaSignature(der: Buffer): [bigint, bigint] | undefined {
    let at = 0;
    const readLength = (): number | undefined => {
        const first = der.at(at++);
        if (first === undefined) return undefined;
        if (first < 0x80) return first;
        const count = first & 0x7f;
        if (count === 0 || count > 2 || at + count > der.length) return undefined;
        const value = der.readUIntBE(at, count);
        at += count;
        return value;
    };
    const readInteger = (): bigint | undefined => {
        if (der[at++] !== 0x02) return undefined;
        const length = readLength();
        if (length === undefined || length === 0 || at + length > der.length) return undefined;
        const value = der.subarray(at, at + length);
        at += length;
        return value[0] & 0x80 ? undefined : toBig(value);
    };
    if (der[at++] !== 0x30) return undefined;
    const total = readLength();
    if (total === undefined || at + total !== der.length) return undefined;
    const r = readInteger();
    const s = readInteger();
    return r !== undefined && s !== undefined && at === der.length ? [r, s] : undefined;
}
