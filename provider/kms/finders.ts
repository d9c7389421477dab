import {
    DescribeKeyCommand,
    KMSClient,
    KeyMetadata,
    ListKeyRotationsCommand,
    RotationsListEntry,
} from "@aws-sdk/client-kms";
import { KeyMaterialError, NotFoundError, isKmsError } from "./errors";

/** Finders: one KMS read each, "not found" turned into NotFoundError for the caller to judge. */

/** A described key: DescribeKey's metadata always carries the key's ARN (checked on reading). */
export type DescribedKey = KeyMetadata & { Arn: string };

export async function findKeyByID(client: KMSClient, keyId: string): Promise<DescribedKey> {
    try {
        const { KeyMetadata: key } = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
        if (!key?.Arn) throw new NotFoundError(`KMS key ${keyId} was not found (empty DescribeKey response)`);
        return { ...key, Arn: key.Arn };
    } catch (error) {
        throw asNotFound(error, `KMS key ${keyId} does not exist`);
    }
}

/**
 * Pages of ListKeyRotations read at most. A key holds a few dozen materials (25 on-demand rotations per key),
 * and a page lists up to 1,000: one page in practice, and never more than this from a genuine KMS.
 */
export const MAX_PAGES = 10;

/**
 * Every material of a symmetric key (ALL_KEY_MATERIAL also lists the first material and materials still
 * pending rotation, which ROTATIONS_ONLY omits), across all pages. Bounded: an endpoint that repeats a marker,
 * or pages on past MAX_PAGES, is not behaving like KMS and would keep a refresh running for ever.
 */
export async function findKeyMaterials(client: KMSClient, keyId: string): Promise<RotationsListEntry[]> {
    const materials: RotationsListEntry[] = [];
    const markers = new Set<string>();
    let marker: string | undefined;
    try {
        do {
            const page = await client.send(
                new ListKeyRotationsCommand({
                    KeyId: keyId,
                    IncludeKeyMaterial: "ALL_KEY_MATERIAL",
                    Limit: 1000,
                    Marker: marker,
                }),
            );
            materials.push(...(page.Rotations ?? []));
            marker = page.Truncated ? page.NextMarker : undefined;
            if (marker !== undefined && (markers.has(marker) || markers.size + 1 >= MAX_PAGES))
                throw endlessPages(keyId, markers.has(marker));
            if (marker !== undefined) markers.add(marker);
        } while (marker);
    } catch (error) {
        throw asNotFound(error, `KMS key ${keyId} does not exist`);
    }
    return materials;
}

export function findKeyMaterialByID(
    materials: RotationsListEntry[],
    keyMaterialId: string,
): RotationsListEntry | undefined {
    return materials.find((m) => m.KeyMaterialId === keyMaterialId);
}

function endlessPages(keyId: string, repeated: boolean): KeyMaterialError {
    return new KeyMaterialError(
        `ListKeyRotations for KMS key ${keyId} ` +
            `${repeated ? "returned a NextMarker it had already returned" : `had more than ${MAX_PAGES} pages`}: ` +
            "the endpoint is not behaving like KMS, and following it would never end. Nothing was changed; " +
            "check that the endpoint " +
            "is really AWS KMS (or your trusted KMS-compatible service)",
    );
}

function asNotFound(error: unknown, message: string): unknown {
    return isKmsError(error, "NotFoundException") ? new NotFoundError(message, { cause: error }) : error;
}
