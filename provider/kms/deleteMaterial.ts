import { DeleteImportedKeyMaterialCommand } from "@aws-sdk/client-kms";
import { KmsSession } from "../client/session";
import { isKeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import {
    KeyMaterialError,
    NotFoundError,
    describeKmsError,
    isKmsError,
    isPendingDeletionError,
    isPendingImportError,
    kmsMessage,
} from "./errors";
import { findKeyByID } from "./finders";
import { assertKeyReachable } from "./keyLocation";
import { readKeyMaterial } from "./readMaterial";
import { isPendingDeletion, isPermanentlyAssociated, materialLabel, shortLabel } from "./status";

/**
 * The delete workflow (`pulumi destroy`): one DeleteImportedKeyMaterial for exactly the material this
 * resource owns, by its KeyMaterialId — never "whatever is current", which after a rotation is someone
 * else's. KMS's answer tells the rest: a key or material already gone, or a key pending deletion, is a
 * success; only an ambiguous refusal costs a read to decide.
 */

export interface DeleteRequest {
    keyArn: string;
    /** As stored in the state; read from KMS first when missing or unknown, or when keyMaterialId is null. */
    keySpec: string | null | undefined;
    /** Required for symmetric keys. null only for asymmetric/HMAC keys, which hold one material for life. */
    keyMaterialId: string | null;
    /** The material's state at the last refresh: the report after the call says whether the key's state changed. */
    lastKnown: { keyState: string; keyMaterialState: string | null; importState: string | null };
}

export type DeleteOutcome =
    | "DELETED"
    /** KMS no longer has the key, or no longer lists the material. */
    | "GONE"
    | "ALREADY_DELETED"
    /** KMS refused because the key is pending deletion; the material goes with the key. */
    | "KEY_PENDING_DELETION";

/** What KMS answered, and the key's state after it: read once after the call (null: the key is gone). */
export interface DeleteReport {
    outcome: DeleteOutcome;
    /** As read after the call; null when KMS no longer has the key; undefined when it could not be read. */
    keyState: string | null | undefined;
}

export async function deleteKeyMaterial(session: KmsSession, input: DeleteRequest): Promise<DeleteReport> {
    await assertKeyReachable(session, input.keyArn);
    // Without a material id the call deletes whatever the key holds: whether that is allowed depends on the key's
    // spec, taken from KMS then, never from the state alone (an edited keySpec would let it delete a symmetric
    // key's CURRENT material, another resource's).
    const keySpec =
        isKeySpec(input.keySpec) && input.keyMaterialId ? input.keySpec : await keySpecInKms(session, input.keyArn);
    if (keySpec === undefined) return { outcome: "GONE", keyState: null };
    if (isKeySpec(input.keySpec) && keySpec !== input.keySpec) {
        throw new KeyMaterialError(
            `refusing to delete key material of ${input.keyArn}: the state says its key spec is ` +
                `${input.keySpec}, but KMS says ` +
                `${keySpec}, so the state was edited or damaged. Nothing was deleted; restore the state ` +
                `from a backup (\`pulumi stack import\`), ` +
                "or remove the resource from the state with `pulumi state delete` and delete the " +
                "material you mean by its id",
        );
    }
    const request = { ...input, keySpec };
    if ((!isKeySpec(keySpec) || supportsMultipleMaterials(keySpec)) && !request.keyMaterialId) {
        // The invariant that protects the key's other materials: never delete "the current one". It fails
        // closed: a key spec this provider does not know is treated as one that may hold several materials.
        throw new KeyMaterialError(
            `refusing to delete key material of ${request.keyArn} without its KeyMaterialId: the key is ` +
                `${keySpec}, which can hold ` +
                "several materials, and a delete without an id would remove whichever is current. Nothing " +
                "was deleted; remove the " +
                "resource from the state with `pulumi state delete` and delete the material you mean by its id",
        );
    }
    // Nothing is said before the call: the states known then are the last refresh's, and KMS may have moved on
    // (a key scheduled for deletion since stays PendingDeletion). The line after it says what happened.
    try {
        await session.client.send(
            new DeleteImportedKeyMaterialCommand({
                KeyId: request.keyArn,
                ...(request.keyMaterialId ? { KeyMaterialId: request.keyMaterialId } : {}),
            }),
        );
        return { outcome: "DELETED", keyState: await keyStateNow(session, request.keyArn) };
    } catch (error) {
        if (isKmsError(error, "NotFoundException"))
            return { outcome: "GONE", keyState: await keyStateNow(session, request.keyArn) };
        // Some KMS behaviours refuse deletes on a key pending deletion; the key takes its material with it.
        if (isPendingDeletionError(error))
            return { outcome: "KEY_PENDING_DELETION", keyState: pendingDeletionState(error) };
        const left = isKmsError(error, "KMSInvalidStateException") ? await whatIsLeft(session, request) : undefined;
        // "is pending import" names the key's state itself; a read just after a change may not show it yet.
        if (left && left.nothing)
            return {
                outcome: "ALREADY_DELETED",
                keyState: isPendingImportError(error) ? "PendingImport" : left.keyState,
            };
        throw new KeyMaterialError(
            `deleting ${label(request)} failed: ${describeKmsError(error)}. Nothing was deleted; ` +
                `fix the cause and run ` +
                "`pulumi destroy` again, or remove the resource from the state with `pulumi state delete` " +
                "to leave the material in place",
            { cause: error },
        );
    }
}

/**
 * Takes back a material this very operation created and must not keep (it lost the race for the key's first
 * material): by its KeyMaterialId, always. A material already gone counts as taken back.
 */
export async function withdrawMaterial(
    session: KmsSession,
    material: { keyArn: string; keyMaterialId: string },
): Promise<void> {
    try {
        await session.client.send(
            new DeleteImportedKeyMaterialCommand({ KeyId: material.keyArn, KeyMaterialId: material.keyMaterialId }),
        );
        session.log(`${shortLabel(material)}: deleted again: another material owns the key`);
    } catch (error) {
        if (isKmsError(error, "NotFoundException")) return;
        throw new KeyMaterialError(`deleting ${materialLabel(material)} failed: ${describeKmsError(error)}`, {
            cause: error,
        });
    }
}

/** The key's spec as KMS reports it (undefined: the key is gone). Fails closed: read errors fail the delete. */
async function keySpecInKms(session: KmsSession, keyArn: string): Promise<string | undefined> {
    try {
        return (await findKeyByID(session.client, keyArn)).KeySpec ?? "SYMMETRIC_DEFAULT";
    } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
    }
}

/** After an unclear refusal (e.g. "is pending import"): is the material already gone, and what is the key's state? */
async function whatIsLeft(
    session: KmsSession,
    request: DeleteRequest & { keySpec: string },
): Promise<{ nothing: boolean; keyState: string | null }> {
    if (!isKeySpec(request.keySpec)) return { nothing: false, keyState: null };
    const status = await readKeyMaterial(session, {
        keyId: request.keyArn,
        keySpec: request.keySpec,
        keyMaterialId: request.keyMaterialId,
        lastKnownValidTo: null,
    });
    return { nothing: !status || status.importState !== "IMPORTED", keyState: status?.keyState ?? null };
}

/**
 * The key's state after the call, so the destroy's line says what is so rather than what the last refresh
 * predicted. One DescribeKey; the delete has already succeeded, so a failed read only leaves the state unsaid.
 */
async function keyStateNow(session: KmsSession, keyArn: string): Promise<string | null | undefined> {
    try {
        return (await findKeyByID(session.client, keyArn)).KeyState ?? undefined;
    } catch (error) {
        if (error instanceof NotFoundError) return null;
        return undefined;
    }
}

/** KMS's refusal names the state: "is pending deletion" or "is pending replica deletion". */
const pendingDeletionState = (error: unknown): string =>
    /is pending replica deletion/.test(kmsMessage(error)) ? "PendingReplicaDeletion" : "PendingDeletion";

function label(request: DeleteRequest): string {
    return materialLabel({ keyArn: request.keyArn, keyMaterialId: request.keyMaterialId });
}

/**
 * The destroy's one line, after KMS answered: what happened to the material, and the key's state then. The read
 * after the call may lag the delete by a moment (KMS is eventually consistent), so where KMS's rules decide the
 * state they are applied: a permanently associated material (CURRENT or NON_CURRENT once, so for good) leaves
 * its key PendingImport unless the key is pending deletion, which the read shows.
 */
export function deletionReport(report: DeleteReport, lastKnown: DeleteRequest["lastKnown"]): string {
    const { outcome, keyState } = report;
    if (outcome === "KEY_PENDING_DELETION")
        return `key was ${keyState}: KMS refused the delete; the material goes with the key; nothing else to do`;
    if (outcome === "GONE" && keyState === null) return "nothing to delete: the key no longer exists";
    const what = {
        DELETED: "deleted",
        GONE: "nothing to delete: KMS no longer lists this material",
        ALREADY_DELETED: "nothing to delete: already deleted or expired",
    }[outcome];
    const permanent =
        outcome === "DELETED" &&
        lastKnown.importState === "IMPORTED" &&
        (lastKnown.keyMaterialState === null || isPermanentlyAssociated(lastKnown.keyMaterialState));
    return `${what}; ${keyAfter(keyState, lastKnown.keyState, permanent)}`;
}

function keyAfter(keyState: string | null | undefined, before: string, permanent: boolean): string {
    if (keyState === null) return "the key no longer exists";
    if (isPendingDeletion(keyState)) return `key was ${keyState} and stays so; nothing else to do`;
    const now = permanent ? "PendingImport" : keyState;
    if (now === undefined) return "the key's state could not be read afterwards";
    // "now" when the last refresh saw another state: the state before stays in the outputs of that refresh.
    const state = now === before ? `key is ${now}` : `key is now ${now}`;
    return now === "PendingImport" ? `${state}: unusable until reimported` : state;
}
