import { KmsSession } from "../client/session";
import { KeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import { KeyMaterialError, NotFoundError } from "./errors";
import { findKeyByID, findKeyMaterials } from "./finders";
import { assertKeyReachable } from "./keyLocation";
import {
    MaterialStatus,
    isPermanentlyAssociated,
    shortLabel,
    singleMaterialStatus,
    symmetricMaterialStatus,
} from "./status";
import { waitFor } from "./waiters";

/** The refresh workflow: the real state of one material (DescribeKey, plus ListKeyRotations for symmetric keys). */

export interface ReadRequest {
    keyId: string;
    keySpec: KeySpec;
    keyMaterialId: string | null;
    lastKnownValidTo: string | null;
}

/** undefined when the key itself no longer exists. */
export async function readKeyMaterial(session: KmsSession, request: ReadRequest): Promise<MaterialStatus | undefined> {
    // A key of another account would read as "gone", and refresh would drop it from the stack.
    await assertKeyReachable(session, request.keyId);
    try {
        const key = await findKeyByID(session.client, request.keyId);
        const context = { now: session.now(), lastKnownValidTo: request.lastKnownValidTo };
        if (!supportsMultipleMaterials(request.keySpec) || !request.keyMaterialId) {
            return singleMaterialStatus(key, request.keyMaterialId, context);
        }
        const materials = await findKeyMaterials(session.client, key.Arn);
        return symmetricMaterialStatus(key, materials, request.keyMaterialId, context);
    } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
    }
}

/**
 * Right after an import: read until KMS shows the material imported (its eventual consistency). A symmetric
 * key's material comes from ListKeyRotations and its state from DescribeKey, each eventually consistent on its
 * own: DescribeKey may still say PendingImport after ListKeyRotations shows every permanently associated material
 * imported. Then the key state is stale, not true (it is true only while another such material is missing).
 */
export async function waitUntilImported(
    session: KmsSession,
    request: Omit<ReadRequest, "lastKnownValidTo">,
): Promise<MaterialStatus> {
    const label = shortLabel({ keyArn: request.keyId, keyMaterialId: request.keyMaterialId });
    return waitFor(
        async () => {
            const status = await readKeyMaterial(session, { ...request, lastKnownValidTo: null });
            if (!status) throw new KeyMaterialError(`KMS key ${request.keyId} disappeared right after the import`);
            if (status.importState !== "IMPORTED") return undefined;
            const keyStateMayLag =
                status.keyState === "PendingImport" && isPermanentlyAssociated(status.keyMaterialState);
            return keyStateMayLag && (await allPermanentMaterialsImported(session, status.keyArn)) ? undefined : status;
        },
        {
            timeoutMs: session.settings.propagationTimeoutMs,
            log: session.log,
            what: `${label} to show as imported`,
            delayMs: 100,
        },
    );
}

async function allPermanentMaterialsImported(session: KmsSession, keyArn: string): Promise<boolean> {
    const materials = await findKeyMaterials(session.client, keyArn);
    return materials
        .filter((m) => isPermanentlyAssociated(m.KeyMaterialState ?? null))
        .every((m) => m.ImportState === "IMPORTED");
}
