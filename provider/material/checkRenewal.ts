import type { Fail } from "../checks/rules";
import { MAX_VALIDITY_PERIOD_HOURS } from "./renewal";

/**
 * The renewable-expiry inputs: validityPeriodHours (1 to 8,760 hours, AWS's 365 days) as the alternative to
 * a fixed validTo, and earlyRenewalHours (1 to the period). Pure. Failures name the numeric property (a number
 * cannot hold the material) and never quote a value; values unknown during preview count as set.
 */
export function checkRenewal(inputs: Record<string, unknown>, fail: Fail): void {
    const period = inputs["validityPeriodHours"];
    const early = inputs["earlyRenewalHours"];
    if (isSet(period)) {
        if (isSet(inputs["validTo"])) {
            fail(
                "validityPeriodHours",
                "validTo and validityPeriodHours are alternatives, set only one: validTo is a fixed " +
                    "expiry you edit before it " +
                    "passes; validityPeriodHours makes `pulumi up` renew the material when it is due",
            );
        }
        if (inputs["expirationModel"] === "KEY_MATERIAL_DOES_NOT_EXPIRE") {
            fail(
                "validityPeriodHours",
                "validityPeriodHours must not be set when expirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE " +
                    "(such material is never renewed)",
            );
        }
        if (typeof period === "number" && !isWholeIn(period, 1, MAX_VALIDITY_PERIOD_HOURS)) {
            fail(
                "validityPeriodHours",
                "validityPeriodHours must be a whole number of hours from 1 to 8,760 (365 days, " +
                    "AWS's limit for validTo)",
            );
        }
    }
    if (!isSet(early)) return;
    if (!isSet(period)) {
        fail(
            "earlyRenewalHours",
            "earlyRenewalHours applies only with validityPeriodHours (a fixed validTo is never renewed): " +
                "set validityPeriodHours, or remove earlyRenewalHours",
        );
        return;
    }
    if (typeof early !== "number") return;
    if (!isWholeIn(early, 1, MAX_VALIDITY_PERIOD_HOURS)) {
        fail(
            "earlyRenewalHours",
            "earlyRenewalHours must be a whole number of hours, at least 1: without early renewal the " +
                "material would expire, and the key stop working, before any renewal",
        );
    } else if (typeof period === "number" && early > period) {
        fail(
            "earlyRenewalHours",
            "earlyRenewalHours must be at most validityPeriodHours: it is how long before validTo the " +
                "next `pulumi up` renews",
        );
    }
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null;
const isWholeIn = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max;
