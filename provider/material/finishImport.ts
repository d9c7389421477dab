import { KmsSession } from "../client/session";
import { withdrawMaterial } from "../kms/deleteMaterial";
import { KeyMaterialError, errorText } from "../kms/errors";
import { readKeyMaterial, waitUntilImported } from "../kms/readMaterial";
import { rotateToMaterial } from "../kms/rotateMaterial";
import { MaterialStatus } from "../kms/status";
import { KeySpec } from "../wrapping/keySpecs";
import { buildOutputs } from "./outputs";
import { MaterialOutputs, materialLabel } from "./properties";
import { clockOffsetToRecord } from "./renewal";

/**
 * What follows an import in create and update: the optional rotation, and reading back what KMS now says.
 * From the import on, the material is in KMS; a failure here must not lose that fact.
 */

export interface ImportedMaterial {
    arn: string;
    keySpec: KeySpec;
    keyMaterialId: string | null;
}

export type Applied = Parameters<typeof buildOutputs>[1];

/**
 * Rotate if asked, then read back what KMS now says. After an import the material is in KMS: whatever
 * fails here must not lose that fact, so it is reported as a partial failure carrying the resource's id
 * and outputs; the engine keeps the resource in state and the next `up` finishes the job (no second import).
 */
export async function finish(
    kms: KmsSession,
    id: string,
    material: ImportedMaterial,
    applied: Applied,
    steps: { rotate: boolean; imported: boolean; claimsKey?: boolean },
): Promise<MaterialOutputs> {
    let status: MaterialStatus | undefined;
    try {
        // Ownership first: rotating a material that lost the race would displace the winner's.
        if (steps.claimsKey) status = await waitUntilImported(kms, statusRequest(material));
    } catch (error) {
        throw await partialFailure(kms, id, material, applied, error);
    }
    if (status && isPending(status.keyMaterialState)) await giveWay(kms, id, material, applied);
    try {
        if (steps.rotate && material.keyMaterialId) {
            await rotateToMaterial(kms, { keyArn: material.arn, keyMaterialId: material.keyMaterialId });
        }
        status = steps.imported
            ? await waitUntilImported(kms, statusRequest(material))
            : await readKeyMaterial(kms, { ...statusRequest(material), lastKnownValidTo: null });
        if (!status) throw new KeyMaterialError(`KMS key ${material.arn} no longer exists`);
        return buildOutputs(status, applied, clockOffsetOf(kms, applied));
    } catch (error) {
        if (!steps.imported) throw error;
        throw await partialFailure(kms, id, material, applied, error);
    }
}

const statusRequest = (material: ImportedMaterial) => ({
    keyId: material.arn,
    keySpec: material.keySpec,
    keyMaterialId: material.keyMaterialId,
});
const isPending = (state: string | null): boolean => state?.startsWith("PENDING_") === true;

/**
 * One key, one owner. This create asked for the key's first material (no importType), but another import
 * (another stack, another resource) got there first: KMS kept that one CURRENT and made ours a second,
 * PENDING_ROTATION material. Ours is taken back, by its KeyMaterialId, and the create fails saying how to
 * add a material on purpose. If taking it back fails, the material is reported (partial failure) so the
 * resource stays in the state and `pulumi destroy` can delete it by id.
 */
async function giveWay(kms: KmsSession, id: string, material: ImportedMaterial, applied: Applied): Promise<never> {
    const label = materialLabel({ keyArn: material.arn, keyMaterialId: material.keyMaterialId });
    try {
        // Never without the id: then it stays (reported below) for `pulumi destroy` to delete by id.
        const keyMaterialId = material.keyMaterialId;
        if (keyMaterialId === null) throw new KeyMaterialError("KMS gave the import no KeyMaterialId to delete it by");
        await withdrawMaterial(kms, { keyArn: material.arn, keyMaterialId });
    } catch (error) {
        throw await partialFailure(
            kms,
            id,
            material,
            applied,
            new KeyMaterialError(
                `another material already owns the key, and deleting this one again failed: ${errorText(error)}`,
                { cause: error },
            ),
        );
    }
    throw new KeyMaterialError(
        `KMS key ${material.arn} already had another key material when this import landed (another stack ` +
            `or resource imported ` +
            `first), so KMS made this one a second, PENDING_ROTATION material. It was deleted again ` +
            `(${label}); the key and its ` +
            "CURRENT material are untouched. One key has one owner: to add this material to the key on " +
            "purpose (rotation), set " +
            'importType: "NEW_KEY_MATERIAL" (and rotateOnDemand: true to make it CURRENT); otherwise point ' +
            "keyId at a key of its own",
    );
}

/** An error the dynamic-provider host turns into ErrorResourceInitFailed: the engine records id and outputs. */
export class PartialFailure extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly properties: Record<string, unknown>,
        readonly reasons: string[],
    ) {
        super(message);
    }
}

async function partialFailure(
    kms: KmsSession,
    id: string,
    material: ImportedMaterial,
    applied: Applied,
    error: unknown,
): Promise<PartialFailure> {
    const message = errorText(error);
    const status = await readKeyMaterial(kms, {
        keyId: material.arn,
        keySpec: material.keySpec,
        keyMaterialId: material.keyMaterialId,
        lastKnownValidTo: null,
    }).catch(() => undefined);
    // Without a fresh read, what is certain: the key, the material's id, and that it was just imported.
    const known: MaterialStatus = status ?? {
        keyArn: material.arn,
        keyState: "Unknown",
        keySpec: material.keySpec,
        multiRegionKeyType: null,
        keyMaterialId: material.keyMaterialId,
        importState: "IMPORTED",
        keyMaterialState: null,
        expirationModel: null,
        validTo: null,
        keyMaterialDescription: null,
        condition: "IMPORTED",
    };
    // The engine prints the reasons (not the message) of a partial failure: each must say the whole story.
    const explanation =
        `${materialLabel({ keyArn: material.arn, keyMaterialId: material.keyMaterialId })} was ` +
        `imported, but ${message}. ` +
        "The stack records the import; run `pulumi up` again to finish (nothing is imported twice)";
    return new PartialFailure(explanation, id, { ...buildOutputs(known, applied, clockOffsetOf(kms, applied)) }, [
        explanation,
    ]);
}

const clockOffsetOf = (kms: KmsSession, applied: Applied): number =>
    clockOffsetToRecord(applied.recordedClockOffsetSeconds, kms.clockOffsetMs());
