import assert from "node:assert/strict";
import { DescribeKeyCommand, GetPublicKeyCommand, KMSClient, ReplicateKeyCommand } from "@aws-sdk/client-kms";
import { createMaterial, diffMaterial, readMaterial, updateMaterial } from "../../../provider/material/lifecycle";
import { dispatch } from "../../../provider/engine/runtime";
import { MaterialInputs, MaterialOutputs } from "../../../provider/material/properties";
import type { KeySpec } from "../../../provider/wrapping/keySpecs";
import { assertKeyUsable, assertNoMaterial } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";
import { shortLabel } from "../../../provider/kms/status";
import { fresh, materialFor } from "../../support/materials";

/**
 * Renewable material through the provider's real operations, the real SDK and kms-local, whose clock the
 * tests move. The combination under test: diff plans with this machine's clock corrected by KMS's offset as
 * recorded at the last create/update/refresh (a refresh after moving kms-local's clock is what shows the
 * renewal, as `preview --refresh` does), and the import takes the new validTo from KMS's clock.
 */
describe("provider/material renewal lifecycle (against kms-local, its clock moved)", () => {
    const fixture = useProviderKms();
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;
    const PERIOD = 2160;
    const kmsNow = () => fixture().kms.control.clock.now();
    const advance = (ms: number) => fixture().kms.control.clock.advance(ms);

    async function created(extra: Partial<MaterialInputs> = {}, spec: KeySpec = "SYMMETRIC_DEFAULT") {
        const keyInput =
            spec === "SYMMETRIC_DEFAULT"
                ? {}
                : {
                      KeySpec: spec,
                      KeyUsage: spec.startsWith("HMAC") ? ("GENERATE_VERIFY_MAC" as const) : ("SIGN_VERIFY" as const),
                  };
        const key = await fixture().createKey(keyInput);
        const material = spec === "SYMMETRIC_DEFAULT" ? fresh(spec) : materialFor(spec);
        const desired: MaterialInputs = {
            keyId: key.Arn!,
            keyMaterial: material.toString("base64"),
            validityPeriodHours: PERIOD,
            ...(spec === "SYMMETRIC_DEFAULT" ? {} : { keySpec: spec }),
            ...extra,
        };
        const { id, outs } = await createMaterial(fixture().context, desired);
        return { key, material, desired, id, outs };
    }

    /** What a preview logs for this diff, and its answer. */
    function diff(olds: MaterialOutputs, news: MaterialInputs, context = fixture().context) {
        const from = fixture().logs.length;
        const outcome = diffMaterial(context, olds, news, false);
        return { changes: outcome.changes, replaces: outcome.replaces, log: fixture().logs.slice(from).join("\n") };
    }

    async function refresh(id: string, olds: MaterialOutputs, context = fixture().context) {
        const from = fixture().logs.length;
        const props = (await readMaterial(context, id, olds)).props!;
        return { props, log: fixture().logs.slice(from).join("\n") };
    }

    const describeKey = async (keyId: string, client: KMSClient = fixture().client) =>
        (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    const nearly = (actual: string | null, expectedMs: number, what: string) =>
        assert.ok(
            actual !== null && Math.abs(Date.parse(actual) - expectedMs) < 5000,
            `${what}: ${actual} vs ${new Date(expectedMs).toISOString()}`,
        );

    /** Samples the key while `work` runs: every DescribeKey must say Enabled. */
    async function keyStatesDuring<T>(
        keyId: string,
        work: () => Promise<T>,
    ): Promise<{ result: T; states: Set<string>; samples: number }> {
        const states = new Set<string>();
        let samples = 0;
        let done = false;
        const sampler = (async () => {
            while (!done) {
                states.add((await describeKey(keyId)).KeyState!);
                samples++;
                await new Promise((resolve) => setTimeout(resolve, 10));
            }
        })();
        try {
            return { result: await work(), states, samples };
        } finally {
            done = true;
            await sampler;
        }
    }

    beforeEach(() => fixture().kms.control.resetCounters());

    it("create with a period: validTo = KMS's clock + the period, renewalDueAt a third of it before", async () => {
        const before = kmsNow();
        const { outs, material } = await created();
        assert.equal(outs.expirationModel, "KEY_MATERIAL_EXPIRES");
        nearly(outs.validTo, before + PERIOD * HOUR, "validTo");
        assert.equal(outs.validityPeriodHours, PERIOD);
        assert.equal(outs.earlyRenewalHours, 720);
        assert.equal(outs.renewalDueAt, new Date(Date.parse(outs.validTo!) - 720 * HOUR).toISOString());
        assert.equal(typeof outs.kmsClockOffsetSeconds, "number");
        assertNoMaterial(outs, material, "outputs");
        assert.deepEqual(JSON.parse(JSON.stringify(outs)), outs, "outputs are plain JSON");
    });

    it("no change inside the period, before and after a refresh, until renewal is due", async () => {
        const { id, outs, desired } = await created();
        fixture().kms.control.resetCounters();
        assert.deepEqual(diff(outs, desired), { changes: false, replaces: [], log: "" });
        advance(59 * DAY);
        const { props } = await refresh(id, outs);
        assert.equal(props.materialCondition, "IMPORTED");
        assert.ok(
            Math.abs(props.kmsClockOffsetSeconds - outs.kmsClockOffsetSeconds - 59 * 86_400) < 5,
            "the refresh recorded KMS's clock",
        );
        assert.deepEqual(
            diff(props, desired),
            { changes: false, replaces: [], log: "" },
            "60 days left, renewal due at 30",
        );
        assert.equal(fixture().calls("ImportKeyMaterial").length, 0);
    });

    it(
        "renews inside the window: planned with the reason, applied in place — new validTo by KMS's clock, " +
            "same KeyMaterialId, key Enabled throughout, old ciphertexts decrypt",
        async () => {
            const { key, id, outs, desired } = await created();
            const ciphertext = await assertKeyUsable(fixture().client, key.Arn!);
            advance(81 * DAY);
            const stale = diff(outs, desired);
            assert.equal(
                stale.changes,
                false,
                "without a refresh the plan still uses KMS's clock as recorded at create",
            );
            const { props, log: refreshLog } = await refresh(id, outs);
            assert.match(
                refreshLog,
                new RegExp(
                    `warning: ${shortLabel(outs)} expires in 9 days \\(validTo ${outs.validTo}\\): renewal is due`,
                ),
            );
            const planned = diff(props, desired);
            assert.equal(planned.changes, true);
            assert.deepEqual(planned.replaces, []);
            assert.match(
                planned.log,
                /reimporting the same material in place \(material expires in 9 days; renewing for 2,160 hours\)/,
            );
            fixture().kms.control.resetCounters();
            const applyStart = kmsNow();
            const {
                result: renewed,
                states,
                samples,
            } = await keyStatesDuring(key.Arn!, () => updateMaterial(fixture().context, id, props, desired));
            assert.deepEqual([...states], ["Enabled"], `key state sampled ${samples} times during the renewal`);
            assert.equal(renewed.keyMaterialId, outs.keyMaterialId);
            assert.equal(renewed.materialCondition, "IMPORTED");
            nearly(renewed.validTo, applyStart + PERIOD * HOUR, "validTo from KMS's clock at the import");
            assert.ok(
                Math.abs(Date.parse(renewed.validTo!) - (Date.now() + PERIOD * HOUR)) > 80 * DAY,
                "not from this machine's clock",
            );
            assert.equal(renewed.renewalDueAt, new Date(Date.parse(renewed.validTo!) - 720 * HOUR).toISOString());
            assert.equal(
                fixture()
                    .calls("ImportKeyMaterial")
                    .filter((r) => r.status === 200).length,
                1,
            );
            assert.equal(fixture().calls("DeleteImportedKeyMaterial").length, 0);
            assert.equal((await describeKey(key.Arn!)).ValidTo!.toISOString(), renewed.validTo);
            await assertKeyUsable(fixture().client, key.Arn!, ciphertext);
            assert.deepEqual(diff(renewed, desired), { changes: false, replaces: [], log: "" }, "renewed: quiet again");
        },
    );

    it(
        "renews material that already expired (key PendingImport): " + "the same KeyMaterialId, the key usable again",
        async () => {
            const { key, id, outs, desired } = await created({ validityPeriodHours: 24 });
            assert.equal(outs.earlyRenewalHours, 8);
            const ciphertext = await assertKeyUsable(fixture().client, key.Arn!);
            advance(26 * HOUR);
            const { props } = await refresh(id, outs);
            assert.equal(props.materialCondition, "EXPIRED");
            assert.equal(props.keyState, "PendingImport");
            const planned = diff(props, desired);
            assert.equal(planned.changes, true);
            assert.match(planned.log, /material expired 2 hours ago; renewing for 24 hours/);
            assert.doesNotMatch(planned.log, /cannot repair/);
            const renewed = await updateMaterial(fixture().context, id, props, desired);
            assert.equal(renewed.materialCondition, "IMPORTED");
            assert.equal(renewed.keyState, "Enabled");
            assert.equal(renewed.keyMaterialId, outs.keyMaterialId);
            nearly(renewed.validTo, kmsNow() + 24 * HOUR, "validTo");
            await assertKeyUsable(fixture().client, key.Arn!, ciphertext);
        },
    );

    it(
        "a fixed validTo that passed (material expired, the program unchanged): planned as a change, and " +
            "update refuses with what to do, importing nothing",
        async () => {
            const { key, id, outs, desired } = await created({
                validityPeriodHours: undefined,
                validTo: new Date(kmsNow() + 2 * DAY).toISOString(),
            });
            advance(3 * DAY);
            const { props } = await refresh(id, outs);
            assert.equal(props.materialCondition, "EXPIRED");
            const planned = diff(props, desired);
            assert.equal(planned.changes, true, "the drift check fails while the key is unusable");
            assert.match(
                planned.log,
                /cannot repair: the material cannot be imported again with validTo .* which has passed .*set a new validTo.*validityPeriodHours.*Until then `pulumi up` fails here/,
            );
            fixture().kms.control.resetCounters();
            await assert.rejects(
                updateMaterial(fixture().context, id, props, desired),
                /cannot repair key material .*which has passed.*set a new validTo/,
            );
            assert.deepEqual(fixture().kms.control.requests(), [], "no KMS call");
            const renewed = await updateMaterial(fixture().context, id, props, {
                ...desired,
                validTo: undefined,
                validityPeriodHours: 720,
            });
            assert.equal(renewed.materialCondition, "IMPORTED");
            assert.equal((await describeKey(key.Arn!)).KeyState, "Enabled");
        },
    );

    it("a new validityPeriodHours alone: update records it without an import, as the preview said", async () => {
        const { id, outs, desired } = await created();
        fixture().kms.control.resetCounters();
        const longer = { ...desired, validityPeriodHours: 4320, earlyRenewalHours: 720 };
        const planned = diff(outs, longer);
        assert.equal(planned.changes, true);
        assert.match(
            planned.log,
            /validityPeriodHours 2,160 hours → 4,320 hours is recorded without a reimport: validTo stays .*next renewal, due at/,
        );
        assert.doesNotMatch(planned.log, /reimporting/);
        const recorded = await updateMaterial(fixture().context, id, outs, longer);
        assert.equal(fixture().calls("ImportKeyMaterial").length, 0, "update agrees with the preview: no import");
        assert.equal(recorded.validTo, outs.validTo);
        assert.equal(recorded.validityPeriodHours, 4320);
        assert.equal(recorded.renewalDueAt, outs.renewalDueAt);
        assert.equal(diff(recorded, longer).changes, false);
        advance(61 * DAY);
        const { props } = await refresh(id, recorded);
        assert.match(diff(props, longer).log, /renewing for 4,320 hours/);
        const renewed = await updateMaterial(fixture().context, id, props, longer);
        nearly(renewed.validTo, kmsNow() + 4320 * HOUR, "the new period at the next renewal");
    });

    for (const spec of ["HMAC_256", "ECC_NIST_P256", "RSA_2048"] as const) {
        it(`renews ${spec} material (one material for life): same bytes, new validTo, same public key`, async () => {
            const { key, id, outs, desired } = await created({}, spec);
            assert.equal(outs.keySpec, spec);
            advance(80 * DAY);
            const { props } = await refresh(id, outs);
            assert.equal(diff(props, desired).changes, true);
            const renewed = await updateMaterial(fixture().context, id, props, desired);
            nearly(renewed.validTo, kmsNow() + PERIOD * HOUR, "validTo");
            assert.equal(renewed.keyState, "Enabled");
            assert.equal(renewed.publicKey, outs.publicKey);
            if (spec !== "HMAC_256") {
                const { PublicKey } = await fixture().client.send(new GetPublicKeyCommand({ KeyId: key.Arn }));
                assert.equal(Buffer.from(PublicKey!).toString("base64"), outs.publicKey);
            }
        });
    }

    it("multi-Region: the primary's and the replica's resources each renew their own copy", async () => {
        const primaryKey = await fixture().createKey({ MultiRegion: true });
        const material = fresh("SYMMETRIC_DEFAULT").toString("base64");
        const primary = await createMaterial(fixture().context, {
            keyId: primaryKey.Arn!,
            keyMaterial: material,
            validityPeriodHours: PERIOD,
        });
        const { ReplicaKeyMetadata } = await fixture().client.send(
            new ReplicateKeyCommand({ KeyId: primaryKey.Arn, ReplicaRegion: "eu-west-1" }),
        );
        const replicaArn = ReplicaKeyMetadata!.Arn!;
        const replicaInputs: MaterialInputs = {
            keyId: replicaArn,
            keyMaterial: material,
            validityPeriodHours: PERIOD,
            earlyRenewalHours: 240,
        };
        const replica = await createMaterial(fixture().context, replicaInputs);
        assert.equal(replica.outs.multiRegionKeyType, "REPLICA");
        assert.equal(replica.outs.keyMaterialId, primary.outs.keyMaterialId);
        advance(75 * DAY);
        const primaryNow = (await refresh(primary.id, primary.outs)).props;
        const replicaNow = (await refresh(replica.id, replica.outs)).props;
        const primaryInputs: MaterialInputs = {
            keyId: primaryKey.Arn!,
            keyMaterial: material,
            validityPeriodHours: PERIOD,
        };
        assert.equal(diff(primaryNow, primaryInputs).changes, true, "15 days left: inside the primary's 30-day window");
        assert.equal(diff(replicaNow, replicaInputs).changes, false, "outside the replica's own 10-day window");
        const renewedPrimary = await updateMaterial(fixture().context, primary.id, primaryNow, primaryInputs);
        nearly(renewedPrimary.validTo, kmsNow() + PERIOD * HOUR, "primary validTo");
        const replicaClient = new KMSClient({
            endpoint: fixture().kms.url,
            region: "eu-west-1",
            credentials: await fixture().client.config.credentials(),
        });
        try {
            assert.equal(
                (await describeKey(replicaArn, replicaClient)).ValidTo!.toISOString(),
                replica.outs.validTo,
                "the replica's copy is untouched",
            );
            advance(6 * DAY);
            const replicaDue = (await refresh(replica.id, replicaNow)).props;
            assert.match(diff(replicaDue, replicaInputs).log, /expires in 9 days; renewing for 2,160 hours/);
            const renewedReplica = await updateMaterial(fixture().context, replica.id, replicaDue, replicaInputs);
            nearly(renewedReplica.validTo, kmsNow() + PERIOD * HOUR, "replica validTo");
            assert.equal((await describeKey(replicaArn, replicaClient)).KeyState, "Enabled");
        } finally {
            replicaClient.destroy();
        }
    });

    it(
        "warns in refresh and preview when a fixed validTo is within the warning days (configurable), naming " +
            "the material and date",
        async () => {
            const validTo = new Date(kmsNow() + 40 * DAY).toISOString();
            const { id, outs, desired } = await created({ validityPeriodHours: undefined, validTo });
            assert.equal(outs.renewalDueAt, null);
            assert.doesNotMatch((await refresh(id, outs)).log, /warning/);
            advance(31 * DAY);
            const { props, log } = await refresh(id, outs);
            const label = shortLabel(outs);
            assert.ok(
                log.includes(`warning: ${label} expires in 9 days (validTo ${props.validTo}): KMS deletes it then`),
                log,
            );
            assert.match(log, /set a new validTo/);
            const preview = diff(props, desired);
            assert.equal(preview.changes, false, "a warning, not a change");
            assert.ok(preview.log.includes(`warning: ${label} expires in 9 days`), preview.log);
            const quieter = { ...fixture().context, settings: { ...fixture().context.settings, expiryWarningDays: 7 } };
            assert.doesNotMatch(diff(props, desired, quieter).log, /warning/);
            assert.doesNotMatch((await refresh(id, props, quieter)).log, /warning/);
        },
    );

    it(
        "check through the runtime: the refused combinations fail before any KMS call; a new fixed validTo " +
            "that expires soon is warned about",
        async () => {
            const key = await fixture().createKey();
            const material = fresh("SYMMETRIC_DEFAULT").toString("base64");
            const base = { keyId: key.Arn!, keyMaterial: material };
            fixture().kms.control.resetCounters();
            const logged: string[] = [];
            const original = console.error;
            console.error = (...args: unknown[]) => void logged.push(args.join(" "));
            try {
                const check = (news: Record<string, unknown>) =>
                    dispatch(1, "check", [{}, news]) as Promise<{ failures: { property: string; reason: string }[] }>;
                const refused: [Record<string, unknown>, RegExp][] = [
                    [
                        { validTo: new Date(Date.now() + 90 * DAY).toISOString(), validityPeriodHours: PERIOD },
                        /alternatives/,
                    ],
                    [
                        { expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", validityPeriodHours: PERIOD },
                        /must not be set/,
                    ],
                    [{ validityPeriodHours: 9000 }, /1 to 8,760/],
                    [{ earlyRenewalHours: 24 }, /only with validityPeriodHours/],
                    [{ validityPeriodHours: 24, earlyRenewalHours: 25 }, /at most validityPeriodHours/],
                ];
                for (const [extra, reason] of refused) {
                    const { failures } = await check({ ...base, ...extra });
                    assert.ok(
                        failures.some((f) => reason.test(f.reason)),
                        `${JSON.stringify(extra)}: ${JSON.stringify(failures)}`,
                    );
                    assertNoMaterial(failures, material);
                }
                assert.deepEqual(
                    (await check({ ...base, validityPeriodHours: 24, earlyRenewalHours: 24 })).failures,
                    [],
                );
                assert.equal(fixture().kms.control.requests().length, 0, "check made no KMS call");
                assert.deepEqual(logged, []);
                await check({ ...base, validTo: new Date(Date.now() + 5 * DAY).toISOString() });
                assert.equal(logged.length, 1);
                assert.match(
                    logged[0],
                    new RegExp(`^pulumi-kms-byok: warning: the new key material of ${key.Arn} expires in 5 days`),
                );
            } finally {
                console.error = original;
            }
        },
    );
});
