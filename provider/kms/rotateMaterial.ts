import { GetKeyRotationStatusCommand, RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { KmsSession } from "../client/session";
import { KeyMaterialError, NotFoundError, describeKmsError, isKmsError } from "./errors";
import { findKeyByID, findKeyMaterials } from "./finders";
import { assertKeyReachable, findReporting } from "./keyLocation";
import { isoOrNull, shortLabel } from "./status";
import { waitFor } from "./waiters";

/**
 * The rotation workflow: make one imported material CURRENT with RotateKeyOnDemand, then wait until
 * ListKeyRotations says so (rotation completes asynchronously). Rerunnable after a crash at any point:
 * a rotation already in progress is waited for, not requested twice (each one counts against the key's
 * limit of 25), and a material that already became CURRENT is left alone.
 */

export interface RotateRequest {
    keyArn: string;
    keyMaterialId: string;
}

export type RotateOutcome = "ROTATED" | "ALREADY_CURRENT" | "ALREADY_ROTATED_PAST";

/** Rotate a key named by ID or ARN: symmetric keys only, and multi-Region keys through their primary. */
export async function rotateKeyToMaterial(
    session: KmsSession,
    request: { keyId: string; keyMaterialId: string },
): Promise<RotateOutcome> {
    await assertKeyReachable(session, request.keyId);
    const key = await findReporting(session, request.keyId);
    if ((key.KeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} is a ${key.KeySpec} key: only symmetric encryption keys rotate on demand`,
        );
    }
    const multiRegion = key.MultiRegionConfiguration;
    if (multiRegion?.MultiRegionKeyType === "REPLICA") {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} is a multi-Region replica: rotate its primary ` +
                `${multiRegion.PrimaryKey?.Arn ?? ""} instead ` +
                "(the rotation applies to every replica)",
        );
    }
    return rotateToMaterial(session, { keyArn: key.Arn, keyMaterialId: request.keyMaterialId });
}

export async function rotateToMaterial(session: KmsSession, request: RotateRequest): Promise<RotateOutcome> {
    let requested = false;
    let waitingForReplicasSince: number | undefined;
    return waitFor<RotateOutcome>(
        async () => {
            const state = await materialState(session, request);
            switch (state) {
                case "CURRENT":
                    return requested ? "ROTATED" : "ALREADY_CURRENT";
                case "NON_CURRENT":
                    return "ALREADY_ROTATED_PAST";
                case "PENDING_MULTI_REGION_IMPORT_AND_ROTATION":
                    // KMS rotates a multi-Region key only once every replica holds the new material. Allow
                    // for propagation, not for replicas that will never import it.
                    waitingForReplicasSince ??= Date.now();
                    if (Date.now() - waitingForReplicasSince > session.settings.propagationTimeoutMs) {
                        throw new KeyMaterialError(
                            `key material ${request.keyMaterialId} of ${request.keyArn} is still ` +
                                `PENDING_MULTI_REGION_IMPORT_AND_ROTATION: ` +
                                "import the same material into every replica key first (an " +
                                "ImportedKeyMaterial per replica), and make " +
                                "the rotation (KeyMaterialRotation) depend on those resources",
                        );
                    }
                    return undefined;
                case "PENDING_ROTATION":
                    if (!requested) requested = await requestRotation(session, request);
                    return undefined;
                default:
                    throw new KeyMaterialError(
                        `cannot rotate KMS key ${request.keyArn} to key material ${request.keyMaterialId}: ` +
                            `the material is ${state ?? "not associated with the key"}; import it first`,
                    );
            }
        },
        {
            timeoutMs: session.settings.rotationTimeoutMs,
            log: session.log,
            what: `key material ${request.keyMaterialId} of ${request.keyArn} to become CURRENT`,
            delayMs: 200,
            reportEveryMs: 10_000,
        },
    );
}

async function materialState(session: KmsSession, request: RotateRequest): Promise<string | undefined> {
    const materials = await findKeyMaterials(session.client, request.keyArn);
    const entry = materials.find((m) => m.KeyMaterialId === request.keyMaterialId);
    if (entry?.ImportState === "PENDING_IMPORT") return "PENDING_IMPORT";
    return entry?.KeyMaterialState;
}

/** true once a rotation is running (requested now, or found in progress); false to look again later. */
async function requestRotation(session: KmsSession, request: RotateRequest): Promise<boolean> {
    if (await rotationInProgress(session, request.keyArn)) return true;
    try {
        await session.client.send(new RotateKeyOnDemandCommand({ KeyId: request.keyArn }));
        session.log(
            `${shortLabel({ keyArn: request.keyArn, keyMaterialId: request.keyMaterialId })}: ` +
                `RotateKeyOnDemand sent, the key rotates to it`,
        );
        return true;
    } catch (error) {
        // ConflictException: another rotation is running or imminent. KMSInvalidStateException "No available key
        // material pending rotation": the state changed under us. Both settle; look again.
        if (isKmsError(error, "ConflictException", "KMSInvalidStateException")) return false;
        if (isKmsError(error, "LimitExceededException")) {
            throw new KeyMaterialError(
                `KMS key ${request.keyArn} has used all 25 on-demand rotations AWS allows per key (not adjustable): ` +
                    "create a new key for further materials",
                { cause: error },
            );
        }
        throw new KeyMaterialError(`RotateKeyOnDemand on ${request.keyArn} failed: ${describeKmsError(error)}`, {
            cause: error,
        });
    }
}

async function rotationInProgress(session: KmsSession, keyArn: string): Promise<boolean> {
    try {
        const status = await session.client.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
        return status.OnDemandRotationStartDate !== undefined;
    } catch (error) {
        // Older KMS behaviour refuses GetKeyRotationStatus for imported keys; then we cannot tell, and ask.
        if (isKmsError(error, "UnsupportedOperationException")) return false;
        throw error;
    }
}

export interface RotationState {
    keyArn: string;
    /** What KMS reports as CURRENT. */
    currentKeyMaterialId: string | null;
    /** The state of the material asked about: CURRENT, NON_CURRENT, PENDING_*; null if not listed. */
    keyMaterialState: string | null;
    rotationDate: string | null;
}

/** What a key's rotation looks like for one material (DescribeKey + ListKeyRotations); undefined if the key is gone. */
export async function readRotationState(
    session: KmsSession,
    request: { keyId: string; keyMaterialId: string },
): Promise<RotationState | undefined> {
    await assertKeyReachable(session, request.keyId);
    try {
        const key = await findKeyByID(session.client, request.keyId);
        const entry = (await findKeyMaterials(session.client, key.Arn)).find(
            (m) => m.KeyMaterialId === request.keyMaterialId,
        );
        return {
            keyArn: key.Arn,
            currentKeyMaterialId: key.CurrentKeyMaterialId ?? null,
            keyMaterialState: entry?.KeyMaterialState ?? null,
            rotationDate: isoOrNull(entry?.RotationDate),
        };
    } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
    }
}
