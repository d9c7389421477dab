import {
    DescribeKeyCommand,
    KMSClient,
    KeyMetadata,
    ListKeyRotationsCommand,
    RotationsListEntry,
} from "@aws-sdk/client-kms";
import { NotFoundError, isKmsError } from "./errors";

/** Finders: one KMS read each, "not found" turned into NotFoundError for the caller to judge. */

export async function findKeyByID(client: KMSClient, keyId: string): Promise<KeyMetadata> {
    try {
        const { KeyMetadata: key } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
        if (!key?.Arn) throw new NotFoundError(`KMS key ${keyId} was not found (empty DescribeKey response)`);
        return key;
    } catch (error) {
        throw asNotFound(error, `KMS key ${keyId} does not exist`);
    }
}

/**
 * Every material of a symmetric key (ALL_KEY_MATERIAL also lists the first material and materials still
 * pending rotation, which ROTATIONS_ONLY omits), across all pages.
 */
export async function findKeyMaterials(client: KMSClient, keyId: string): Promise<RotationsListEntry[]> {
    const materials: RotationsListEntry[] = [];
    let marker: string | undefined;
    try {
        do {
            const page = await client.send(
                new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL", Limit: 1000, Marker: marker }),
            );
            materials.push(...(page.Rotations ?? []));
            marker = page.Truncated ? page.NextMarker : undefined;
        } while (marker);
    } catch (error) {
        throw asNotFound(error, `KMS key ${keyId} does not exist`);
    }
    return materials;
}

export function findKeyMaterialByID(materials: RotationsListEntry[], keyMaterialId: string): RotationsListEntry | undefined {
    return materials.find((m) => m.KeyMaterialId === keyMaterialId);
}

function asNotFound(error: unknown, message: string): unknown {
    return isKmsError(error, "NotFoundException") ? new NotFoundError(message, { cause: error }) : error;
}
