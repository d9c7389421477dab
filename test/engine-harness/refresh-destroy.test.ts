// refresh, preview --refresh, destroy: what Read/Delete receive and what happens to state.

import * as assert from "node:assert/strict";
import { ref, type Program } from "../../engine-harness";
import { stackPerTest, THING, calls, editStore, makeProvider, methods, providerV1, readStore } from "./fixtures";

describe("engine-harness: refresh and destroy", function () {
    const t = stackPerTest();

    const program: Program = [
        { name: "a", type: THING, provider: providerV1, inputs: { size: 1, color: "red" } },
        { name: "b", type: THING, provider: providerV1, inputs: { size: 2, color: "red" } },
    ];

    it("refresh: id '' removes the resource, drift updates outputs, ReadResult.inputs replaces inputs", async function () {
        await t.stack.up(program);
        const a = (await t.stack.resource("a"))!;
        const b = (await t.stack.resource("b"))!;
        editStore(t.storePath, (s) => {
            delete s.resources[a.id];
            s.resources[b.id].size = 9;
            s.resources[b.id].reportInputs = true;
        });
        const from = calls(t.storePath).length;
        const r = await t.stack.refresh();
        assert.ok(r.ok, JSON.stringify(r.errors));
        const byName = Object.fromEntries(r.steps.map((s) => [s.name, s]));
        assert.equal(byName.a.refresh?.result, "delete");
        assert.equal(byName.b.refresh?.result, "update");
        assert.deepEqual(byName.b.refresh?.outputDiff, { adds: ["reportInputs"], deletes: [], updates: ["size"] });
        assert.deepEqual(byName.b.refresh?.inputDiff.updates, ["size"]);
        assert.deepEqual(r.summary, { create: 0, update: 1, replace: 0, delete: 1, same: 0 });

        const reads = calls(t.storePath).slice(from).filter((c) => c.method === "read");
        assert.equal((reads[0].props as Record<string, unknown>).serial, `serial-${a.id}`, "Read gets the stored outputs");
        // The engine diffs the other way round after a read: olds = refreshed outputs, news = stored inputs.
        const diff = calls(t.storePath).slice(from).find((c) => c.method === "diff")!;
        assert.equal((diff.olds as Record<string, unknown>).size, 9);
        assert.equal((diff.news as Record<string, unknown>).size, 2);

        const state = await t.stack.state();
        assert.deepEqual(state.resources.map((x) => x.urn.split("::").pop()), ["b"]);
        assert.equal(state.resources[0].inputs.size, 9, "inputs from ReadResult.inputs");
        assert.ok(state.resources[0].inputs.__provider, "the host keeps __provider in returned inputs");

        // The next up recreates a; b's inputs (9) differ from the program (2): update.
        const up = await t.stack.up(program);
        assert.deepEqual(up.steps.map((s) => [s.name, s.op]), [
            ["a", "create"],
            ["b", "update"],
        ]);
    });

    it("preview --refresh reads (Read runs) but writes nothing, and plans against the refreshed state", async function () {
        await t.stack.up(program);
        const a = (await t.stack.resource("a"))!;
        editStore(t.storePath, (s) => delete s.resources[a.id]);
        const before = t.stack.rawStateText();
        const from = calls(t.storePath).length;
        const r = await t.stack.preview(program, { refresh: true });
        assert.ok(r.ok, JSON.stringify(r.errors));
        assert.deepEqual(r.steps.map((s) => [s.name, s.op, s.refresh?.result ?? s.status]), [
            ["a", "refresh", "delete"],
            ["b", "refresh", "same"],
            ["a", "create", "planned"],
            ["b", "same", "planned"],
        ]);
        assert.ok(methods(t.storePath, from).includes("read"));
        assert.ok(!methods(t.storePath, from).includes("create"));
        assert.equal(t.stack.rawStateText(), before, "state file untouched");

        // up --refresh persists the refresh and repairs.
        const up = await t.stack.up(program, { refresh: true });
        assert.deepEqual(up.steps.filter((s) => s.op !== "refresh").map((s) => [s.name, s.op]), [
            ["a", "create"],
            ["b", "same"],
        ]);
        assert.equal((await t.stack.state()).resources.length, 2);
    });

    it("a destroy preview plans every delete and calls nothing", async function () {
        await t.stack.up(program);
        const from = calls(t.storePath).length;
        const r = await t.stack.destroy([], { preview: true });
        assert.deepEqual(r.steps.map((s) => [s.name, s.op, s.status]), [
            ["b", "delete", "planned"],
            ["a", "delete", "planned"],
        ]);
        assert.deepEqual(methods(t.storePath, from), []);
        assert.equal((await t.stack.state()).resources.length, 2);
        // and a preview of a program without b plans its delete
        const p = await t.stack.preview([program[0]]);
        assert.deepEqual(p.steps.map((s) => [s.name, s.op]), [
            ["a", "same"],
            ["b", "delete"],
        ]);
        assert.equal(p.summary.delete, 1);
    });

    it("destroy deletes dependents first, with the stored outputs, and honours retainOnDelete", async function () {
        await t.stack.up([
            { name: "a", type: THING, provider: providerV1, inputs: { size: 1 } },
            { name: "b", type: THING, provider: providerV1, inputs: { size: 2, parent: ref("a") } },
            { name: "keep", type: THING, provider: providerV1, inputs: { size: 4 }, options: { retainOnDelete: true } },
            { name: "c", type: THING, provider: providerV1, inputs: { size: 3 }, options: { dependsOn: ["b"] } },
        ]);
        const state = await t.stack.state();
        const ids = Object.fromEntries(state.resources.map((x) => [x.urn.split("::").pop(), x.id]));
        assert.deepEqual(state.resources.find((x) => x.id === ids.b)!.propertyDependencies, { parent: [state.resources[0].urn] });
        const from = calls(t.storePath).length;
        const r = await t.stack.destroy();
        assert.ok(r.ok, JSON.stringify(r.errors));
        const deletes = calls(t.storePath).slice(from).filter((c) => c.method === "delete");
        assert.deepEqual(
            deletes.map((c) => c.id),
            [ids.c, ids.b, ids.a],
            "c before b before a; keep is never deleted",
        );
        assert.equal((deletes[0].props as Record<string, unknown>).serial, `serial-${ids.c}`, "Delete gets the stored outputs");
        assert.ok(r.steps.find((s) => s.name === "keep")?.retained);
        assert.deepEqual((await t.stack.state()).resources, []);
        assert.deepEqual(Object.keys(readStore(t.storePath).resources), [ids.keep], "the retained resource still exists");
    });

    it("Delete and Read run the __provider stored in the outputs, Check/Diff/Update the new one", async function () {
        await t.stack.up([{ name: "a", type: THING, provider: makeProvider("v1"), inputs: { size: 1, diffMode: "none" } }]);
        // Upgrade the provider code; diff says "no changes" → SameStep → outputs keep v1's code.
        const v2 = makeProvider("v2");
        await t.stack.up([{ name: "a", type: THING, provider: v2, inputs: { size: 1, diffMode: "none" } }]);
        let from = calls(t.storePath).length;
        await t.stack.refresh();
        assert.deepEqual(
            calls(t.storePath)
                .slice(from)
                .filter((c) => c.method !== "configure")
                .map((c) => `${c.method}:${c.version}`),
            ["read:v1", "diff:v2"],
            "Read runs the outputs' code (v1); the refresh Diff gets the stored INPUTS as news, whose code is v2",
        );
        from = calls(t.storePath).length;
        await t.stack.destroy();
        const del = calls(t.storePath).slice(from).find((c) => c.method === "delete")!;
        assert.equal(del.version, "v1", "destroy ran the provider code stored in the outputs");

        // With a diff that reports a __provider change, Update runs and the outputs get v2.
        t.renew();
        await t.stack.up([{ name: "a", type: THING, provider: makeProvider("v1"), inputs: { size: 1, diffMode: "provider" } }]);
        const upd = await t.stack.up([{ name: "a", type: THING, provider: v2, inputs: { size: 1, diffMode: "provider" } }]);
        assert.deepEqual(upd.steps.map((s) => s.op), ["update"]);
        assert.equal(calls(t.storePath).find((c) => c.method === "update")?.version, "v2", "Update runs the new code");
        from = calls(t.storePath).length;
        await t.stack.destroy();
        assert.equal(calls(t.storePath).slice(from).find((c) => c.method === "delete")?.version, "v2");
    });
});
