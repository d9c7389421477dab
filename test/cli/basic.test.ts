import assert from "node:assert/strict";
import { DeleteImportedKeyMaterialCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ImportedKeyMaterial } from "../../provider";
import { assertKeyUnusable, assertKeyUsable } from "../support/assertions";
import { assertRunKeepsSecrets, assertStateKeepsSecrets, failed, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { basicProgram, materialsProgram } from "../support/cli/programs";
import { TestKey } from "../support/cli/testKey";
import { randomMaterial } from "../support/materials";

/**
 * The basic stack's life as a Pulumi user lives it, through the official Pulumi CLI: preview, up, refresh,
 * drift found by `preview --refresh --expect-no-changes` and repaired by `up --refresh`, in-place and
 * replacing changes, destroy in every state the key can be in. After each step: what KMS holds, and that
 * nothing the CLI printed or stored holds the material.
 */
describe("real CLI: the basic stack", function () {
    this.timeout(180_000);
    const world = useCliWorld();
    const DAY = 86_400_000;
    const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

    async function upBasic(name: string, validTo: string | undefined = inDays(180)) {
        const key = await world().createKey();
        const material = randomMaterial();
        const stack = await world().newStack(name, basicProgram(validTo ? { validTo } : {}), {
            keyId: key.KeyId!,
            keyMaterial: { secret: material.toString("base64") },
        });
        const up = ok(await stack.up());
        assertRunKeepsSecrets(up, material);
        const resource = (await stack.resource("byok-material"))!;
        return { stack, material, keyId: key.KeyId!, resource, validTo };
    }

    it("preview with the key still unknown: check passes, nothing created, not one KMS call", async () => {
        const material = randomMaterial();
        const program = async () => {
            const key = new TestKey("byok", { endpoint: world().kms.url });
            new ImportedKeyMaterial("byok-material", {
                keyId: key.id,
                keyMaterial: new pulumi.Config().requireSecret("keyMaterial"),
            });
        };
        const stack = await world().newStack("unknown-key", program, {
            keyMaterial: { secret: material.toString("base64") },
        });
        world().kms.control.resetCounters();
        const preview = ok(await stack.preview());
        assert.equal(preview.step("byok")?.op, "create");
        assert.equal(preview.step("byok-material")?.op, "create");
        assert.deepEqual(Object.keys(world().kms.control.counters()), [], "a preview makes no KMS call at all");
        assert.deepEqual((await stack.exportState()).resources, []);
        assertRunKeepsSecrets(preview, material);

        ok(await stack.up());
        const resource = (await stack.resource("byok-material"))!;
        assert.equal(resource.outputs["keyState"], "Enabled");
        assert.equal(resource.inputs["keyId"], (await stack.resource("byok"))!.id, "keyId is the key's id");
        ok(await stack.destroy());
    });

    it(
        "up imports the material: key Enabled and usable, the material an encrypted secret, the stored " +
            "provider a small shim",
        async () => {
            const { stack, material, resource, keyId } = await upBasic("up");
            assert.equal(resource.outputs["keyState"], "Enabled");
            assert.match(String(resource.outputs["keyMaterialId"]), /^[0-9a-f]{64}$/);
            assert.equal(
                resource.id,
                `${String(resource.outputs["keyArn"])}#${String(resource.outputs["keyMaterialId"])}`,
            );
            assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
            await assertKeyUsable(world().client, keyId);
            await assertStateKeepsSecrets(stack, material);
            assert.ok(String(resource.inputs["__provider"]).length < 4096, "the stored provider is a small shim");
            assert.equal((await stack.outputs())["byok-material.keyState"], "Enabled");
        },
    );

    it("refresh of an unchanged stack changes nothing (refresh --expect-no-changes passes)", async () => {
        const { stack, material } = await upBasic("refresh");
        const refresh = ok(await stack.refresh({ expectNoChanges: true }));
        assertRunKeepsSecrets(refresh, material);
        ok(await stack.preview({ refresh: true, expectNoChanges: true }));
    });

    it(
        "material deleted out of band: preview --refresh --expect-no-changes fails; up --refresh repairs; " +
            "old ciphertexts decrypt",
        async () => {
            const { stack, material, resource, keyId } = await upBasic("drift-deleted");
            const ciphertext = await assertKeyUsable(world().client, keyId);
            await world().client.send(
                new DeleteImportedKeyMaterialCommand({
                    KeyId: keyId,
                    KeyMaterialId: String(resource.outputs["keyMaterialId"]),
                }),
            );

            const preview = failed(await stack.preview({ refresh: true, expectNoChanges: true }));
            assert.equal(preview.step("byok-material")?.op, "update");
            // The engine calls diff twice in a --refresh run (the drift, then the plan): the reason is said once.
            const reimportReason = /reimporting the same material in place \(the material was DELETED outside Pulumi/;
            const saidTimes = (run: { messages(): string[] }) => run.messages().filter((m) => reimportReason.test(m));
            assert.equal(saidTimes(preview).length, 1, "the preview says why, once");
            assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport", "a preview changes nothing");
            assert.equal(
                (await stack.resource("byok-material"))!.outputs["materialCondition"],
                "IMPORTED",
                "preview --refresh persists nothing",
            );
            assertRunKeepsSecrets(preview, material);

            const up = ok(await stack.up({ refresh: true }));
            assert.equal(up.step("byok-material")?.op, "update");
            assert.equal(saidTimes(up).length, 1, "up --refresh says why, once");
            assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
            await assertKeyUsable(world().client, keyId, ciphertext);
            assert.equal((await stack.resource("byok-material"))!.outputs["materialCondition"], "IMPORTED");
            ok(await stack.preview({ refresh: true, expectNoChanges: true }));
            await assertStateKeepsSecrets(stack, material);
        },
    );

    it(
        'validTo as the program wrote it ("…Z") and as KMS reports it are one spelling: a drift preview ' +
            "shows no validTo change",
        async () => {
            const given = inDays(180); // "…T12:34:56Z", as users write it; read back from KMS it is "…T12:34:56.000Z"
            const { stack, resource, keyId } = await upBasic("validto-spelling", given);
            assert.equal(
                resource.inputs["validTo"],
                resource.outputs["validTo"],
                "inputs (checked) and outputs (read from KMS) spell it alike",
            );
            assert.equal(Date.parse(String(resource.outputs["validTo"])), Date.parse(given));
            ok(await stack.preview({ refresh: true, expectNoChanges: true }));

            await world().client.send(
                new DeleteImportedKeyMaterialCommand({
                    KeyId: keyId,
                    KeyMaterialId: String(resource.outputs["keyMaterialId"]),
                }),
            );
            const events: EngineEvent[] = [];
            failed(
                await stack.preview({ refresh: true, expectNoChanges: true, onEvent: (event) => events.push(event) }),
            );
            // The step's outputs event carries the previewed outputs (the pre-event has none yet).
            const planned = events
                .map((e) => e.resOutputsEvent?.metadata)
                .find((m) => m?.urn.endsWith("::byok-material") && m.op === "update");
            assert.ok(planned, "the drift plans an update");
            // A preview's outputs of an update are its checked inputs: the same instant must not read as a change.
            assert.equal(planned.new?.outputs?.["validTo"], planned.old?.outputs?.["validTo"]);
            assert.ok(!(planned.diffs ?? []).includes("validTo"), `diffs: ${String(planned.diffs)}`);
        },
    );

    it(
        "material expired (kms-local's clock): preview --refresh --expect-no-changes fails; up --refresh with " +
            "a new validTo repairs",
        async () => {
            const { stack, material, keyId } = await upBasic("drift-expired", inDays(2));
            world().kms.control.clock.advance(3 * DAY);
            try {
                const preview = failed(await stack.preview({ refresh: true, expectNoChanges: true }));
                assert.ok(
                    preview.messages().some((m) => /EXPIRED/.test(m)),
                    "the preview says the material expired",
                );
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
                stack.setProgram(basicProgram({ validTo: inDays(60) }));
                const up = ok(await stack.up({ refresh: true }));
                assert.equal(up.step("byok-material")?.op, "update");
                assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
                await assertKeyUsable(world().client, keyId);
                await assertStateKeepsSecrets(stack, material);
            } finally {
                world().kms.control.clock.advance(0);
            }
        },
    );

    it("a validTo change updates in place: same KeyMaterialId, no delete, the key Enabled", async () => {
        const { stack, material, resource, keyId } = await upBasic("validto");
        world().kms.control.resetCounters();
        const validTo = inDays(300);
        stack.setProgram(basicProgram({ validTo }));
        const up = ok(await stack.up({ previewFirst: true }));
        assert.equal(up.step("byok-material")?.op, "update");
        const after = (await stack.resource("byok-material"))!;
        assert.equal(after.outputs["keyMaterialId"], resource.outputs["keyMaterialId"]);
        assert.equal(Date.parse(String(after.outputs["validTo"])), Date.parse(validTo));
        assert.equal(world().kms.control.counters()["DeleteImportedKeyMaterial"], undefined);
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
        await assertStateKeepsSecrets(stack, material);
    });

    it("another key replaces: the material is imported into the new key, then deleted from the old one", async () => {
        const { stack, material, keyId: oldKey } = await upBasic("replace");
        const newKey = (await world().createKey()).KeyId!;
        await stack.setConfig({ keyId: newKey });
        const preview = ok(await stack.preview());
        assert.equal(preview.step("byok-material")?.op, "replace");
        ok(await stack.up());
        assert.equal((await world().describeKey(newKey)).KeyState, "Enabled");
        assert.equal(
            (await world().describeKey(oldKey)).KeyState,
            "PendingImport",
            "the old key's material was deleted",
        );
        await assertKeyUsable(world().client, newKey);
        await assertStateKeepsSecrets(stack, material);
    });

    it("refuses different material for the same key at preview, with what to do instead", async () => {
        const { stack, keyId } = await upBasic("refuse-change");
        const other = randomMaterial();
        await stack.setConfig({ keyMaterial: { secret: other.toString("base64") } });
        const preview = failed(await stack.preview());
        assert.match(preview.output, /cannot be applied safely[\s\S]*NEW_KEY_MATERIAL/);
        assertRunKeepsSecrets(preview, other);
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
    });

    it(
        "adopts material imported before the stack existed (same " + "bytes): one KeyMaterialId, no second material",
        async () => {
            const key = await world().createKey();
            const material = randomMaterial();
            const first = await world().newStack("adopt-first", basicProgram(), {
                keyId: key.KeyId!,
                keyMaterial: { secret: material.toString("base64") },
            });
            ok(await first.up());
            const owned = (await first.resource("byok-material"))!.outputs["keyMaterialId"];
            // Someone stops managing it (state removed, material kept), then a new stack adopts it.
            await first.cli([
                "state",
                "delete",
                (await first.resource("byok-material"))!.urn,
                "--yes",
                "--stack",
                first.name,
            ]);
            const second = await world().newStack("adopt-second", basicProgram(), {
                keyId: key.KeyId!,
                keyMaterial: { secret: material.toString("base64") },
            });
            ok(await second.up());
            assert.equal((await second.resource("byok-material"))!.outputs["keyMaterialId"], owned);
            assert.equal((await world().materials(key.KeyId!)).length, 1);
            ok(await second.destroy());
        },
    );

    it("destroy deletes the material by its KeyMaterialId; the key cannot encrypt afterwards", async () => {
        const { stack, material, resource, keyId } = await upBasic("destroy");
        world().kms.control.resetCounters();
        const destroy = ok(await stack.destroy());
        assertRunKeepsSecrets(destroy, material);
        const deletes = world()
            .kms.control.requests()
            .filter((r) => r.operation === "DeleteImportedKeyMaterial");
        assert.deepEqual(
            deletes.map((r) => r.keyMaterialId),
            [resource.outputs["keyMaterialId"]],
        );
        assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
        assert.deepEqual((await stack.exportState()).resources, []);
        await assertKeyUnusable(world().client, keyId, "KMSInvalidStateException");
    });

    for (const behaviour of ["succeed", "reject"] as const) {
        it(`destroy succeeds on a key scheduled for deletion out of band (KMS ${behaviour}s the delete)`, async () => {
            world().kms.control.setSwitches({ deleteOnPendingDeletion: behaviour });
            try {
                const { stack, keyId } = await upBasic(`destroy-pending-${behaviour}`);
                await world().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
                ok(await stack.destroy());
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingDeletion");
                assert.deepEqual((await stack.exportState()).resources, []);
            } finally {
                world().kms.control.resetSwitches();
            }
        });
    }

    it("destroy succeeds after the key is gone", async () => {
        const { stack, keyId } = await upBasic("destroy-gone");
        await world().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        world().kms.control.clock.advance(8 * DAY);
        try {
            ok(await stack.destroy());
            assert.deepEqual((await stack.exportState()).resources, []);
        } finally {
            world().kms.control.clock.advance(0);
        }
    });

    it("refresh drops key and material once the key is gone; the next up starts over with a new key", async () => {
        const material = randomMaterial();
        const program = async () => {
            const key = new TestKey("byok", { endpoint: world().kms.url });
            new ImportedKeyMaterial("byok-material", {
                keyId: key.id,
                keyMaterial: new pulumi.Config().requireSecret("keyMaterial"),
            });
        };
        const stack = await world().newStack("key-gone", program, {
            keyMaterial: { secret: material.toString("base64") },
        });
        ok(await stack.up());
        const keyId = String((await stack.resource("byok"))!.id);
        await world().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        world().kms.control.clock.advance(8 * DAY);
        try {
            ok(await stack.refresh());
            assert.deepEqual(
                (await stack.exportState()).resources.map((r) => r.name),
                [],
            );
            const up = ok(await stack.up());
            assert.equal(up.step("byok")?.op, "create");
            assert.equal(up.step("byok-material")?.op, "create");
            const newKey = String((await stack.resource("byok"))!.id);
            assert.notEqual(newKey, keyId);
            await assertKeyUsable(world().client, newKey);
            ok(await stack.destroy());
        } finally {
            world().kms.control.clock.advance(0);
        }
    });

    it("retainOnDelete: removing the resource leaves the material in KMS", async () => {
        const key = await world().createKey();
        const material = randomMaterial();
        const stack = await world().newStack(
            "retain",
            materialsProgram({ name: "byok-material", opts: { retainOnDelete: true } }),
            {
                keyId: key.KeyId!,
                keyMaterial: { secret: material.toString("base64") },
            },
        );
        ok(await stack.up());
        world().kms.control.resetCounters();
        ok(await stack.destroy());
        assert.equal(
            world().kms.control.counters()["DeleteImportedKeyMaterial"],
            undefined,
            "the provider was not called",
        );
        assert.equal((await world().describeKey(key.KeyId!)).KeyState, "Enabled");
    });

    it("protect: destroy fails and deletes nothing until protect is lifted", async () => {
        const key = await world().createKey();
        const material = randomMaterial();
        const stack = await world().newStack(
            "protect",
            materialsProgram({ name: "byok-material", opts: { protect: true } }),
            {
                keyId: key.KeyId!,
                keyMaterial: { secret: material.toString("base64") },
            },
        );
        ok(await stack.up());
        const destroy = failed(await stack.destroy());
        assert.match(destroy.output, /protect/);
        assert.equal((await world().describeKey(key.KeyId!)).KeyState, "Enabled");
        stack.setProgram(materialsProgram({ name: "byok-material" }));
        ok(await stack.up());
        ok(await stack.destroy());
        assert.equal((await world().describeKey(key.KeyId!)).KeyState, "PendingImport");
    });
});
