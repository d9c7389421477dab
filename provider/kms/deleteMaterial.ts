import { DeleteImportedKeyMaterialCommand, KeyMetadata } from "@aws-sdk/client-kms";
import { KmsSession } from "../client/session";
import { KeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import {
    KeyMaterialError,
    NotFoundError,
    describeKmsError,
    isKmsError,
    isPendingDeletionError,
    isPendingImportError,
} from "./errors";
import { findKeyByID, findKeyMaterials } from "./finders";
import { isPermanentlyAssociated, symmetricMaterialStatus, singleMaterialStatus, MaterialStatus } from "./status";

/**
 * The delete workflow (`pulumi destroy`): DeleteImportedKeyMaterial for exactly the material this resource
 * owns, by its KeyMaterialId — never "whatever is current", which after a rotation is someone else's.
 * Everything that already means "this material is gone" succeeds without a call.
 */

export interface DeleteRequest {
    keyId: string;
    keySpec: KeySpec;
    /** Required for symmetric keys. null only for asymmetric/HMAC keys, which hold one material for life. */
    keyMaterialId: string | null;
}

export type DeleteOutcome =
    | "DELETED"
    | "KEY_NOT_FOUND"
    | "ALREADY_DELETED"
    | "NOT_ASSOCIATED"
    /** KMS refused because the key is pending deletion; the material goes with the key. */
    | "KEY_PENDING_DELETION";

export async function deleteKeyMaterial(session: KmsSession, request: DeleteRequest): Promise<DeleteOutcome> {
    const found = await currentStatus(session, request);
    if (found === "KEY_NOT_FOUND") return found;
    const { key, status } = found;
    if (status.condition === "NOT_ASSOCIATED") return "NOT_ASSOCIATED";
    if (status.importState !== "IMPORTED") return "ALREADY_DELETED";
    session.log(consequence(key, status));
    try {
        await session.client.send(
            new DeleteImportedKeyMaterialCommand({
                KeyId: key.Arn,
                ...(request.keyMaterialId ? { KeyMaterialId: request.keyMaterialId } : {}),
            }),
        );
        return "DELETED";
    } catch (error) {
        // The key or the material vanished in between (or KMS does not know this material id): nothing left.
        if (isKmsError(error, "NotFoundException")) return "ALREADY_DELETED";
        // Some KMS behaviours refuse deletes on keys pending deletion or already pending import.
        if (isPendingDeletionError(error)) return "KEY_PENDING_DELETION";
        if (isPendingImportError(error)) return "ALREADY_DELETED";
        throw new KeyMaterialError(
            `deleting key material ${request.keyMaterialId ?? "(the key's only material)"} from KMS key ${key.Arn} failed: ` +
                `${describeKmsError(error)}. Nothing was deleted; fix the cause and run \`pulumi destroy\` again, or ` +
                "remove the resource from state with `pulumi state delete` to leave the material in place",
            { cause: error },
        );
    }
}

async function currentStatus(
    session: KmsSession,
    request: DeleteRequest,
): Promise<{ key: KeyMetadata; status: MaterialStatus } | "KEY_NOT_FOUND"> {
    try {
        const key = await findKeyByID(session.client, request.keyId);
        if (!supportsMultipleMaterials(request.keySpec)) {
            return { key, status: singleMaterialStatus(key, request.keyMaterialId, { now: session.now() }) };
        }
        if (!request.keyMaterialId) {
            // The invariant that protects other materials of the key: never delete "the current one".
            throw new KeyMaterialError(`refusing to delete material of symmetric key ${key.Arn} without its KeyMaterialId`);
        }
        const materials = await findKeyMaterials(session.client, key.Arn!);
        return { key, status: symmetricMaterialStatus(key, materials, request.keyMaterialId, { now: session.now() }) };
    } catch (error) {
        if (error instanceof NotFoundError) return "KEY_NOT_FOUND";
        throw error;
    }
}

/** Said before the call, so the log shows what a destroy does to the key. */
export function consequence(key: KeyMetadata, status: MaterialStatus): string {
    const material = status.keyMaterialId ? `key material ${status.keyMaterialId}` : "the key material";
    if (key.KeyState === "PendingDeletion") {
        return `deleting ${material} of KMS key ${key.Arn}, which is already pending deletion`;
    }
    if (isPermanentlyAssociated(status.keyMaterialState)) {
        return (
            `deleting ${material} (${status.keyMaterialState}) of KMS key ${key.Arn}: it is permanently associated, ` +
            "so the key becomes unusable (PendingImport) until the same material is imported again"
        );
    }
    return `deleting ${material} (${status.keyMaterialState ?? "pending"}) of KMS key ${key.Arn}; the key stays usable`;
}
