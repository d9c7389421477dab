import { KmsSession } from "../client/session";
import { KeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import { NotFoundError } from "./errors";
import { findKeyByID, findKeyMaterials } from "./finders";
import { MaterialStatus, singleMaterialStatus, symmetricMaterialStatus } from "./status";

/** The refresh workflow: the real state of one material (DescribeKey, plus ListKeyRotations for symmetric keys). */

export interface ReadRequest {
    keyId: string;
    keySpec: KeySpec;
    keyMaterialId: string | null;
    lastKnownValidTo: string | null;
}

/** undefined when the key itself no longer exists. */
export async function readKeyMaterial(session: KmsSession, request: ReadRequest): Promise<MaterialStatus | undefined> {
    try {
        const key = await findKeyByID(session.client, request.keyId);
        const context = { now: session.now(), lastKnownValidTo: request.lastKnownValidTo };
        if (!supportsMultipleMaterials(request.keySpec) || !request.keyMaterialId) {
            return singleMaterialStatus(key, request.keyMaterialId, context);
        }
        const materials = await findKeyMaterials(session.client, key.Arn!);
        return symmetricMaterialStatus(key, materials, request.keyMaterialId, context);
    } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
    }
}
