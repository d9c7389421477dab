// Stand-in resources next to dynamic ones, host logs, progress events and the CLI-like renderer.

import * as assert from "node:assert/strict";
import { UNKNOWN, isSecret, ref, renderProgress, renderResult, secret, type ProgressEvent, type Program, type PropertyMap, type StandInResource } from "../../engine-harness";
import { stackPerTest, THING, calls, providerV1 } from "./fixtures";

const KEY_TYPE = "aws:kms/externalKey:ExternalKey";

/** An in-memory "cloud" for a stand-in: what a test would do with SDK calls to a local KMS. */
function fakeKeys(): { standIn: StandInResource; keys: Map<string, PropertyMap>; log: string[] } {
    const keys = new Map<string, PropertyMap>();
    const log: string[] = [];
    let n = 0;
    const standIn: StandInResource = {
        async create(inputs) {
            const id = `key-${++n}`;
            log.push(`create ${id} ${JSON.stringify(inputs)}`);
            keys.set(id, { ...inputs, arn: `arn:aws:kms:eu-west-1:000000000000:key/${id}`, keyMaterialBase64: inputs.keyMaterialBase64 ?? null });
            return { id, outputs: keys.get(id)! };
        },
        async read(id) {
            const k = keys.get(id);
            return k ? { outputs: { ...k } } : undefined;
        },
        async delete(id) {
            log.push(`delete ${id}`);
            keys.delete(id);
        },
    };
    return { standIn, keys, log };
}

describe("engine-harness: stand-ins, logs and rendering", function () {
    const t = stackPerTest();

    it("a stand-in resource is created, referenced (unknown in preview), replaced, refreshed and destroyed", async function () {
        const cloud = fakeKeys();
        const program = (description: string): Program => [
            { name: "key", type: KEY_TYPE, standIn: cloud.standIn, inputs: { description, keyMaterialBase64: secret("bWF0ZXJpYWw=") } },
            { name: "m", type: THING, provider: providerV1, inputs: { size: 1, diffMode: "unknown", keyId: ref("key"), keyArn: ref("key", "arn") } },
        ];
        const preview = await t.stack.preview(program("one"));
        assert.ok(preview.ok, JSON.stringify(preview.errors));
        const check = calls(t.storePath).find((c) => c.method === "check")!;
        assert.equal((check.news as Record<string, unknown>).keyId, UNKNOWN);
        assert.equal(cloud.keys.size, 0, "stand-ins are not called in preview");

        const up = await t.stack.up(program("one"));
        assert.ok(up.ok, JSON.stringify(up.errors));
        assert.equal(cloud.log[0], 'create key-1 {"description":"one","keyMaterialBase64":"bWF0ZXJpYWw="}', "stand-in gets plain inputs");
        const key = (await t.stack.resource("key"))!;
        assert.ok(isSecret(key.outputs.keyMaterialBase64), "same-named output made secret");
        const m = (await t.stack.resource("m"))!;
        assert.equal(m.inputs.keyId, "key-1");
        assert.deepEqual(m.dependencies, [key.urn]);

        const replaced = await t.stack.up(program("two"));
        assert.ok(replaced.ok, JSON.stringify(replaced.errors));
        assert.deepEqual(replaced.steps.filter((s) => s.logical).map((s) => [s.name, s.op]), [
            ["key", "replace"],
            ["m", "update"],
        ]);
        assert.deepEqual(cloud.log.slice(1), ['create key-2 {"description":"two","keyMaterialBase64":"bWF0ZXJpYWw="}', "delete key-1"]);

        cloud.keys.delete("key-2");
        const refreshed = await t.stack.refresh(program("two"));
        assert.equal(refreshed.steps.find((s) => s.name === "key")?.refresh?.result, "delete");

        const destroyed = await t.stack.destroy(program("two"));
        assert.ok(destroyed.ok, JSON.stringify(destroyed.errors));
        assert.deepEqual((await t.stack.state()).resources, []);
    });

    it("collects host output per operation and for the stack; reports progress; renders like the CLI", async function () {
        const events: ProgressEvent[] = [];
        const program: Program = [{ name: "a", type: THING, provider: providerV1, inputs: { size: 3, color: "red" } }];
        const up = await t.stack.up(program, { onProgress: (e) => events.push(e) });
        assert.ok(up.logs.some((l) => l.text === "[fake] creating 3/red" && l.stream === "stdout"));
        assert.deepEqual(events.map((e) => [e.phase, e.op, e.name]), [
            ["start", "create", "a"],
            ["end", "create", "a"],
        ]);
        assert.match(renderProgress(events[1]), /^ {4}\+ pulumi-nodejs:dynamic\/test:Thing a created \(\d+\.\ds\)$/);

        const text = renderResult(up, { stack: "dev" });
        assert.match(text, /^Updating \(dev\):\n {4}\+ pulumi-nodejs:dynamic\/test:Thing a created \(\d+\.\ds\)$/m);
        assert.match(text, /\nResources:\n {4}\+ 1 created\n/);

        const preview = await t.stack.preview([{ ...program[0], inputs: { size: 4, color: "red" } }]);
        const ptext = renderResult(preview, { stack: "dev", showLogs: false });
        assert.ok(ptext.startsWith("Previewing update (dev):\n    ~ pulumi-nodejs:dynamic/test:Thing a update [diff: ~size]\n"), ptext);
        assert.match(ptext, /Resources:\n {4}~ 1 to update\n/);

        const bad = await t.stack.preview([{ ...program[0], inputs: { size: -1, color: "red" } }]);
        assert.match(renderResult(bad), /Diagnostics:\n {2}pulumi-nodejs:dynamic\/test:Thing \(a\):\n {4}error: .*'s property 'size' value \{-1\} has a problem: size must not be negative/);

        await t.stack.destroy();
        const all = t.stack.hostLogs().map((l) => l.text);
        assert.ok(all.includes("[fake] creating 3/red"));
        assert.ok(all.some((l) => l.startsWith("[fake] deleting res-")));
    });
});
