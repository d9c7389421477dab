import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { checkInputs } from "../../../provider/material/check";
import { UNKNOWN } from "../../../provider/checks/engineValues";
import { sequenceElements, tlv } from "../../../provider/wrapping/der";
import { materialFor } from "../../support/materials";
import { assertNoMaterial } from "../../support/assertions";
import { BadInputRow, KEY_ARN, KEY_ID, SYMMETRIC, badInputRows, validInputs } from "../../support/badInputs";
import { dispatch } from "../../../provider/engine/runtime";
import { failureCollector } from "../../../provider/checks/rules";
import { CheckFailure } from "../../../provider/checks/answers";
import { KEY_SPECS } from "../../../provider/wrapping/keySpecs";
import { REFUSED_WRAPPING, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../../../provider/wrapping/algorithms";

const NOW = new Date("2026-11-23T12:00:00Z");
const VALID = validInputs(NOW);
// The dispatch runs check with the real clock, as the host does.
const BAD_INPUTS = badInputRows(new Date());

/**
 * The check rules. The bad-input table runs here through the provider's own dispatch (configure with the
 * row's stack config, then check, in the row's environment), as the dynamic-provider host calls it; the same
 * table runs through the engine stand-in in test/engine and through the real Pulumi CLI.
 */

/** The host's log lines of the last dispatch (configure reports unusable stack settings there). */
const hostLines: string[] = [];

async function checkThroughDispatch(row: BadInputRow): Promise<CheckFailure[]> {
    const saved = { ...process.env };
    const consoleError = console.error;
    hostLines.length = 0;
    console.error = (...parts: unknown[]) => void hostLines.push(parts.join(" "));
    for (const name of [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_KMS",
        "AWS_ENDPOINT_URL_STS",
        "AWS_MAX_ATTEMPTS",
        "AWS_PROFILE",
    ])
        delete process.env[name];
    Object.assign(process.env, row.env ?? {});
    try {
        await dispatch(1, "configure", [{ config: { get: (key: string) => row.config?.[key] } }]);
        const outcome = (await dispatch(1, "check", [{}, { ...row.inputs, __provider: "shim" }])) as {
            failures: CheckFailure[];
        };
        return outcome.failures;
    } finally {
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
        await dispatch(1, "configure", [{ config: { get: () => undefined } }]);
        console.error = consoleError;
    }
}

/** Values proven not to be secrets, which a reason may name: the fixed lists of AWS names, Region names. */
const NAMES: ReadonlySet<string> = new Set([
    ...KEY_SPECS,
    ...WRAPPING_ALGORITHMS,
    ...WRAPPING_KEY_SPECS,
    ...Object.keys(REFUSED_WRAPPING),
    "KEY_MATERIAL_EXPIRES",
    "KEY_MATERIAL_DOES_NOT_EXPIRE",
    "NEW_KEY_MATERIAL",
    "EXISTING_KEY_MATERIAL",
    "true",
    "false",
]);
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Every input, config and environment text of a row that a reason must not contain. */
function quotable(row: BadInputRow): string[] {
    const leaves = (value: unknown): string[] =>
        typeof value === "string"
            ? [value]
            : Array.isArray(value)
              ? value.flatMap(leaves)
              : value && typeof value === "object"
                ? Object.values(value).flatMap(leaves)
                : [];
    return [...leaves(row.inputs), ...leaves(row.config ?? {}), ...leaves(row.env ?? {})].filter(
        (v) => v.length >= 4 && !NAMES.has(v) && !REGION.test(v),
    );
}

/** The engine's line for a check failure: with a property, its raw value is printed too. */
function enginePrints(row: BadInputRow, failure: CheckFailure): string {
    return failure.property
        ? `resource 'bad''s property '${failure.property}' value ` +
              `${JSON.stringify(row.inputs[failure.property])} has a problem: ${failure.reason}`
        : `resource 'bad' has a problem: ${failure.reason}`;
}

describe("provider/material/check", () => {
    it("accepts valid inputs for every kind of key", () => {
        for (const spec of ["SYMMETRIC_DEFAULT", "RSA_4096", "ECC_NIST_P521", "ECC_SECG_P256K1"] as const) {
            const { failures } = checkInputs({}, { ...VALID, keyMaterial: materialFor(spec).toString("base64") }, NOW);
            assert.deepEqual(failures, [], spec);
        }
        const hmac = {
            keyId: KEY_ARN,
            keyMaterial: materialFor("HMAC_384").toString("base64"),
            keySpec: "HMAC_384",
            region: "eu-west-1",
        };
        assert.deepEqual(checkInputs({}, hmac, NOW).failures, []);
        const rotation = {
            ...VALID,
            keyId: "mrk-0123456789abcdef0123456789abcdef",
            importType: "NEW_KEY_MATERIAL",
            rotateOnDemand: true,
            keyMaterialDescription: "rotation 2026-11",
        };
        assert.deepEqual(checkInputs({}, rotation, NOW).failures, []);
    });

    it(
        `refuses all ${BAD_INPUTS.length} rows of the bad-input table through the provider's dispatch, ` +
            `as the host runs check`,
        async () => {
            assert.ok(BAD_INPUTS.length >= 100);
            for (const row of BAD_INPUTS) {
                const failures = await checkThroughDispatch(row);
                const expected = failures.filter((f) => f.property === row.property && row.reason.test(f.reason));
                assert.ok(
                    expected.length > 0,
                    `${row.what}: expected a failure on '${row.property}' matching ${row.reason}, got ` +
                        JSON.stringify(failures),
                );
            }
        },
    );

    it(
        "no failure of the table quotes an input, names a property holding material, or lets the " +
            "engine print material",
        async () => {
            for (const row of BAD_INPUTS) {
                const failures = await checkThroughDispatch(row);
                for (const failure of failures) {
                    assert.ok(
                        !row.materialIn.includes(failure.property),
                        `${row.what}: a failure names '${failure.property}', which holds key material`,
                    );
                    for (const value of quotable(row))
                        assert.ok(
                            !failure.reason.includes(value),
                            `${row.what}: the reason quotes an input (${failure.property || "no property"})`,
                        );
                    // What the engine prints (pulumi/pulumi#19465): the named property's raw value, secret or not.
                    for (const secret of row.secrets) assertNoMaterial(enginePrints(row, failure), secret, row.what);
                }
                for (const secret of row.secrets) assertNoMaterial(hostLines, secret, `${row.what}: host log`);
                for (const value of quotable(row))
                    assert.ok(!hostLines.join("\n").includes(value), `${row.what}: the host log quotes an input`);
            }
        },
    );

    it("the material in any encoding is masked even if a future reason quoted it (the collector's safety net)", () => {
        const material = Buffer.from(SYMMETRIC, "base64");
        const collector = failureCollector({ keyMaterial: SYMMETRIC, profile: "a-profile-name-quoted" });
        const { fail } = collector;
        const forms = [
            material.toString("base64url"),
            material.toString("hex").toUpperCase(),
            material.toString("hex").match(/../g)!.join(":"),
            SYMMETRIC.replace(/(.{10})/g, "$1\n"),
        ];
        fail("keyMaterial", `bad: ${forms.join(" | ")} and a-profile-name-quoted`);
        const [failure] = collector.failures();
        assert.equal(failure.property, "", "keyMaterial is never named");
        assertNoMaterial(failure.reason, material);
        assert.ok(!failure.reason.includes("a-profile-name-quoted"), "a long input value is masked");
    });

    it("lets values unknown during preview pass", () => {
        const inputs = {
            keyId: UNKNOWN,
            keyMaterial: UNKNOWN,
            validTo: UNKNOWN,
            keySpec: UNKNOWN,
            region: UNKNOWN,
            wrappingAlgorithm: UNKNOWN,
        };
        assert.deepEqual(checkInputs({}, inputs, NOW).failures, []);
        assert.deepEqual(checkInputs({}, { ...VALID, keyId: UNKNOWN }, NOW).failures, []);
    });

    it("refuses different material for the same key, whatever form keyId takes", () => {
        const olds = { ...VALID, keyId: KEY_ARN };
        const other = materialFor("HMAC_256").toString("base64");
        const { failures } = checkInputs(olds, { ...VALID, keyMaterial: other }, NOW);
        assert.equal(failures.length, 1);
        assert.equal(
            failures[0].property,
            "",
            "a failure about the material names no property: the engine would print its value",
        );
        assert.match(failures[0].reason, /PendingImport.*importType NEW_KEY_MATERIAL/s);
        assertNoMaterial(failures[0].reason, other);
        assertNoMaterial(failures[0].reason, SYMMETRIC);
    });

    it("accepts a private key as PEM or PKCS#1/SEC1, and infers its key spec from the key", () => {
        for (const [spec, type] of [
            ["RSA_3072", "pkcs1"],
            ["ECC_NIST_P384", "sec1"],
        ] as const) {
            const key = createPrivateKey({ key: materialFor(spec), format: "der", type: "pkcs8" });
            for (const keyMaterial of [
                String(key.export({ type, format: "pem" })),
                key.export({ type, format: "der" }).toString("base64"),
            ]) {
                assert.deepEqual(checkInputs({}, { keyId: KEY_ID, keyMaterial }, NOW).failures, [], `${spec} ${type}`);
                assert.match(
                    checkInputs({}, { keyId: KEY_ID, keyMaterial, keySpec: "ECC_NIST_P521" }, NOW).failures[0].reason,
                    /curve secp521r1 .*, got an? (RSA-3072|EC) private key/,
                );
            }
        }
    });

    it(
        "treats the same key in another encoding as unchanged when the bytes KMS gets are the same, and " +
            "explains when they are not",
        () => {
            const key = createPrivateKey({ key: materialFor("ECC_NIST_P256"), format: "der", type: "pkcs8" });
            const olds = { keyId: KEY_ARN, keyMaterial: materialFor("ECC_NIST_P256").toString("base64") };
            for (const keyMaterial of [
                String(key.export({ type: "pkcs8", format: "pem" })),
                String(key.export({ type: "sec1", format: "pem" })),
            ]) {
                assert.deepEqual(checkInputs(olds, { ...olds, keyMaterial }, NOW).failures, []);
            }
            // The same key as a PKCS#8 without the optional public key (passed through as given: other bytes).
            const [version, scalar, parameters] = sequenceElements(key.export({ type: "sec1", format: "der" }))!;
            const sec1 = tlv(0x30, ...[version, scalar, parameters].map((e) => tlv(e.tag, e.content)));
            const withoutPublicKey = createPrivateKey({ key: sec1, format: "der", type: "sec1" });
            const variant = withoutPublicKey.export({ type: "pkcs8", format: "der" }).toString("base64");
            const { failures } = checkInputs(olds, { ...olds, keyMaterial: variant }, NOW);
            assert.equal(failures.length, 1);
            assert.match(
                failures[0].reason,
                /same private key as before, in an encoding that gives other bytes.*previous form/s,
            );
            assertNoMaterial(failures, variant);
        },
    );

    it("allows the same bytes in another base64 layout, and new material with a new key", () => {
        const wrapped = SYMMETRIC.replace(/(.{16})/g, "$1\n");
        assert.deepEqual(checkInputs(VALID, { ...VALID, keyMaterial: wrapped }, NOW).failures, []);
        const otherKey = {
            ...VALID,
            keyId: "9999abcd-12ab-34cd-56ef-1234567890ab",
            keyMaterial: materialFor("HMAC_256").toString("base64"),
        };
        assert.deepEqual(checkInputs(VALID, otherKey, NOW).failures, []);
        assert.deepEqual(checkInputs(VALID, { ...otherKey, keyId: UNKNOWN }, NOW).failures, []);
    });

    it(
        "an unchanged validTo that has since passed is not an input error (the material " +
            "expired; the plan says so)",
        () => {
            const passed = "2026-11-01T00:00:00Z";
            assert.deepEqual(
                checkInputs({ ...VALID, validTo: passed }, { ...VALID, validTo: passed }, NOW).failures,
                [],
            );
            const changed = checkInputs(
                { ...VALID, validTo: passed },
                { ...VALID, validTo: "2026-11-02T00:00:00Z" },
                NOW,
            ).failures;
            assert.match(changed[0].reason, /must be in the future/);
        },
    );

    it(
        "accepts renewable expiry: a period alone, with early renewal up to the period, or with " +
            "expirationModel EXPIRES",
        () => {
            const renewing = { keyId: KEY_ID, keyMaterial: SYMMETRIC, validityPeriodHours: 2160 };
            for (const extra of [
                {},
                { earlyRenewalHours: 1 },
                { earlyRenewalHours: 2160 },
                { expirationModel: "KEY_MATERIAL_EXPIRES" },
                { validityPeriodHours: 1 },
                { validityPeriodHours: 8760 },
            ]) {
                assert.deepEqual(checkInputs({}, { ...renewing, ...extra }, NOW).failures, [], JSON.stringify(extra));
            }
            assert.deepEqual(
                checkInputs({}, { ...renewing, validityPeriodHours: UNKNOWN, earlyRenewalHours: UNKNOWN }, NOW)
                    .failures,
                [],
            );
            const hmac = { ...renewing, keySpec: "HMAC_256", keyMaterial: materialFor("HMAC_256").toString("base64") };
            assert.deepEqual(checkInputs({}, hmac, NOW).failures, []);
            // Switching from a validTo that has since passed to a period: nothing about the old validTo is checked.
            assert.deepEqual(checkInputs({ ...VALID, validTo: "2026-11-01T00:00:00Z" }, renewing, NOW).failures, []);
        },
    );

    it(
        "returns the inputs unchanged (defaults are derived, not written into state), but " + "for validTo's spelling",
        () => {
            const news = { ...VALID, __provider: "text", validTo: "2027-06-11T12:00:00.000Z" };
            assert.equal(checkInputs({}, news, NOW).inputs, news);
        },
    );

    it("spells validTo as KMS reports it, so a preview never shows one instant as a change", () => {
        for (const given of [
            "2027-06-11T12:00:00Z",
            "2027-06-11T14:00:00+02:00",
            "2027-06-11T12:00Z",
            "2027-06-11T12:00:00.000000Z",
        ]) {
            const checked = checkInputs({}, { ...VALID, validTo: given }, NOW);
            assert.deepEqual(checked.failures, [], given);
            assert.equal(checked.inputs["validTo"], "2027-06-11T12:00:00.000Z", given);
        }
        // An unchanged validTo that has since passed is not refused, in either spelling.
        const later = new Date(Date.parse("2027-06-12T00:00:00Z"));
        assert.deepEqual(
            checkInputs({ validTo: "2027-06-11T12:00:00.000Z" }, { ...VALID, validTo: "2027-06-11T12:00:00Z" }, later)
                .failures,
            [],
        );
    });
});
