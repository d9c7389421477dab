import { regionOfArn } from "../client/settings";
import { DeletionImpact, MaterialStatus, deletionImpactOf } from "../kms/status";
import { KEY_CHECK_VALUE_ALGORITHM } from "../wrapping/checkValue";
import { KeySpec } from "../wrapping/keySpecs";
import { Wrapping } from "../wrapping/algorithms";
import {
    ExpirationModel,
    ImportState,
    KeyMaterialState,
    KeyState,
    MaterialInputs,
    MaterialOutputs,
    MultiRegionKeyType,
} from "./properties";
import { effectiveEarlyRenewalHours, renewalDueAt } from "./renewal";
import { MATERIAL_OUTPUTS } from "./schema";
import { echoedInputs } from "../checks/schema";

/**
 * Outputs = the non-secret inputs as applied + what KMS reports. Never the material or anything derived from it,
 * but AES material's 3-byte key check value (an industry convention meant for comparing keys).
 */

export interface AppliedSettings {
    inputs: MaterialInputs;
    wrapping: Wrapping;
    publicKey: string | null;
    /** The endpoint the import went through: where the material is (null: AWS's own). */
    kmsEndpoint: string | null;
    /** The kmsClockOffsetSeconds stored before this update (undefined on create). */
    recordedClockOffsetSeconds?: number;
    /** The material's check value (AES only) and the token's mechanisms, from the import (or the previous outputs). */
    keyCheckValue: string | null;
    hsmWrappingMechanisms: string | null;
}

/** `kmsClockOffsetSeconds`: KMS's clock offset as the session measured it, to record (see clockOffsetToRecord). */
export function buildOutputs(
    status: MaterialStatus,
    applied: AppliedSettings,
    kmsClockOffsetSeconds: number,
): MaterialOutputs {
    const { inputs } = applied;
    const earlyRenewalHours = effectiveEarlyRenewalHours(inputs);
    return {
        // The inputs the schema says the outputs echo (keyId, endpoint, …, validityPeriodHours), as applied.
        ...echoedInputs(MATERIAL_OUTPUTS, inputs),
        wrappingAlgorithm: applied.wrapping.algorithm,
        wrappingKeySpec: applied.wrapping.wrappingKeySpec,
        hsmWrappingMechanisms: applied.hsmWrappingMechanisms,
        keyCheckValue: applied.keyCheckValue,
        keyCheckValueAlgorithm: applied.keyCheckValue === null ? null : KEY_CHECK_VALUE_ALGORITHM,
        ...statusOutputs(status),
        publicKey: applied.publicKey,
        kmsEndpoint: applied.kmsEndpoint,
        earlyRenewalHours,
        renewalDueAt: renewalDueAt(status.validTo, earlyRenewalHours),
        kmsClockOffsetSeconds,
    };
}

/** Refresh: the same outputs with KMS's current answers (outputs stored before renewal existed get its fields). */
export function refreshOutputs(
    previous: MaterialOutputs,
    status: MaterialStatus,
    kmsClockOffsetSeconds: number,
): MaterialOutputs {
    const validityPeriodHours = previous.validityPeriodHours ?? null;
    const earlyRenewalHours = previous.earlyRenewalHours ?? null;
    return {
        ...previous,
        ...statusOutputs(status),
        validityPeriodHours,
        earlyRenewalHours,
        renewalDueAt: renewalDueAt(status.validTo, earlyRenewalHours),
        kmsClockOffsetSeconds,
    };
}

function statusOutputs(status: MaterialStatus) {
    return {
        keyArn: status.keyArn,
        region: regionOfArn(status.keyArn) ?? "",
        keySpec: status.keySpec as KeySpec,
        keyMaterialId: status.keyMaterialId,
        keyState: status.keyState as KeyState,
        importState: status.importState as ImportState | null,
        keyMaterialState: status.keyMaterialState as KeyMaterialState | null,
        materialCondition: status.condition,
        expirationModel: status.expirationModel as ExpirationModel | null,
        validTo: status.validTo,
        keyMaterialDescription: status.keyMaterialDescription,
        multiRegionKeyType: status.multiRegionKeyType as MultiRegionKeyType | null,
        deletionImpact: deletionImpact(status),
    };
}

/** What destroying the resource would do, as of this read, as a code (kept in state, so previews can show it). */
export function deletionImpact(status: MaterialStatus): DeletionImpact {
    return deletionImpactOf(status);
}
