// A stand-in for Pulumi's passphrase secrets provider: AES-256-GCM under a key derived from a
// per-stack passphrase and salt.
//
// Format as in Pulumi's symmetric crypter: a ciphertext is "v1:<base64 nonce>:<base64 sealed>",
// where sealed = ciphertext || 16-byte GCM tag (Go's gcm.Seal layout). The stack's secrets
// provider state stores "v1:<base64 salt>:<encryption of 'pulumi'>" so a wrong passphrase is
// detected. Deviation: PBKDF2-SHA256 with 100,000 iterations instead of Pulumi's 1,000,000, to
// keep the test suite fast; it does not change what is or is not encrypted.

import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);
const ITERATIONS = 100_000;
const CHECK_PLAINTEXT = "pulumi";

export class Crypter {
    private constructor(private readonly key: Buffer) {}

    encrypt(plaintext: string): string {
        const nonce = randomBytes(12);
        const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
        const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
        return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
    }

    decrypt(ciphertext: string): string {
        const [version, nonceB64, sealedB64] = ciphertext.split(":");
        if (version !== "v1" || nonceB64 === undefined || sealedB64 === undefined) {
            throw new Error("malformed ciphertext");
        }
        const sealed = Buffer.from(sealedB64, "base64");
        const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(nonceB64, "base64"));
        decipher.setAuthTag(sealed.subarray(sealed.length - 16));
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
    }

    /** A new key with a fresh salt; returns the crypter and the salt state to store with the stack. */
    static async create(passphrase: string): Promise<{ crypter: Crypter; saltState: string }> {
        const salt = randomBytes(8);
        const crypter = new Crypter(await pbkdf2Async(passphrase, salt, ITERATIONS, 32, "sha256"));
        return { crypter, saltState: `v1:${salt.toString("base64")}:${crypter.encrypt(CHECK_PLAINTEXT)}` };
    }

    /** The key for an existing stack; throws "incorrect passphrase" like the CLI when the check fails. */
    static async open(passphrase: string, saltState: string): Promise<Crypter> {
        const [, saltB64, ...check] = saltState.split(":");
        const crypter = new Crypter(await pbkdf2Async(passphrase, Buffer.from(saltB64 ?? "", "base64"), ITERATIONS, 32, "sha256"));
        let ok = false;
        try {
            ok = crypter.decrypt(check.join(":")) === CHECK_PLAINTEXT;
        } catch {
            ok = false;
        }
        if (!ok) {
            throw new Error("incorrect passphrase");
        }
        return crypter;
    }
}
