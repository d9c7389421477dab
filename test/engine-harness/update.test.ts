// preview / up against the real host: config, check, unknowns, diff → update / replace / same.

import * as assert from "node:assert/strict";
import { UNKNOWN, dynamicType, ref, secret, type Program } from "../../engine-harness";
import { stackPerTest, THING, calls, makeProvider, methods, providerV1, readStore } from "./fixtures";

function one(inputs: Program[number]["inputs"], options?: Program[number]["options"]): Program {
    return [{ name: "a", type: THING, provider: providerV1, inputs, options }];
}

describe("engine-harness: preview and up", function () {
    const t = stackPerTest({ config: {} });

    it("configures first with the whole stack config: namespaced, project-relative and secret keys", async function () {
        t.stack.setConfig("storePath", t.storePath);
        t.stack.setConfig("aws:region", "ap-south-1");
        t.stack.setConfig("token", secret("tok-123-secret"));
        const r = await t.stack.up(one({ size: 1 }));
        assert.ok(r.ok, JSON.stringify(r.errors));
        const log = calls(t.storePath);
        assert.equal(log[0].method, "configure", "the provider's configure ran before anything else");
        assert.equal(log[0].region, "ap-south-1");
        assert.equal(log[0].projectKey, t.storePath);
        assert.equal(log[0].token, "tok-123-secret", "secret config arrives unwrapped");
        assert.equal(r.pluginVersion, "3.270.0");
        const raw = t.stack.rawStateText() ?? "";
        assert.ok(!raw.includes("tok-123-secret"), "secret config is encrypted in the state file");
        assert.match(raw, /"proj:token": \{\s*"secure": "v1:/);
        assert.equal((await t.stack.state()).config["proj:token"].value, "tok-123-secret");
    });

    it("reports every check failure with its property, creates nothing and writes no resource", async function () {
        t.stack.setConfig("storePath", t.storePath);
        const r = await t.stack.up(one({ size: -1, color: "" }));
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.checkFailures.map((f) => [f.property, f.reason]),
            [
                ["size", "size must not be negative"],
                ["color", "color must not be empty"],
            ],
        );
        assert.equal(r.checkFailures[0].message, `${THING} resource 'a's property 'size' value {-1} has a problem: size must not be negative`);
        assert.ok(!methods(t.storePath).includes("create"));
        assert.deepEqual((await t.stack.state()).resources, []);
    });

    it("previews with unknowns: a ref to a resource still to be create is the unknown sentinel, nothing is created or written", async function () {
        t.stack.setConfig("storePath", t.storePath);
        const program: Program = [
            { name: "a", type: THING, provider: providerV1, inputs: { size: 1 } },
            { name: "b", type: THING, provider: providerV1, inputs: { size: 2, parentId: ref("a"), parentColor: ref("a", "serial") } },
        ];
        const r = await t.stack.preview(program);
        assert.ok(r.ok, JSON.stringify(r.errors));
        assert.deepEqual(
            r.steps.map((s) => [s.name, s.op, s.status]),
            [
                ["a", "create", "planned"],
                ["b", "create", "planned"],
            ],
        );
        const checkB = calls(t.storePath).find((c) => c.method === "check" && (c.news as { size: number }).size === 2);
        assert.ok(checkB);
        assert.equal((checkB.news as Record<string, unknown>).parentId, UNKNOWN);
        assert.equal((checkB.news as Record<string, unknown>).parentColor, UNKNOWN);
        assert.deepEqual(methods(t.storePath).filter((m) => m !== "configure"), ["check", "check"], "no create during preview (supportsPreview=false)");
        assert.equal(t.stack.rawStateText(), undefined, "a preview writes no state");
        assert.equal(r.summary.create, 2);

        // After an up, the same preview knows a's id and plans nothing.
        await t.stack.up(program);
        const again = await t.stack.preview(program);
        assert.deepEqual(again.steps.map((s) => s.op), ["same", "same"]);
    });

    it("updates in place with olds = old OUTPUTS and shows the changed input keys", async function () {
        t.stack.setConfig("storePath", t.storePath);
        await t.stack.up(one({ size: 1, color: "red" }));
        const before = (await t.stack.resource("a"))!;
        const r = await t.stack.up(one({ size: 2, color: "red" }));
        assert.deepEqual(r.steps.map((s) => s.op), ["update"]);
        assert.deepEqual(r.steps[0].diff, { adds: [], deletes: [], updates: ["size"] });
        const upd = calls(t.storePath).find((c) => c.method === "update")!;
        assert.equal((upd.olds as Record<string, unknown>).serial, `serial-${before.id}`, "update's olds are the stored outputs (serial is output-only)");
        const after = (await t.stack.resource("a"))!;
        assert.equal(after.id, before.id);
        assert.equal(after.outputs.size, 2);
    });

    it("replaces create-before-delete by default, and delete-before-replace when the provider asks", async function () {
        t.stack.setConfig("storePath", t.storePath);
        await t.stack.up(one({ size: 1, color: "red" }));
        const first = (await t.stack.resource("a"))!.id;
        let from = calls(t.storePath).length;
        const r = await t.stack.up(one({ size: 1, color: "blue" }));
        assert.deepEqual(r.steps.map((s) => s.op), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepEqual(r.steps[1].replaceKeys, ["color"]);
        assert.deepEqual(methods(t.storePath, from), ["check", "diff", "check", "create", "delete"], "Check runs again before the replacement");
        const [check1, check2] = calls(t.storePath).slice(from).filter((c) => c.method === "check");
        assert.equal((check1.olds as Record<string, unknown>).color, "red", "first Check: olds = old inputs");
        assert.deepEqual(check2.olds, {}, "second Check: olds = {} as for a new resource");
        const del = calls(t.storePath).slice(from).find((c) => c.method === "delete")!;
        assert.equal(del.id, first);
        assert.equal(r.summary.replace, 1);

        from = calls(t.storePath).length;
        const dbr = await t.stack.up(one({ size: 1, color: "green", dbr: true }));
        assert.deepEqual(dbr.steps.map((s) => s.op), ["delete-replaced", "replace", "create-replacement"]);
        assert.deepEqual(methods(t.storePath, from), ["check", "diff", "check", "delete", "create"]);
        assert.equal(Object.keys(readStore(t.storePath).resources).length, 1);
    });

    it("deleteBeforeReplace option overrides the provider", async function () {
        t.stack.setConfig("storePath", t.storePath);
        await t.stack.up(one({ size: 1, color: "red" }));
        const from = calls(t.storePath).length;
        const r = await t.stack.up(one({ size: 1, color: "blue" }, { deleteBeforeReplace: true }));
        assert.deepEqual(r.steps.map((s) => s.op), ["delete-replaced", "replace", "create-replacement"]);
        assert.deepEqual(methods(t.storePath, from), ["check", "diff", "check", "delete", "create"]);
    });

    it("DIFF_UNKNOWN falls back to the engine's own input diff, __provider included", async function () {
        t.stack.setConfig("storePath", t.storePath);
        await t.stack.up(one({ size: 1, diffMode: "unknown" }));
        const same = await t.stack.up(one({ size: 1, diffMode: "unknown" }));
        assert.deepEqual(same.steps.map((s) => [s.op, s.providerDiff]), [["same", "unknown"]]);

        // Only the provider code changed: the engine's diff sees __provider and updates.
        const v2 = { name: "a", type: THING, provider: makeProvider("v2"), inputs: { size: 1, diffMode: "unknown" } };
        const from = calls(t.storePath).length;
        const upd = await t.stack.up([v2]);
        assert.deepEqual(upd.steps.map((s) => s.op), ["update"]);
        assert.deepEqual(upd.steps[0].diff, { adds: [], deletes: [], updates: ["__provider"] });
        assert.ok(methods(t.storePath, from).includes("update"));
        assert.equal((await t.stack.resource("a"))!.outputs.madeBy, "v2");
    });

    it("a SameStep (changes:false) keeps the OLD outputs, including the old __provider", async function () {
        t.stack.setConfig("storePath", t.storePath);
        await t.stack.up(one({ size: 1, diffMode: "none" }));
        const before = (await t.stack.resource("a"))!;
        const v2 = makeProvider("v2");
        const r = await t.stack.up([{ name: "a", type: THING, provider: v2, inputs: { size: 5, diffMode: "none" } }]);
        assert.deepEqual(r.steps.map((s) => s.op), ["same"]);
        const after = (await t.stack.resource("a"))!;
        assert.equal(after.inputs.size, 5, "inputs are the new ones");
        assert.deepEqual(after.outputs, before.outputs, "outputs are the old ones");
        assert.notEqual(after.inputs.__provider, after.outputs.__provider, "inputs and outputs now carry different provider code (#6238)");
    });

    it("deletes resources removed from the program and uses the dynamic type token in URNs", async function () {
        t.stack.setConfig("storePath", t.storePath);
        const T = dynamicType("test", "Thing");
        assert.equal(T, THING);
        await t.stack.up([
            { name: "a", type: T, provider: providerV1, inputs: { size: 1 } },
            { name: "b", type: T, provider: providerV1, inputs: { size: 2 } },
        ]);
        const state = await t.stack.state();
        assert.deepEqual(state.resources.map((r) => r.urn), [`urn:pulumi:dev::proj::${T}::a`, `urn:pulumi:dev::proj::${T}::b`]);
        const r = await t.stack.up(one({ size: 1 }));
        assert.deepEqual(r.steps.map((s) => [s.name, s.op]), [
            ["a", "same"],
            ["b", "delete"],
        ]);
        assert.equal(Object.keys(readStore(t.storePath).resources).length, 1);
    });
});
