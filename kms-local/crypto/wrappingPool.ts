// Wrapping key pairs for GetParametersForImport (RSA_2048/3072/4096). RSA-4096 generation costs ~1.6 s, so
// pairs are generated asynchronously (crypto.generateKeyPair runs on the libuv thread pool, not the event loop)
// and shared by every kms-local instance in the process. Mode "shared" (S13 default here) reuses one pair per spec;
// mode "fresh" (freshPool.ts) hands out a pair used by no other response. Every pair handed out is registered
// here by id, so an import token finds its private key.

import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type KeyObject } from "node:crypto";

export type WrappingKeySpec = "RSA_2048" | "RSA_3072" | "RSA_4096";
export const WRAPPING_SPECS: readonly WrappingKeySpec[] = ["RSA_2048", "RSA_3072", "RSA_4096"];

export interface WrappingKey {
    id: string;
    spec: WrappingKeySpec;
    privateKey: KeyObject;
    /** DER SubjectPublicKeyInfo, as GetParametersForImport returns it. */
    publicDer: Buffer;
    /** Modulus size in bytes (256 / 384 / 512). */
    modulusBytes: number;
}

const BITS: Record<WrappingKeySpec, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

const shared = new Map<WrappingKeySpec, Promise<WrappingKey>>();
const sharedReady = new Map<WrappingKeySpec, WrappingKey>();
/** Every pair ever handed out, by id, so that import tokens can find their private key. */
const known = new Map<string, WrappingKey>();

function fromPrivate(spec: WrappingKeySpec, privateKey: KeyObject, id: string = randomUUID()): WrappingKey {
    const publicDer = createPublicKey(privateKey).export({ type: "spki", format: "der" });
    const key = { id, spec, privateKey, publicDer, modulusBytes: BITS[spec] / 8 };
    known.set(id, key);
    return key;
}

/** One new pair, generated off the event loop. */
export function generateWrappingKey(spec: WrappingKeySpec): Promise<WrappingKey> {
    return new Promise((resolve, reject) => {
        generateKeyPair("rsa", { modulusLength: BITS[spec] }, (err, _pub, priv) => {
            if (err) reject(err);
            else resolve(fromPrivate(spec, priv));
        });
    });
}

/** The process-wide shared pair of `spec` (generated on first use). */
export function sharedWrappingKey(spec: WrappingKeySpec): Promise<WrappingKey> {
    let p = shared.get(spec);
    if (!p) {
        p = generateWrappingKey(spec);
        shared.set(spec, p);
        p.then((k) => sharedReady.set(spec, k)).catch(() => shared.delete(spec));
    }
    return p;
}

/**
 * Starts generating the shared pairs in the background, one after the other (does not wait). Sequential, so that
 * at most one generation is in flight: a process cannot exit while OpenSSL is still generating on the thread pool.
 */
export function prewarmWrappingKeys(specs: readonly WrappingKeySpec[] = WRAPPING_SPECS): void {
    void specs.reduce<Promise<unknown>>(
        (previous, s) => previous.then(() => sharedWrappingKey(s)).catch(() => undefined),
        Promise.resolve(),
    );
}

export function wrappingKeyById(id: string): WrappingKey | undefined {
    return known.get(id);
}

/** Persistence: the PKCS#8 PEM of a known pair. */
export function exportWrappingKey(id: string): { id: string; spec: WrappingKeySpec; pem: string } | undefined {
    const k = known.get(id);
    if (!k) return undefined;
    return { id, spec: k.spec, pem: k.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/** Persistence: re-adopts a saved pair; it becomes the shared pair of its spec if there is none yet. */
export function adoptWrappingKey(saved: { id: string; spec: WrappingKeySpec; pem: string }, asShared: boolean): void {
    if (known.has(saved.id)) return;
    const key = fromPrivate(saved.spec, createPrivateKey(saved.pem), saved.id);
    if (asShared && !shared.has(saved.spec)) {
        shared.set(saved.spec, Promise.resolve(key));
        sharedReady.set(saved.spec, key);
    }
}

/** Ids of the shared pairs that are ready (for persistence). */
export function readySharedIds(): string[] {
    return [...sharedReady.values()].map((k) => k.id);
}
