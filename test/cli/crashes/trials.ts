import assert from "node:assert/strict";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ok } from "../../support/cli/assertions";
import type { CliRun, CliStack } from "../../support/cli/cliStack";
import { openCliWorld, type CliWorld } from "../../support/cli/cliWorld";
import { killAll, killRole } from "../../support/cli/processes";
import { randomMaterial } from "../../support/materials";
import { assertConverged, assertDestroyed, unitsProgram, type MaterialIntent, type Unit } from "../faults/converge";

/**
 * The official Pulumi CLI, and separately the provider host it started, SIGKILLed at each KMS request of
 * create, update, rotation and delete; then the stack recovered exactly as docs/guides/interrupted-runs.md tells a
 * user, and required to converge: the key usable when it should be, exactly the intended materials in KMS, nothing
 * pending in the state, the state matching KMS.
 *
 * Kill point k of a step: k = 0, as the engine starts the step (no KMS request made yet; the engine has
 * recorded the pending operation); k ≥ 1, inside kms-local's handling of the step's k-th KMS request, after it
 * was applied and before its response was sent (the response is lost). Together these cover every state KMS
 * can be in during the step. A killed CLI leaves its provider host running (orphaned): it may finish the step
 * on its own, as it can on a user's machine, before it is cleaned up.
 *
 * Recovery (docs/guides/interrupted-runs.md): if the CLI died, `pulumi cancel` (the file backend keeps the
 * dead run's lock; if it reports "failed to load checkpoint: EOF", delete the empty `.attrs` sidecar first)
 * and `pulumi refresh --clear-pending-creates`; then the interrupted command again.
 */

export type TrialType =
    "create" | "update" | "rotation-create" | "rotation-update" | "delete" | "delete-rotated" | "delete-pending";
export type Target = "cli" | "host";

export interface Trial {
    id: number;
    type: TrialType;
    /** 0: as the step starts; k ≥ 1: at the step's k-th KMS request, its response lost. */
    k: number;
    target: Target;
}

/**
 * KMS requests the provider makes in every run of the target step (with keys that already exist):
 * create/update: DescribeKey, GetParametersForImport, ImportKeyMaterial, DescribeKey, ListKeyRotations;
 * rotation-create: the first three, then ListKeyRotations, GetKeyRotationStatus, RotateKeyOnDemand;
 * rotation-update: ListKeyRotations, GetKeyRotationStatus, RotateKeyOnDemand;
 * delete, delete-pending: DeleteImportedKeyMaterial; delete-rotated: two of them.
 */
export const STEP_REQUESTS: Record<TrialType, number> = {
    create: 5,
    update: 5,
    "rotation-create": 6,
    "rotation-update": 3,
    delete: 1,
    "delete-rotated": 2,
    "delete-pending": 1,
};

/** The test key's own calls (not the provider's) are not counted. */
const KEY_OPERATIONS = new Set(["CreateKey", "ScheduleKeyDeletion"]);

/** Every kill point of every step; CLI and host alternate, and both are killed at each point of the short steps. */
export function planTrials(): Trial[] {
    const trials: Trial[] = [];
    for (const [type, requests] of Object.entries(STEP_REQUESTS) as [TrialType, number][]) {
        for (let k = 0; k <= requests; k++) {
            const targets: Target[] = requests <= 2 ? ["host", "cli"] : [k % 2 === 0 ? "host" : "cli"];
            for (const target of targets) trials.push({ id: trials.length + 1, type, k, target });
        }
    }
    return trials;
}

const killPoint = (t: Trial): string =>
    t.k === 0 ? "as the step starts" : `at KMS request ${t.k} of ${STEP_REQUESTS[t.type]} (applied, response lost)`;

export const describeTrial = (t: Trial): string =>
    `${t.type}: ${t.target === "cli" ? "the CLI" : "the provider host"} killed ${killPoint(t)}`;

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

interface Shapes {
    before: Unit[] | undefined;
    after: Unit[];
    /** The resource whose step is the target. */
    target: string;
    destroy: boolean;
}

function shapes(type: TrialType): Shapes {
    const m1: MaterialIntent = { name: "m1", material: randomMaterial(), validTo: inDays(60) };
    const m2 = (rotate: boolean): MaterialIntent => ({
        name: "m2",
        material: randomMaterial(),
        validTo: inDays(90),
        additional: { rotate },
    });
    const unit = (...materials: MaterialIntent[]): Unit[] => [{ key: "key", materials }];
    switch (type) {
        case "create":
            return { before: undefined, after: unit(m1), target: "m1", destroy: false };
        case "update":
            return { before: unit(m1), after: unit({ ...m1, validTo: inDays(120) }), target: "m1", destroy: false };
        case "rotation-create":
            return { before: unit(m1), after: unit(m1, m2(true)), target: "m2", destroy: false };
        case "rotation-update": {
            const pending = m2(false);
            return {
                before: unit(m1, pending),
                after: unit(m1, { ...pending, additional: { rotate: true } }),
                target: "m2",
                destroy: false,
            };
        }
        case "delete":
            return { before: unit(m1), after: unit(m1), target: "m1", destroy: true };
        case "delete-rotated": {
            const both = unit(m1, m2(true));
            return { before: both, after: both, target: "m2", destroy: true };
        }
        case "delete-pending":
            return { before: unit(m1, m2(false)), after: unit(m1), target: "m2", destroy: false };
    }
}

/** A world per lane: its kms-local's log hook counts the provider's requests of the step under attack. */
export interface Lane {
    world: CliWorld & { close(): Promise<void> };
    /** Set while a step is under attack: called with each provider request kms-local handled. */
    onRequest: ((operation: string) => void) | undefined;
    /** The time of the last request, to wait for an orphaned host to go quiet. */
    lastRequestAt: number;
}

export async function openLane(): Promise<Lane> {
    const lane: Partial<Lane> & { lastRequestAt: number } = { lastRequestAt: 0, onRequest: undefined };
    lane.world = await openCliWorld({
        log: (line) => {
            lane.lastRequestAt = Date.now();
            const operation = /^\S+ \S+ \S+ (\S+) /.exec(line)?.[1];
            if (operation && !KEY_OPERATIONS.has(operation)) lane.onRequest?.(operation);
        },
    });
    return lane as Lane;
}

export async function runTrial(lane: Lane, trial: Trial): Promise<string> {
    const { world } = lane;
    // Unique per run: two test runs on one machine (CI's two Node lines, a developer's) must not kill each other's.
    const tag = `${process.pid}-${trial.id}`;
    const marker = `BYOK_CRASH_TRIAL=${tag}`;
    const shape = shapes(trial.type);
    const context = `trial ${trial.id} (${describeTrial(trial)})`;
    const stack = await world.newStack(`crash-${trial.id}`, async () => undefined, {}, { BYOK_CRASH_TRIAL: tag });
    const secrets = (units: Unit[]) =>
        Object.fromEntries(
            units.flatMap((u) => u.materials.map((m) => [m.name, { secret: m.material.toString("base64") }])),
        );
    await stack.setConfig({ ...secrets(shape.after), ...(shape.before ? secrets(shape.before) : {}) });
    if (shape.before) {
        stack.setProgram(unitsProgram(world.kms.url, shape.before));
        ok(await stack.up(), `${context}: setup`);
    }
    // The trial's own keys (destroy trials): what must end up pending deletion without material.
    const keyIds = (await stack.exportState()).resources
        .filter((r) => r.type.endsWith(":TestKey"))
        .map((r) => String(r.id));
    stack.setProgram(unitsProgram(world.kms.url, shape.after));
    const command = shape.destroy ? "destroy" : "up";

    // The attack.
    let killed = false;
    const kill = () => {
        if (killed) return;
        killed = true;
        assert.ok(killRole(marker, trial.target), `${context}: no ${trial.target} process to kill`);
    };
    let requests = 0;
    lane.onRequest = () => {
        if (++requests === trial.k) kill();
    };
    const onEvent = (event: EngineEvent) => {
        const pre = event.resourcePreEvent?.metadata;
        if (trial.k === 0 && pre && pre.urn.endsWith(`::${shape.target}`) && pre.op !== "same" && pre.op !== "refresh")
            kill();
    };
    const attacked = await run(stack, command, onEvent);
    lane.onRequest = undefined;
    assert.ok(
        killed,
        `${context}: the kill point was never reached (${requests} provider requests; STEP_REQUESTS is ` +
            `stale?):\n${attacked.output.slice(-3000)}`,
    );
    assert.equal(attacked.ok, false, `${context}: the killed command succeeded`);

    // An orphaned host may still be finishing the step: let it, then clean up what is left of it.
    if (trial.target === "cli") await quiet(lane, 1500, 20_000);
    killAll(marker);

    // Recovery, as the interrupted-runs guide tells it.
    if (trial.target === "cli") {
        await cancel(stack, world.backendDir);
        ok(await stack.refresh({ clearPendingCreates: true }), `${context}: pulumi refresh --clear-pending-creates`);
    }
    ok(await run(stack, command), `${context}: pulumi ${command} again`);

    // Convergence.
    if (shape.destroy) {
        await assertDestroyed(world.kms, stack, [], `${context} after recovery`);
        assertKeysDestroyed(world, keyIds, context);
    } else {
        const fresh = shape.after
            .flatMap((u) => u.materials.map((m) => m.name))
            .filter((name) => name === shape.target || trial.type === "delete-pending");
        await assertConverged(world.client, stack, shape.after, fresh, `${context} after recovery`);
        ok(await stack.destroy(), `${context}: cleanup destroy`);
        await assertDestroyed(world.kms, stack, [], `${context} cleanup`);
    }
    return `${context}: converged`;
}

function run(stack: CliStack, command: "up" | "destroy", onEvent?: (event: EngineEvent) => void): Promise<CliRun> {
    return command === "up" ? stack.up({ onEvent }) : stack.destroy({ onEvent });
}

/** Waits until kms-local has seen no request for `quietMs` (at most `limitMs`). */
async function quiet(lane: Lane, quietMs: number, limitMs: number): Promise<void> {
    const started = Date.now();
    while (Date.now() - lane.lastRequestAt < quietMs && Date.now() - started < limitMs)
        await new Promise((resolve) => setTimeout(resolve, 250));
}

/**
 * `pulumi cancel`, as the interrupted-runs guide says: the killed run left its lock. When the CLI died while writing
 * the state, the file backend's checkpoint itself is intact (written to a temporary file, then renamed) but its
 * metadata sidecar `<stack>.json.attrs` may be empty, and every command fails with "failed to load checkpoint: EOF":
 * the guide's step is to delete empty `.attrs` sidecars and cancel again.
 */
async function cancel(stack: CliStack, backendDir: string): Promise<void> {
    try {
        await stack.cancel();
    } catch (error) {
        if (!/failed to load checkpoint: EOF/.test(String(error))) throw error;
        for (const file of emptyAttrsFiles(join(backendDir, ".pulumi", "stacks"))) rmSync(file);
        await stack.cancel();
    }
}

function emptyAttrsFiles(dir: string): string[] {
    return readdirSync(dir, { recursive: true, encoding: "utf8" })
        .map((name) => join(dir, name))
        .filter((path) => path.endsWith(".attrs") && statSync(path).isFile() && statSync(path).size === 0);
}

/** After a destroy: the trial's keys hold no material any more, and each is pending deletion. */
function assertKeysDestroyed(world: CliWorld, keyIds: string[], context: string): void {
    assert.ok(keyIds.length > 0, `${context}: no key to check`);
    for (const key of world.kms.control.keys().filter((k) => keyIds.includes(k.keyId))) {
        const history = () =>
            world.kms.control
                .requests()
                .filter((r) => r.keyId === key.keyId || r.keyId === key.arn)
                .map((r) => `${r.operation} ${r.status}${r.errorType ? ` ${r.errorType}` : ""}`)
                .join(", ");
        assert.deepEqual(
            key.materials.filter((m) => m.imported).map((m) => m.keyMaterialId),
            [],
            `${context}: key ${key.keyId} still holds material; its requests: ${history()}`,
        );
        assert.equal(key.keyState, "PendingDeletion", `${context}: key ${key.keyId}`);
    }
}

/** One lane process's world, opened by its first trial (see ../../support/cli/lanes.ts). */
let lane: Lane | undefined;

/** A trial as a lane job. */
export async function runTrialJob(job: Omit<Trial, "id"> & { id: string | number }): Promise<string> {
    lane ??= await openLane();
    return runTrial(lane, { ...job, id: Number(job.id) });
}

export async function closeLane(): Promise<void> {
    await lane?.world.close();
    lane = undefined;
}
