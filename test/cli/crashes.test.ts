import assert from "node:assert/strict";
import { basicProgram } from "../support/cli/programs";
import { openCliWorld } from "../support/cli/cliWorld";
import { killAll, killRole, processesWithMarker } from "../support/cli/processes";
import { randomMaterial } from "../support/materials";
import { runInLanes, type LaneRun } from "../support/cli/lanes";
import { STEP_REQUESTS, describeTrial, planTrials, type TrialType } from "./crashes/trials";

/**
 * The CLI and the provider host SIGKILLed at every KMS request of create, update, rotation and delete, then
 * recovered as docs/guides/interrupted-runs.md says (crashes/trials.ts). Trials run on three lanes, each a process of
 * its own with its own kms-local and backend (support/cli/lanes.ts says why), one trial after another per lane.
 */
describe("real CLI: killed at every KMS request, recovered as the guide says, converged", function () {
    this.timeout(900_000);
    const trials = planTrials();
    // CRASH_TRIALS=first-last runs only those trials (while working on one).
    const only = /^(\d+)-(\d+)$/.exec(process.env["CRASH_TRIALS"] ?? "");
    const selected = trials.filter((t) => !only || (t.id >= Number(only[1]) && t.id <= Number(only[2])));
    let lanes: LaneRun | undefined;

    before(() => {
        lanes = runInLanes(
            selected.map((t) => ({ ...t, id: String(t.id) })),
            { module: "cli/crashes/trials", run: "runTrialJob", finish: "closeLane", lanes: 3 },
        );
    });

    after(() => lanes?.stop());

    for (const trial of selected) {
        it(`trial ${trial.id}: ${describeTrial(trial)} → converges`, async () => {
            await lanes!.results.get(String(trial.id));
        });
    }

    it("nothing the lanes' CLIs printed or left holds any of their materials (each lane's own leak scan)", async () => {
        for (const report of await lanes!.leakReports) {
            console.log(`      ${report.summary}`);
            assert.equal(report.failure, undefined, report.failure);
        }
    });

    it(
        "a killed CLI's provider host ends within seconds on its own: no orphan keeps serving with " +
            "the stack's credentials",
        async () => {
            let onRequest: ((operation: string) => void) | undefined;
            const world = await openCliWorld({
                log: (line) => onRequest?.(/^\S+ \S+ \S+ (\S+) /.exec(line)?.[1] ?? ""),
            });
            try {
                const stack = await world.newStack("orphan", basicProgram(), {}, { BYOK_ORPHAN: "1" });
                const key = await world.createKey();
                await stack.setConfig({
                    keyId: key.KeyId!,
                    keyMaterial: { secret: randomMaterial().toString("base64") },
                });
                let killed = false;
                onRequest = (operation) => {
                    if (operation === "GetParametersForImport" && !killed) killed = killRole("BYOK_ORPHAN=1", "cli");
                };
                assert.equal((await stack.up()).ok, false);
                onRequest = undefined;
                assert.ok(killed, "the CLI was killed");
                const deadline = Date.now() + 15_000;
                while (processesWithMarker("BYOK_ORPHAN=1").some((p) => p.role === "host") && Date.now() < deadline)
                    await new Promise((resolve) => setTimeout(resolve, 250));
                const left = processesWithMarker("BYOK_ORPHAN=1");
                killAll("BYOK_ORPHAN=1");
                assert.deepEqual(
                    left.filter((p) => p.role === "host"),
                    [],
                    "the orphaned host is still running",
                );
            } finally {
                await world.close();
            }
        },
    );

    it(
        `${trials.length} trials: every kill point of every step type, the CLI and the host each ` +
            `killed in every type`,
        () => {
            for (const [type, requests] of Object.entries(STEP_REQUESTS) as [TrialType, number][]) {
                for (let k = 0; k <= requests; k++)
                    assert.ok(
                        trials.some((t) => t.type === type && t.k === k),
                        `${type} at ${k}`,
                    );
                assert.ok(
                    trials.some((t) => t.type === type && t.target === "cli"),
                    `${type}: CLI`,
                );
                assert.ok(
                    trials.some((t) => t.type === type && t.target === "host"),
                    `${type}: host`,
                );
            }
        },
    );
});
