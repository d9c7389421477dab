import assert from "node:assert/strict";
import { validToFor } from "../../../provider/kms/importMaterial";
import { ChangePlan, describePlan, hasChanges, planChanges, planExpiryWarning } from "../../../provider/material/plan";
import { MaterialInputs, MaterialOutputs } from "../../../provider/material/properties";
import { UNKNOWN } from "../../../provider/checks/engineValues";
import { KEY_ARN, KEY_ID, materialOutputs } from "../../support/materialOutputs";
import {
    clockOffsetToRecord,
    effectiveEarlyRenewalHours,
    expiryWarning,
    newMaterialExpiryWarning,
    planningNow,
    renewalDueAt,
} from "../../../provider/material/renewal";

/**
 * Renewable expiry, pure: the planner with an explicit `now` (KMS's clock as the provider estimates it), the
 * warning, and the arithmetic. The lifecycle against kms-local is in renewalLifecycle.test.ts.
 */

const ARN = KEY_ARN;
const MATERIAL_ID = "b".repeat(64);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Imported on 2026-12-01 for 2,160 hours (90 days): validTo 2027-03-01, renewal due 30 days before. */
const VALID_TO = "2027-03-01T00:00:00.000Z";
const DUE_AT = "2027-01-30T00:00:00.000Z";
const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs);

function outputs(overrides: Partial<MaterialOutputs> = {}): MaterialOutputs {
    return materialOutputs({
        keyMaterialId: MATERIAL_ID,
        validTo: VALID_TO,
        validityPeriodHours: 2160,
        earlyRenewalHours: 720,
        renewalDueAt: DUE_AT,
        ...overrides,
    });
}

const inputs = (overrides: Partial<Record<keyof MaterialInputs, unknown>> = {}): MaterialInputs =>
    ({ keyId: KEY_ID, keyMaterial: "ignored", validityPeriodHours: 2160, ...overrides }) as MaterialInputs;

const lines = (olds: MaterialOutputs, plan: ChangePlan) => describePlan(olds, plan).join("\n");

describe("provider/material/renewal: planning with validityPeriodHours (explicit now)", () => {
    it("outside the renewal window: no change at all, nothing logged (preview --expect-no-changes stays green)", () => {
        for (const now of [at("2026-12-01T00:00:00Z"), at("2027-01-20T00:00:00Z"), at(DUE_AT, -1)]) {
            const plan = planChanges(outputs(), inputs(), now);
            assert.equal(hasChanges(plan), false, `${now.toISOString()}: ${JSON.stringify(plan)}`);
            assert.deepEqual(describePlan(outputs(), plan), []);
        }
        assert.equal(
            hasChanges(planChanges(outputs(), inputs({ earlyRenewalHours: 720 }), at("2027-01-20T00:00:00Z"))),
            false,
            "the default spelt out",
        );
    });

    it("inside the window: an in-place reimport of the same bytes, and the preview says why", () => {
        const now = at(VALID_TO, -9 * DAY);
        const plan = planChanges(outputs(), inputs(), now);
        assert.deepEqual(plan.reimport, ["material expires in 9 days; renewing for 2,160 hours"]);
        assert.deepEqual(plan.replace, []);
        assert.equal(hasChanges(plan), true);
        assert.equal(
            lines(outputs(), plan),
            `key ${KEY_ID.slice(0, 8)}… material ${MATERIAL_ID.slice(0, 12)}…: reimporting the same ` +
                `material in place (material expires in 9 days; renewing for 2,160 hours)`,
        );
        assert.deepEqual(
            planChanges(outputs(), inputs(), at(DUE_AT)).reimport,
            ["material expires in 30 days; renewing for 2,160 hours"],
            "due at renewalDueAt exactly",
        );
        assert.match(planChanges(outputs(), inputs(), at(VALID_TO, -5 * HOUR)).reimport.join(), /expires in 5 hours/);
    });

    it(
        "after expiry: renews, whether the stored state still says IMPORTED or a refresh saw " +
            "EXPIRED (never blocked)",
        () => {
            const now = at(VALID_TO, 3 * DAY);
            assert.deepEqual(planChanges(outputs(), inputs(), now).reimport, [
                "material expired 3 days ago; renewing for 2,160 hours",
            ]);
            const refreshed = outputs({
                materialCondition: "EXPIRED",
                importState: "PENDING_IMPORT",
                keyState: "PendingImport",
            });
            const plan = planChanges(refreshed, inputs(), now);
            assert.deepEqual(plan.reimport, ["material expired 3 days ago; renewing for 2,160 hours"]);
            assert.deepEqual(plan.blocked, []);
            // Asymmetric and HMAC keys: DescribeKey drops ExpirationModel and ValidTo once the material expired.
            const asymmetric = outputs({
                keySpec: "ECC_NIST_P256",
                keyMaterialId: null,
                materialCondition: "EXPIRED",
                expirationModel: null,
                validTo: null,
                renewalDueAt: null,
            });
            assert.deepEqual(planChanges(asymmetric, inputs(), now).reimport, [
                "material expired; renewing for 2,160 hours",
            ]);
        },
    );

    it(
        "a fixed validTo that passed cannot be reimported (a change update refuses, so drift checks fail); a " +
            "period is the way out",
        () => {
            const expired = outputs({
                materialCondition: "EXPIRED",
                validityPeriodHours: null,
                earlyRenewalHours: null,
                renewalDueAt: null,
            });
            const now = at(VALID_TO, DAY);
            const stuck = planChanges(expired, inputs({ validityPeriodHours: undefined, validTo: VALID_TO }), now);
            assert.deepEqual(stuck.reimport, []);
            assert.equal(hasChanges(stuck), true);
            assert.match(stuck.unrepairable.join(), /which has passed.*validityPeriodHours/);
            assert.match(
                planChanges(expired, inputs(), now).reimport.join(),
                /expired 24 hours ago; renewing for 2,160 hours/,
            );
        },
    );

    it(
        "a new validityPeriodHours alone is recorded without a reimport, and the preview says " +
            "when it takes effect",
        () => {
            const now = at("2026-12-10T00:00:00Z");
            const plan = planChanges(outputs(), inputs({ validityPeriodHours: 4320 }), now);
            assert.deepEqual(plan.reimport, []);
            assert.deepEqual(
                plan.recordOnly.sort(),
                ["earlyRenewalHours", "validityPeriodHours"],
                "the default early renewal follows the period",
            );
            assert.equal(hasChanges(plan), true, "the new inputs are recorded");
            assert.match(
                lines(outputs(), plan),
                /validityPeriodHours 2,160 hours → 4,320 hours is recorded without a reimport: validTo stays 2027-03-01T00:00:00.000Z; the new period takes effect at the next renewal, due at 2026-12-31T00:00:00.000Z/,
            );
            const keepEarly = planChanges(
                outputs(),
                inputs({ validityPeriodHours: 4320, earlyRenewalHours: 720 }),
                now,
            );
            assert.deepEqual(keepEarly.recordOnly, ["validityPeriodHours"]);
            assert.match(lines(outputs(), keepEarly), /due at 2027-01-30T00:00:00.000Z/);
        },
    );

    it("a new period whose early renewal reaches now renews now; so does a longer earlyRenewalHours", () => {
        const now = at("2027-01-10T00:00:00Z");
        assert.match(
            planChanges(outputs(), inputs({ validityPeriodHours: 4320 }), now).reimport.join(),
            /expires in 50 days; renewing for 4,320 hours/,
        );
        assert.match(
            planChanges(outputs(), inputs({ earlyRenewalHours: 1440 }), now).reimport.join(),
            /expires in 50 days; renewing for 2,160 hours/,
        );
        const later = planChanges(outputs(), inputs({ earlyRenewalHours: 24 }), now);
        assert.deepEqual([later.reimport, later.recordOnly], [[], ["earlyRenewalHours"]]);
        assert.match(
            lines(outputs(), later),
            /earlyRenewalHours 24 hours is recorded without a reimport: the next renewal is due at 2027-02-28T00:00:00.000Z/,
        );
    });

    it(
        "switching styles: fixed → period keeps the material until renewal is due; period → " +
            "fixed or never reimports",
        () => {
            const fixed = outputs({ validityPeriodHours: null, earlyRenewalHours: null, renewalDueAt: null });
            const now = at("2026-12-10T00:00:00Z");
            const toPeriod = planChanges(fixed, inputs(), now);
            assert.deepEqual(
                [toPeriod.reimport, toPeriod.recordOnly.sort()],
                [[], ["earlyRenewalHours", "validityPeriodHours"]],
            );
            assert.match(
                lines(fixed, toPeriod),
                /validityPeriodHours \(not set\) → 2,160 hours is recorded without a reimport/,
            );
            assert.match(planChanges(fixed, inputs(), at(DUE_AT)).reimport.join(), /renewing for 2,160 hours/);
            assert.match(
                planChanges(
                    outputs(),
                    inputs({ validityPeriodHours: undefined, validTo: "2027-05-01T00:00:00Z" }),
                    now,
                ).reimport.join(),
                /validTo 2027-03-01T00:00:00.000Z → 2027-05-01/,
            );
            assert.match(
                planChanges(outputs(), inputs({ validityPeriodHours: undefined }), now).reimport.join(),
                /KEY_MATERIAL_EXPIRES → KEY_MATERIAL_DOES_NOT_EXPIRE/,
            );
            const never = outputs({
                expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                validTo: null,
                validityPeriodHours: null,
                earlyRenewalHours: null,
                renewalDueAt: null,
            });
            assert.deepEqual(planChanges(never, inputs(), now).reimport, [
                "expirationModel KEY_MATERIAL_DOES_NOT_EXPIRE → KEY_MATERIAL_EXPIRES; renewing for 2,160 hours",
            ]);
        },
    );

    it("any reimport of renewable material renews it, and the preview says so", () => {
        const now = at("2026-12-10T00:00:00Z");
        const described = planChanges(outputs(), inputs({ keyMaterialDescription: "v2" }), now);
        assert.match(described.reimport.join(), /keyMaterialDescription/);
        assert.match(lines(outputs(), described), /the reimport also renews the material for 2,160 hours/);
        const deleted = outputs({
            materialCondition: "DELETED",
            importState: "PENDING_IMPORT",
            keyState: "PendingImport",
        });
        const repair = planChanges(deleted, inputs(), now);
        assert.deepEqual(repair.reimport, ["the material was DELETED outside Pulumi"]);
        assert.match(lines(deleted, repair), /also renews/);
    });

    it("unknown during preview: planned as an import; a key pending deletion blocks the renewal", () => {
        for (const unknown of [{ validityPeriodHours: UNKNOWN }, { earlyRenewalHours: UNKNOWN }]) {
            assert.deepEqual(planChanges(outputs(), inputs(unknown), at("2026-12-10T00:00:00Z")).reimport, [
                "expiration not known until apply",
            ]);
        }
        const pending = planChanges(outputs({ keyState: "PendingDeletion" }), inputs(), at(VALID_TO, -DAY));
        assert.equal(hasChanges(pending), false);
        assert.match(pending.blocked.join(), /PendingDeletion.*expires in 24 hours; renewing/);
    });

    it("outputs stored before renewal existed (no period fields): a fixed validTo plans nothing new", () => {
        const legacy = outputs({
            validityPeriodHours: undefined,
            earlyRenewalHours: undefined,
            renewalDueAt: undefined,
            kmsClockOffsetSeconds: undefined,
        });
        assert.equal(
            hasChanges(
                planChanges(
                    legacy,
                    inputs({ validityPeriodHours: undefined, validTo: VALID_TO }),
                    at("2026-12-10T00:00:00Z"),
                ),
            ),
            false,
        );
        assert.equal(planningNow(legacy, 1000).getTime(), 1000);
    });
});

describe("provider/material/renewal: KMS's clock, the arithmetic, the warning", () => {
    it("plans with this machine's clock corrected by KMS's offset as last recorded", () => {
        const local = Date.parse("2027-01-20T00:00:00Z");
        assert.equal(
            planningNow(outputs({ kmsClockOffsetSeconds: 0 }), local).toISOString(),
            "2027-01-20T00:00:00.000Z",
        );
        const skewed = outputs({ kmsClockOffsetSeconds: 20 * 86_400 });
        assert.equal(planningNow(skewed, local).toISOString(), "2027-02-09T00:00:00.000Z");
        assert.equal(
            hasChanges(planChanges(outputs(), inputs(), planningNow(outputs(), local))),
            false,
            "by the local clock: not due yet",
        );
        assert.equal(
            hasChanges(planChanges(skewed, inputs(), planningNow(skewed, local))),
            true,
            "KMS's clock is 20 days ahead: due",
        );
    });

    it("records a new clock offset, but the same one measured again (a new session's jitter) stays as it was", () => {
        assert.equal(clockOffsetToRecord(undefined, 0), 0);
        assert.equal(clockOffsetToRecord(undefined, 5 * DAY + 400), 432_000);
        assert.equal(clockOffsetToRecord(432_000, 5 * DAY - 900), 432_000);
        assert.equal(clockOffsetToRecord(0, 6 * DAY), 518_400);
        assert.equal(clockOffsetToRecord(518_400, 0), 0, "the clock back in step");
    });

    it(
        "early renewal defaults to a third of the period, rounded up to a whole hour; " + "renewalDueAt = validTo − it",
        () => {
            assert.deepEqual(
                [2160, 8760, 100, 1].map((p) => effectiveEarlyRenewalHours({ validityPeriodHours: p })),
                [720, 2920, 34, 1],
            );
            assert.equal(effectiveEarlyRenewalHours({ validityPeriodHours: 2160, earlyRenewalHours: 48 }), 48);
            assert.equal(effectiveEarlyRenewalHours({}), null);
            assert.equal(renewalDueAt(VALID_TO, 720), DUE_AT);
            assert.equal(renewalDueAt(VALID_TO, null), null);
            assert.equal(renewalDueAt(null, 720), null);
        },
    );

    it("an import resolves the period by KMS's clock at that moment, in whole seconds, within AWS's 365 days", () => {
        const kmsNow = new Date("2027-01-01T10:00:00.750Z");
        assert.equal(
            validToFor({ model: "KEY_MATERIAL_EXPIRES", validityPeriodHours: 2160 }, kmsNow)!.toISOString(),
            "2027-04-01T10:00:00.000Z",
        );
        const year = validToFor({ model: "KEY_MATERIAL_EXPIRES", validityPeriodHours: 8760 }, kmsNow)!;
        assert.equal(
            year.toISOString(),
            "2028-01-01T09:55:00.000Z",
            "5 minutes short of 365 days: the SDK's clock tolerance",
        );
        const fixed = new Date("2027-06-30T00:00:00Z");
        assert.equal(validToFor({ model: "KEY_MATERIAL_EXPIRES", validTo: fixed }, kmsNow), fixed);
        assert.equal(validToFor({ model: "KEY_MATERIAL_DOES_NOT_EXPIRE" }, kmsNow), undefined);
    });

    it("warns when validTo is within the warning days, naming the material, the date and what to do", () => {
        const subject = `key material ${MATERIAL_ID} of ${ARN}`;
        const fixed = { validTo: VALID_TO };
        assert.equal(expiryWarning(subject, fixed, at(VALID_TO, -31 * DAY), 30), undefined);
        assert.equal(
            expiryWarning(subject, fixed, at(VALID_TO, -9 * DAY), 30),
            `warning: ${subject} expires in 9 days (validTo ${VALID_TO}): KMS deletes it then and ` +
                `the key stops working; ` +
                "set a new validTo (at most 365 days ahead) and run `pulumi up` before then",
        );
        assert.match(
            expiryWarning(subject, fixed, at(VALID_TO, 2 * DAY), 30)!,
            /expired 2 days ago .*: KMS deleted it, and the key is unusable until it is imported again: set a new validTo/,
        );
        assert.equal(expiryWarning(subject, fixed, at(VALID_TO, -9 * DAY), 0), undefined, "0 turns the warning off");
        assert.match(expiryWarning(subject, fixed, at(VALID_TO, -50 * DAY), 60)!, /expires in 50 days/, "configurable");
        const renewable = { validTo: VALID_TO, validityPeriodHours: 2160, renewalDueAt: "2027-02-26T00:00:00.000Z" };
        assert.match(
            expiryWarning(subject, renewable, at(VALID_TO, -9 * DAY), 30)!,
            /the first `pulumi up` after 2027-02-26T00:00:00.000Z \(renewalDueAt\) reimports it for 2,160 hours/,
        );
        assert.match(
            expiryWarning(subject, renewable, at(VALID_TO, -2 * DAY), 30)!,
            /renewal is due: the next `pulumi up` reimports it for 2,160 hours/,
        );
        assert.equal(expiryWarning(subject, { validTo: null }, at(VALID_TO), 30), undefined);
    });

    it(
        "diff warns about the validTo in force, or the fixed one the plan is about to import, " +
            "whatever the input style",
        () => {
            const now = at(VALID_TO, -9 * DAY);
            const renewing = planChanges(outputs(), inputs(), now);
            assert.match(
                planExpiryWarning(outputs(), inputs(), renewing, now, 30)!,
                /expires in 9 days .*renewal is due/,
            );
            const fixed = outputs({ validityPeriodHours: null, earlyRenewalHours: null, renewalDueAt: null });
            const fixedInputs = inputs({ validityPeriodHours: undefined, validTo: VALID_TO });
            assert.match(
                planExpiryWarning(fixed, fixedInputs, planChanges(fixed, fixedInputs, now), now, 30)!,
                /expires in 9 days .*set a new validTo/,
            );
            const soon = inputs({ validityPeriodHours: undefined, validTo: "2027-03-05T00:00:00Z" });
            assert.match(
                planExpiryWarning(fixed, soon, planChanges(fixed, soon, now), now, 30)!,
                /expires in 13 days \(validTo 2027-03-05T00:00:00.000Z\)/,
            );
            const later = inputs({ validityPeriodHours: undefined, validTo: "2027-12-01T00:00:00Z" });
            assert.equal(
                planExpiryWarning(fixed, later, planChanges(fixed, later, now), now, 30),
                undefined,
                "the new validTo is far",
            );
            const never = inputs({ validityPeriodHours: undefined });
            assert.equal(
                planExpiryWarning(fixed, never, planChanges(fixed, never, now), now, 30),
                undefined,
                "about to stop expiring",
            );
            assert.match(
                planExpiryWarning(fixed, inputs(), planChanges(fixed, inputs(), now), now, 30)!,
                /renewal is due/,
                "just switched to a period",
            );
        },
    );

    it("check warns about a new resource's fixed validTo within the warning days", () => {
        const now = new Date("2027-02-20T00:00:00Z");
        const warning = newMaterialExpiryWarning({ keyId: KEY_ID, validTo: VALID_TO }, now, {});
        assert.equal(
            warning,
            `warning: the new key material of ${KEY_ID} expires in 9 days (validTo ${VALID_TO}): ` +
                "KMS deletes it then and the key stops working; set a new validTo (at most 365 days ahead) and run " +
                "`pulumi up` before then",
        );
        assert.match(
            newMaterialExpiryWarning({ keyId: UNKNOWN, validTo: VALID_TO }, now, {})!,
            /^warning: a new key material expires/,
        );
        assert.equal(
            newMaterialExpiryWarning({ keyId: KEY_ID, validTo: VALID_TO }, now, { expiryWarningDays: 7 }),
            undefined,
        );
        assert.equal(newMaterialExpiryWarning({ keyId: KEY_ID, validityPeriodHours: 24 }, now, {}), undefined);
    });
});
