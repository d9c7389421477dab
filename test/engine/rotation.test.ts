import assert from "node:assert/strict";
import { expectOk as ok } from "../support/expectOk";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { keyDeclaration, materialDeclaration } from "../../engine-harness/byok/basic";
import type { Program, Stack } from "../../engine-harness";
import { assertKeyUnusable, assertKeyUsable } from "../support/assertions";
import { assertStateKeepsSecrets, useByokWorld } from "../support/byokStack";

/** examples/rotation and the rules around several materials in one key, through the real provider host. */
describe("engine: rotation of imported material", () => {
    const world = useByokWorld();

    const output = async (stack: Stack, name: string, key: string) => (await stack.resource(name))?.outputs[key];

    it("examples/rotation: rotates to a second material; old ciphertexts still decrypt; refresh shows each state", async () => {
        const stack = world().newStack("rotation-example");
        const first = randomBytes(32).toString("base64");
        ok(await stack.up(await world().example("rotation", { keyMaterial: first })));
        const keyArn = String(await output(stack, "material-1", "keyArn"));
        assert.equal(await output(stack, "material-1", "keyMaterialState"), "CURRENT");
        const oldCiphertext = await assertKeyUsable(world().client, keyArn);

        const second = randomBytes(32).toString("base64");
        const program = await world().example("rotation", { keyMaterial: first, nextKeyMaterial: second });
        const preview = ok(await stack.preview(program));
        assert.equal(preview.steps.find((s) => s.name === "material-2")?.op, "create");
        ok(await stack.up(program));
        assert.equal(await output(stack, "material-2", "keyMaterialState"), "CURRENT");
        assert.equal((await world().describeKey(keyArn)).CurrentKeyMaterialId, await output(stack, "material-2", "keyMaterialId"));

        const refresh = ok(await stack.refresh(program));
        const firstRefreshed = refresh.steps.find((s) => s.name === "material-1");
        assert.deepEqual(firstRefreshed?.refresh?.outputChanges["keyMaterialState"], { old: "CURRENT", new: "NON_CURRENT" });
        assert.equal(await output(stack, "material-1", "keyMaterialState"), "NON_CURRENT");
        assert.match(String(await output(stack, "material-1", "deletionImpact")), /NON_CURRENT material of .*: it is permanently associated/);
        await assertKeyUsable(world().client, keyArn, oldCiphertext);
        assert.equal(ok(await stack.preview(program)).summary.update, 0, "nothing left to do");
        await assertStateKeepsSecrets(stack, Buffer.from(second, "base64"), "material-2");
    });

    /** A key with a first material, and a second imported as NEW_KEY_MATERIAL, optionally rotated in. */
    function twoMaterials(first: string, second: string | undefined, rotate: boolean): Program {
        const kms = world().endpoint;
        return [
            keyDeclaration(kms),
            materialDeclaration({ name: "material-1", key: "byok", material: first }),
            ...(second
                ? [materialDeclaration({ name: "material-2", key: "byok", material: second, inputs: { importType: "NEW_KEY_MATERIAL", rotateOnDemand: rotate } })]
                : []),
        ];
    }

    it("removing a PENDING_ROTATION material deletes only it: the key stays usable", async () => {
        const stack = world().newStack("remove-pending");
        const [first, second] = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];
        ok(await stack.up(twoMaterials(first, second, false)));
        const keyArn = String(await output(stack, "material-1", "keyArn"));
        assert.equal(await output(stack, "material-2", "keyMaterialState"), "PENDING_ROTATION");
        assert.match(String(await output(stack, "material-2", "deletionImpact")), /the key stays usable/);
        const pendingId = await output(stack, "material-2", "keyMaterialId");
        world().kms.control.resetCounters();
        const up = ok(await stack.up(twoMaterials(first, undefined, false)));
        assert.equal(up.steps.find((s) => s.name === "material-2")?.op, "delete");
        assert.deepEqual(world().kms.control.requests().filter((r) => r.operation === "DeleteImportedKeyMaterial").map((r) => r.keyMaterialId), [pendingId]);
        assert.ok(up.logs.some((l) => /\(PENDING_ROTATION, .*the key stays usable/.test(l.text)));
        assert.equal((await world().describeKey(keyArn)).KeyState, "Enabled");
        assert.equal((await world().materials(keyArn)).length, 1);
    });

    it("removing a permanently associated material makes the key PendingImport, and says so", async () => {
        const stack = world().newStack("remove-permanent");
        const [first, second] = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];
        ok(await stack.up(twoMaterials(first, second, true)));
        const keyArn = String(await output(stack, "material-1", "keyArn"));
        ok(await stack.refresh(twoMaterials(first, second, true)));
        assert.match(String(await output(stack, "material-1", "deletionImpact")), /becomes unusable \(PendingImport\)/);
        // Drop the first (now NON_CURRENT) material: its resource is deleted, and with it the key's usability.
        const program: Program = twoMaterials(first, second, true).filter((d) => d.name !== "material-1");
        const up = ok(await stack.up(program));
        assert.ok(up.logs.some((l) => /\(NON_CURRENT, .*permanently associated, so .*becomes unusable/.test(l.text)));
        assert.equal((await world().describeKey(keyArn)).KeyState, "PendingImport");
        await assertKeyUnusable(world().client, keyArn, "KMSInvalidStateException");
        const refreshed = ok(await stack.refresh(program));
        assert.equal(refreshed.steps.find((s) => s.name === "material-2")?.refresh?.outputChanges["keyState"]?.new, "PendingImport");
    });

    for (const stage of ["import", "rotation"] as const) {
        it(`a lost result after the ${stage} (state discarded) converges on the next up: no second material, no second rotation`, async () => {
            const stack = world().newStack(`lost-${stage}`);
            const [first, second] = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];
            ok(await stack.up(twoMaterials(first, undefined, false)));
            const keyArn = String(await output(stack, "material-1", "keyArn"));
            const statePath = stack.stateFile;
            const before = readFileSync(statePath, "utf8");
            world().kms.control.resetCounters();
            ok(await stack.up(twoMaterials(first, second, stage === "rotation")));
            writeFileSync(statePath, before); // the result never reached the state
            const rerun = ok(await stack.up(twoMaterials(first, second, stage === "rotation")));
            assert.equal(rerun.steps.find((s) => s.name === "material-2")?.op, "create");
            const materials = await world().materials(keyArn);
            assert.equal(materials.length, 2, "exactly the intended materials");
            assert.equal(materials.filter((m) => m.KeyMaterialState?.startsWith("PENDING_")).length, stage === "rotation" ? 0 : 1);
            const rotations = world().kms.control.requests().filter((r) => r.operation === "RotateKeyOnDemand" && r.status === 200);
            assert.equal(rotations.length, stage === "rotation" ? 1 : 0);
            const stored = (await stack.resource("material-2"))!;
            const entry = materials.find((m) => m.KeyMaterialId === stored.outputs["keyMaterialId"]);
            assert.equal(stored.outputs["keyMaterialState"], entry?.KeyMaterialState, "stored state matches KMS");
            await assertKeyUsable(world().client, keyArn);
        });
    }
});
