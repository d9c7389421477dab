// KeyMaterialId (docs/kms-behaviour.md#permanent-association-and-keymaterialid, S27): a 64-hex function of the key ID
// and the material. AWS does not publish its algorithm; ours is keyed by the key ID so the same material in two keys
// gets two IDs, while related multi-Region keys (which share one key ID) get the same ID, as AWS documents.

import { createHash, createHmac } from "node:crypto";

export type MaterialIdDerivation = "hmac-sha256" | "sha256";

export function keyMaterialId(keyId: string, material: Buffer, derivation: MaterialIdDerivation): string {
    if (derivation === "sha256") return createHash("sha256").update(keyId).update(material).digest("hex");
    return createHmac("sha256", keyId).update(material).digest("hex");
}
