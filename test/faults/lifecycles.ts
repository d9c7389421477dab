import assert from "node:assert/strict";
import type { FaultKind, FaultTiming, KmsLocalOptions } from "../../kms-local";
import { TOKEN_VALIDITY_MS } from "../../kms-local/operations/getParametersForImport";
import { randomMaterial } from "../support/materials";
import { assertConverged, assertDestroyed, assertNothingLeftBehind, assertStateMatchesKms, ok } from "./verify";
import { openAccount, parseRequestLine, programOf, validToIn, type Account, type Lane, type MaterialIntent } from "./world";

/**
 * Whole lifecycles through the real provider host while kms-local misbehaves the way AWS can: 10 % of
 * requests failing (KMSInternalException, DependencyTimeoutException, dropped connections; before the
 * operation ran, or after it ran with the response lost), AWS's request quotas (scale 1: GetParametersForImport
 * 1/s) also shared by several concurrent stacks, new keys invisible for 5 s, and import tokens that expire
 * between GetParametersForImport and ImportKeyMaterial; plus, deterministically, the response of each
 * state-changing call lost once. Every lifecycle must complete, and after each step KMS and the stored state
 * must be exactly as intended.
 *
 * Lifecycles alternate between two shapes, each on a fresh stack:
 *   basic:    up (key + m1) → up (m1's validTo changes: reimport in place) → refresh → destroy
 *   rotation: up (key + m1) → up (m1's validTo changes, m2 added as NEW_KEY_MATERIAL with rotateOnDemand)
 *             → refresh → destroy
 * Each account (kms-local) runs its lanes concurrently with every other account; within a lane, lifecycles
 * run one after another on one provider host, as one `pulumi` process after another would on a CI runner.
 */

export interface AccountPlan {
    name: string;
    what: string;
    kms: KmsLocalOptions;
    /** Concurrent lanes on this account (they share its quotas). */
    lanes: number;
    lifecyclesPerLane: number;
    /** Installs request watchers before the lanes start. */
    watch?: (account: Account, stats: Stats) => void;
    /** Called before lifecycle n (1-based) of a lane starts. */
    beforeLifecycle?: (account: Account, n: number) => void;
    /** Only this shape (default: basic and rotation alternate). */
    variant?: "basic" | "rotation";
    /** The condition really happened (asserted after the lanes). */
    happened: (account: Account, stats: Stats) => void;
}

export interface Stats {
    lifecycles: number;
    expiredTokens: number;
}

const RATE = 0.1;
const faults = (kinds: FaultKind[], timing: FaultTiming, seed: number): KmsLocalOptions["faults"] => ({ rate: RATE, kinds, timing, seed });

function faultPlan(kind: FaultKind, timing: FaultTiming, seed: number): AccountPlan {
    return {
        name: `${kind}-${timing}`.replace(/Exception/, ""),
        what: `10 % ${kind}, ${timing === "before" ? "before the operation ran" : "after it ran, the response lost"}`,
        kms: { faults: faults([kind], timing, seed) },
        lanes: 1,
        lifecyclesPerLane: 5,
        happened: (account) => {
            const injected = account.kms.control.requests().filter((r) => r.fault !== undefined);
            assert.ok(injected.length > 0, "no fault was injected");
            assert.ok(injected.every((r) => r.fault === kind));
        },
    };
}

/**
 * In a rotation lifecycle the state-changing calls come in a fixed order: CreateKey; GetParametersForImport and
 * ImportKeyMaterial for m1, again for m1's new validTo, again for m2 (NEW_KEY_MATERIAL); RotateKeyOnDemand;
 * DeleteImportedKeyMaterial for m2 (CURRENT), then m1 (NON_CURRENT); ScheduleKeyDeletion. Lifecycle n loses
 * the response of call LOST_RESPONSES[n-1]: it runs in KMS, the client sees a fault (kinds rotating).
 */
const LOST_RESPONSES: { operation: string; nth: number }[] = [
    { operation: "ImportKeyMaterial", nth: 1 },
    { operation: "ImportKeyMaterial", nth: 2 },
    { operation: "ImportKeyMaterial", nth: 3 },
    { operation: "RotateKeyOnDemand", nth: 1 },
    { operation: "DeleteImportedKeyMaterial", nth: 1 },
    { operation: "DeleteImportedKeyMaterial", nth: 2 },
    { operation: "GetParametersForImport", nth: 3 },
    { operation: "CreateKey", nth: 1 },
    { operation: "ScheduleKeyDeletion", nth: 1 },
];
const KINDS: FaultKind[] = ["KMSInternalException", "DependencyTimeoutException", "DroppedConnection"];

export const PLANS: AccountPlan[] = [
    faultPlan("KMSInternalException", "before", 101),
    faultPlan("KMSInternalException", "after", 102),
    faultPlan("DependencyTimeoutException", "before", 103),
    faultPlan("DependencyTimeoutException", "after", 104),
    faultPlan("DroppedConnection", "before", 105),
    faultPlan("DroppedConnection", "after", 106),
    {
        name: "mixed",
        what: "10 % of all three kinds, timing mixed",
        kms: { faults: faults(["KMSInternalException", "DependencyTimeoutException", "DroppedConnection"], "mixed", 107) },
        lanes: 1,
        lifecyclesPerLane: 5,
        happened: (account) => assert.ok(new Set(account.kms.control.requests().map((r) => r.fault).filter(Boolean)).size >= 2),
    },
    {
        name: "shared-quota",
        what: "AWS quotas (scale 1) shared by 3 stacks deploying at once: kms-local throttles",
        kms: {},
        lanes: 3,
        lifecyclesPerLane: 3,
        happened: (account) => {
            const throttled = Object.values(account.kms.control.counters()).reduce((n, c) => n + c.throttled, 0);
            assert.ok(throttled > 0, "kms-local never throttled");
        },
    },
    ...[1, 2].map(
        (n): AccountPlan => ({
            name: `invisible-${n}`,
            what: "new keys invisible (NotFoundException) for 5 s",
            kms: { consistency: { newKeyInvisibleMs: 5000 } },
            lanes: 1,
            lifecyclesPerLane: 3,
            happened: (account) => {
                const notFound = account.kms.control.requests().filter((r) => r.errorType === "NotFoundException");
                assert.ok(notFound.length > 0, "no request met an invisible key");
            },
        }),
    ),
    {
        name: "lost-responses",
        what: "the response of one chosen state-changing call lost per lifecycle (every import, rotation, delete, key call)",
        kms: {},
        lanes: 1,
        lifecyclesPerLane: LOST_RESPONSES.length,
        variant: "rotation",
        beforeLifecycle: loseOneResponse,
        happened: (account) => {
            const lost = account.kms.control.requests().filter((r) => r.fault !== undefined);
            assert.deepEqual(
                lost.map((r) => r.operation),
                LOST_RESPONSES.map((t) => t.operation),
                "exactly the chosen calls lost their responses",
            );
        },
    },
    ...[1, 2].map(
        (n): AccountPlan => ({
            name: `token-expiry-${n}`,
            what: "every import's first token expires before ImportKeyMaterial (kms-local clock +24 h)",
            kms: {},
            lanes: 1,
            lifecyclesPerLane: 3,
            watch: expireFirstTokenOfEveryImport,
            happened: (account, stats) => {
                const requests = account.kms.control.requests();
                const imports = requests.filter((r) => r.operation === "ImportKeyMaterial" && r.status === 200).length;
                const expired = requests.filter((r) => r.errorType === "ExpiredImportTokenException").length;
                assert.ok(imports > 0);
                assert.equal(stats.expiredTokens, imports, "every successful import was preceded by an expired token");
                // At least once each, usually several times: once the server's clock is 4+ min away from ours, this
                // SDK marks every error response "clockSkewCorrected" and retries it as transient.
                assert.ok(expired >= imports, `${expired} ExpiredImportTokenException answers for ${imports} imports`);
            },
        }),
    ),
];

/** Arms kms-local to fail, after running it, exactly the nth call of the chosen operation in lifecycle n. */
function loseOneResponse(account: Account, n: number): void {
    const target = LOST_RESPONSES[n - 1]!;
    const arm = () =>
        account.kms.control.faults.set({ rate: 1, kinds: [KINDS[(n - 1) % KINDS.length]!], timing: "after", operations: [target.operation], count: 1 });
    let seen = 0;
    account.onRequest = (line) => {
        if (parseRequestLine(line)?.operation === target.operation && ++seen === target.nth - 1) arm();
    };
    if (target.nth === 1) arm();
}

/**
 * kms-local's log hook runs after a request was handled and before its response is sent: when a
 * GetParametersForImport for a key succeeds and that key's last import attempt chain has not met an expired
 * token yet, the clock jumps 24 h + 1 min, so the token the provider is about to use has expired. The
 * provider must fetch a fresh one; the next ImportKeyMaterial success re-arms the key.
 */
function expireFirstTokenOfEveryImport(account: Account, stats: Stats): void {
    const expireNext = new Map<string, boolean>();
    account.onRequest = (line) => {
        const request = parseRequestLine(line);
        if (!request?.keyId || request.status !== "200") return;
        if (request.operation === "ImportKeyMaterial") expireNext.set(request.keyId, true);
        if (request.operation === "GetParametersForImport" && expireNext.get(request.keyId) !== false) {
            account.kms.control.clock.advance(TOKEN_VALIDITY_MS + 60_000);
            expireNext.set(request.keyId, false);
            stats.expiredTokens++;
        }
    };
}

async function lifecycle(lane: Lane, n: number, ourKeys: Set<string>, only?: "basic" | "rotation"): Promise<void> {
    const account = lane.account;
    const variant = only ?? (n % 2 === 0 ? "basic" : "rotation");
    const context = `${lane.name} lifecycle ${n} (${variant})`;
    const stack = lane.newStack(`lifecycle-${n}`);
    const m1: MaterialIntent = { name: "m1", material: randomMaterial(), validTo: validToIn(account, 60) };
    const created = ok(await stack.up(programOf(account, [m1])), `${context}: up`);
    assert.equal(created.steps.find((s) => s.name === "m1")?.op, "create");
    const keyId = await assertConverged(account, stack, [m1], { context: `${context} after up`, fresh: ["m1"] });
    ourKeys.add(keyId);

    const renewed = { ...m1, validTo: validToIn(account, 90) };
    const materials =
        variant === "basic"
            ? [renewed]
            : [renewed, { name: "m2", material: randomMaterial(), validTo: validToIn(account, 120), additional: { rotate: true } }];
    const program = programOf(account, materials);
    const updated = ok(await stack.up(program), `${context}: second up`);
    assert.equal(updated.steps.find((s) => s.name === "m1")?.op, "update", `${context}: m1 is updated in place`);
    const fresh = variant === "basic" ? ["m1"] : ["m2"];
    await assertConverged(account, stack, materials, { context: `${context} after the second up`, fresh });

    const refresh = ok(await stack.refresh(program), `${context}: refresh`);
    for (const name of fresh) assert.equal(refresh.steps.find((s) => s.name === name)?.refresh?.result, "same", `${context}: refresh of ${name}`);
    await assertStateMatchesKms(account, stack, materials, "all", `${context} after refresh`);

    ok(await stack.destroy(program), `${context}: destroy`);
    await assertDestroyed(account, stack, keyId, context);
}

/** The running lifecycle workload: per account plan, a promise of its stats (rejected at the first failure). */
export interface LifecycleRuns {
    plans: AccountPlan[];
    accounts: Account[];
    runs: Map<string, Promise<Stats>>;
}

/** Opens every account and starts all lanes at once; nothing is awaited but the accounts' start. */
export async function startLifecycles(): Promise<LifecycleRuns> {
    const accounts: Account[] = [];
    const runs = new Map<string, Promise<Stats>>();
    for (const plan of PLANS) {
        const account = await openAccount({ name: plan.name, kms: plan.kms });
        accounts.push(account);
        const stats: Stats = { lifecycles: 0, expiredTokens: 0 };
        plan.watch?.(account, stats);
        const ourKeys = new Set<string>();
        const lanes = Array.from({ length: plan.lanes }, (_, i) => account.lane(plan.lanes > 1 ? `${plan.name}-${i + 1}` : plan.name));
        const run = Promise.all(
            lanes.map(async (lane) => {
                await lane.warmUp();
                for (let n = 1; n <= plan.lifecyclesPerLane; n++) {
                    plan.beforeLifecycle?.(account, n);
                    await lifecycle(lane, n, ourKeys, plan.variant);
                    stats.lifecycles++;
                }
            }),
        ).then(() => {
            plan.happened(account, stats);
            assertNothingLeftBehind(account, ourKeys, plan.name);
            return stats;
        });
        run.catch(() => undefined); // awaited by its test; not an unhandled rejection meanwhile
        runs.set(plan.name, run);
    }
    return { plans: PLANS, accounts, runs };
}

export const lifecycleCount = (plan: AccountPlan): number => plan.lanes * plan.lifecyclesPerLane;

/** Per account: calls, faults injected by kind, throttled calls, and the errors the conditions produced. */
export function lifecycleSummary(accounts: Account[]): string {
    const rows = accounts.map((account) => {
        const counters = Object.values(account.kms.control.counters());
        const requests = account.kms.control.requests();
        const sum = (f: (c: (typeof counters)[number]) => number) => counters.reduce((n, c) => n + f(c), 0);
        const byKind = (kind: string) => requests.filter((r) => r.fault === kind).length;
        return [
            account.name,
            sum((c) => c.calls),
            byKind("KMSInternalException"),
            byKind("DependencyTimeoutException"),
            byKind("DroppedConnection"),
            sum((c) => c.throttled),
            requests.filter((r) => r.errorType === "NotFoundException").length,
            requests.filter((r) => r.errorType === "ExpiredImportTokenException").length,
            requests.filter((r) => r.errorType === "InvalidImportTokenException").length,
        ].join("\t");
    });
    return ["account\tcalls\tinternal\ttimeout\tdropped\tthrottled\tnotFound\texpiredToken\tusedToken", ...rows].join("\n");
}
