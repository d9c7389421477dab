// Mode "fresh" (S13): every GetParametersForImport response gets a wrapping key pair of its own, never handed out
// again ("The public key and its import token are permanently linked", GetParametersForImport API reference).
// RSA-4096 generation takes about a second of CPU (see README for the figures measured), so pairs are generated
// ahead, one at a time in the background, into a small stock per spec; a call that finds the stock empty waits for
// the next pair of its spec, which the generator then makes first. One generation at a time: measured on a 2-core
// machine, parallel generation adds no throughput, and a single one in flight lets a process exit promptly.

import { generateWrappingKey, WRAPPING_SPECS, type WrappingKey, type WrappingKeySpec } from "./wrappingPool.js";

/** Pairs kept ready per spec while a kms-local in "fresh" mode runs; RSA_4096 first (our provider's default). */
export const FRESH_STOCK: Readonly<Record<WrappingKeySpec, number>> = { RSA_4096: 3, RSA_2048: 2, RSA_3072: 1 };
const FILL_ORDER: readonly WrappingKeySpec[] = ["RSA_4096", "RSA_2048", "RSA_3072"];

const stock = new Map<WrappingKeySpec, WrappingKey[]>(WRAPPING_SPECS.map((s) => [s, []]));
const waiters = new Map<WrappingKeySpec, ((key: WrappingKey) => void)[]>(WRAPPING_SPECS.map((s) => [s, []]));
let holders = 0;
let generating = false;
let generated = 0;

/** The spec to generate next: one a caller waits for (oldest first), else the first short of its stock. */
function nextSpec(): WrappingKeySpec | undefined {
    const waited = FILL_ORDER.find((s) => (waiters.get(s) as unknown[]).length > 0);
    if (waited || holders === 0) return waited;
    return FILL_ORDER.find((s) => (stock.get(s) as WrappingKey[]).length < FRESH_STOCK[s]);
}

function deliver(key: WrappingKey): void {
    const waiting = waiters.get(key.spec) as ((key: WrappingKey) => void)[];
    const first = waiting.shift();
    if (first) first(key);
    else (stock.get(key.spec) as WrappingKey[]).push(key);
}

/** Generates pairs one after the other while there is demand; never two at once. */
function pump(): void {
    if (generating) return;
    const spec = nextSpec();
    if (!spec) return;
    generating = true;
    generateWrappingKey(spec).then(
        (key) => {
            generated += 1;
            generating = false;
            deliver(key);
            pump();
        },
        () => {
            generating = false;
            setTimeout(pump, 100).unref();
        },
    );
}

/** A pair no other call has had or will have. */
export function freshWrappingKey(spec: WrappingKeySpec): Promise<WrappingKey> {
    const ready = (stock.get(spec) as WrappingKey[]).shift();
    const key = ready
        ? Promise.resolve(ready)
        : new Promise<WrappingKey>((resolve) => (waiters.get(spec) as ((k: WrappingKey) => void)[]).push(resolve));
    pump();
    return key;
}

/**
 * Keeps the stock filled while the returned release function has not been called (one hold per kms-local running
 * in "fresh" mode). With no holder left, only callers already waiting are served.
 */
export function holdFreshStock(): () => void {
    holders += 1;
    pump();
    let released = false;
    return () => {
        if (released) return;
        released = true;
        holders -= 1;
    };
}

/** For tests and the README's figures: pairs ready per spec and pairs generated so far. */
export function freshStockStatus(): { ready: Record<WrappingKeySpec, number>; generated: number; generating: boolean } {
    const ready = Object.fromEntries(WRAPPING_SPECS.map((s) => [s, (stock.get(s) as WrappingKey[]).length])) as Record<
        WrappingKeySpec,
        number
    >;
    return { ready, generated, generating };
}
