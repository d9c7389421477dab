import { DeleteImportedKeyMaterialCommand } from "@aws-sdk/client-kms";
import { KmsSession } from "../client/session";
import { KeySpec, isKeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import { KeyMaterialError, NotFoundError, describeKmsError, isKmsError, isPendingDeletionError } from "./errors";
import { findKeyByID } from "./finders";
import { assertKeyReachable } from "./keyLocation";
import { readKeyMaterial } from "./readMaterial";
import { effectOfDeleting, materialLabel } from "./status";

/**
 * The delete workflow (`pulumi destroy`): one DeleteImportedKeyMaterial for exactly the material this
 * resource owns, by its KeyMaterialId — never "whatever is current", which after a rotation is someone
 * else's. KMS's answer tells the rest: a key or material already gone, or a key pending deletion, is a
 * success; only an ambiguous refusal costs a read to decide.
 */

export interface DeleteRequest {
    keyArn: string;
    /** As stored in the state; read from KMS first when missing or unknown, or when keyMaterialId is null. */
    keySpec: KeySpec | string | null | undefined;
    /** Required for symmetric keys. null only for asymmetric/HMAC keys, which hold one material for life. */
    keyMaterialId: string | null;
    /** The material's state at the last refresh, for the line logged before the call (not re-read). */
    lastKnown: { keyState: string; keyMaterialState: string | null; importState: string | null };
}

export type DeleteOutcome =
    | "DELETED"
    /** KMS no longer has the key, or no longer lists the material. */
    | "GONE"
    | "ALREADY_DELETED"
    /** KMS refused because the key is pending deletion; the material goes with the key. */
    | "KEY_PENDING_DELETION";

export async function deleteKeyMaterial(session: KmsSession, input: DeleteRequest): Promise<DeleteOutcome> {
    await assertKeyReachable(session, input.keyArn);
    // Without a material id the call deletes whatever the key holds: whether that is allowed depends on the key's
    // spec, taken from KMS then, never from the state alone (an edited keySpec would let it delete a symmetric
    // key's CURRENT material, another resource's).
    const keySpec = isKeySpec(input.keySpec) && input.keyMaterialId ? input.keySpec : await keySpecInKms(session, input.keyArn);
    if (keySpec === undefined) return "GONE";
    if (isKeySpec(input.keySpec) && keySpec !== input.keySpec) {
        throw new KeyMaterialError(
            `refusing to delete key material of ${input.keyArn}: the state says its key spec is ${input.keySpec}, but KMS says ` +
                `${keySpec}, so the state was edited or damaged. Nothing was deleted; restore the state from a backup (\`pulumi stack import\`), ` +
                "or remove the resource from the state with `pulumi state delete` and delete the material you mean by its id",
        );
    }
    const request = { ...input, keySpec };
    if ((!isKeySpec(keySpec) || supportsMultipleMaterials(keySpec)) && !request.keyMaterialId) {
        // The invariant that protects the key's other materials: never delete "the current one". It fails
        // closed: a key spec this provider does not know is treated as one that may hold several materials.
        throw new KeyMaterialError(
            `refusing to delete key material of ${request.keyArn} without its KeyMaterialId: the key is ${keySpec}, which can hold ` +
                "several materials, and a delete without an id would remove whichever is current. Nothing was deleted; remove the " +
                "resource from the state with `pulumi state delete` and delete the material you mean by its id",
        );
    }
    if (request.lastKnown.importState === "IMPORTED") session.log(consequence(request));
    try {
        await session.client.send(
            new DeleteImportedKeyMaterialCommand({
                KeyId: request.keyArn,
                ...(request.keyMaterialId ? { KeyMaterialId: request.keyMaterialId } : {}),
            }),
        );
        return "DELETED";
    } catch (error) {
        if (isKmsError(error, "NotFoundException")) return "GONE";
        // Some KMS behaviours refuse deletes on a key pending deletion; the key takes its material with it.
        if (isPendingDeletionError(error)) return "KEY_PENDING_DELETION";
        if (isKmsError(error, "KMSInvalidStateException") && (await nothingLeft(session, request))) return "ALREADY_DELETED";
        throw new KeyMaterialError(
            `deleting ${label(request)} failed: ${describeKmsError(error)}. Nothing was deleted; fix the cause and run ` +
                "`pulumi destroy` again, or remove the resource from the state with `pulumi state delete` to leave the material in place",
            { cause: error },
        );
    }
}

/**
 * Takes back a material this very operation created and must not keep (it lost the race for the key's first
 * material): by its KeyMaterialId, always. A material already gone counts as taken back.
 */
export async function withdrawMaterial(session: KmsSession, material: { keyArn: string; keyMaterialId: string }): Promise<void> {
    try {
        await session.client.send(new DeleteImportedKeyMaterialCommand({ KeyId: material.keyArn, KeyMaterialId: material.keyMaterialId }));
        session.log(`deleted ${materialLabel(material)} again: another material owns the key`);
    } catch (error) {
        if (isKmsError(error, "NotFoundException")) return;
        throw new KeyMaterialError(`deleting ${materialLabel(material)} failed: ${describeKmsError(error)}`, { cause: error });
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

/** After an unclear refusal (e.g. "is pending import"): is the material already gone? */
async function nothingLeft(session: KmsSession, request: DeleteRequest & { keySpec: string }): Promise<boolean> {
    if (!isKeySpec(request.keySpec)) return false;
    const status = await readKeyMaterial(session, { keyId: request.keyArn, keySpec: request.keySpec, keyMaterialId: request.keyMaterialId, lastKnownValidTo: null });
    return !status || status.importState !== "IMPORTED";
}

function label(request: DeleteRequest): string {
    return materialLabel({ keyArn: request.keyArn, keyMaterialId: request.keyMaterialId });
}

/**
 * Said before the call, so the log shows what a destroy does to the key. A destroy does not read KMS first
 * (one call, and KMS's answer decides the outcome, logged after it), so this states only what the last
 * refresh knew and what would follow from it, never that it is so now.
 */
export function consequence(request: DeleteRequest): string {
    const { keyState, keyMaterialState } = request.lastKnown;
    return (
        `deleting ${label(request)} (${keyMaterialState ?? "its only material"}, key ${keyState} at the last refresh; ` +
        `not read again before this call): ${effectOfDeleting(request.lastKnown)}`
    );
}
