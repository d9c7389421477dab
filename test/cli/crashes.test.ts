import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { basicProgram } from "../support/cli/programs";
import { openCliWorld } from "../support/cli/cliWorld";
import { killAll, killRole, processesWithMarker } from "../support/cli/processes";
import { randomMaterial } from "../support/materials";
import type { LaneReply, LaneRequest } from "./crashes/laneProcess";
import { STEP_REQUESTS, describeTrial, planTrials, type Trial, type TrialType } from "./crashes/trials";

/**
 * The CLI and the provider host SIGKILLed at every KMS request of create, update, rotation and delete, then
 * recovered as the README says (crashes/trials.ts). Trials run on three lanes, each a process of its own with
 * its own kms-local and backend (crashes/laneProcess.ts says why), one trial after another per lane.
 */
describe("real CLI: killed at every KMS request, recovered as the README says, converged", function () {
    this.timeout(900_000);
    const trials = planTrials();
    // CRASH_TRIALS=first-last runs only those trials (while working on one).
    const only = /^(\d+)-(\d+)$/.exec(process.env["CRASH_TRIALS"] ?? "");
    const selected = trials.filter((t) => !only || (t.id >= Number(only[1]) && t.id <= Number(only[2])));
    const results = new Map<number, { resolve: (message: string) => void; reject: (error: Error) => void; promise: Promise<string> }>();
    for (const trial of selected) {
        let settle!: { resolve: (message: string) => void; reject: (error: Error) => void };
        const promise = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
        promise.catch(() => undefined); // awaited by its test
        results.set(trial.id, { ...settle, promise });
    }
    const lanes: ChildProcess[] = [];
    const leakReports: Promise<{ summary: string; failure: string | undefined }>[] = [];

    before(() => {
        const queue = [...selected];
        for (let i = 0; i < Math.min(3, queue.length); i++) {
            const child = fork(join(__dirname, "crashes", "laneProcess.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
            lanes.push(child);
            const next = () => {
                const trial: Trial | undefined = queue.shift();
                const request: LaneRequest = trial ? { trial } : { done: true };
                child.send(request);
            };
            leakReports.push(
                new Promise((resolve, reject) => {
                    child.on("message", (reply: LaneReply) => {
                        if ("leak" in reply) return resolve(reply.leak);
                        const result = results.get(reply.id)!;
                        if (reply.ok) result.resolve(reply.message);
                        else result.reject(new Error(reply.message));
                        next();
                    });
                    child.on("exit", (code) => (code === 0 ? undefined : reject(new Error(`crash lane ${i + 1} exited with ${code}`))));
                }),
            );
            next();
        }
    });

    after(async () => {
        for (const lane of lanes) if (lane.exitCode === null) lane.kill("SIGKILL");
    });

    for (const trial of selected) {
        it(`trial ${trial.id}: ${describeTrial(trial)} → converges`, async () => {
            await results.get(trial.id)!.promise;
        });
    }

    it("nothing the lanes' CLIs printed or left holds any of their materials (each lane's own leak scan)", async () => {
        for (const report of await Promise.all(leakReports)) {
            console.log(`      ${report.summary}`);
            assert.equal(report.failure, undefined, report.failure);
        }
    });

    it("a killed CLI's provider host ends within seconds on its own: no orphan keeps serving with the stack's credentials", async () => {
        let onRequest: ((operation: string) => void) | undefined;
        const world = await openCliWorld({ log: (line) => onRequest?.(/^\S+ \S+ \S+ (\S+) /.exec(line)?.[1] ?? "") });
        try {
            const stack = await world.newStack("orphan", basicProgram(), {}, { BYOK_ORPHAN: "1" });
            const key = await world.createKey();
            await stack.setConfig({ keyId: key.KeyId!, keyMaterial: { secret: randomMaterial().toString("base64") } });
            let killed = false;
            onRequest = (operation) => {
                if (operation === "GetParametersForImport" && !killed) killed = killRole("BYOK_ORPHAN=1", "cli");
            };
            assert.equal((await stack.up()).ok, false);
            onRequest = undefined;
            assert.ok(killed, "the CLI was killed");
            const deadline = Date.now() + 15_000;
            while (processesWithMarker("BYOK_ORPHAN=1").some((p) => p.role === "host") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
            const left = processesWithMarker("BYOK_ORPHAN=1");
            killAll("BYOK_ORPHAN=1");
            assert.deepEqual(left.filter((p) => p.role === "host"), [], "the orphaned host is still running");
        } finally {
            await world.close();
        }
    });

    it(`${trials.length} trials: every kill point of every step type, the CLI and the host each killed in every type`, () => {
        for (const [type, requests] of Object.entries(STEP_REQUESTS) as [TrialType, number][]) {
            for (let k = 0; k <= requests; k++) assert.ok(trials.some((t) => t.type === type && t.k === k), `${type} at ${k}`);
            assert.ok(trials.some((t) => t.type === type && t.target === "cli"), `${type}: CLI`);
            assert.ok(trials.some((t) => t.type === type && t.target === "host"), `${type}: host`);
        }
    });
});
