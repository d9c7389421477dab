import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import type { ProgressHook } from "../../engine-harness";
import { seededRandom } from "../../kms-local/control/prng";
import { randomMaterial } from "../support/materials";
import type { RecordedStack } from "../support/recordedStack";
import { assertConverged, assertDestroyed, ok } from "./verify";
import { openAccount, parseRequestLine, programOf, startingHost, validToIn, type Account, type Lane, type MaterialIntent } from "./world";

/**
 * The provider host SIGKILLed at seeded random points of create, update, rotation and delete, then the
 * operation rerun as the engine would; every trial must converge (key usable when it should be, exactly the
 * intended materials, nothing pending, stored state matching KMS), and then destroy cleanly. Each trial runs on
 * a stack of its own; the key is "key", m1 its first material, m2 a NEW_KEY_MATERIAL with rotateOnDemand.
 *   create           up (key + m1), killed in m1's create
 *   update           after up (m1), up with a new validTo, killed in m1's update (reimport)
 *   rotation-create  after up (m1), up adding m2, killed in m2's create (import, RotateKeyOnDemand, wait)
 *   rotation-update  after up (m1 + m2 not rotated), up setting rotateOnDemand, killed in m2's update
 *   delete           after up (m1), destroy killed in m1's delete
 *   delete-rotated   after up (m1 + m2 rotated in), destroy killed in m1's or m2's delete
 *   delete-pending   after up (m1 + m2 pending rotation), up without m2, killed in m2's delete; m1 stays usable
 *
 * Kill points, counted in KMS requests kms-local receives from the host during the target step:
 *   response-lost   SIGKILL inside kms-local's log hook for request k: KMS has applied it, the host never
 *                   sees the answer (a lost response at the worst moment);
 *   mid-work        SIGKILL d ms (1–60) after request k was answered (the host is wrapping, pacing, polling or
 *                   between calls), or, if request k+1 comes first, as kms-local answers that one;
 *   cli-crash       the CLI dies right after recording the pending operation (simulateCliCrash), before the
 *                   provider is called.
 * For a third of the first two, the CLI dies with the host: the state file is put back as it was at the
 * kill (with its pending operation), as a killed `pulumi` leaves it.
 * Rerun: a host-only kill reruns the command (`pulumi up` / `pulumi destroy`); when the CLI died, first
 * `pulumi refresh --clear-pending-creates` (what the CLI's warning tells the user), then the command.
 */

export type TrialType = "create" | "update" | "rotation-create" | "rotation-update" | "delete" | "delete-rotated" | "delete-pending";
export const TYPES: TrialType[] = ["create", "update", "rotation-create", "rotation-update", "delete", "delete-rotated", "delete-pending"];

/**
 * KMS requests every run of the target step makes before it can end (more when the SDK retries):
 * create/update: DescribeKey, GetParametersForImport, ImportKeyMaterial, DescribeKey, ListKeyRotations;
 * rotation-create: the first three, then ListKeyRotations, GetKeyRotationStatus, RotateKeyOnDemand (then a 200 ms wait);
 * rotation-update: ListKeyRotations, GetKeyRotationStatus, RotateKeyOnDemand (then a 200 ms wait);
 * delete (destroy of m1, of m1 and a rotated-in m2; an up that drops a PENDING_ROTATION m2): DeleteImportedKeyMaterial.
 */
const STEP_REQUESTS: Record<TrialType, number> = {
    create: 5,
    update: 5,
    "rotation-create": 6,
    "rotation-update": 3,
    delete: 1,
    "delete-rotated": 1,
    "delete-pending": 1,
};
/** Whether the step may end right after its last counted request (no wait follows it). */
const ENDS_AFTER_LAST: Record<TrialType, boolean> = {
    create: true,
    update: true,
    "rotation-create": false,
    "rotation-update": false,
    delete: true,
    "delete-rotated": true,
    "delete-pending": true,
};

export type KillPoint =
    | { kind: "response-lost"; request: number; cliDies: boolean }
    | { kind: "mid-work"; request: number; delayMs: number; cliDies: boolean }
    | { kind: "cli-crash" };

export interface Trial {
    id: number;
    lane: number;
    type: TrialType;
    point: KillPoint;
    /** For delete-rotated: which material's delete is interrupted. */
    target: "m1" | "m2";
}

const SEED = 20261123;
const LANES = 6;

/**
 * Every request index of every type's step with its response lost, and again mid-work (unless the step ends
 * right there), plus one CLI crash per type; whether the CLI dies too, the delay and the interrupted material
 * are seeded random. The trials are then shuffled and dealt to the lanes.
 */
export function planTrials(): Trial[] {
    const random = seededRandom(SEED);
    const below = (n: number) => Math.floor(random() * n);
    const planned: Omit<Trial, "id" | "lane">[] = [];
    for (const type of TYPES) {
        const n = STEP_REQUESTS[type];
        const target = () => (type === "delete-rotated" && random() < 0.5 ? "m1" : "m2");
        for (let request = 1; request <= n; request++) {
            planned.push({ type, point: { kind: "response-lost", request, cliDies: random() < 1 / 3 }, target: target() });
            if (request < n || !ENDS_AFTER_LAST[type]) {
                planned.push({ type, point: { kind: "mid-work", request, delayMs: 1 + below(60), cliDies: random() < 1 / 3 }, target: target() });
            }
        }
        planned.push({ type, point: { kind: "cli-crash" }, target: target() });
    }
    for (let i = planned.length - 1; i > 0; i--) {
        const j = below(i + 1);
        [planned[i], planned[j]] = [planned[j]!, planned[i]!];
    }
    return planned.map((t, i) => ({ ...t, id: i + 1, lane: i % LANES }));
}

export function describeTrial(t: Trial): string {
    const p = t.point;
    const point =
        p.kind === "cli-crash"
            ? "CLI crash after recording the pending operation"
            : `SIGKILL at request ${p.request}/${STEP_REQUESTS[t.type]}${p.kind === "mid-work" ? ` +${p.delayMs} ms` : " (response lost)"}` +
              (p.cliDies ? ", CLI dies too" : "");
    return `${t.type}${t.type === "delete-rotated" ? ` (${t.target})` : ""}: ${point}`;
}

/** Watches one account's requests and kills the host of the armed stack at the planned point. */
class Killer {
    private armed:
        | { stack: RecordedStack; trial: Trial; active: boolean; count: number; done: boolean; how?: string; state?: string; timer?: NodeJS.Timeout }
        | undefined;

    arm(stack: RecordedStack, trial: Trial, target: string, step: string): ProgressHook {
        const armed = { stack, trial, active: false, count: 0, done: false };
        this.armed = armed;
        return (event) => {
            if (event.name === target && event.op === step) armed.active = event.phase === "start";
        };
    }

    disarm(): { done: boolean; how?: string; state?: string } {
        const armed = this.armed!;
        clearTimeout(armed.timer);
        this.armed = undefined;
        return armed;
    }

    onRequest(line: string): void {
        const a = this.armed;
        if (!a?.active || a.done || a.trial.point.kind === "cli-crash") return;
        a.count++;
        const point = a.trial.point;
        const operation = parseRequestLine(line)?.operation ?? "?";
        if (point.kind === "mid-work" && a.count === point.request + 1) this.kill(`before the answer to request ${a.count} (${operation})`);
        if (a.count !== point.request) return;
        if (point.kind === "response-lost") this.kill(`in ${operation}, its response lost`);
        else a.timer = setTimeout(() => this.kill(`${point.delayMs} ms after ${operation} was answered`), point.delayMs);
    }

    private kill(how: string): void {
        const a = this.armed;
        if (!a || a.done || !a.active) return;
        const host = a.stack.activeHost();
        if (!host?.alive) return;
        if (a.trial.point.kind !== "cli-crash" && a.trial.point.cliDies) a.state = a.stack.rawStateText();
        host.kill("SIGKILL");
        a.done = true;
        a.how = how;
    }
}

/** Puts the state file back as the dying CLI left it (atomically, as the engine writes it). */
function restoreState(stack: RecordedStack, text: string): void {
    const tmp = `${stack.stateFile}.restore`;
    writeFileSync(tmp, text);
    renameSync(tmp, stack.stateFile);
}

interface Scenario {
    setup: MaterialIntent[][];
    op: "up" | "destroy";
    materials: MaterialIntent[];
    target: string;
    step: "create" | "update" | "delete";
    /** What must hold after the rerun: these materials, or nothing (destroyed). */
    final: MaterialIntent[] | "destroyed";
    /** Final materials whose stored status must match KMS without a refresh. */
    fresh?: string[];
}

function scenario(account: Account, t: Trial): Scenario {
    const m1: MaterialIntent = { name: "m1", material: randomMaterial(), validTo: validToIn(account, 60) };
    const m2: MaterialIntent = { name: "m2", material: randomMaterial(), validTo: validToIn(account, 120), additional: { rotate: true } };
    const pendingM2: MaterialIntent = { ...m2, additional: { rotate: false } };
    switch (t.type) {
        case "create":
            return { setup: [], op: "up", materials: [m1], target: "m1", step: "create", final: [m1] };
        case "update": {
            const renewed = { ...m1, validTo: validToIn(account, 90) };
            return { setup: [[m1]], op: "up", materials: [renewed], target: "m1", step: "update", final: [renewed] };
        }
        case "rotation-create":
            return { setup: [[m1]], op: "up", materials: [m1, m2], target: "m2", step: "create", final: [m1, m2] };
        case "rotation-update":
            return { setup: [[m1], [m1, pendingM2]], op: "up", materials: [m1, m2], target: "m2", step: "update", final: [m1, m2] };
        case "delete":
            return { setup: [[m1]], op: "destroy", materials: [m1], target: "m1", step: "delete", final: "destroyed" };
        case "delete-rotated":
            return { setup: [[m1], [m1, m2]], op: "destroy", materials: [m1, m2], target: t.target, step: "delete", final: "destroyed" };
        case "delete-pending":
            return { setup: [[m1], [m1, pendingM2]], op: "up", materials: [m1], target: "m2", step: "delete", final: [m1], fresh: ["m1"] };
    }
}

const PENDING_TYPE = { create: "creating", update: "updating", delete: "deleting" } as const;

async function runTrial(lane: Lane, killer: Killer, t: Trial): Promise<string> {
    const account = lane.account;
    const context = `trial ${t.id} (${describeTrial(t)})`;
    const stack = lane.newStack(`trial-${t.id}`);
    const s = scenario(account, t);
    for (const [i, materials] of s.setup.entries()) ok(await stack.up(programOf(account, materials)), `${context}: setup up ${i + 1}`);

    const program = programOf(account, s.materials);
    const onProgress = killer.arm(stack, t, s.target, s.step);
    const cliCrash = t.point.kind === "cli-crash" ? { simulateCliCrash: { name: s.target, operation: PENDING_TYPE[s.step] } } : {};
    const interrupted = s.op === "up" ? await stack.up(program, { onProgress, ...cliCrash }) : await stack.destroy(program, { onProgress, ...cliCrash });
    const kill = killer.disarm();
    assert.equal(interrupted.ok, false, `${context}: the interrupted ${s.op} succeeded`);
    if (t.point.kind !== "cli-crash") assert.ok(kill.done, `${context}: the kill point was never reached`);
    const cliDied = t.point.kind === "cli-crash" || t.point.cliDies;
    if (kill.state !== undefined) restoreState(stack, kill.state);
    const pending = (await stack.state()).pendingOperations.map((p) => p.type);
    assert.deepEqual(pending, cliDied ? [PENDING_TYPE[s.step]] : [], `${context}: pending operations after the interruption`);
    const keyId = (await stack.resource("key"))!.id;

    // Rerun as the engine would (the first command starts a new host).
    if (cliDied) ok(await startingHost(() => stack.refresh(program, { clearPendingCreates: true })), `${context}: refresh --clear-pending-creates`);
    const rerun = () => (s.op === "up" ? stack.up(program) : stack.destroy(program));
    ok(await (cliDied ? rerun() : startingHost(rerun)), `${context}: rerun ${s.op}`);

    if (s.final === "destroyed") {
        await assertDestroyed(account, stack, keyId, context);
    } else {
        await assertConverged(account, stack, s.final, { context, fresh: s.fresh ?? [s.target], refresh: true });
        ok(await stack.destroy(program), `${context}: destroy after converging`);
        await assertDestroyed(account, stack, keyId, `${context} (destroy after converging)`);
    }
    return `${context}: killed ${kill.how ?? "before the provider call"} → converged`;
}

export interface TrialRuns {
    trials: Trial[];
    accounts: Account[];
    results: Map<number, Promise<string>>;
    /** One line per finished trial, in the order they finished. */
    outcomes: string[];
}

/** Opens one account per lane and starts every lane's trials (one after another within a lane). */
export async function startTrials(): Promise<TrialRuns> {
    const trials = planTrials();
    const accounts: Account[] = [];
    const results = new Map<number, Promise<string>>();
    const outcomes: string[] = [];
    for (let laneIndex = 0; laneIndex < LANES; laneIndex++) {
        // One account per lane: the kill points count the requests of one host only.
        const account = await openAccount({ name: `sigkill-${laneIndex + 1}`, kms: { quotas: { enabled: true, scale: 20 } }, requestRateScale: 20 });
        accounts.push(account);
        const killer = new Killer();
        account.onRequest = (line) => killer.onRequest(line);
        const lane = account.lane(account.name);
        let previous: Promise<unknown> = lane.warmUp();
        for (const t of trials.filter((x) => x.lane === laneIndex)) {
            const run = previous.then(() => runTrial(lane, killer, t));
            run.then(
                (line) => outcomes.push(line),
                (error: Error) => outcomes.push(`trial ${t.id} FAILED: ${error.message.split("\n")[0]}`),
            );
            results.set(t.id, run);
            previous = run.catch(() => undefined);
        }
    }
    return { trials, accounts, results, outcomes };
}
