import { KeyObject, constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { Handle } from "./binding";
import { tokenAnswer } from "./errors";
import { Digest, createWrappingPublicKey, destroy, oaepMechanism, withSessionAesKey } from "./tokenKeys";
import { TokenSession } from "./token";

/**
 * What a token's mechanisms really produce, tried on throwaway session keys and checked here exactly as KMS
 * unwraps (reference: pkcs11-tokens.md). Tokens do not say which OAEP digests they accept for wrapping, and
 * the same mechanism number means different things: CKM_AES_KEY_WRAP_PAD (0x210A) is RFC 5649 on SoftHSM 2.6.1
 * but PKCS#7 padding + RFC 3394 on NSS softokn, as PKCS#11 3.0 defines it. So a mechanism is used only after
 * its output, wrapped under a probe RSA key whose private half only this process holds, unwrapped to the
 * expected length. The user's object is never involved, and the probe keys are not material.
 */

/** RFC 5649's alternative initial value (node:crypto's id-aes256-wrap-pad needs it given). */
const KWP_IV = Buffer.from("A65959A6", "hex");
const AES_256 = 32;
/** Room for one RSA block of the probe key. */
const PROBE_BLOCK = 256;

let probe: { publicKey: KeyObject; privateKey: KeyObject } | undefined;

/** A throwaway RSA-2048 key pair, made once per provider process, for the self-checks only. */
function probeKeys(): { publicKey: KeyObject; privateKey: KeyObject } {
    probe ??= generateKeyPairSync("rsa", { modulusLength: 2048 });
    return probe;
}

/** The probe's public key, for trials that need some RSA public key (never one that wraps the user's object). */
export const probePublicKey = (): KeyObject => probeKeys().publicKey;

/** Does the token wrap with CKM_RSA_PKCS_OAEP and this digest, as RSAES-OAEP with that digest for OAEP and MGF1? */
export async function oaepProblem(t: TokenSession, digest: Digest): Promise<string | undefined> {
    const what = `CKM_RSA_PKCS_OAEP with ${digestName(digest)}`;
    const keys = probeKeys();
    const publicKey = createWrappingPublicKey(t, keys.publicKey);
    try {
        return await withSessionAesKey(t, async (ephemeral) => {
            let wrapped: Buffer;
            try {
                wrapped = await t.p11.C_WrapKeyAsync(
                    t.session,
                    oaepMechanism(digest),
                    publicKey,
                    ephemeral,
                    Buffer.alloc(PROBE_BLOCK),
                );
            } catch (error) {
                return `the token refused ${what} for wrapping (${tokenAnswer(error)})`;
            }
            const key = decryptOaep(keys.privateKey, wrapped, digest);
            if (key?.length === AES_256) {
                zeroed(key, undefined);
                return;
            }
            if (key) key.fill(0);
            return (
                `the token's ${what} output is not RSAES-OAEP with ${digestName(digest)} for OAEP and MGF1 ` +
                `(KMS could not unwrap it)`
            );
        });
    } finally {
        destroy(t, publicKey);
    }
}

/**
 * Does `mechanism` wrap as RFC 5649? A throwaway AES-256 key is wrapped with it under a throwaway wrapping
 * key, which is then wrapped with OAEP (`digest`, already checked) to the probe key and recovered here.
 */
export async function keyWrapProblem(
    t: TokenSession,
    mechanism: number,
    name: string,
    digest: Digest,
): Promise<string | undefined> {
    const keys = probeKeys();
    const publicKey = createWrappingPublicKey(t, keys.publicKey);
    try {
        return await withSessionAesKey(t, (wrappingKey) =>
            withSessionAesKey(t, async (target) => {
                let blob: Buffer;
                try {
                    blob = await t.p11.C_WrapKeyAsync(
                        t.session,
                        { mechanism },
                        wrappingKey,
                        target,
                        Buffer.alloc(4 * AES_256),
                    );
                } catch (error) {
                    return `the token refused ${name} on an AES-256 key (${tokenAnswer(error)})`;
                }
                const kek = decryptOaep(keys.privateKey, await wrapOaep(t, publicKey, wrappingKey, digest), digest);
                const unwrapped = kek?.length === AES_256 ? unwrapRfc5649(kek, blob) : undefined;
                kek?.fill(0);
                if (unwrapped?.length === AES_256) {
                    zeroed(unwrapped, undefined);
                    return;
                }
                unwrapped?.fill(0);
                return (
                    `its ${name} is not RFC 5649: a 32-byte key came out as ${blob.length} bytes (RFC 5649 ` +
                    `gives 40) that do not unwrap as RFC 5649` +
                    (blob.length === 48
                        ? " (48 bytes: PKCS#7 padding and RFC 3394, as PKCS#11 3.0 defines CKM_AES_KEY_WRAP_PAD)"
                        : "")
                );
            }),
        );
    } finally {
        destroy(t, publicKey);
    }
}

function wrapOaep(t: TokenSession, publicKey: Handle, key: Handle, digest: Digest): Promise<Buffer> {
    return t.p11.C_WrapKeyAsync(t.session, oaepMechanism(digest), publicKey, key, Buffer.alloc(PROBE_BLOCK));
}

function decryptOaep(privateKey: KeyObject, block: Buffer, digest: Digest): Buffer | undefined {
    try {
        return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: digest }, block);
    } catch {
        return undefined;
    }
}

function unwrapRfc5649(kek: Buffer, blob: Buffer): Buffer | undefined {
    if (blob.length < 16 || blob.length % 8 !== 0) return undefined;
    try {
        const decipher = createDecipheriv("id-aes256-wrap-pad", kek, KWP_IV);
        return Buffer.concat([decipher.update(blob), decipher.final()]);
    } catch {
        return undefined;
    }
}

function zeroed<T>(buffer: Buffer, result: T): T {
    buffer.fill(0);
    return result;
}

export const digestName = (digest: Digest): string => (digest === "sha1" ? "SHA-1" : "SHA-256");
