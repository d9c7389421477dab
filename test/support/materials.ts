import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { KeySpec } from "../../provider/wrapping/keySpecs";
import { leakRegistry } from "./leakScan";

/**
 * Key material for every key spec, generated once per test process (RSA-4096 takes over a second).
 * Tests that must not share material across cases call fresh().
 */

const cache = new Map<KeySpec, Buffer>();

const RSA_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const CURVES: Partial<Record<KeySpec, string>> = {
    ECC_NIST_P256: "prime256v1",
    ECC_NIST_P384: "secp384r1",
    ECC_NIST_P521: "secp521r1",
    ECC_SECG_P256K1: "secp256k1",
};
const HMAC_BYTES: Partial<Record<KeySpec, number>> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** A new material of this spec, registered with the leak scan. */
export function fresh(spec: KeySpec): Buffer {
    const material = generate(spec);
    leakRegistry.addMaterial(material, `test/support/materials ${spec}`);
    return material;
}

function generate(spec: KeySpec): Buffer {
    const bits = RSA_BITS[spec];
    if (bits) return pkcs8(generateKeyPairSync("rsa", { modulusLength: bits }).privateKey);
    const curve = CURVES[spec];
    if (curve) return pkcs8(generateKeyPairSync("ec", { namedCurve: curve }).privateKey);
    return randomBytes(HMAC_BYTES[spec] ?? 32);
}

/** 32 random bytes of symmetric material (registered with the leak scan). */
export function randomMaterial(): Buffer {
    return fresh("SYMMETRIC_DEFAULT");
}

/** A copy of a cached material: callers may zero what they get. */
export function materialFor(spec: KeySpec): Buffer {
    let material = cache.get(spec);
    if (!material) {
        material = fresh(spec);
        cache.set(spec, material);
    }
    return Buffer.from(material);
}

function pkcs8(key: import("node:crypto").KeyObject): Buffer {
    return key.export({ type: "pkcs8", format: "der" });
}
