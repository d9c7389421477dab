// kms-local's symmetric ciphertext format. Real AES-256-GCM under the key's material; the header records the
// key ID and the KeyMaterialId so that old ciphertexts still decrypt after rotation
// (docs/kms-behaviour.md#rotatekeyondemand) and fail while their material is deleted. Header and encryption context are
// authenticated (AAD), so a ciphertext never decrypts under another key holding the same bytes — except related
// multi-Region keys, which share the key ID.
//
//   "KL" | version 1 | keyId length (1 byte) | keyId (ASCII) | KeyMaterialId (32 bytes) | IV (12) | tag (16) |
// ciphertext

import {
    constants,
    createCipheriv,
    createDecipheriv,
    privateDecrypt,
    publicEncrypt,
    randomBytes,
    type KeyObject,
} from "node:crypto";

const MAGIC = Buffer.from("KL1", "latin1");
const IV_LEN = 12;
const TAG_LEN = 16;

export interface CiphertextHeader {
    keyId: string;
    keyMaterialId: string;
    header: Buffer;
    iv: Buffer;
    tag: Buffer;
    body: Buffer;
}

function canonicalContext(context: Readonly<Record<string, string>> | undefined): Buffer {
    const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Buffer.from(JSON.stringify(entries), "utf8");
}

export function encryptSymmetric(
    keyId: string,
    keyMaterialId: string,
    material: Buffer,
    plaintext: Buffer,
    context: Readonly<Record<string, string>> | undefined,
): Buffer {
    const id = Buffer.from(keyId, "latin1");
    const header = Buffer.concat([MAGIC, Buffer.from([id.length]), id, Buffer.from(keyMaterialId, "hex")]);
    const iv = randomBytes(IV_LEN);
    const c = createCipheriv("aes-256-gcm", material, iv);
    c.setAAD(Buffer.concat([header, canonicalContext(context)]));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return Buffer.concat([header, iv, c.getAuthTag(), body]);
}

/** Parses the header; undefined if the blob is not a kms-local symmetric ciphertext. */
export function parseCiphertext(blob: Buffer): CiphertextHeader | undefined {
    if (blob.length < MAGIC.length + 1 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const idLen = blob[MAGIC.length];
    const idStart = MAGIC.length + 1;
    const headerEnd = idStart + idLen + 32;
    if (blob.length < headerEnd + IV_LEN + TAG_LEN) return undefined;
    return {
        keyId: blob.subarray(idStart, idStart + idLen).toString("latin1"),
        keyMaterialId: blob.subarray(idStart + idLen, headerEnd).toString("hex"),
        header: blob.subarray(0, headerEnd),
        iv: blob.subarray(headerEnd, headerEnd + IV_LEN),
        tag: blob.subarray(headerEnd + IV_LEN, headerEnd + IV_LEN + TAG_LEN),
        body: blob.subarray(headerEnd + IV_LEN + TAG_LEN),
    };
}

/** Authenticated decryption; undefined on any failure (tampering, wrong context, wrong material). */
export function decryptSymmetric(
    parsed: CiphertextHeader,
    material: Buffer,
    context: Readonly<Record<string, string>> | undefined,
): Buffer | undefined {
    try {
        const d = createDecipheriv("aes-256-gcm", material, parsed.iv);
        d.setAAD(Buffer.concat([parsed.header, canonicalContext(context)]));
        d.setAuthTag(parsed.tag);
        return Buffer.concat([d.update(parsed.body), d.final()]);
    } catch {
        return undefined;
    }
}

const oaepHash = (algorithm: string) => (algorithm === "RSAES_OAEP_SHA_1" ? "sha1" : "sha256");

/** RSA key ENCRYPT_DECRYPT: plain RSAES-OAEP, as AWS does for asymmetric Encrypt. */
export function encryptRsa(publicKey: KeyObject, algorithm: string, plaintext: Buffer): Buffer {
    return publicEncrypt(
        { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
        plaintext,
    );
}

export function decryptRsa(privateKey: KeyObject, algorithm: string, blob: Buffer): Buffer | undefined {
    try {
        return privateDecrypt(
            { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
            blob,
        );
    } catch {
        return undefined;
    }
}
