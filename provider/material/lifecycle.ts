import { KmsSession } from "../client/session";
import { ProviderContext, openSessionFor, recordedTarget } from "../client/context";
import { resolveClientSettings } from "../client/settings";
import type { DiffOutcome } from "../checks/answers";
import { deleteKeyMaterial, deletionReport } from "../kms/deleteMaterial";
import { KeyMaterialError } from "../kms/errors";
import { ImportResult, importKeyMaterial } from "../kms/importMaterial";
import { findWaitingForPropagation } from "../kms/keyLocation";
import { readKeyMaterial } from "../kms/readMaterial";
import { openHsmMaterial } from "../hsm";
import { aesCmacCheckValue } from "../wrapping/checkValue";
import { Wrapping, defaultWrapping } from "../wrapping/algorithms";
import { KeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import { decodeKeyMaterial } from "../wrapping/encodings";
import { inferKeySpec, inspectMaterial, withPlaintext } from "../wrapping/material";
import { localWrapper } from "../wrapping/wrapper";
import { finish } from "./finishImport";
import { isUnknown } from "../checks/engineValues";
import { MAX_INPUT_CHARS } from "../checks/redaction";
import { refreshOutputs } from "./outputs";
import {
    describePlan,
    describeRelocation,
    endpointName,
    hasChanges,
    planChanges,
    planExpiryWarning,
    planRelocation,
} from "./plan";
import { assertStateAgrees, relocationNotice } from "./stateChecks";
import { DEFAULT_EXPIRY_WARNING_DAYS, clockOffsetToRecord, expiryWarning, planningNow } from "./renewal";
import {
    MaterialInputs,
    MaterialOutputs,
    desiredExpiration,
    desiredWrapping,
    materialLabel,
    shortLabel,
    resourceId,
} from "./properties";

/**
 * The engine's operations on one ImportedKeyMaterial: create, read, update, delete (and diff, which only
 * plans). Each opens a KMS session for the resource's Region/endpoint and runs KMS workflows; none of
 * them talks to KMS directly.
 */

export async function createMaterial(
    context: ProviderContext,
    inputs: MaterialInputs,
): Promise<{ id: string; outs: MaterialOutputs }> {
    const kms = openSessionFor(context, inputs);
    const { result, keySpec, wrapping, keyCheckValue, hsmWrappingMechanisms } = await importFromInputs(
        context,
        kms,
        inputs,
        { keyMaterialId: null },
    );
    const material = { arn: result.key.Arn, keySpec, keyMaterialId: result.keyMaterialId };
    const id = resourceId(material.arn, material.keyMaterialId);
    const applied = {
        inputs,
        wrapping,
        publicKey: result.publicKey,
        kmsEndpoint: kms.target.kmsEndpoint ?? null,
        keyCheckValue,
        hsmWrappingMechanisms,
    };
    const rotate = inputs.rotateOnDemand === true && supportsMultipleMaterials(keySpec);
    // Without importType the resource asks for the key's first material; a material of its own, never a second one.
    const claimsKey = inputs.importType === undefined && result.newMaterial && supportsMultipleMaterials(keySpec);
    return { id, outs: await finish(kms, id, material, applied, { rotate, imported: true, claimsKey }) };
}

export async function readMaterial(
    context: ProviderContext,
    id: string,
    olds: MaterialOutputs,
): Promise<{ id: string; props?: MaterialOutputs }> {
    const kms = openSessionFor(context, recordedTarget(context, olds));
    const status = await readKeyMaterial(kms, {
        keyId: olds.keyArn,
        keySpec: olds.keySpec,
        keyMaterialId: olds.keyMaterialId,
        lastKnownValidTo: olds.validTo,
    });
    if (!status) {
        context.log(`${shortLabel(olds)}: the key no longer exists; the resource is removed from the stack`);
        return { id: "" };
    }
    if (status.condition !== olds.materialCondition) {
        context.log(`${shortLabel(olds)}: material is now ${status.condition} (was ${olds.materialCondition})`);
    }
    const props = refreshOutputs(olds, status, clockOffsetToRecord(olds.kmsClockOffsetSeconds, kms.clockOffsetMs()));
    // Refresh has KMS's own clock at hand (the Date header just read).
    const warning = expiryWarning(shortLabel(props), props, kms.now(), warningDays(context));
    if (warning) context.log(warning);
    return { id, props };
}

/**
 * Plans, makes no KMS call. Its `now` is this machine's clock corrected by KMS's offset as recorded at the last
 * create, update or refresh (planningNow): KMS judges expiry by its clock, and update re-plans with the same.
 */
export function diffMaterial(
    context: ProviderContext,
    olds: MaterialOutputs,
    news: MaterialInputs,
    providerChanged: boolean,
): DiffOutcome {
    const now = planningNow(olds, Date.now());
    const plan = planChanges(olds, news, now, providerChanged);
    for (const line of describePlan(olds, plan)) context.log(line);
    const relocation = isUnknown(news.endpoint) ? undefined : planRelocation(olds, endpointNow(context, olds, news));
    if (relocation && plan.replace.length === 0) context.log(describeRelocation(olds, relocation));
    const warning = planExpiryWarning(olds, news, plan, now, warningDays(context));
    if (warning) context.log(warning);
    return {
        changes: hasChanges(plan) || relocation !== undefined,
        replaces: plan.replace,
        deleteBeforeReplace: false,
    };
}

/** Where this resource's calls would go now (input, stack config, environment), null for AWS's own endpoint. */
function endpointNow(context: ProviderContext, olds: MaterialOutputs, news: MaterialInputs): string | null {
    const settings = resolveClientSettings(
        { keyId: olds.keyArn, endpoint: news.endpoint },
        context.settings,
        context.env,
    );
    return settings.kmsEndpoint ?? null;
}

export async function updateMaterial(
    context: ProviderContext,
    id: string,
    olds: MaterialOutputs,
    news: MaterialInputs,
): Promise<MaterialOutputs> {
    assertStateAgrees(olds, id, "update");
    const plan = planChanges(olds, news, planningNow(olds, Date.now()));
    if (plan.replace.length > 0)
        throw new KeyMaterialError(`cannot update ${materialLabel(olds)} in place: ${plan.replace.join(", ")} changed`);
    if (plan.unrepairable.length > 0)
        throw new KeyMaterialError(`cannot repair ${materialLabel(olds)}: ${plan.unrepairable.join("; ")}`);
    const kms = openSessionFor(context, { ...news, keyId: olds.keyArn });
    const relocation = planRelocation(olds, kms.target.kmsEndpoint ?? null);
    if (relocation) await confirmKeyServed(kms, olds, relocation.from);
    const material = { arn: olds.keyArn, keySpec: olds.keySpec, keyMaterialId: olds.keyMaterialId };
    let publicKey = olds.publicKey;
    let keyCheckValue = olds.keyCheckValue ?? null;
    let hsmWrappingMechanisms = olds.hsmWrappingMechanisms ?? null;
    // Without a reimport, HSM material keeps the algorithm its token chose, unless the program sets one.
    let wrapping = news.hsmKey
        ? {
              algorithm: news.wrappingAlgorithm ?? olds.wrappingAlgorithm,
              wrappingKeySpec: news.wrappingKeySpec ?? olds.wrappingKeySpec,
          }
        : desiredWrapping(news, olds.keySpec);
    if (plan.reimport.length > 0) {
        // A renewal's validTo is computed inside the import, from KMS's clock at that moment.
        const reimport = await importFromInputs(
            context,
            kms,
            { ...news, keyId: olds.keyArn },
            { keyMaterialId: olds.keyMaterialId, keySpec: olds.keySpec },
        );
        const { result } = reimport;
        wrapping = reimport.wrapping;
        keyCheckValue = reimport.keyCheckValue;
        hsmWrappingMechanisms = reimport.hsmWrappingMechanisms;
        if (olds.keyMaterialId && result.keyMaterialId !== olds.keyMaterialId) {
            throw new KeyMaterialError(
                `reimport into ${olds.keyArn} produced key material ${result.keyMaterialId}, not this ` +
                    `resource's ${olds.keyMaterialId}`,
            );
        }
        publicKey = result.publicKey ?? publicKey;
    }
    const applied = {
        inputs: news,
        wrapping,
        publicKey,
        kmsEndpoint: kms.target.kmsEndpoint ?? null,
        recordedClockOffsetSeconds: olds.kmsClockOffsetSeconds,
        keyCheckValue,
        hsmWrappingMechanisms,
    };
    return finish(kms, id, material, applied, { rotate: plan.rotate, imported: plan.reimport.length > 0 });
}

/**
 * Before the stack's new KMS endpoint is recorded: it must serve the key the material was imported into, or
 * the next refresh would find "no key" there and drop the resource, and a destroy would delete nothing while
 * the material stays where it was imported.
 */
async function confirmKeyServed(kms: KmsSession, olds: MaterialOutputs, importedThrough: string | null): Promise<void> {
    const status = await readKeyMaterial(kms, {
        keyId: olds.keyArn,
        keySpec: olds.keySpec,
        keyMaterialId: olds.keyMaterialId,
        lastKnownValidTo: olds.validTo,
    });
    if (status) return;
    throw new KeyMaterialError(
        `KMS at ${endpointName(kms.target.kmsEndpoint ?? null)} does not know ${olds.keyArn}, whose ` +
            `material was imported through ` +
            `${endpointName(importedThrough)}: the KMS endpoint of this stack changed (resource input, ` +
            `stack config or environment). ` +
            "Nothing was changed. Put the endpoint back; refresh and destroy keep using the one recorded at the import",
    );
}

const warningDays = (context: ProviderContext): number =>
    context.settings.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS;

/** `id`: the resource ID in the state (the engine passes it; direct callers may not). */
export async function deleteMaterial(context: ProviderContext, olds: MaterialOutputs, id?: string): Promise<void> {
    assertStateAgrees(olds, id, "delete");
    const target = recordedTarget(context, olds);
    const kms = openSessionFor(context, target);
    if (olds.kmsEndpoint !== undefined) {
        const notice = relocationNotice(olds, olds.kmsEndpoint, endpointNow(context, olds, {} as MaterialInputs));
        if (notice) context.log(notice);
    }
    const report = await deleteKeyMaterial(kms, {
        keyArn: olds.keyArn,
        keySpec: olds.keySpec,
        keyMaterialId: olds.keyMaterialId,
        lastKnown: olds,
    });
    context.log(`${shortLabel(olds)}: ${deletionReport(report, olds)}`);
}

interface ImportOutcome {
    result: ImportResult;
    keySpec: KeySpec;
    wrapping: Wrapping;
    keyCheckValue: string | null;
    hsmWrappingMechanisms: string | null;
}

/** What this resource already knows of its material when it imports it again (reimports). */
interface KnownMaterial {
    keyMaterialId: string | null;
    keySpec?: KeySpec;
}

async function importFromInputs(
    context: ProviderContext,
    kms: KmsSession,
    inputs: MaterialInputs,
    known: KnownMaterial,
): Promise<ImportOutcome> {
    if (inputs.hsmKey) return importFromHsm(context, kms, inputs, known, inputs.hsmKey);
    // Never decoded when too long to be a material (check refuses it; dispatch too, this is for direct callers).
    if ((inputs.keyMaterial ?? "").length > MAX_INPUT_CHARS)
        throw new KeyMaterialError(
            `keyMaterial is longer than ${MAX_INPUT_CHARS} characters (check should have refused it)`,
        );
    // The same decoding as check: PEM, PKCS#1 and SEC1 become the canonical PKCS#8 KMS imports.
    const material = decodeKeyMaterial(inputs.keyMaterial ?? "").bytes;
    if (!material) throw new KeyMaterialError("keyMaterial cannot be decoded (check should have refused it)");
    const keySpec = inputs.keySpec ?? inferKeySpec(inspectMaterial(material)).keySpec;
    if (!keySpec) {
        material.fill(0);
        throw new KeyMaterialError("keyMaterial fits no key spec (check should have refused it)");
    }
    let keyCheckValue: string | null = null;
    const result = await withPlaintext(material, (plaintext) => {
        // Computed here, where the plaintext already is, and only from it.
        if (keySpec === "SYMMETRIC_DEFAULT") keyCheckValue = aesCmacCheckValue(plaintext);
        return importKeyMaterial(kms, {
            keyId: inputs.keyId,
            material: localWrapper(plaintext),
            keySpec,
            intent: inputs.importType,
            keyMaterialId: known.keyMaterialId,
            expiration: desiredExpiration(inputs),
            keyMaterialDescription: inputs.keyMaterialDescription,
            wrapping: desiredWrapping(inputs, keySpec),
        });
    });
    return { result, keySpec, wrapping: desiredWrapping(inputs, keySpec), keyCheckValue, hsmWrappingMechanisms: null };
}

/** The material stays in the HSM: the token wraps it for each import, with an algorithm it can carry out. */
async function importFromHsm(
    context: ProviderContext,
    kms: KmsSession,
    inputs: MaterialInputs,
    known: KnownMaterial,
    hsmKey: string,
): Promise<ImportOutcome> {
    const keySpec = inputs.keySpec ?? known.keySpec;
    const hsm = await openHsmMaterial({
        hsmKey,
        hsmPin: inputs.hsmPin,
        hsmModuleParameters: inputs.hsmModuleParameters,
        hsmGenerate: inputs.hsmGenerate === true,
        generationRefusal: () => generationRefusal(kms, inputs, known),
        keySpec,
        wrappingAlgorithm: inputs.wrappingAlgorithm,
        wrappingKeySpec: inputs.wrappingKeySpec ?? defaultWrapping(keySpec ?? "SYMMETRIC_DEFAULT").wrappingKeySpec,
        settings: context.settings,
        env: context.env,
        log: context.log,
    });
    const result = await importKeyMaterial(kms, {
        keyId: inputs.keyId,
        material: hsm.wrapper,
        keySpec: hsm.keySpec,
        intent: inputs.importType,
        keyMaterialId: known.keyMaterialId,
        expiration: desiredExpiration(inputs),
        keyMaterialDescription: inputs.keyMaterialDescription,
        wrapping: hsm.wrapping,
    });
    return {
        result,
        keySpec: hsm.keySpec,
        wrapping: hsm.wrapping,
        keyCheckValue: hsm.keyCheckValue,
        hsmWrappingMechanisms: hsm.mechanisms,
    };
}

/**
 * hsmGenerate makes new material only for a key that never held any (or as the NEW_KEY_MATERIAL of a
 * rotation): a key that holds or held material accepts only those bytes again, and a resource that imported
 * material keeps it. So a replaced or repaired resource whose object is gone fails, naming what to restore.
 */
async function generationRefusal(
    kms: KmsSession,
    inputs: MaterialInputs,
    known: KnownMaterial,
): Promise<string | undefined> {
    if (known.keySpec !== undefined) {
        return (
            "this resource already imported material into its key: newly generated material would differ, and " +
            "KMS accepts only the same bytes again. Restore the object the material came from " +
            "(or point hsmKey at it)"
        );
    }
    if (inputs.importType === "NEW_KEY_MATERIAL") return undefined;
    // As importKeyMaterial would: a key created moments ago is waited for, one not found says where it was sought.
    const key = await findWaitingForPropagation(kms, inputs.keyId);
    if (key.KeyState === "PendingImport" && !key.CurrentKeyMaterialId) return undefined;
    return (
        `KMS key ${key.Arn} holds or held material (${key.KeyState}): newly generated material would ` +
        `differ, and KMS accepts only the same bytes ` +
        "again. Restore the object that material came from (or point hsmKey at it); to add new material to " +
        "a symmetric key, set importType NEW_KEY_MATERIAL"
    );
}
