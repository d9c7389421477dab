import assert from "node:assert/strict";
import type { FaultKind, FaultTiming, KmsLocal, KmsLocalOptions } from "../../../kms-local";
import { TOKEN_VALIDITY_MS } from "../../../kms-local/operations/getParametersForImport";
import { ok } from "../../support/cli/assertions";
import type { CliRun, CliStack } from "../../support/cli/cliStack";
import { openCliWorld, type CliWorld } from "../../support/cli/cliWorld";
import { randomMaterial } from "../../support/materials";
import {
    assertConverged,
    assertDestroyed,
    assertNothingLeftBehind,
    assertStateMatchesKms,
    unitsProgram,
    type Unit,
} from "./converge";

/**
 * Whole lifecycles through the official Pulumi CLI while kms-local misbehaves the way AWS can: 10 % of requests
 * failing (KMSInternalException, DependencyTimeoutException, dropped connections; before the operation ran, or
 * after it ran with the response lost), AWS's request quotas at scale 1 shared by three stacks deploying at
 * once, new keys invisible for 5 s, import tokens that expire between GetParametersForImport and
 * ImportKeyMaterial, and, deterministically, the response of chosen state-changing calls lost once.
 *
 * A lifecycle runs one stack of four units (an EXTERNAL test key and its materials; two "basic", two
 * "rotation"), so each lifecycle is four material lifecycles at once, as a stack holds several:
 *   up (keys + m1) → up (every m1's validTo changes: reimport in place; rotation units add m2 as
 *   NEW_KEY_MATERIAL with rotateOnDemand) → refresh → destroy.
 * After each step KMS and the stored state must be exactly as intended (converge.ts).
 */

export interface FaultPlan {
    name: string;
    what: string;
    kms: KmsLocalOptions;
    /** Stacks deploying at once on this world (they share its quotas). */
    lanes: number;
    lifecyclesPerLane: number;
    unitsPerStack: number;
    /** Installs request watchers before the lanes start. */
    watch?: (kms: KmsLocal, stats: Stats, watchers: Watchers) => void;
    /** Called before each step of lifecycle n (1-based) of a lane. */
    beforeStep?: (kms: KmsLocal, n: number, step: Step) => void;
    /** The condition really happened (asserted after the lanes). */
    happened: (kms: KmsLocal, stats: Stats) => void;
}

export type Step = "up" | "update" | "refresh" | "destroy";

export interface Stats {
    /** Material lifecycles completed (one per unit per stack lifecycle). */
    lifecycles: number;
    expiredTokens: number;
}

const RATE = 0.1;
const DAY = 86_400_000;

function faultPlan(kind: FaultKind, timing: FaultTiming, seed: number): FaultPlan {
    return {
        name: `${kind}-${timing}`.replace(/Exception/, ""),
        what: `10 % ${kind}, ${timing === "before" ? "before the operation ran" : "after it ran, the response lost"}`,
        kms: { faults: { rate: RATE, kinds: [kind], timing, seed } },
        lanes: 1,
        lifecyclesPerLane: 1,
        unitsPerStack: 4,
        happened: (kms) => {
            const injected = kms.control.requests().filter((r) => r.fault !== undefined);
            assert.ok(injected.length > 0, "no fault was injected");
            assert.ok(injected.every((r) => r.fault === kind));
        },
    };
}

/** Per lifecycle, the state-changing call whose response is lost once in each step (its kind rotating). */
const LOST_RESPONSES: Partial<Record<Step, string>>[] = [
    { up: "ImportKeyMaterial", update: "RotateKeyOnDemand", destroy: "DeleteImportedKeyMaterial" },
    { up: "CreateKey", update: "ImportKeyMaterial", destroy: "ScheduleKeyDeletion" },
    { up: "GetParametersForImport", update: "GetParametersForImport", destroy: "DeleteImportedKeyMaterial" },
];
const KINDS: FaultKind[] = ["KMSInternalException", "DependencyTimeoutException", "DroppedConnection"];

export const PLANS: FaultPlan[] = [
    faultPlan("KMSInternalException", "before", 101),
    faultPlan("KMSInternalException", "after", 102),
    faultPlan("DependencyTimeoutException", "before", 103),
    faultPlan("DependencyTimeoutException", "after", 104),
    faultPlan("DroppedConnection", "before", 105),
    faultPlan("DroppedConnection", "after", 106),
    {
        name: "mixed",
        what: "10 % of all three kinds, timing mixed",
        kms: { faults: { rate: RATE, kinds: KINDS, timing: "mixed", seed: 107 } },
        lanes: 1,
        lifecyclesPerLane: 1,
        unitsPerStack: 4,
        happened: (kms) =>
            assert.ok(
                new Set(
                    kms.control
                        .requests()
                        .map((r) => r.fault)
                        .filter(Boolean),
                ).size >= 2,
            ),
    },
    {
        name: "shared-quota",
        what: "AWS quotas at scale 1 shared by 3 stacks deploying at once: kms-local throttles",
        kms: { quotas: { enabled: true, scale: 1 } },
        lanes: 3,
        lifecyclesPerLane: 1,
        unitsPerStack: 4,
        happened: (kms) => {
            const throttled = Object.values(kms.control.counters()).reduce((n, c) => n + c.throttled, 0);
            assert.ok(throttled > 0, "kms-local never throttled");
        },
    },
    {
        name: "invisible",
        what: "new keys invisible (NotFoundException) for 5 s",
        kms: { consistency: { newKeyInvisibleMs: 5000 } },
        lanes: 1,
        lifecyclesPerLane: 1,
        unitsPerStack: 4,
        happened: (kms) =>
            assert.ok(
                kms.control.requests().some((r) => r.errorType === "NotFoundException"),
                "no request met an invisible key",
            ),
    },
    {
        name: "lost-responses",
        what:
            "the response of one chosen state-changing call lost in each step (imports, " +
            "rotation, deletes, key calls)",
        kms: {},
        lanes: 1,
        lifecyclesPerLane: LOST_RESPONSES.length,
        unitsPerStack: 2,
        beforeStep: (kms, n, step) => {
            const operation = LOST_RESPONSES[n - 1]?.[step];
            if (operation)
                kms.control.faults.set({
                    rate: 1,
                    kinds: [KINDS[(n - 1) % KINDS.length]],
                    timing: "after",
                    operations: [operation],
                    count: 1,
                });
            else kms.control.faults.clear();
        },
        happened: (kms) => {
            const lost = kms.control
                .requests()
                .filter((r) => r.fault !== undefined)
                .map((r) => r.operation);
            const chosen = LOST_RESPONSES.flatMap((l) => Object.values(l));
            assert.deepEqual(lost, chosen, "exactly the chosen calls lost their responses");
        },
    },
    {
        name: "token-expiry",
        what: "every import's first token expires before ImportKeyMaterial (kms-local clock +24 h)",
        kms: {},
        lanes: 1,
        lifecyclesPerLane: 1,
        unitsPerStack: 2,
        watch: expireFirstTokenOfEveryImport,
        happened: (kms, stats) => {
            const requests = kms.control.requests();
            const imports = requests.filter((r) => r.operation === "ImportKeyMaterial" && r.status === 200).length;
            assert.ok(imports > 0);
            assert.equal(stats.expiredTokens, imports, "every successful import was preceded by an expired token");
            assert.ok(requests.filter((r) => r.errorType === "ExpiredImportTokenException").length >= imports);
        },
    },
];

/**
 * kms-local's log hook runs after a request was handled and before its response is sent: when a
 * GetParametersForImport for a key succeeds and that key's last import has not met an expired token yet, the
 * clock jumps 24 h + 1 min, so the token the provider is about to use has expired. The provider must fetch a
 * fresh one; the next successful ImportKeyMaterial re-arms the key.
 */
function expireFirstTokenOfEveryImport(kms: KmsLocal, stats: Stats, watchers: Watchers): void {
    const expireNext = new Map<string, boolean>();
    watchers.onRequest = (request) => {
        if (!request.keyId || request.status !== "200") return;
        if (request.operation === "ImportKeyMaterial") expireNext.set(request.keyId, true);
        if (request.operation === "GetParametersForImport" && expireNext.get(request.keyId) !== false) {
            kms.control.clock.advance(TOKEN_VALIDITY_MS + 60_000);
            expireNext.set(request.keyId, false);
            stats.expiredTokens++;
        }
    };
}

interface RequestLine {
    operation: string;
    status: string;
    keyId: string | undefined;
}

/** A plan's request watcher, fed from kms-local's log lines (one per request, written before its response is sent). */
export interface Watchers {
    onRequest?: (request: RequestLine) => void;
}

/** kms-local's log line: `<time> <region> <account> <operation> <status> [<errorType>] [key=<id>] …` */
function parseRequestLine(line: string): RequestLine | undefined {
    const m = /^\S+ \S+ \S+ (\S+) (\d+|dropped)(?: ([A-Za-z]+)(?= ))?(?: key=(\S+))?/.exec(line);
    return m ? { operation: m[1], status: m[2], keyId: m[4] } : undefined;
}

/** An ISO time `days` after kms-local's own clock (KMS judges validTo by its time), to the second. */
const validToIn = (kms: KmsLocal, days: number): string =>
    new Date(kms.control.clock.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Sets the units' materials as secret config (as `pulumi config set --secret`), the program, and runs `run`. */
async function step(
    stack: CliStack,
    world: CliWorld,
    units: Unit[],
    run: () => Promise<CliRun>,
    context: string,
): Promise<void> {
    const secrets = Object.fromEntries(
        units.flatMap((u) => u.materials.map((m) => [m.name, { secret: m.material.toString("base64") }])),
    );
    await stack.setConfig(secrets);
    stack.setProgram(unitsProgram(world.kms.url, units));
    ok(await run(), context);
}

async function lifecycle(
    plan: FaultPlan,
    world: CliWorld,
    lane: string,
    n: number,
    ourKeys: Set<string>,
): Promise<void> {
    const kms = world.kms;
    const context = `${plan.name} ${lane} lifecycle ${n}`;
    const stack = await world.newStack(`${lane}-${n}`, async () => undefined);
    const first: Unit[] = Array.from({ length: plan.unitsPerStack }, (_, i) => ({
        key: `key-${i}`,
        materials: [{ name: `m1-${i}`, material: randomMaterial(), validTo: validToIn(kms, 60) }],
    }));
    plan.beforeStep?.(kms, n, "up");
    await step(stack, world, first, () => stack.up(), `${context}: up`);
    const state = await assertConverged(
        world.client,
        stack,
        first,
        first.map((u) => u.materials[0].name),
        `${context} after up`,
    );
    const keyIds = first.map((u) => String(state.resources.find((r) => r.name === u.key)!.id));
    for (const keyId of keyIds) ourKeys.add(keyId);

    const second: Unit[] = first.map((u, i) => ({
        key: u.key,
        materials: [
            { ...u.materials[0], validTo: validToIn(kms, 90) },
            ...(i % 2 === 1
                ? [
                      {
                          name: `m2-${i}`,
                          material: randomMaterial(),
                          validTo: validToIn(kms, 120),
                          additional: { rotate: true },
                      },
                  ]
                : []),
        ],
    }));
    plan.beforeStep?.(kms, n, "update");
    await step(stack, world, second, () => stack.up(), `${context}: second up`);
    const fresh = second.map((u) => u.materials[u.materials.length - 1].name);
    await assertConverged(world.client, stack, second, fresh, `${context} after the second up`);

    plan.beforeStep?.(kms, n, "refresh");
    ok(await stack.refresh(), `${context}: refresh`);
    await assertStateMatchesKms(world.client, await stack.exportState(), second, "all", `${context} after refresh`);

    plan.beforeStep?.(kms, n, "destroy");
    ok(await stack.destroy(), `${context}: destroy`);
    kms.control.faults.clear();
    await assertDestroyed(kms, stack, keyIds, context);
}

/** Runs one plan on a world of its own: its lanes at once, each lifecycle after the other. */
export async function runPlan(plan: FaultPlan): Promise<Stats> {
    const stats: Stats = { lifecycles: 0, expiredTokens: 0 };
    const watchers: Watchers = {};
    const world = await openCliWorld({
        ...plan.kms,
        log: (line) => {
            const request = parseRequestLine(line);
            if (request) watchers.onRequest?.(request);
        },
    });
    try {
        plan.watch?.(world.kms, stats, watchers);
        const ourKeys = new Set<string>();
        await Promise.all(
            Array.from({ length: plan.lanes }, async (_, l) => {
                const lane = plan.lanes > 1 ? `${plan.name}-${l + 1}` : plan.name;
                for (let n = 1; n <= plan.lifecyclesPerLane; n++) {
                    await lifecycle(plan, world, lane, n, ourKeys);
                    stats.lifecycles += plan.unitsPerStack;
                }
            }),
        );
        plan.happened(world.kms, stats);
        assertNothingLeftBehind(world.kms, ourKeys, plan.name);
        return stats;
    } finally {
        await world.close();
    }
}

export const lifecycleCount = (plan: FaultPlan): number => plan.lanes * plan.lifecyclesPerLane * plan.unitsPerStack;

/** A plan as a lane job (see ../../support/cli/lanes.ts): its Stats as JSON. */
export async function runPlanJob(job: { id: string }): Promise<string> {
    const plan = PLANS.find((p) => p.name === job.id);
    if (!plan) throw new Error(`no fault plan ${job.id}`);
    return JSON.stringify(await runPlan(plan));
}
