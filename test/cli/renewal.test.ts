import assert from "node:assert/strict";
import { assertKeyUsable } from "../support/assertions";
import { assertRunKeepsSecrets, assertStateKeepsSecrets, failed, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { basicProgram } from "../support/cli/programs";
import { randomMaterial } from "../support/materials";

/**
 * Material that renews itself (validityPeriodHours), through the official Pulumi CLI, with kms-local's clock
 * moved: the CI drift check (`preview --refresh --expect-no-changes`) stays green until renewal is due, turns
 * red with the reason, and `up --refresh` renews in place.
 */
describe("real CLI: validityPeriodHours renews the material", function () {
    this.timeout(180_000);
    const world = useCliWorld();
    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;

    async function upRenewable(name: string, validityPeriodHours: number) {
        const key = await world().createKey();
        const material = randomMaterial();
        const stack = await world().newStack(name, basicProgram({ validityPeriodHours }), {
            keyId: key.KeyId!,
            keyMaterial: { secret: material.toString("base64") },
        });
        assertRunKeepsSecrets(ok(await stack.up()), material);
        return { stack, material, keyId: key.KeyId!, resource: (await stack.resource("byok-material"))! };
    }

    it(
        "up with a period; the drift check green inside it, red once renewal is due (saying why), green " +
            "again after up renews",
        async () => {
            const { stack, material, keyId, resource } = await upRenewable("renewal", 2160);
            const validTo = String(resource.outputs["validTo"]);
            assert.ok(
                Math.abs(Date.parse(validTo) - (world().kms.control.clock.now() + 2160 * HOUR)) < 60_000,
                validTo,
            );
            assert.equal(resource.outputs["renewalDueAt"], new Date(Date.parse(validTo) - 720 * HOUR).toISOString());
            ok(await stack.preview({ expectNoChanges: true }));
            ok(await stack.preview({ refresh: true, expectNoChanges: true }));

            world().kms.control.clock.advance(59 * DAY);
            ok(await stack.preview({ refresh: true, expectNoChanges: true }));
            const ciphertext = await assertKeyUsable(world().client, keyId);

            world().kms.control.clock.advance(22 * DAY);
            const stale = ok(await stack.preview({ expectNoChanges: true }));
            assert.ok(
                !stale.messages().some((m) => /renewing/.test(m)),
                "without --refresh the plan uses KMS's clock as recorded at the last up",
            );
            const check = failed(await stack.preview({ refresh: true, expectNoChanges: true }));
            assert.equal(check.step("byok-material")?.op, "update");
            const said = check.messages().join("\n");
            assert.match(
                said,
                /reimporting the same material in place \(material expires in 9 days; renewing for 2,160 hours\)/,
            );
            // Log lines name the key and material by short ids (the full ones are in the outputs).
            const shortMaterialId = String(resource.outputs["keyMaterialId"]).slice(0, 12);
            const subject = `key ${keyId.slice(0, 8)}… material ${shortMaterialId}…`;
            assert.match(
                said,
                new RegExp(`warning: ${subject} expires in 9 days \\(validTo ${validTo}\\): renewal is due`),
            );
            assertRunKeepsSecrets(check, material);

            const up = ok(await stack.up({ refresh: true, previewFirst: true }));
            assert.equal(up.step("byok-material")?.op, "update");
            const renewed = (await stack.resource("byok-material"))!;
            assert.equal(renewed.outputs["keyMaterialId"], resource.outputs["keyMaterialId"], "the same material");
            assert.ok(
                Math.abs(
                    Date.parse(String(renewed.outputs["validTo"])) - (world().kms.control.clock.now() + 2160 * HOUR),
                ) < 60_000,
                "validTo from KMS's clock",
            );
            assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
            await assertKeyUsable(world().client, keyId, ciphertext);
            ok(await stack.preview({ refresh: true, expectNoChanges: true }));
            await assertStateKeepsSecrets(stack, material);
        },
    );

    it(
        "expired material is renewed by up --refresh (no program change); a new period alone is " +
            "recorded without a reimport",
        async () => {
            const { stack, material, keyId, resource } = await upRenewable("renewal-expired", 24);
            world().kms.control.clock.advance(30 * HOUR);
            const check = failed(await stack.preview({ refresh: true, expectNoChanges: true }));
            assert.match(check.messages().join("\n"), /material expired 6 hours ago; renewing for 24 hours/);
            assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
            ok(await stack.up({ refresh: true }));
            assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
            assert.equal(
                (await stack.resource("byok-material"))!.outputs["keyMaterialId"],
                resource.outputs["keyMaterialId"],
            );

            const before = (await stack.resource("byok-material"))!.outputs["validTo"];
            world().kms.control.resetCounters();
            stack.setProgram(basicProgram({ validityPeriodHours: 48, earlyRenewalHours: 8 }));
            const preview = ok(await stack.preview());
            assert.equal(preview.step("byok-material")?.op, "update");
            assert.match(
                preview.messages().join("\n"),
                /validityPeriodHours 24 hours → 48 hours is recorded without a reimport/,
            );
            ok(await stack.up());
            const after = (await stack.resource("byok-material"))!;
            assert.equal(after.outputs["validTo"], before);
            assert.equal(after.outputs["validityPeriodHours"], 48);
            assert.equal(world().kms.control.counters()["ImportKeyMaterial"], undefined, "no reimport");
            ok(await stack.preview({ refresh: true, expectNoChanges: true }));
            await assertStateKeepsSecrets(stack, material);
        },
    );

    it("refuses validTo together with validityPeriodHours at preview, before any KMS call", async () => {
        const key = await world().createKey();
        const material = randomMaterial();
        const validTo = new Date(Date.now() + 30 * DAY).toISOString();
        const stack = await world().newStack("renewal-refused", basicProgram({ validTo, validityPeriodHours: 720 }), {
            keyId: key.KeyId!,
            keyMaterial: { secret: material.toString("base64") },
        });
        world().kms.control.resetCounters();
        const preview = failed(await stack.preview());
        assert.match(preview.output, /validTo and validityPeriodHours are alternatives, set only one/);
        assert.deepEqual(world().kms.control.counters(), {});
        assertRunKeepsSecrets(preview, material);
    });
});
