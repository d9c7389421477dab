import assert from "node:assert/strict";
import { basicProgram } from "../support/cli/programs";
import { killAll, killRole, processesWithMarker } from "../support/cli/processes";
import { randomMaterial } from "../support/materials";
import { STEP_REQUESTS, describeTrial, openLane, planTrials, runTrial, type Lane, type TrialType } from "./crashes/trials";

/**
 * The CLI and the provider host SIGKILLed at every KMS request of create, update, rotation and delete, then
 * recovered as the README says (crashes/trials.ts). Trials run on three lanes (each its own kms-local and
 * backend), one trial after another per lane.
 */
describe("real CLI: killed at every KMS request, recovered as the README says, converged", function () {
    this.timeout(900_000);
    const trials = planTrials();
    const results = new Map<number, Promise<string>>();
    const lanes: Lane[] = [];

    before(async () => {
        for (let i = 0; i < 3; i++) lanes.push(await openLane());
        // CRASH_TRIALS=first-last runs only those trials (while working on one).
        const only = /^(\d+)-(\d+)$/.exec(process.env["CRASH_TRIALS"] ?? "");
        const queue = trials.filter((t) => !only || (t.id >= Number(only[1]) && t.id <= Number(only[2])));
        for (const lane of lanes) {
            void (async () => {
                for (let trial = queue.shift(); trial; trial = queue.shift()) {
                    const result = runTrial(lane, trial);
                    result.catch(() => undefined); // awaited by its test
                    results.set(trial.id, result);
                    await result.catch(() => undefined);
                }
            })();
        }
    });

    after(async () => {
        await Promise.race([Promise.allSettled(results.values()), new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
        for (const lane of lanes) await lane.world.close();
    });

    const resultOf = async (id: number): Promise<string> => {
        while (!results.has(id)) await new Promise((resolve) => setTimeout(resolve, 200));
        return results.get(id)!;
    };

    for (const trial of trials) {
        if (/^(\d+)-(\d+)$/.test(process.env["CRASH_TRIALS"] ?? "")) {
            const [first, last] = process.env["CRASH_TRIALS"]!.split("-").map(Number) as [number, number];
            if (trial.id < first || trial.id > last) continue;
        }
        it(`trial ${trial.id}: ${describeTrial(trial)} → converges`, async () => {
            await resultOf(trial.id);
        });
    }

    it("a killed CLI's provider host ends within seconds on its own: no orphan keeps serving with the stack's credentials", async () => {
        const lane = lanes[0]!;
        const stack = await lane.world.newStack("orphan", basicProgram(), {}, { BYOK_ORPHAN: "1" });
        const key = await lane.world.createKey();
        await stack.setConfig({ keyId: key.KeyId!, keyMaterial: { secret: randomMaterial().toString("base64") } });
        let killed = false;
        lane.onRequest = (operation) => {
            if (operation === "GetParametersForImport" && !killed) killed = killRole("BYOK_ORPHAN=1", "cli");
        };
        try {
            assert.equal((await stack.up()).ok, false);
        } finally {
            lane.onRequest = undefined;
        }
        assert.ok(killed, "the CLI was killed");
        const deadline = Date.now() + 15_000;
        while (processesWithMarker("BYOK_ORPHAN=1").some((p) => p.role === "host") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
        const left = processesWithMarker("BYOK_ORPHAN=1");
        killAll("BYOK_ORPHAN=1");
        assert.deepEqual(left.filter((p) => p.role === "host"), [], "the orphaned host is still running");
    });

    it(`${trials.length} trials: every kill point of every step type, the CLI and the host each killed in every type`, () => {
        for (const [type, requests] of Object.entries(STEP_REQUESTS) as [TrialType, number][]) {
            for (let k = 0; k <= requests; k++) assert.ok(trials.some((t) => t.type === type && t.k === k), `${type} at ${k}`);
            assert.ok(trials.some((t) => t.type === type && t.target === "cli"), `${type}: CLI`);
            assert.ok(trials.some((t) => t.type === type && t.target === "host"), `${type}: host`);
        }
    });
});
