import assert from "node:assert/strict";
import { PLANS, lifecycleCount, runPlan, type Stats } from "./faults/lifecycles";

/**
 * The fault suite through the official Pulumi CLI: whole lifecycles while kms-local misbehaves the way AWS
 * can (faults/lifecycles.ts). Every plan runs on a world of its own, three at a time; each test waits for its
 * plan's result.
 */
describe("real CLI: lifecycles under kms-local's faults (up → validTo change and rotation → refresh → destroy)", function () {
    this.timeout(600_000);
    const runs = new Map<string, Promise<Stats>>();

    before(() => {
        const queue = [...PLANS];
        const lanes = Array.from({ length: 3 }, async () => {
            for (let plan = queue.shift(); plan; plan = queue.shift()) {
                const run = runPlan(plan);
                run.catch(() => undefined); // awaited by its test
                runs.set(plan.name, run);
                await run.catch(() => undefined);
            }
        });
        // Plans start as lanes free up; tests await the promise of theirs (created by then or soon).
        void Promise.all(lanes);
    });

    const resultOf = async (name: string): Promise<Stats> => {
        while (!runs.has(name)) await new Promise((resolve) => setTimeout(resolve, 200));
        return runs.get(name)!;
    };

    for (const plan of PLANS) {
        it(`${plan.what}: ${lifecycleCount(plan)} material lifecycles, KMS and state as intended after every step`, async () => {
            const stats = await resultOf(plan.name);
            assert.equal(stats.lifecycles, lifecycleCount(plan));
        });
    }

    it("at least 50 material lifecycles across the plans, none failed", async () => {
        const done = await Promise.all(PLANS.map((p) => resultOf(p.name)));
        const total = done.reduce((n, s) => n + s.lifecycles, 0);
        assert.ok(total >= 50, `${total} lifecycles`);
    });
});
