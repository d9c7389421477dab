// Failures: partial failure (ErrorResourceInitFailed), create errors, the host dying mid-create,
// and the CLI itself dying (pending operations).

import * as assert from "node:assert/strict";
import { type Program } from "../../engine-harness";
import { stackPerTest, THING, calls, methods, providerV1, readStore } from "./fixtures";

describe("engine-harness: failures", function () {
    const t = stackPerTest();

    it("a partial failure is stored with initErrors, and the next up runs Update on it", async function () {
        const r = await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1, partial: true } }]);
        assert.equal(r.ok, false);
        assert.equal(r.errors[0].message, "created but not healthy");
        assert.deepEqual(r.errors[0].reasons, ["health check failed", "second reason"]);
        const a = (await t.stack.resource("a"))!;
        assert.match(a.id, /^res-\d+$/);
        assert.deepEqual(a.initErrors, ["health check failed", "second reason"]);
        assert.equal(a.outputs.health, "bad", "outputs are the error's properties");
        assert.equal(a.outputs.__provider, undefined, "the host does not add __provider to a partial failure's properties");

        // Same inputs, no diff changes: the engine still updates because of the init errors.
        const from = calls(t.storePath).length;
        const again = await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1 } }]);
        assert.ok(again.ok, JSON.stringify(again.errors));
        assert.deepEqual(again.steps.map((s) => s.op), ["update"]);
        assert.ok(methods(t.storePath, from).includes("update"));
        const healed = (await t.stack.resource("a"))!;
        assert.equal(healed.initErrors, undefined);
        assert.equal(healed.id, a.id);
    });

    it("destroy right after a partial failure fails in the host: the stored outputs carry no __provider", async function () {
        await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1, partial: true } }]);
        const r = await t.stack.destroy();
        assert.equal(r.ok, false);
        assert.match(r.errors[0].message, /must be a string/);
        assert.equal((await t.stack.state()).resources.length, 1, "the resource stays in state");
    });

    it("a create error stops the run; earlier steps stay, nothing after runs, no deletes", async function () {
        await t.stack.up([{ name: "old", type: THING, provider: providerV1, inputs: { size: 0 } }]);
        const r = await t.stack.up([
            { name: "a", type: THING, provider: providerV1, inputs: { size: 1 } },
            { name: "bad", type: THING, provider: providerV1, inputs: { size: 2, failCreate: true } },
            { name: "c", type: THING, provider: providerV1, inputs: { size: 3 } },
        ]);
        assert.equal(r.ok, false);
        assert.deepEqual(r.steps.map((s) => [s.name, s.op, s.status]), [
            ["a", "create", "done"],
            ["bad", "create", "failed"],
        ]);
        assert.equal(r.errors[0].message, "create refused by the fake provider");
        const names = (await t.stack.state()).resources.map((x) => x.urn.split("::").pop());
        assert.deepEqual(names, ["a", "old"], "old is not deleted after a failure");
    });

    it("SIGKILL of the host mid-create leaves the last good state, and the next up completes", async function () {
        const program: Program = [
            { name: "a", type: THING, provider: providerV1, inputs: { size: 1 } },
            { name: "slow", type: THING, provider: providerV1, inputs: { size: 2, slowMs: 10_000 } },
        ];
        let killed = false;
        const r = await t.stack.up(program, {
            onProgress: (e) => {
                if (e.phase === "start" && e.name === "slow" && e.op === "create") {
                    setTimeout(() => {
                        killed = true;
                        t.stack.activeHost()?.kill("SIGKILL");
                    }, 300);
                }
            },
        });
        assert.ok(killed);
        assert.equal(r.ok, false);
        assert.equal(r.steps.find((s) => s.name === "slow")?.status, "failed");
        const raw = t.stack.rawStateText()!;
        const state = await t.stack.state(); // parses and decrypts
        assert.deepEqual(state.resources.map((x) => x.urn.split("::").pop()), ["a"]);
        assert.deepEqual(state.pendingOperations, [], "the failed create's pending operation was cleared");
        assert.ok(raw.length > 0);

        const fixed = await t.stack.up([program[0], { ...program[1], inputs: { size: 2 } }]);
        assert.ok(fixed.ok, JSON.stringify(fixed.errors));
        assert.deepEqual(fixed.steps.map((s) => [s.name, s.op]), [
            ["a", "same"],
            ["slow", "create"],
        ]);
        assert.notEqual(fixed.logs[0]?.pid, r.logs[0]?.pid, "a new host process served the next up");
    });

    it("a CLI crash leaves a pending 'creating' operation; the next up warns and keeps it", async function () {
        const program: Program = [{ name: "a", type: THING, provider: providerV1, inputs: { size: 1 } }];
        const r = await t.stack.up(program, { simulateCliCrash: { name: "a", operation: "creating" } });
        assert.equal(r.ok, false);
        let state = await t.stack.state();
        assert.deepEqual(state.pendingOperations.map((p) => [p.type, p.resource.urn.split("::").pop()]), [["creating", "a"]]);
        assert.deepEqual(state.resources, []);
        assert.deepEqual(readStore(t.storePath).resources, {}, "the create never reached the provider");

        const up = await t.stack.up(program);
        assert.ok(up.ok, JSON.stringify(up.errors));
        assert.match(up.diagnostics[0].message, /^Attempting to deploy or update resources with 1 pending operations from previous deployment\.\n {2}\* urn:pulumi:dev::proj::.*::a, interrupted while creating/);
        state = await t.stack.state();
        assert.equal(state.pendingOperations.length, 1, "pending CREATE operations are retained by an update");
        const refreshed = await t.stack.refresh([], { clearPendingCreates: true });
        assert.ok(refreshed.ok);
        assert.equal((await t.stack.state()).pendingOperations.length, 0);
    });
});
