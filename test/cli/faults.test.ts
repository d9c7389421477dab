import assert from "node:assert/strict";
import { runInLanes, type LaneRun } from "../support/cli/lanes";
import { PLANS, lifecycleCount, type Stats } from "./faults/lifecycles";

/**
 * The fault suite through the official Pulumi CLI: whole lifecycles while kms-local misbehaves the way AWS
 * can (faults/lifecycles.ts). Every plan runs on a world of its own, in one of three lane processes
 * (support/cli/lanes.ts says why); each test waits for its plan's result.
 */
describe(
    "real CLI: lifecycles under kms-local's faults (up → " + "validTo change and rotation → refresh → destroy)",
    function () {
        this.timeout(900_000);
        let lanes: LaneRun | undefined;

        before(() => {
            lanes = runInLanes(
                PLANS.map((p) => ({ id: p.name })),
                { module: "cli/faults/lifecycles", run: "runPlanJob", lanes: 3 },
            );
        });

        after(() => lanes?.stop());

        const statsOf = async (name: string): Promise<Stats> => JSON.parse(await lanes!.results.get(name)!) as Stats;

        for (const plan of PLANS) {
            it(
                `${plan.what}: ${lifecycleCount(plan)} material lifecycles, KMS and state as ` +
                    `intended after every step`,
                async () => {
                    assert.equal((await statsOf(plan.name)).lifecycles, lifecycleCount(plan));
                },
            );
        }

        it("at least 50 material lifecycles across the plans, none failed", async () => {
            const done = await Promise.all(PLANS.map((p) => statsOf(p.name)));
            const total = done.reduce((n, s) => n + s.lifecycles, 0);
            assert.ok(total >= 50, `${total} lifecycles`);
        });

        it(
            "nothing the lanes' CLIs printed or left holds any of " + "their materials (each lane's own leak scan)",
            async () => {
                for (const report of await lanes!.leakReports) {
                    console.log(`      ${report.summary}`);
                    assert.equal(report.failure, undefined, report.failure);
                }
            },
        );
    },
);
