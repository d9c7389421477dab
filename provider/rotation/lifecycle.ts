import { ProviderContext, openSessionFor, recordedTarget } from "../client/context";
import { KmsSession } from "../client/session";
import { bareKeyId, regionOfArn } from "../client/settings";
import { KeyMaterialError } from "../kms/errors";
import { readRotationState, rotateKeyToMaterial } from "../kms/rotateMaterial";
import { isKeyMaterialId, shortLabel, type KeyMaterialState } from "../kms/status";
import type { CheckOutcome, DiffOutcome } from "../checks/answers";
import { isUnknown, plainInputs } from "../checks/engineValues";
import {
    checkEndpoint,
    checkKeyId,
    checkPropertyNames,
    checkRegion,
    checkSizes,
    checkTypes,
    failureCollector,
    known,
} from "../checks/rules";
import { PlainInputs, StoredOutputs, changedEchoes, echoedInputs, namesOf, typeRules } from "../checks/schema";
import { ROTATION_INPUTS, ROTATION_OUTPUTS } from "./schema";

/**
 * KeyMaterialRotation: "this imported material is the key's CURRENT one". Create and update call
 * RotateKeyOnDemand and wait for completion; refresh reports what KMS has as CURRENT; delete does nothing
 * (a rotation cannot be undone). It exists apart from ImportedKeyMaterial's `rotateOnDemand` for multi-Region
 * keys, which rotate only after every replica imported the material: the rotation must come after those
 * resources, which themselves come after the primary's import.
 */

/** The inputs as the provider receives them (the schema: rotation/schema.ts). */
export interface RotationInputs extends PlainInputs<typeof ROTATION_INPUTS> {}

/** The outputs as the state stores them (rotation/schema.ts). */
export interface RotationOutputs extends StoredOutputs<typeof ROTATION_OUTPUTS> {}

export const ROTATION_INPUT_NAMES = namesOf(ROTATION_INPUTS);
const ROTATION_INPUT_TYPES = typeRules(ROTATION_INPUTS);

export function checkRotation(news: Record<string, unknown>): CheckOutcome {
    const inputs = plainInputs(news);
    const { fail, failures } = failureCollector(inputs);
    if (checkSizes(inputs, fail)) return { inputs: news, failures: failures() };
    checkPropertyNames("KeyMaterialRotation", ROTATION_INPUT_NAMES, inputs, fail);
    checkTypes(ROTATION_INPUT_NAMES, ROTATION_INPUT_TYPES, inputs, fail);
    checkKeyId(inputs["keyId"], fail);
    const id = inputs["keyMaterialId"];
    if (!known(id) && !isUnknown(id))
        fail(
            "keyMaterialId",
            "keyMaterialId is required: the keyMaterialId output of an ImportedKeyMaterial of this key (a " +
                "symmetric key's material)",
        );
    else if (typeof id === "string" && !isUnknown(id) && !isKeyMaterialId(id))
        fail("keyMaterialId", "keyMaterialId must be 64 lowercase hex characters (a KMS KeyMaterialId)");
    checkRegion(inputs, fail);
    checkEndpoint(inputs["endpoint"], fail);
    return { inputs: news, failures: failures() };
}

/** Where and as whom the calls go: a change is recorded for the next call, nothing to rotate. */
const RECORDED_ECHOES = ["endpoint", "profile", "trustedEndpoints", "assumeRole"] as const;

export function diffRotation(
    context: ProviderContext,
    olds: RotationOutputs,
    news: RotationInputs,
    providerChanged: boolean,
): DiffOutcome {
    const replaces: string[] = [];
    if (isUnknown(news.keyId) || bareKeyId(news.keyId) !== bareKeyId(olds.keyArn)) replaces.push("keyId");
    if (news.region !== undefined && news.region !== olds.region) replaces.push("region");
    const retarget = isUnknown(news.keyMaterialId) || news.keyMaterialId !== olds.keyMaterialId;
    const unfinished = (olds.keyMaterialState ?? "").startsWith("PENDING_");
    if (!retarget && olds.keyMaterialState === "NON_CURRENT") {
        context.log(
            `${shortLabel(olds)}: the key has rotated past it (now ` +
                `${shortId(olds.currentKeyMaterialId)}); nothing to do`,
        );
    }
    const recordOnly = providerChanged || changedEchoes(ROTATION_OUTPUTS, RECORDED_ECHOES, olds, news).length > 0;
    if (retarget || unfinished)
        context.log(`${shortLabel({ keyArn: olds.keyArn })}: rotating to material ${shortId(news.keyMaterialId)}`);
    return {
        changes: replaces.length > 0 || retarget || unfinished || recordOnly,
        replaces,
        deleteBeforeReplace: false,
    };
}

export async function applyRotation(
    context: ProviderContext,
    inputs: RotationInputs,
): Promise<{ id: string; outs: RotationOutputs }> {
    const kms = openSessionFor(context, inputs);
    await rotateKeyToMaterial(kms, inputs);
    const outs = await outputsOf(kms, inputs);
    if (!outs) throw new KeyMaterialError(`KMS key ${inputs.keyId} disappeared during the rotation`);
    return { id: `${outs.keyArn}#rotation`, outs };
}

export async function readRotation(
    context: ProviderContext,
    id: string,
    olds: RotationOutputs,
): Promise<{ id: string; props?: RotationOutputs }> {
    const target = recordedTarget(context, olds);
    const inputs = {
        ...olds,
        keyId: olds.keyArn,
        endpoint: olds.endpoint ?? undefined,
        profile: olds.profile ?? undefined,
        trustedEndpoints: target.trustedEndpoints ?? undefined,
        assumeRole: olds.assumeRole ?? undefined,
    };
    const outs = await outputsOf(openSessionFor(context, target), inputs);
    return outs ? { id, props: outs } : { id: "" };
}

export function deleteRotation(context: ProviderContext, olds: RotationOutputs): void {
    context.log(
        `${shortLabel({ keyArn: olds.keyArn })}: a rotation cannot be undone; material ` +
            `${shortId(olds.currentKeyMaterialId)} stays CURRENT`,
    );
}

/** A material id in a log line: its first 12 hex digits (the full id is in the outputs). */
const shortId = (keyMaterialId: string | null | undefined): string =>
    typeof keyMaterialId === "string" && keyMaterialId.length > 12
        ? `${keyMaterialId.slice(0, 12)}…`
        : String(keyMaterialId);

async function outputsOf(kms: KmsSession, inputs: RotationInputs): Promise<RotationOutputs | undefined> {
    const state = await readRotationState(kms, inputs);
    if (!state) return undefined;
    return {
        ...echoedInputs(ROTATION_OUTPUTS, inputs),
        region: regionOfArn(state.keyArn) ?? "",
        ...state,
        keyMaterialState: state.keyMaterialState as KeyMaterialState | null,
    };
}
