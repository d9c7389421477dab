// Pure engine rules on property values (no host involved).

import * as assert from "node:assert/strict";
import { annotateSecrets, diffKeys, stripSecrets, valuesEqual } from "../../engine-harness/values";
import { SECRET_SIG, SIG_KEY, UNKNOWN, formatDiff, secret } from "../../engine-harness";
import { configureRequest, normalizeConfig, pluginConfigJson } from "../../engine-harness/config";
import { scheduleDeletes, type Condemned } from "../../engine-harness/deletes";
import type { ResourceState } from "../../engine-harness";

describe("engine-harness: value rules", function () {
    it("secret(x) is the SDK's wire envelope and stripSecrets removes it deeply", function () {
        assert.deepEqual(secret("k"), { [SIG_KEY]: SECRET_SIG, value: "k" });
        assert.deepEqual(stripSecrets({ a: secret({ b: [secret(1)] }) }), { a: { b: [1] } });
    });

    it("annotateSecrets recurses into objects and taints a whole value whose input contains a secret", function () {
        const outs = annotateSecrets({ a: "x", nested: { s: "1", p: "2" }, list: ["v"], other: "o" }, { a: secret("x"), nested: { s: secret("1") }, list: [secret("v")] });
        assert.deepEqual(outs, { a: secret("x"), nested: { s: secret("1"), p: "2" }, list: secret(["v"]), other: "o" });
    });

    it("valuesEqual: a secret equals only a secret; unknown equals nothing", function () {
        assert.equal(valuesEqual(secret("a"), secret("a")), true);
        assert.equal(valuesEqual(secret("a"), "a"), false);
        assert.equal(valuesEqual(UNKNOWN, UNKNOWN), false);
        assert.equal(valuesEqual({ x: [1, { y: null }] }, { x: [1, { y: null }] }), true);
    });

    it("diffKeys treats null as absent and formats like the CLI", function () {
        const d = diffKeys({ a: 1, b: 2, n: null, c: "x" }, { a: 1, b: 3, n: 5, d: true, c: null });
        assert.deepEqual(d, { adds: ["d", "n"], deletes: ["c"], updates: ["b"] });
        assert.equal(formatDiff(d), "diff: +d,n-c~b");
    });

    it("config: project namespace, string values, secrets only in Configure args", function () {
        const cfg = normalizeConfig("proj", { region: "x", "aws:region": "eu-west-1", tags: { a: 1 }, tok: secret("t") });
        assert.deepEqual(Object.keys(cfg), ["proj:region", "aws:region", "proj:tags", "proj:tok"]);
        const req = configureRequest(cfg);
        assert.deepEqual(req.args, { "proj:region": "x", "aws:region": "eu-west-1", "proj:tags": '{"a":1}', "proj:tok": secret("t") });
        assert.equal(req.variables["pulumi-nodejs:config:proj:tok"], "t");
        assert.equal(pluginConfigJson(cfg), "{}");
    });

    it("scheduleDeletes puts dependents first", function () {
        const res = (name: string, deps: string[] = [], propDeps: Record<string, string[]> = {}): ResourceState => ({
            urn: `u::${name}`,
            custom: true,
            type: "t",
            id: name,
            inputs: {},
            outputs: {},
            provider: "p",
            dependencies: deps,
            propertyDependencies: propDeps,
        });
        const a = res("a");
        const b = res("b", [], { x: ["u::a"] });
        const c = res("c", ["u::b"]);
        const z = res("z");
        const order = scheduleDeletes([a, z, b, c].map((r): Condemned => ({ res: r, op: "delete" }))).map((x) => x.res.id);
        assert.ok(order.indexOf("c") < order.indexOf("b") && order.indexOf("b") < order.indexOf("a"), order.join());
        assert.equal(order.length, 4);
    });
});
