import { effectOfDeleting, isPendingDeletion } from "../kms/status";
import { isUnknown } from "../checks/engineValues";
import { changedEchoes } from "../checks/schema";
import {
    MaterialOutputs,
    MaterialInputs,
    bareKeyId,
    desiredExpiration,
    shortLabel,
    validityPeriodOf,
} from "./properties";
import {
    effectiveEarlyRenewalHours,
    expiryPhrase,
    expiryWarning,
    formatHours,
    isRenewalDue,
    renewalDueAt,
} from "./renewal";
import { MATERIAL_OUTPUTS } from "./schema";

/**
 * diff planning, kept pure: from the stored outputs (what KMS looked like at the last create, update or
 * refresh), the new checked inputs and `now` (an estimate of KMS's clock: see planningNow), decide what
 * `pulumi up` must do and say why. The same plan drives `diff` (preview) and `update` (apply), with the same
 * kind of `now`, so a preview never promises something update does not do.
 */

export interface ChangePlan {
    /** Properties whose change means another key: a new resource (create-before-delete; different keys). */
    replace: string[];
    /** Why the same material must be imported again (KMS's only way to change expiry or restore it). */
    reimport: string[];
    /** RotateKeyOnDemand to make this material CURRENT. */
    rotate: boolean;
    /** Changes recorded without any KMS call (settings, provider code). */
    recordOnly: string[];
    /** Drift that cannot be repaired from here; logged so the preview says so. */
    blocked: string[];
    /**
     * Drift only a program change repairs (the material expired, and its fixed validTo has passed): planned as a
     * change, so `preview --expect-no-changes` fails while the key is unusable; update then fails with the reason.
     */
    unrepairable: string[];
    /** Facts the preview states without being changes (e.g. when a new validityPeriodHours takes effect). */
    notes: string[];
}

export function planChanges(
    olds: MaterialOutputs,
    news: MaterialInputs,
    now: Date,
    providerChanged = false,
): ChangePlan {
    const plan: ChangePlan = {
        replace: [],
        reimport: [],
        rotate: false,
        recordOnly: [],
        blocked: [],
        unrepairable: [],
        notes: [],
    };
    planReplacement(olds, news, plan);
    if (plan.replace.length > 0) return plan;
    planReimport(olds, news, now, plan);
    // Rotate unless KMS is known to have made this material CURRENT already (or rotated past it); the
    // rotation workflow itself recognises a rotation that is done or in progress.
    plan.rotate =
        news.rotateOnDemand === true && olds.keyMaterialState !== "CURRENT" && olds.keyMaterialState !== "NON_CURRENT";
    planRecordOnly(olds, news, providerChanged, plan);
    const wanted = expirationUnknown(news) ? undefined : desiredExpiration(news);
    if (wanted && "validTo" in wanted && wanted.validTo.getTime() <= now.getTime() && plan.reimport.length > 0) {
        plan.unrepairable.push(
            `the material cannot be imported again with validTo ${wanted.validTo.toISOString()}, which has passed ` +
                `(${plan.reimport.join("; ")}): set a new validTo (at most 365 days ahead), validityPeriodHours, ` +
                "or expirationModel KEY_MATERIAL_DOES_NOT_EXPIRE",
        );
        plan.reimport = [];
    }
    if (isPendingDeletion(olds.keyState) && plan.reimport.length > 0) {
        plan.blocked.push(
            `the key is ${olds.keyState}, so KMS refuses imports (${plan.reimport.join("; ")}); ` +
                "cancel the key deletion to repair the material, or remove this resource",
        );
        plan.reimport = [];
    }
    return plan;
}

export const hasChanges = (plan: ChangePlan): boolean =>
    plan.replace.length > 0 ||
    plan.reimport.length > 0 ||
    plan.rotate ||
    plan.recordOnly.length > 0 ||
    plan.unrepairable.length > 0;

function planReplacement(olds: MaterialOutputs, news: MaterialInputs, plan: ChangePlan): void {
    if (isUnknown(news.keyId) || bareKeyId(news.keyId) !== bareKeyId(olds.keyArn)) plan.replace.push("keyId");
    if (news.region !== undefined && (isUnknown(news.region) || news.region !== olds.region))
        plan.replace.push("region");
}

function planReimport(olds: MaterialOutputs, news: MaterialInputs, now: Date, plan: ChangePlan): void {
    const period = validityPeriodOf(news);
    const renewable = !expirationUnknown(news) && period !== undefined && period !== null;
    // Expired renewable material is a renewal, and planRenewal says so.
    if (olds.materialCondition !== "IMPORTED" && !(renewable && olds.materialCondition === "EXPIRED")) {
        plan.reimport.push(`the material was ${olds.materialCondition} outside Pulumi`);
    }
    if (news.keySpec !== undefined && news.keySpec !== olds.keySpec)
        plan.reimport.push(`keySpec ${olds.keySpec} → ${news.keySpec}`);
    let renewalSaid = false;
    if (expirationUnknown(news)) {
        plan.reimport.push("expiration not known until apply");
    } else if (renewable) {
        renewalSaid = planRenewal(olds, news, period, now, plan);
    } else {
        const wanted = desiredExpiration(news);
        if (wanted.model !== olds.expirationModel)
            plan.reimport.push(`expirationModel ${olds.expirationModel ?? "none"} → ${wanted.model}`);
        else if ("validTo" in wanted && !sameSecond(wanted.validTo, olds.validTo)) {
            plan.reimport.push(`validTo ${olds.validTo ?? "none"} → ${wanted.validTo.toISOString()}`);
        }
    }
    if ((olds.hsmKey ?? null) !== (news.hsmKey ?? null)) {
        // KMS accepts only the same bytes again: a URI naming other material fails at the import, changing nothing.
        plan.reimport.push(
            news.hsmKey
                ? "hsmKey changed: the object it names is imported again, as the same material"
                : "the material moved from hsmKey to keyMaterial",
        );
    }
    const description = news.keyMaterialDescription;
    if (description !== undefined && description !== olds.keyMaterialDescription) {
        // Named, not quoted: the description is free text, and anything (a material) can be pasted into it.
        plan.reimport.push("keyMaterialDescription changed");
    }
    if (renewable && !renewalSaid && plan.reimport.length > 0) {
        // Every import of renewable material sets validTo = KMS's clock + the period: a reimport is a renewal.
        plan.notes.push(`the reimport also renews the material for ${formatHours(period)} (validityPeriodHours)`);
    }
}

/**
 * validityPeriodHours: renew (reimport the same bytes, validTo = KMS's clock + the period) once the stored
 * validTo is within earlyRenewalHours of now or has passed; otherwise change nothing in KMS, so a
 * `preview --expect-no-changes` stays green until renewal is due. A new period or early renewal alone is
 * only recorded: it takes effect at the next renewal. Returns whether it planned an import and said why.
 */
function planRenewal(
    olds: MaterialOutputs,
    news: MaterialInputs,
    period: number,
    now: Date,
    plan: ChangePlan,
): boolean {
    const early = effectiveEarlyRenewalHours(news);
    const dueAt = renewalDueAt(olds.validTo, early);
    const renewing = `renewing for ${formatHours(period)}`;
    if (olds.expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE") {
        plan.reimport.push(`expirationModel KEY_MATERIAL_DOES_NOT_EXPIRE → KEY_MATERIAL_EXPIRES; ${renewing}`);
        return true;
    }
    if (olds.materialCondition === "EXPIRED" || isRenewalDue(dueAt, now)) {
        plan.reimport.push(`material ${olds.validTo ? expiryPhrase(olds.validTo, now) : "expired"}; ${renewing}`);
        return true;
    }
    // Deleted outside Pulumi: the repair is already planned, and renews (see the note in planReimport).
    if (olds.materialCondition !== "IMPORTED") return false;
    if (dueAt === null) {
        plan.reimport.push(`no validTo known for the material; ${renewing}`);
        return true;
    }
    const oldPeriod = olds.validityPeriodHours ?? null;
    if (oldPeriod !== period) {
        plan.notes.push(
            `validityPeriodHours ${oldPeriod === null ? "(not set)" : formatHours(oldPeriod)} → ` +
                `${formatHours(period)} is recorded ` +
                `without a reimport: validTo stays ${olds.validTo}; the new period takes effect at the ` +
                `next renewal, due at ${dueAt}`,
        );
    } else if (early !== null && (olds.earlyRenewalHours ?? null) !== early) {
        plan.notes.push(
            `earlyRenewalHours ${formatHours(early)} is recorded without a reimport: the next ` +
                `renewal is due at ${dueAt}`,
        );
    }
    return false;
}

const expirationUnknown = (news: MaterialInputs): boolean =>
    [news.validTo, news.expirationModel, news.validityPeriodHours, news.earlyRenewalHours].some(isUnknown);

/** The echoed inputs whose change is only recorded (validityPeriodHours waits for a known expiry, below). */
const RECORDED_ECHOES = [
    "importType",
    "rotateOnDemand",
    "hsmGenerate",
    "endpoint",
    "profile",
    "trustedEndpoints",
    "assumeRole",
] as const;

function planRecordOnly(olds: MaterialOutputs, news: MaterialInputs, providerChanged: boolean, plan: ChangePlan): void {
    plan.recordOnly.push(...changedEchoes(MATERIAL_OUTPUTS, RECORDED_ECHOES, olds, news));
    if (news.wrappingAlgorithm !== undefined && news.wrappingAlgorithm !== olds.wrappingAlgorithm)
        plan.recordOnly.push("wrappingAlgorithm");
    if (news.wrappingKeySpec !== undefined && news.wrappingKeySpec !== olds.wrappingKeySpec)
        plan.recordOnly.push("wrappingKeySpec");
    if (!expirationUnknown(news)) {
        // Stored outputs from before these inputs existed have neither field: undefined counts as null.
        if ((olds.validityPeriodHours ?? null) !== (news.validityPeriodHours ?? null))
            plan.recordOnly.push("validityPeriodHours");
        if ((olds.earlyRenewalHours ?? null) !== effectiveEarlyRenewalHours(news))
            plan.recordOnly.push("earlyRenewalHours");
    }
    // A new provider version must be recorded in the outputs, or destroy would keep running the old code.
    if (providerChanged) plan.recordOnly.push("__provider");
}

function sameSecond(wanted: Date, actual: string | null): boolean {
    return actual !== null && Math.floor(wanted.getTime() / 1000) === Math.floor(Date.parse(actual) / 1000);
}

/** One line for the preview log: what up will do to this material and why. */
export function describePlan(olds: MaterialOutputs, plan: ChangePlan): string[] {
    const subject = shortLabel(olds);
    const lines: string[] = [];
    if (plan.replace.length > 0) {
        // The states are as of the last refresh ("would"); deletionImpact in the outputs says the same as a code.
        lines.push(
            `${subject}: ${plan.replace.join(", ")} changed: this material is replaced; deleting it here: ` +
                effectOfDeleting(olds),
        );
    }
    if (plan.reimport.length > 0)
        lines.push(`${subject}: reimporting the same material in place (${plan.reimport.join("; ")})`);
    if (plan.rotate) lines.push(`${subject}: rotating the key to this material (RotateKeyOnDemand)`);
    for (const reason of plan.blocked) lines.push(`${subject}: cannot repair: ${reason}`);
    for (const reason of plan.unrepairable)
        lines.push(`${subject}: cannot repair: ${reason}. Until then \`pulumi up\` fails here`);
    for (const note of plan.notes) lines.push(`${subject}: ${note}`);
    return lines;
}

/** The stack's KMS endpoint differs from the one the material was last imported through (a config change). */
export interface Relocation {
    from: string | null;
    to: string | null;
}

/**
 * Pure: `endpointNow` is where the resource's calls would go with today's input, config and environment.
 * States written before the endpoint was recorded have nothing to compare with.
 */
export function planRelocation(olds: MaterialOutputs, endpointNow: string | null): Relocation | undefined {
    if (olds.kmsEndpoint === undefined || olds.kmsEndpoint === endpointNow) return undefined;
    return { from: olds.kmsEndpoint, to: endpointNow };
}

export const endpointName = (endpoint: string | null): string => endpoint ?? "AWS's own KMS endpoint";

export function describeRelocation(olds: MaterialOutputs, relocation: Relocation): string {
    return (
        `${shortLabel(olds)}: the KMS endpoint is now ${endpointName(relocation.to)} (the material ` +
        `was imported through ` +
        `${endpointName(relocation.from)}); up first checks that it serves the key, then records it. ` +
        `Until then refresh and ` +
        "destroy keep using the recorded endpoint"
    );
}

/**
 * diff's warning: about the validTo this plan sets when it imports a fixed one, else about the validTo in force,
 * described by the inputs' style (a program that just switched to validityPeriodHours is told about renewal).
 */
export function planExpiryWarning(
    olds: MaterialOutputs,
    news: MaterialInputs,
    plan: ChangePlan,
    now: Date,
    warningDays: number,
): string | undefined {
    if (plan.replace.length > 0) return undefined;
    const subject = shortLabel(olds);
    const style = [news.validTo, news.expirationModel, news.validityPeriodHours, news.earlyRenewalHours].some(isUnknown)
        ? undefined
        : desiredExpiration(news);
    if (!style) return expiryWarning(subject, olds, now, warningDays);
    if (plan.reimport.length > 0 && style.model === "KEY_MATERIAL_DOES_NOT_EXPIRE") return undefined;
    if (plan.reimport.length > 0 && "validTo" in style)
        return expiryWarning(subject, { validTo: style.validTo.toISOString() }, now, warningDays);
    const early = effectiveEarlyRenewalHours(news);
    return expiryWarning(
        subject,
        {
            validTo: olds.validTo,
            validityPeriodHours: news.validityPeriodHours ?? null,
            renewalDueAt: renewalDueAt(olds.validTo, early),
        },
        now,
        warningDays,
    );
}
