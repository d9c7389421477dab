import { isUnknown } from "../checks/engineValues";
import { MaterialInputs, MaterialOutputs, validityPeriodOf } from "./properties";

/**
 * Renewable expiry (validityPeriodHours / earlyRenewalHours, the names @pulumi/tls uses for certificates):
 * pure rules of when material is due for renewal, and the words for it. Times are KMS's: KMS deletes expired
 * material by its own clock, so "now" here is always an estimate of KMS's clock (see planningNow).
 */

/** AWS's limit for ValidTo: 365 days ahead. */
export const MAX_VALIDITY_PERIOD_HOURS = 8760;
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A clock offset this close to the recorded one is the same offset measured again (no output churn). */
const OFFSET_TOLERANCE_SECONDS = 60;

type RenewalInputs = Pick<MaterialInputs, "validityPeriodHours" | "earlyRenewalHours">;

/**
 * earlyRenewalHours as it applies: as given, else a third of the period rounded up to a whole hour; null without a
 * period.
 */
export function effectiveEarlyRenewalHours(inputs: RenewalInputs): number | null {
    const period = validityPeriodOf(inputs);
    if (period === undefined || period === null) return null;
    return inputs.earlyRenewalHours ?? Math.ceil(period / 3);
}

/** When the next `pulumi up` renews: validTo − earlyRenewalHours; null when the material does not renew itself. */
export function renewalDueAt(validTo: string | null, earlyRenewalHours: number | null): string | null {
    if (validTo === null || earlyRenewalHours === null) return null;
    const time = Date.parse(validTo);
    return Number.isFinite(time) ? new Date(time - earlyRenewalHours * HOUR_MS).toISOString() : null;
}

/** Due at (or after) renewalDueAt, expired material included. */
export const isRenewalDue = (dueAt: string | null, now: Date): boolean =>
    dueAt !== null && Date.parse(dueAt) <= now.getTime();

/**
 * The planner's estimate of KMS's clock: this machine's clock plus KMS's offset as recorded at the last create,
 * update or refresh. diff makes no KMS call, so it cannot ask KMS; update plans with the same estimate, so it
 * does what the preview said. (The new validTo of a renewal is taken from KMS's clock at the import itself.)
 */
export function planningNow(olds: Partial<Pick<MaterialOutputs, "kmsClockOffsetSeconds">>, localNowMs: number): Date {
    return new Date(localNowMs + (olds.kmsClockOffsetSeconds ?? 0) * 1000);
}

/** The offset to record: the measured one, unless it is the recorded one measured again (jitter of a new session). */
export function clockOffsetToRecord(recordedSeconds: number | undefined, measuredMs: number): number {
    const measured = Math.round(measuredMs / 1000) || 0; // never -0: outputs are compared as JSON
    return recordedSeconds !== undefined && Math.abs(measured - recordedSeconds) <= OFFSET_TOLERANCE_SECONDS
        ? recordedSeconds
        : measured;
}

/** "expires in 9 days" / "expired 3 hours ago", judged at `now`. */
export function expiryPhrase(validTo: string, now: Date): string {
    const left = Date.parse(validTo) - now.getTime();
    return left > 0 ? `expires in ${duration(left)}` : `expired ${duration(-left)} ago`;
}

/** "2,160 hours", "1 hour". */
export function formatHours(hours: number): string {
    return `${hours.toLocaleString("en-US")} hour${hours === 1 ? "" : "s"}`;
}

/** Rounded to the nearest unit: a validTo 8.9999 days away "expires in 9 days". */
function duration(ms: number): string {
    const days = Math.round(ms / DAY_MS);
    if (days >= 2) return plural(days, "day");
    const hours = Math.round(ms / HOUR_MS);
    if (hours >= 2) return plural(hours, "hour");
    return plural(Math.max(1, Math.round(ms / 60_000)), "minute");
}

const plural = (n: number, unit: string): string => `${n.toLocaleString("en-US")} ${unit}${n === 1 ? "" : "s"}`;

/**
 * The warning shown in previews and refreshes while the material expires within `warningDays` (or has expired),
 * whatever the input style: which material, when, and what to do. undefined when there is nothing to say.
 */
export function expiryWarning(
    subject: string,
    material: { validTo: string | null; validityPeriodHours?: number | null; renewalDueAt?: string | null },
    now: Date,
    warningDays: number,
): string | undefined {
    if (material.validTo === null || warningDays <= 0) return undefined;
    const validTo = Date.parse(material.validTo);
    if (!Number.isFinite(validTo) || validTo - now.getTime() > warningDays * DAY_MS) return undefined;
    const when = `${expiryPhrase(material.validTo, now)} (validTo ${material.validTo})`;
    return `warning: ${subject} ${when}: ${advice(material, validTo <= now.getTime(), now)}`;
}

function advice(
    material: { validityPeriodHours?: number | null; renewalDueAt?: string | null },
    expired: boolean,
    now: Date,
): string {
    if (material.validityPeriodHours === undefined || material.validityPeriodHours === null) {
        return expired
            ? "KMS deleted it, and the key is unusable until it is imported again: set a new validTo (at " +
                  "most 365 days ahead) and run `pulumi up`"
            : "KMS deletes it then and the key stops working; set a new validTo (at most 365 days ahead) and " +
                  "run `pulumi up` before then";
    }
    const dueAt = material.renewalDueAt ?? null;
    return isRenewalDue(dueAt, now)
        ? `renewal is due: the next \`pulumi up\` reimports it for ${formatHours(material.validityPeriodHours)}`
        : `the first \`pulumi up\` after ${dueAt} (renewalDueAt) reimports it for ` +
              formatHours(material.validityPeriodHours);
}

/**
 * check's warning for a resource about to be created with a fixed validTo (diff, which warns about existing
 * ones, does not run for creates). The key may not exist yet: it is named by keyId when known.
 */
export function newMaterialExpiryWarning(
    inputs: Record<string, unknown>,
    now: Date,
    settings: { expiryWarningDays?: number },
): string | undefined {
    const validTo = inputs["validTo"];
    if (typeof validTo !== "string" || isUnknown(validTo) || isSet(inputs["validityPeriodHours"])) return undefined;
    const keyId = inputs["keyId"];
    const subject =
        typeof keyId === "string" && !isUnknown(keyId) ? `the new key material of ${keyId}` : "a new key material";
    return expiryWarning(
        subject,
        { validTo: new Date(validTo).toISOString() },
        now,
        settings.expiryWarningDays ?? DEFAULT_EXPIRY_WARNING_DAYS,
    );
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null;
