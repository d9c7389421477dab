import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import {
    KMS_QUOTAS,
    OperationPacer,
    RequestPacer,
    SHARED_RATE_TUNING,
    SharedRate,
    TokenBucket,
    type PacerClock,
} from "../../../provider/client/rateLimiter";

/** Only orderings and lower bounds are asserted: a slow machine can delay a token, never advance it. */
describe("provider/client/rateLimiter", () => {
    function track(promises: Promise<unknown>[]): number[] {
        const done: number[] = [];
        promises.forEach((p, i) => void p.then(() => done.push(i)));
        return done;
    }

    it(
        "TokenBucket lets a burst of max(1, rate) less its reserve " + "through at once, then waits for refills",
        async () => {
            const bucket = new TokenBucket(20);
            assert.equal(bucket.reserve, 1, "50 ms at 20/s");
            const started = performance.now();
            const all = Array.from({ length: 30 }, () => bucket.acquire());
            const done = track(all);
            await tick();
            assert.equal(done.length, 19, "exactly the burst less the reserve passes without waiting");
            await Promise.all(all);
            assert.ok(performance.now() - started >= 500, "11 more at 20/s take at least half a second");
        },
    );

    it("TokenBucket without a tolerance lets the whole burst through", async () => {
        const bucket = new TokenBucket(20, undefined, 0);
        const done = track(Array.from({ length: 30 }, () => bucket.acquire()));
        await tick();
        assert.equal(done.length, 20);
    });

    it("TokenBucket started with one token lets one request through, then what KMS's bucket has left", () => {
        const now = 0;
        const bucket = new TokenBucket(20, () => now);
        bucket.startWithOne();
        assert.equal(bucket.msUntilNext(), 0);
        bucket.take(); // the first request
        assert.ok(bucket.msUntilNext() > 0, "one request alone");
        bucket.openBurst();
        let burst = 0;
        while (bucket.msUntilNext() === 0) {
            bucket.take();
            burst++;
        }
        // KMS's bucket held 20 and the first request took one: 19 remain, of which the reserve (1) stays unspent.
        assert.equal(burst, 18, "the burst counts the first request's token once");
    });

    it("TokenBucket at 1/s opens no burst after its first request: the next waits for KMS's refill", () => {
        let now = 0;
        const bucket = new TokenBucket(1, () => now);
        bucket.startWithOne();
        bucket.take(); // the first request
        now += 100; // its answer
        bucket.openBurst();
        const waitMs = bucket.msUntilNext();
        assert.ok(waitMs > 850 && waitMs <= 1050, `KMS's one token is spent: the next waits ${waitMs} ms`);
    });

    it("TokenBucket of a sub-1/s quota still allows one request at a time", async () => {
        const bucket = new TokenBucket(0.5);
        const done = track([bucket.acquire(), bucket.acquire()]);
        await tick();
        assert.deepEqual(done, [0]);
    });

    it("TokenBucket serves waiters in arrival order", async () => {
        const bucket = new TokenBucket(50);
        const order: number[] = [];
        await Promise.all(Array.from({ length: 60 }, (_, i) => bucket.acquire().then(() => order.push(i))));
        assert.deepEqual(
            order,
            [...order].sort((a, b) => a - b),
        );
    });

    it("RequestPacer paces per scope and operation at the scaled quota, and reports long queues", async () => {
        const logs: string[] = [];
        const pacer = new RequestPacer(10, (m) => logs.push(m), { everyMs: 0, whenWaitOverMs: 0 });
        // GetParametersForImport: 1/s × 10 = a bucket of 10, then 10/s; the burst (the 9 the first request left)
        // opens with the first success.
        const first = Array.from({ length: 15 }, () => pacer.acquire("us-east-1|aws", "GetParametersForImport"));
        const otherRegion = pacer.acquire("eu-west-1|aws", "GetParametersForImport");
        const otherOperation = pacer.acquire("us-east-1|aws", "ImportKeyMaterial");
        const done = track([...first, otherRegion, otherOperation]);
        await tick();
        assert.deepEqual(
            done.sort((a, b) => a - b),
            [0, 15, 16],
            "one request of each queue first",
        );
        pacer.succeeded("us-east-1|aws", "GetParametersForImport");
        await tick();
        assert.deepEqual(
            done.sort((a, b) => a - b),
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16],
            "then the 9 left in KMS's bucket less a reserve of half a token",
        );
        await Promise.all(first);
        assert.ok(
            logs.some((l) => /GetParametersForImport at the account quota of 10\/s: \d+ requests queued/.test(l)),
            logs.join("\n"),
        );
        assert.ok(!logs.some((l) => /ImportKeyMaterial/.test(l)));
    });

    it("RequestPacer does not pace operations without a known quota", async () => {
        const pacer = new RequestPacer(1, () => undefined);
        const done = track(Array.from({ length: 100 }, () => pacer.acquire("s", "Encrypt")));
        await tick();
        assert.equal(done.length, 100);
    });

    describe(
        "arrival jitter: KMS's bucket, fed by the pacer's releases " + "a few ms late or early, never throttles",
        () => {
            /**
             * KMS's token bucket as kms-local models it: burst max(1, rate), refilled continuously; true = accepted.
             */
            function kmsBucket(rate: number): (atMs: number) => boolean {
                const burst = Math.max(1, rate);
                let tokens = burst;
                let last = 0;
                return (atMs) => {
                    tokens = Math.min(burst, tokens + ((atMs - last) / 1000) * rate);
                    last = atMs;
                    if (tokens < 1) return false;
                    tokens -= 1;
                    return true;
                };
            }

            /**
             * Release times of `count` queued requests, on a fake clock (no timers: the clock jumps to each release).
             */
            async function releases(bucket: TokenBucket, clock: { now: number }, count: number): Promise<number[]> {
                const times: number[] = [];
                for (let i = 0; i < count; i++) {
                    clock.now += bucket.msUntilNext();
                    const released = track([bucket.acquire()]);
                    await tick();
                    assert.deepEqual(released, [0], "released without waiting once msUntilNext() has passed");
                    times.push(clock.now);
                }
                return times;
            }

            /**
             * Each release reaches KMS 0–`maxMs` later, alternating late and early (the worst order for KMS's bucket).
             */
            const arrivals = (times: number[], maxMs: number): number[] =>
                times.map((t, i) => t + (i % 2 === 0 ? maxMs : 0));

            for (const rate of [1, 5, 15, 100, 0.25]) {
                it(
                    `at ${rate}/s: no throttling with arrivals up to 45 ms apart from schedule, and ` +
                        `no slower than needed`,
                    async () => {
                        const clock = { now: 0 };
                        const bucket = new TokenBucket(rate, () => clock.now);
                        const count = 40;
                        const times = await releases(bucket, clock, count);
                        const kms = kmsBucket(rate);
                        const throttled = arrivals(times, 45).filter((at) => !kms(at)).length;
                        assert.equal(throttled, 0);
                        // The only price: the reserve's share of the initial burst, and where KMS holds a single token
                        // 50 ms per request.
                        if (rate >= 2) assert.equal(bucket.pace, rate);
                        else assert.ok(Math.abs(bucket.pace - 1000 / (1000 / rate + 50)) < 1e-9, `pace ${bucket.pace}`);
                        const allowed = (Math.max(0, count - bucket.capacity + bucket.reserve) / bucket.pace) * 1000;
                        assert.ok(
                            times[count - 1] <= allowed + 1,
                            `${times[count - 1]} ms for ${count} releases, allowed ${allowed}`,
                        );
                    },
                );
            }

            it(
                "without the tolerance (exactly at the quota) the same arrivals are throttled: why " +
                    "the tolerance exists",
                async () => {
                    const clock = { now: 0 };
                    const times = await releases(new TokenBucket(1, () => clock.now, 0), clock, 20);
                    const kms = kmsBucket(1);
                    assert.ok(arrivals(times, 3).filter((at) => !kms(at)).length >= 5, "3 ms of jitter at 1/s");
                },
            );
        },
    );

    it("knows the 2026 quotas of every operation the provider calls", () => {
        assert.equal(KMS_QUOTAS["GetParametersForImport"], 1);
        assert.equal(KMS_QUOTAS["ImportKeyMaterial"], 15);
        assert.equal(KMS_QUOTAS["DeleteImportedKeyMaterial"], 15);
        for (const op of [
            "DescribeKey",
            "ListKeyRotations",
            "RotateKeyOnDemand",
            "GetKeyRotationStatus",
            "GetPublicKey",
        ]) {
            assert.ok(KMS_QUOTAS[op] > 0, op);
        }
    });
});

/**
 * The pace an operation keeps when its quota is shared, in virtual time (a fake clock and timer queue, a
 * seeded random source): deterministic, so the assertions are about behaviour, never about this machine's speed.
 */
describe("provider/client/rateLimiter: a quota shared with callers the host cannot see", () => {
    /** mulberry32: the same sequence for the same seed. */
    function seeded(seed: number): () => number {
        return () => {
            seed = (seed + 0x6d2b79f5) | 0;
            let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
            t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
    }

    class VirtualTime {
        now = 0;
        private readonly timers: { at: number; run: () => void }[] = [];
        readonly clock: PacerClock;

        constructor(seed: number) {
            this.clock = { now: () => this.now, schedule: (run, ms) => this.after(ms, run), random: seeded(seed) };
        }

        after(ms: number, run: () => void): void {
            this.timers.push({ at: this.now + ms, run });
        }

        /** Runs timers in time order (promise callbacks in between) until none is left or `untilMs` passes. */
        async run(untilMs = Infinity): Promise<void> {
            for (;;) {
                await new Promise<void>((resolve) => setImmediate(resolve));
                this.timers.sort((a, b) => a.at - b.at);
                const next = this.timers[0];
                if (!next || next.at > untilMs) return;
                this.timers.shift();
                this.now = Math.max(this.now, next.at);
                next.run();
            }
        }
    }

    /**
     * KMS's bucket for one operation as kms-local models it: `rate` per second, a burst of max(1, rate); true =
     * accepted.
     */
    function kmsBucket(time: VirtualTime, rate: number): () => boolean {
        const burst = Math.max(1, rate);
        let tokens = burst;
        let last = 0;
        return () => {
            tokens = Math.min(burst, tokens + ((time.now - last) / 1000) * rate);
            last = time.now;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        };
    }

    it(
        "SharedRate drops at once on a throttle, once per round, never below its floor, and climbs back to the " +
            "ceiling when KMS stops throttling",
        () => {
            let now = 0;
            const rate = new SharedRate(
                10,
                () => now,
                () => 0.5,
            );
            assert.equal(rate.rate, 10, "never throttled: the ceiling (alone in its account it loses nothing)");
            const released = rate.released();
            now += 10;
            assert.ok(rate.throttled(released));
            assert.equal(
                rate.rate,
                10 * (1 - SHARED_RATE_TUNING.decrease),
                "a host holding the whole quota gives up three quarters of it",
            );
            assert.ok(
                !rate.throttled(released),
                "a throttle of a request released before the drop is of the same round",
            );
            now += 500;
            assert.ok(
                !rate.throttled(rate.released()),
                "nothing got through since the drop: a starved host keeps its pace",
            );
            now += 1000;
            assert.ok(
                Math.abs(rate.rate - 10 * (0.25 + 1.5 * SHARED_RATE_TUNING.climbPerSecond)) < 1e-9,
                "a slow climb while throttles are recent",
            );
            for (let i = 0; i < SHARED_RATE_TUNING.forgiveAfterSuccesses; i++) rate.succeeded();
            assert.ok(
                rate.throttled(rate.released()),
                "below the ceiling a run of successes earns no forgiveness: contention is known",
            );
            now += 30_000;
            assert.equal(rate.rate, 10, "back at the ceiling once KMS stopped throttling for a while");
            for (let i = 0; i < SHARED_RATE_TUNING.forgiveAfterSuccesses; i++) rate.succeeded();
            assert.ok(
                !rate.throttled(rate.released()),
                "at the ceiling, a lone throttle after a run of successes is forgiven (timing, not contention)",
            );
            assert.equal(rate.rate, 10);
            for (let i = 0; i < 200; i++) {
                now += 1;
                rate.succeeded();
                rate.throttled(rate.released());
            }
            assert.ok(rate.rate >= 10 * SHARED_RATE_TUNING.floor - 1e-9, `floor: ${rate.rate}`);
        },
    );

    it("SharedRate forgives at most one throttle at the ceiling per forgiveOncePerSeconds, counted in time", () => {
        let now = 0;
        const rate = new SharedRate(
            5,
            () => now,
            () => 0.5,
        );
        const succeed = (n: number): void => {
            for (let i = 0; i < n; i++) rate.succeeded();
        };
        succeed(SHARED_RATE_TUNING.forgiveAfterSuccesses);
        assert.ok(!rate.throttled(rate.released()), "the first lone throttle at the ceiling is forgiven");
        // At 5/s the next ten successes take two seconds: a host holding the quota would forgive every two seconds.
        now += 2000;
        succeed(SHARED_RATE_TUNING.forgiveAfterSuccesses);
        assert.ok(rate.throttled(rate.released()), "a second throttle within the window is contention");
        assert.ok(rate.rate < 5);
    });

    it("SharedRate backs a starved host off 2, then 4 gaps before its next try, and keeps its pace", () => {
        let now = 0;
        const rate = new SharedRate(
            4,
            () => now,
            () => 0.5,
        );
        assert.ok(rate.throttled(rate.released()), "the first throttle drops the pace");
        const pace = rate.rate;
        const gapMs = 1000 / pace;
        const waits = [1, 2, 3].map(() => {
            now += 1;
            assert.ok(!rate.throttled(rate.released()), "starved: no further drop");
            return rate.msUntilNext();
        });
        assert.ok(Math.abs(rate.rate - pace) < 0.01, "the pace is kept (it climbs, slowly)");
        assert.deepEqual(
            waits.map((ms) => Math.round(ms / gapMs)),
            [2, 4, SHARED_RATE_TUNING.starvedBackoffMax],
        );
        rate.succeeded();
        now += 1;
        assert.ok(rate.throttled(rate.released()), "after a success a throttle drops the pace again");
        now += 1;
        assert.ok(!rate.throttled(rate.released()));
        assert.equal(Math.round(rate.msUntilNext() / (1000 / rate.rate)), 2, "the back-off starts over at 2 gaps");
    });

    it("OperationPacer puts a throttled request back at the front of its queue", async () => {
        const time = new VirtualTime(1);
        const pacer = new OperationPacer(1, time.clock);
        const order: string[] = [];
        const first = await pacer.acquire();
        const queued = [
            pacer.acquire().then(() => order.push("queued 1")),
            pacer.acquire().then(() => order.push("queued 2")),
        ];
        pacer.throttled(first);
        const retry = pacer.acquire({ first: true }).then(() => order.push("retry"));
        await time.run();
        await Promise.all([...queued, retry]);
        assert.deepEqual(order, ["retry", "queued 1", "queued 2"]);
    });

    for (const { hosts, quota, requests } of [
        { hosts: 4, quota: 5, requests: 25 },
        { hosts: 4, quota: 1, requests: 15 },
        { hosts: 2, quota: 15, requests: 60 },
    ]) {
        it(
            `${hosts} hosts sharing a ${quota}/s quota, each pacing as if it owned it: every request goes ` +
                `through and KMS stays busy${quota >= 5 ? ", no host left far behind" : ""}`,
            async () => {
                const time = new VirtualTime(hosts * 1000 + quota);
                const kms = kmsBucket(time, quota);
                let attempts = 0;
                const finished: number[] = [];
                const runHost = async (host: number): Promise<void> => {
                    const pacer = new OperationPacer(quota, time.clock);
                    // Hosts start up to two seconds apart, as CLIs started together do.
                    await new Promise<void>((resolve) => time.after(time.clock.random() * 2000, resolve));
                    let left = requests;
                    const worker = async (): Promise<void> => {
                        while (left > 0) {
                            left--;
                            let throttledBefore = false;
                            for (;;) {
                                const ticket = await pacer.acquire({ first: throttledBefore });
                                attempts++;
                                // 5–20 ms to KMS and back.
                                await new Promise<void>((resolve) => time.after(5 + time.clock.random() * 15, resolve));
                                if (kms()) {
                                    pacer.succeeded();
                                    break;
                                }
                                throttledBefore = true;
                                pacer.throttled(ticket);
                            }
                        }
                    };
                    await Promise.all(Array.from({ length: 8 }, worker));
                    finished[host] = time.now;
                };
                const all = Promise.all(Array.from({ length: hosts }, (_, h) => runHost(h)));
                await time.run();
                await all;
                const boundMs = ((hosts * requests) / quota) * 1000;
                const lastMs = Math.max(...finished);
                assert.equal(finished.filter((t) => t !== undefined).length, hosts, "every host finished");
                assert.ok(
                    lastMs <= 1.5 * boundMs + 2000,
                    `the fleet took ${lastMs} ms for a quota bound of ${boundMs} ms (+2 s of staggered starts)`,
                );
                // On a one-token bucket (1/s) a host pacing at the quota wins nearly every token until another wins
                // one: hosts take turns rather than share, and the fleet's total is what counts.
                if (quota >= 5)
                    assert.ok(
                        Math.min(...finished) >= 0.4 * lastMs,
                        `no host finished far ahead of the others (first ${Math.min(...finished)} ` +
                            `ms, last ${lastMs} ms)`,
                    );
                // Depth-1 buckets (1/s) throttle every collision; deeper ones mostly when the fleet offers more than
                // the quota. At 1/s starved hosts back off (without that, 56 % of 30 simulated fleets' attempts
                // were throttled; with it 36 %, at most 43 %).
                const throttled = attempts - hosts * requests;
                assert.ok(
                    throttled < (quota >= 5 ? 0.35 : 0.5) * attempts,
                    `${throttled} of ${attempts} attempts throttled`,
                );
            },
        );
    }
});
