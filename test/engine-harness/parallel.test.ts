// Engine-like parallelism (`parallel`, the engine's --parallel): steps overlap up to the limit,
// wait for what they depend on, deletes run dependents first, the state file stays complete and
// loses no step's update, and a failure stops new steps while those in flight finish.
// Concurrency is observed from progress events (which steps were running at the same time),
// never from timings.

import { expectOk as ok } from "../support/expectOk";
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { Stack, ref, type ProgressEvent, type Program } from "../../engine-harness";
import { stackPerTest, THING, providerV1, readStore } from "./fixtures";

/**
 * providerV1 behind a shim whose read and delete first sleep `delayMs` (create already sleeps
 * `slowMs` from its inputs), so refreshes and deletes can be seen overlapping too.
 */
function slowReadsAndDeletes(delayMs: number): object {
    type Props = Record<string, unknown>;
    const inner = providerV1 as {
        configure(req: unknown): Promise<void>;
        check(olds: Props, news: Props): Promise<unknown>;
        diff(id: string, olds: Props, news: Props): Promise<unknown>;
        create(inputs: Props): Promise<unknown>;
        read(id: string, props: Props): Promise<unknown>;
        update(id: string, olds: Props, news: Props): Promise<unknown>;
        delete(id: string, props: Props): Promise<void>;
    };
    const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, delayMs));
    return {
        configure: (req: unknown) => inner.configure(req),
        check: (olds: Props, news: Props) => inner.check(olds, news),
        diff: (id: string, olds: Props, news: Props) => inner.diff(id, olds, news),
        create: (inputs: Props) => inner.create(inputs),
        read: async (id: string, props: Props) => {
            await pause();
            return inner.read(id, props);
        },
        update: (id: string, olds: Props, news: Props) => inner.update(id, olds, news),
        delete: async (id: string, props: Props) => {
            await pause();
            return inner.delete(id, props);
        },
    };
}

/**
 * Records progress events and, at every event, checks the state file on disk: it parses (writes are
 * atomic), and it holds every step that has finished so far — a later write must not lose an earlier
 * step's update — with no pending operation left for a finished step.
 */
class Watch {
    readonly events: ProgressEvent[] = [];
    readonly problems: string[] = [];
    private readonly kept = new Map<string, string>();
    private readonly deleted = new Map<string, string>();
    private readonly finished = new Map<string, string>();

    constructor(private readonly stack: Stack) {}

    readonly hook = (e: ProgressEvent): void => {
        this.events.push(e);
        if (e.phase === "end" && e.status === "done" && !e.dryRun && e.op !== "replace") {
            const what = `${e.op} of ${e.name}`;
            if (["create", "create-replacement", "update", "same"].includes(e.op)) {
                this.kept.set(e.urn, what);
                this.deleted.delete(e.urn);
            } else if (e.op === "delete") {
                this.deleted.set(e.urn, what);
                this.kept.delete(e.urn);
            }
            this.finished.set(e.urn, what);
        }
        this.verify();
    };

    verify(): void {
        if (this.finished.size === 0) {
            return;
        }
        const state = JSON.parse(readFileSync(this.stack.stateFile, "utf8")) as {
            checkpoint: { latest: { resources: { urn: string }[]; pending_operations: { resource: { urn: string } }[] } };
        };
        const urns = new Set(state.checkpoint.latest.resources.map((r) => r.urn));
        const pending = new Set(state.checkpoint.latest.pending_operations.map((p) => p.resource.urn));
        const at = `at event ${this.events.length}`;
        this.kept.forEach((what, urn) => urns.has(urn) || this.problems.push(`${at}: the state file lost the ${what}`));
        this.deleted.forEach((what, urn) => !urns.has(urn) || this.problems.push(`${at}: the state file lost the ${what}`));
        // A step of the same resource may have begun since (e.g. delete-replaced after create-replacement).
        this.finished.forEach((what, urn) => {
            const since = lastIndex(this.events, (x) => x.urn === urn && x.phase === "start");
            const after = lastIndex(this.events, (x) => x.urn === urn && x.phase === "end");
            if (pending.has(urn) && since < after) {
                this.problems.push(`${at}: the pending operation of the finished ${what} is still in the state file`);
            }
        });
    }

    /** The most steps (of `op`, if given) that were running at the same time. */
    maxInFlight(op?: string): number {
        let now = 0;
        let max = 0;
        for (const e of this.events.filter((x) => op === undefined || x.op === op)) {
            now += e.phase === "start" ? 1 : -1;
            max = Math.max(max, now);
        }
        return max;
    }

    /** Position of a step's start or end event. */
    at(name: string, phase: "start" | "end", op?: string): number {
        const i = this.events.findIndex((e) => e.name === name && e.phase === phase && (op === undefined || e.op === op));
        assert.ok(i >= 0, `no ${phase} event for ${name}`);
        return i;
    }
}

function lastIndex<T>(xs: readonly T[], match: (x: T) => boolean): number {
    for (let i = xs.length - 1; i >= 0; i--) {
        if (match(xs[i])) {
            return i;
        }
    }
    return -1;
}


const names = (xs: { urn: string }[]): string[] => xs.map((x) => x.urn.split("::").pop()!);

/** Every resource in the state comes after the resources it depends on (what the engine guarantees). */
function assertDependencyOrder(resources: { urn: string; dependencies: string[] }[]): void {
    resources.forEach((r, i) => {
        for (const dep of r.dependencies) {
            const j = resources.findIndex((x) => x.urn === dep);
            assert.ok(j >= 0 && j < i, `${r.urn} is stored before its dependency ${dep}`);
        }
    });
}

describe("engine-harness: parallel steps", function () {
    const t = stackPerTest();

    it("runs independent creates at the same time, never more than `parallel`, and loses no update in the state file", async function () {
        const program: Program = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ name: `r${n}`, type: THING, provider: providerV1, inputs: { size: n, slowMs: 400 } }));
        const watch = new Watch(t.stack);
        const r = ok(await t.stack.up(program, { parallel: 3, onProgress: watch.hook }));
        assert.equal(watch.maxInFlight(), 3, "three slow creates overlapped, a fourth had to wait");
        watch.verify();
        assert.deepEqual(watch.problems, []);
        assert.equal(r.steps.length, 7);
        assert.ok(r.steps.every((s) => s.op === "create" && s.status === "done"));
        // Steps are listed as they finished: each record matches the order of the end events.
        assert.deepEqual(
            r.steps.map((s) => s.name),
            watch.events.filter((e) => e.phase === "end").map((e) => e.name),
        );
        const state = await t.stack.state();
        assert.deepEqual(names(state.resources).sort(), ["r1", "r2", "r3", "r4", "r5", "r6", "r7"]);
        assert.deepEqual(state.pendingOperations, []);
        assert.equal(Object.keys(readStore(t.storePath).resources).length, 7);
        assert.deepEqual(state.resources.map((x) => x.id).sort(), Object.keys(readStore(t.storePath).resources).sort());

        // Nothing changed: seven same steps, in parallel too, and the state keeps all seven.
        const again = ok(await t.stack.up(program, { parallel: 3 }));
        assert.deepEqual(again.steps.map((s) => s.op), Array(7).fill("same"));
        assert.equal((await t.stack.state()).resources.length, 7);
    });

    it("a StackOptions default applies to every operation; an operation's own value wins", async function () {
        const program: Program = [1, 2, 3].map((n) => ({ name: `r${n}`, type: THING, provider: providerV1, inputs: { size: n, slowMs: 300 } }));
        const stack = new Stack({
            project: "proj",
            stack: "dev",
            dir: dirname(dirname(dirname(t.stack.stateFile))),
            config: { storePath: t.storePath, "aws:region": "eu-west-1" },
            parallel: 3,
        });
        const watch = new Watch(stack);
        ok(await stack.up(program, { onProgress: watch.hook }));
        assert.equal(watch.maxInFlight(), 3);
        const sequential = new Watch(stack);
        ok(await stack.destroy(program, { parallel: 1, onProgress: sequential.hook }));
        assert.equal(sequential.maxInFlight(), 1);
    });

    it("a resource starts only after what it references or dependsOn has finished; others overlap", async function () {
        const program: Program = [
            { name: "a", type: THING, provider: providerV1, inputs: { size: 1, slowMs: 400 } },
            { name: "b", type: THING, provider: providerV1, inputs: { size: 2, parent: ref("a", "serial") } },
            { name: "c", type: THING, provider: providerV1, inputs: { size: 3, slowMs: 200 }, options: { dependsOn: ["b"] } },
            { name: "d", type: THING, provider: providerV1, inputs: { size: 4, slowMs: 400 } },
        ];
        const watch = new Watch(t.stack);
        ok(await t.stack.up(program, { parallel: 8, onProgress: watch.hook }));
        assert.ok(watch.at("b", "start") > watch.at("a", "end"), "b waited for a");
        assert.ok(watch.at("c", "start") > watch.at("b", "end"), "c waited for b (dependsOn)");
        assert.ok(watch.at("d", "start") < watch.at("a", "end"), "d did not wait: it overlapped a");
        watch.verify();
        assert.deepEqual(watch.problems, []);
        const state = await t.stack.state();
        assertDependencyOrder(state.resources);
        const a = state.resources.find((x) => x.urn.endsWith("::a"))!;
        assert.equal(state.resources.find((x) => x.urn.endsWith("::b"))!.inputs.parent, `serial-${a.id}`, "b saw a's output");
    });

    it("refreshes and deletes run in parallel; deletes go dependents first and leave an empty state", async function () {
        const program: Program = [
            { name: "base", type: THING, provider: slowReadsAndDeletes(300), inputs: { size: 1 } },
            { name: "mid", type: THING, provider: slowReadsAndDeletes(300), inputs: { size: 2, parent: ref("base") } },
            { name: "top", type: THING, provider: slowReadsAndDeletes(300), inputs: { size: 3, parent: ref("mid") } },
            ...[1, 2, 3].map((n) => ({ name: `leaf${n}`, type: THING, provider: slowReadsAndDeletes(300), inputs: { size: 10 + n } })),
        ];
        ok(await t.stack.up(program, { parallel: 4 }));

        const refreshWatch = new Watch(t.stack);
        const refreshed = ok(await t.stack.refresh(program, { parallel: 4, onProgress: refreshWatch.hook }));
        assert.equal(refreshed.steps.length, 6);
        assert.equal(refreshWatch.maxInFlight("refresh"), 4);
        assert.equal((await t.stack.state()).resources.length, 6);

        const watch = new Watch(t.stack);
        ok(await t.stack.destroy(program, { parallel: 4, onProgress: watch.hook }));
        assert.ok(watch.maxInFlight("delete") >= 3, "independent deletes overlapped");
        assert.ok(watch.at("mid", "start") > watch.at("top", "end"), "mid is deleted after top, which depends on it");
        assert.ok(watch.at("base", "start") > watch.at("mid", "end"), "base is deleted after mid");
        assert.ok(watch.at("leaf1", "start") < watch.at("top", "end"), "a leaf did not wait for the chain");
        watch.verify();
        assert.deepEqual(watch.problems, []);
        const state = await t.stack.state();
        assert.deepEqual(state.resources, []);
        assert.deepEqual(state.pendingOperations, []);
        assert.deepEqual(readStore(t.storePath).resources, {});
    });

    it("replacements and removals in a parallel up: create-replacement first, old copies deleted after the program", async function () {
        const v1: Program = [1, 2, 3, 4].map((n) => ({ name: `r${n}`, type: THING, provider: providerV1, inputs: { size: n, color: "red" } }));
        ok(await t.stack.up(v1, { parallel: 4 }));
        const before = await t.stack.state();
        const v2: Program = [
            { name: "r1", type: THING, provider: providerV1, inputs: { size: 1, color: "blue" } }, // replace
            { name: "r2", type: THING, provider: providerV1, inputs: { size: 20, color: "red" } }, // update
            { name: "r3", type: THING, provider: providerV1, inputs: { size: 3, color: "red" } }, // same
        ];
        const watch = new Watch(t.stack);
        const r = ok(await t.stack.up(v2, { parallel: 4, onProgress: watch.hook }));
        watch.verify();
        assert.deepEqual(watch.problems, []);
        const ops = r.steps.map((s) => `${s.name}:${s.op}`);
        assert.deepEqual([...ops].sort(), ["r1:create-replacement", "r1:delete-replaced", "r1:replace", "r2:update", "r3:same", "r4:delete"]);
        const lastProgramStep = Math.max(...["r1:replace", "r2:update", "r3:same"].map((x) => ops.indexOf(x)));
        assert.ok(ops.indexOf("r1:delete-replaced") > lastProgramStep, "deletes run after the program");
        assert.ok(ops.indexOf("r4:delete") > lastProgramStep);
        const state = await t.stack.state();
        assert.deepEqual(names(state.resources).sort(), ["r1", "r2", "r3"]);
        assert.ok(!state.resources.some((x) => x.delete));
        const oldR1 = before.resources.find((x) => x.urn.endsWith("::r1"))!;
        assert.notEqual(state.resources.find((x) => x.urn.endsWith("::r1"))!.id, oldR1.id);
        assert.deepEqual(Object.keys(readStore(t.storePath).resources).sort(), state.resources.map((x) => x.id).sort());
    });

    it("a failure stops new steps; the steps in flight finish and are kept; nothing after it starts", async function () {
        const program: Program = [
            { name: "slow", type: THING, provider: providerV1, inputs: { size: 1, slowMs: 800 } },
            { name: "bad", type: THING, provider: providerV1, inputs: { size: 2, failCreate: true } },
            { name: "after-bad", type: THING, provider: providerV1, inputs: { size: 3 } },
            { name: "child", type: THING, provider: providerV1, inputs: { size: 4, parent: ref("bad") } },
            { name: "last", type: THING, provider: providerV1, inputs: { size: 5 } },
        ];
        const watch = new Watch(t.stack);
        const r = await t.stack.up(program, { parallel: 2, onProgress: watch.hook });
        assert.equal(r.ok, false);
        assert.deepEqual(
            r.steps.map((s) => [s.name, s.op, s.status]),
            [
                ["bad", "create", "failed"],
                ["slow", "create", "done"],
            ],
            "bad failed while slow was in flight; slow finished; nothing else started",
        );
        assert.ok(watch.at("bad", "end") < watch.at("slow", "end"));
        assert.equal(r.errors.length, 1);
        assert.equal(r.errors[0].message, "create refused by the fake provider");
        assert.equal(r.steps[0].error, "create refused by the fake provider");
        watch.verify();
        assert.deepEqual(watch.problems, []);
        const state = await t.stack.state();
        assert.deepEqual(names(state.resources), ["slow"]);
        assert.deepEqual(state.pendingOperations, []);
        assert.equal(Object.keys(readStore(t.storePath).resources).length, 1);

        // The next up (fixed) creates the rest.
        const fixed = program.map((d) => (d.name === "bad" ? { ...d, inputs: { size: 2 } } : d));
        const again = ok(await t.stack.up(fixed, { parallel: 2 }));
        assert.deepEqual(again.steps.map((s) => `${s.name}:${s.op}`).sort(), ["after-bad:create", "bad:create", "child:create", "last:create", "slow:same"]);
        assertDependencyOrder((await t.stack.state()).resources);
    });

    it("a parallel preview plans every step and writes nothing; parallel must be a positive integer", async function () {
        const program: Program = [1, 2, 3].map((n) => ({ name: `r${n}`, type: THING, provider: providerV1, inputs: { size: n } }));
        const p = ok(await t.stack.preview(program, { parallel: 16 }));
        assert.deepEqual(p.steps.map((s) => `${s.name}:${s.op}:${s.status}`).sort(), ["r1:create:planned", "r2:create:planned", "r3:create:planned"]);
        assert.equal(t.stack.rawStateText(), undefined);
        const bad = await t.stack.up(program, { parallel: 0 });
        assert.equal(bad.ok, false);
        assert.match(bad.errors[0].message, /parallel must be a positive integer/);
    });
});
