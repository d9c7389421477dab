import assert from "node:assert/strict";
import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";

/**
 * Every form a material could take in a leak: raw bytes (latin1), base64 with and without padding, base64url, hex in
 * either case.
 */
export function materialForms(material: Buffer): string[] {
    const base64 = material.toString("base64");
    return [
        material.toString("latin1"),
        base64,
        base64.replace(/=+$/, ""),
        material.toString("base64url"),
        material.toString("hex"),
        material.toString("hex").toUpperCase(),
    ];
}

/**
 * No form of the material in `haystack`; a string material (as a program gives it, maybe not even base64) also as
 * given.
 */
export function assertNoMaterial(haystack: unknown, material: Buffer | string, what = "value"): void {
    const text = typeof haystack === "string" ? haystack : JSON.stringify(haystack);
    const forms =
        typeof material === "string"
            ? [material, ...materialForms(Buffer.from(material, "base64"))]
            : materialForms(material);
    for (const form of forms.filter((f) => f.length >= 8)) {
        assert.ok(!text.includes(form), `${what} contains key material`);
    }
}

/** The key works: a fresh ciphertext decrypts back (and so does `old`, when given). Returns the new ciphertext. */
export async function assertKeyUsable(client: KMSClient, keyId: string, old?: Uint8Array): Promise<Uint8Array> {
    const plaintext = Buffer.from(`probe ${Date.now()}`);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    for (const blob of [CiphertextBlob!, ...(old ? [old] : [])]) {
        const out = await client.send(new DecryptCommand({ CiphertextBlob: blob }));
        if (blob === CiphertextBlob) assert.deepEqual(Buffer.from(out.Plaintext!), plaintext);
    }
    return CiphertextBlob!;
}

export async function assertKeyUnusable(client: KMSClient, keyId: string, errorName: string): Promise<void> {
    await assert.rejects(client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })), {
        name: errorName,
    });
}
