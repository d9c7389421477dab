import { KeyObject } from "node:crypto";
import { Wrapping } from "./algorithms";
import { publicKeyOf } from "./material";
import { wrapKeyMaterial } from "./wrap";

/**
 * Where the material is wrapped for ImportKeyMaterial, so the KMS import workflow does not care: in this
 * process with node:crypto (keyMaterial: the plaintext is here anyway), or inside an HSM (hsmKey: the plaintext
 * never leaves it; see provider/hsm).
 */
export interface MaterialWrapper {
    /** How messages name the material: "keyMaterial", or the HSM object. */
    readonly what: string;
    /** EncryptedKeyMaterial: the material wrapped under KMS's wrapping public key, as `wrapping` says. */
    wrap(wrappingKey: KeyObject, wrapping: Wrapping): Promise<Buffer>;
    /** Is `spki` (GetPublicKey after an import) the public half of this asymmetric material? */
    isPublicKeyOf(spki: Buffer): Promise<boolean>;
}

/** Wrapping in this process. The caller owns the plaintext and zeroes it after the import. */
export function localWrapper(material: Buffer): MaterialWrapper {
    return {
        what: "keyMaterial",
        wrap: async (wrappingKey, wrapping) => wrapKeyMaterial(material, wrappingKey, wrapping),
        isPublicKeyOf: async (spki) => publicKeyOf(material).equals(spki),
    };
}
