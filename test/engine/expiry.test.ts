import assert from "node:assert/strict";
import { expectOk as ok } from "../support/expectOk";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { basicProgram } from "../../engine-harness/byok/basic";
import { assertKeyUsable } from "../support/assertions";
import { useByokWorld } from "../support/byokStack";

/**
 * Material that expires for real (no clock tricks: validTo a few seconds ahead): the CI drift check must keep
 * working on the unchanged program — reporting EXPIRED and what to do — and a new validTo repairs it.
 */
describe("engine: material that expired with the program unchanged", () => {
    const world = useByokWorld();


    it("preview --refresh still runs, reports EXPIRED and asks for a new validTo; up with one repairs the key", async () => {
        const stack = world().newStack("expired-for-real");
        const material = randomBytes(32).toString("base64");
        const soon = new Date(Date.now() + 3000).toISOString();
        ok(await stack.up(basicProgram(world().endpoint, material, { validTo: soon })));
        const keyId = String((await stack.resource("byok"))!.id);
        await sleep(Math.max(0, Date.parse(soon) - Date.now()) + 1500);

        const unchanged = basicProgram(world().endpoint, material, { validTo: soon });
        const preview = ok(await stack.preview(unchanged, { refresh: true }));
        const refreshed = preview.steps.find((s) => s.name === "byok-material" && s.op === "refresh");
        assert.deepEqual(refreshed?.refresh?.outputChanges["materialCondition"], { old: "IMPORTED", new: "EXPIRED" });
        assert.equal(preview.summary.update, 0, "nothing KMS would accept is planned");
        assert.ok(preview.logs.some((l) => /which has passed .*set a new validTo/.test(l.text)), "the preview says what to do");
        assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");

        const renewed = basicProgram(world().endpoint, material, { validTo: new Date(Date.now() + 90 * 86_400_000).toISOString() });
        const up = ok(await stack.up(renewed, { refresh: true }));
        assert.equal(up.steps.find((s) => s.name === "byok-material" && s.op === "update")?.status, "done");
        assert.equal((await world().describeKey(keyId)).KeyState, "Enabled");
        await assertKeyUsable(world().client, keyId);
    });
});
