import assert from "node:assert/strict";
import { expectOk as ok } from "../support/expectOk";
import { randomBytes } from "node:crypto";
import { DeleteImportedKeyMaterialCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { basicProgram, keyDeclaration, materialDeclaration } from "../../engine-harness/byok/basic";
import type { OperationResult, Program, Stack } from "../../engine-harness";
import { assertKeyUnusable, assertKeyUsable } from "../support/assertions";
import { assertStateKeepsSecrets, useByokWorld } from "../support/byokStack";

/**
 * The basic example's life as a Pulumi user lives it, through the real dynamic-provider host: preview,
 * up, drift found by `preview --refresh` and repaired by `up`, in-place and replacing changes, destroy in
 * every state the key can be in, and a provider upgrade between up and destroy. After each step: what KMS
 * holds, and that the stored state keeps the material secret.
 */
describe("engine: the basic example through the real provider host", () => {
    const world = useByokWorld();
    const DAY = 86_400_000;
    const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

    function step(result: OperationResult, name: string) {
        const found = result.steps.find((s) => s.name === name && s.logical);
        assert.ok(found, `no step for ${name}: ${JSON.stringify(result.steps.map((s) => [s.name, s.op]))}`);
        return found;
    }


    async function upBasic(stackName: string, validTo = inDays(180)) {
        const stack = world().newStack(stackName);
        const material = randomBytes(32);
        const program = basicProgram(world().endpoint, material.toString("base64"), { validTo });
        ok(await stack.up(program));
        const resource = (await stack.resource("byok-material"))!;
        return { stack, material, program, validTo, resource, keyId: String((await stack.resource("byok"))!.id) };
    }

    it("preview with the key still unknown: check passes, nothing created, no KMS import call", async () => {
        const stack = world().newStack("preview");
        world().kms.control.resetCounters();
        const material = randomBytes(32);
        const result = ok(await stack.preview(basicProgram(world().endpoint, material.toString("base64"), { validTo: inDays(180) })));
        assert.equal(step(result, "byok").op, "create");
        assert.equal(step(result, "byok-material").op, "create");
        assert.deepEqual(Object.keys(world().kms.control.counters()), [], "a preview makes no KMS call at all");
        assert.equal(await stack.resource("byok-material"), undefined);
        await assertStateKeepsSecrets(stack, material);
    });

    it("up imports the material: key Enabled and usable, the material a secret in state, nothing leaked", async () => {
        const { stack, material, resource, keyId } = await upBasic("up");
        assert.equal(resource.outputs["keyState"], "Enabled");
        assert.match(String(resource.outputs["keyMaterialId"]), /^[0-9a-f]{64}$/);
        assert.equal(resource.id, `${resource.outputs["keyArn"]}#${resource.outputs["keyMaterialId"]}`);
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
        await assertKeyUsable(world().client, keyId);
        await assertStateKeepsSecrets(stack, material);
        const provider = stack.serializedProviders()["byok-material"]!;
        assert.ok(provider.text.length < 4096, "the stored provider is a small shim");
    });

    it("preview --refresh shows material deleted out of band; up repairs it and old ciphertexts decrypt", async () => {
        const { stack, material, program, resource, keyId } = await upBasic("drift-deleted");
        const ciphertext = await assertKeyUsable(world().client, keyId);
        await world().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: String(resource.outputs["keyMaterialId"]) }));

        const preview = ok(await stack.preview(program, { refresh: true }));
        const refreshed = preview.steps.find((s) => s.name === "byok-material" && s.op === "refresh");
        assert.equal(refreshed?.refresh?.result, "update");
        assert.deepEqual(pick(refreshed?.refresh?.outputChanges, "materialCondition"), { from: "IMPORTED", to: "DELETED" });
        assert.equal(step(preview, "byok-material").op, "update");
        assert.ok(preview.logs.some((l) => /reimporting the same material in place \(the material was DELETED outside Pulumi/.test(l.text)), "the preview says why");
        assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport", "a preview changes nothing");

        const up = ok(await stack.up(program, { refresh: true }));
        assert.equal(step(up, "byok-material").op, "update");
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
        await assertKeyUsable(world().client, keyId, ciphertext);
        assert.equal((await stack.resource("byok-material"))!.outputs["materialCondition"], "IMPORTED");
        await assertStateKeepsSecrets(stack, material);
    });

    it("preview --refresh shows expired material (kms-local clock moved); up with a new validTo repairs it", async () => {
        const { stack, material, keyId } = await upBasic("drift-expired", inDays(2));
        world().kms.control.clock.advance(3 * DAY);
        try {
            const renewed = basicProgram(world().endpoint, material.toString("base64"), { validTo: inDays(60) });
            const preview = ok(await stack.preview(renewed, { refresh: true }));
            const refreshed = preview.steps.find((s) => s.name === "byok-material" && s.op === "refresh");
            assert.deepEqual(pick(refreshed?.refresh?.outputChanges, "materialCondition"), { from: "IMPORTED", to: "EXPIRED" });
            assert.equal(step(preview, "byok-material").op, "update");
            ok(await stack.up(renewed, { refresh: true }));
            assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
            await assertKeyUsable(world().client, keyId);
            await assertStateKeepsSecrets(stack, material);
        } finally {
            world().kms.control.clock.advance(0);
        }
    });

    it("a validTo change updates in place: same KeyMaterialId, no delete, the key stays Enabled", async () => {
        const { stack, material, resource, keyId } = await upBasic("validto");
        world().kms.control.resetCounters();
        const validTo = inDays(300);
        const up = ok(await stack.up(basicProgram(world().endpoint, material.toString("base64"), { validTo })));
        const updated = step(up, "byok-material");
        assert.equal(updated.op, "update");
        assert.deepEqual(updated.diff?.updates, ["validTo"]);
        const after = (await stack.resource("byok-material"))!;
        assert.equal(after.outputs["keyMaterialId"], resource.outputs["keyMaterialId"]);
        assert.equal(Date.parse(String(after.outputs["validTo"])), Date.parse(validTo));
        assert.equal(world().kms.control.counters()["DeleteImportedKeyMaterial"], undefined);
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
        await assertStateKeepsSecrets(stack, material);
    });

    it("a keyId change replaces: material imported into the new key, then deleted from the old one", async () => {
        const { stack, material, keyId: oldKey } = await upBasic("replace");
        const program: Program = [
            keyDeclaration(world().endpoint),
            keyDeclaration(world().endpoint, "byok-2", { description: "second key" }),
            materialDeclaration({ name: "byok-material", key: "byok-2", material: material.toString("base64"), inputs: { validTo: inDays(180) } }),
        ];
        const preview = ok(await stack.preview(program));
        assert.equal(step(preview, "byok-material").op, "replace");
        assert.deepEqual(step(preview, "byok-material").replaceKeys, ["keyId"]);
        ok(await stack.up(program));
        const newKey = String((await stack.resource("byok-2"))!.id);
        assert.equal((await world().describeKey(newKey)).KeyState, "Enabled");
        assert.equal((await world().describeKey(oldKey)).KeyState, "PendingImport", "the old key's material was deleted");
        await assertKeyUsable(world().client, newKey);
        await assertStateKeepsSecrets(stack, material);
    });

    it("refuses different material for the same key at preview, with what to do instead", async () => {
        const { stack, program, keyId } = await upBasic("refuse-change");
        const other = randomBytes(32);
        const result = await stack.preview(basicProgram(world().endpoint, other.toString("base64"), { validTo: inDays(180) }));
        assert.equal(result.ok, false);
        const failure = result.checkFailures.find((f) => f.property === "keyMaterial");
        assert.match(failure?.reason ?? "", /cannot be applied safely.*NEW_KEY_MATERIAL/s);
        assert.ok(!failure!.message.includes(other.toString("base64")));
        ok(await stack.preview(program));
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
    });

    it("destroy deletes the material by its KeyMaterialId and schedules the key's deletion", async () => {
        const { stack, material, program, resource, keyId } = await upBasic("destroy");
        world().kms.control.resetCounters();
        ok(await stack.destroy(program));
        const deletes = world().kms.control.requests().filter((r) => r.operation === "DeleteImportedKeyMaterial");
        assert.deepEqual(deletes.map((r) => r.keyMaterialId), [resource.outputs["keyMaterialId"]]);
        assert.equal((await world().describeKey(keyId)).KeyState, "PendingDeletion");
        assert.deepEqual((await stack.state()).resources, []);
        await assertStateKeepsSecrets(stack, material);
    });

    for (const behaviour of ["succeed", "reject"] as const) {
        it(`destroy succeeds after the key was scheduled for deletion out of band (KMS ${behaviour}s the delete)`, async () => {
            world().kms.control.setSwitches({ deleteOnPendingDeletion: behaviour });
            try {
                const { stack, program, keyId } = await upBasic(`destroy-pending-${behaviour}`);
                await world().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
                ok(await stack.destroy(program));
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingDeletion");
                assert.deepEqual((await stack.state()).resources, []);
            } finally {
                world().kms.control.resetSwitches();
            }
        });
    }

    it("destroy succeeds after the key is gone", async () => {
        const { stack, program, keyId } = await upBasic("destroy-gone");
        await world().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        world().kms.control.clock.advance(8 * DAY);
        ok(await stack.destroy(program));
        assert.deepEqual((await stack.state()).resources, []);
    });

    it("refresh drops key and material once the key is gone; the next up starts over with a new key", async () => {
        const { stack, program, material, keyId } = await upBasic("key-gone");
        await world().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        world().kms.control.clock.advance(8 * DAY);
        const refresh = ok(await stack.refresh(program));
        assert.equal(refresh.steps.find((s) => s.name === "byok-material")?.refresh?.result, "delete");
        assert.equal(await stack.resource("byok-material"), undefined);
        const up = ok(await stack.up(program));
        assert.equal(step(up, "byok").op, "create");
        assert.equal(step(up, "byok-material").op, "create");
        const newKey = String((await stack.resource("byok"))!.id);
        assert.notEqual(newKey, keyId);
        await assertKeyUsable(world().client, newKey);
        await assertStateKeepsSecrets(stack, material);
    });

    it("destroy after a provider upgrade runs the provider stored at the last up", async () => {
        const { stack, material, validTo } = await upBasic("upgrade");
        const upgraded = basicProgram(world().endpoint, material.toString("base64"), { validTo }, upgradedProvider());
        // Not applied: destroy must run the stored (v1) provider.
        const destroyedBy = await destroyLogs(stack, upgraded);
        assert.ok(!destroyedBy.some((l) => l.includes("provider v2")), "the stored provider (v1) ran delete");
        assert.deepEqual((await stack.state()).resources, []);
    });

    it("an up after a provider upgrade records the new provider, which destroy then runs", async () => {
        const { stack, material, validTo } = await upBasic("upgrade-applied");
        const upgraded = basicProgram(world().endpoint, material.toString("base64"), { validTo }, upgradedProvider());
        world().kms.control.resetCounters();
        const up = ok(await stack.up(upgraded));
        assert.equal(step(up, "byok-material").op, "update");
        assert.equal(world().kms.control.counters()["ImportKeyMaterial"], undefined, "recording the new code needs no import");
        const destroyedBy = await destroyLogs(stack, upgraded);
        assert.ok(destroyedBy.some((l) => l.includes("provider v2 delete")));
    });

    async function destroyLogs(stack: Stack, program: Program): Promise<string[]> {
        const result = ok(await stack.destroy(program));
        return result.logs.map((l) => l.text);
    }

    it("takes the KMS endpoint and Region from the stack config through Configure (aws:endpoints, aws:region)", async () => {
        // No endpoint of our own and none in the host's environment: only @pulumi/aws's aws:endpoints.
        const stack = world().newStack("configure", {
            "pulumi-kms-byok:endpoint": "",
            "aws:region": "eu-central-1",
            "aws:endpoints": JSON.stringify([{ kms: world().kms.url }]),
        });
        const material = randomBytes(32);
        const program = basicProgram({ ...world().endpoint, region: "eu-central-1" }, material.toString("base64"));
        ok(await stack.up(program));
        const resource = (await stack.resource("byok-material"))!;
        assert.equal(resource.outputs["region"], "eu-central-1");
        assert.equal(resource.outputs["keyState"], "Enabled");
        assert.ok(world().kms.control.requests().some((r) => r.operation === "ImportKeyMaterial" && r.region === "eu-central-1"));
        ok(await stack.destroy(program));
    });

    it("the stand-in key and the material are wired as in examples/basic (keyId is the key's id)", async () => {
        const { stack, keyId } = await upBasic("wiring");
        const material = (await stack.resource("byok-material"))!;
        assert.equal(material.inputs["keyId"], keyId);
        assert.ok(material.dependencies.some((urn) => urn.endsWith("::byok")));
    });

    it("after destroy, the key cannot encrypt", async () => {
        const { stack, program, keyId } = await upBasic("unusable");
        ok(await stack.destroy(program));
        await assertKeyUnusable(world().client, keyId, "KMSInvalidStateException");
    });
});

function pick(changes: Record<string, { old: unknown; new: unknown }> | undefined, key: string): { from: unknown; to: unknown } | undefined {
    const entry = changes?.[key];
    return entry ? { from: entry.old, to: entry.new } : undefined;
}

/** "Version 2" of the provider: the same implementation behind a shim whose code (and so __provider) differs. */
function upgradedProvider(): object {
    const { importedKeyMaterialProvider: v1 } = require("../../provider/dynamic/shim");
    return {
        configure: (req: unknown) => v1.configure(req),
        check: (olds: unknown, news: unknown) => v1.check(olds, news),
        diff: (id: unknown, olds: unknown, news: unknown) => v1.diff(id, olds, news),
        create: (inputs: unknown) => v1.create(inputs),
        read: (id: unknown, props: unknown) => v1.read(id, props),
        update: (id: unknown, olds: unknown, news: unknown) => v1.update(id, olds, news),
        delete: (id: unknown, props: unknown) => {
            console.error("provider v2 delete");
            return v1.delete(id, props);
        },
    };
}
