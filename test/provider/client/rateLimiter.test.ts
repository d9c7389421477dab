import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { KMS_QUOTAS, RequestPacer, TokenBucket } from "../../../provider/client/rateLimiter";

/** Only orderings and lower bounds are asserted: a slow machine can delay a token, never advance it. */
describe("provider/client/rateLimiter", () => {
    function track(promises: Promise<unknown>[]): number[] {
        const done: number[] = [];
        promises.forEach((p, i) => void p.then(() => done.push(i)));
        return done;
    }

    it("TokenBucket lets a burst of max(1, rate) less its reserve through at once, then waits for refills", async () => {
        const bucket = new TokenBucket(20);
        assert.equal(bucket.reserve, 1, "50 ms at 20/s");
        const started = performance.now();
        const all = Array.from({ length: 30 }, () => bucket.acquire());
        const done = track(all);
        await tick();
        assert.equal(done.length, 19, "exactly the burst less the reserve passes without waiting");
        await Promise.all(all);
        assert.ok(performance.now() - started >= 500, "11 more at 20/s take at least half a second");
    });

    it("TokenBucket without a tolerance lets the whole burst through", async () => {
        const bucket = new TokenBucket(20, undefined, 0);
        const done = track(Array.from({ length: 30 }, () => bucket.acquire()));
        await tick();
        assert.equal(done.length, 20);
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
        assert.deepEqual(order, [...order].sort((a, b) => a - b));
    });

    it("RequestPacer paces per scope and operation at the scaled quota, and reports long queues", async () => {
        const logs: string[] = [];
        const pacer = new RequestPacer(10, (m) => logs.push(m), { everyMs: 0, whenWaitOverMs: 0 });
        // GetParametersForImport: 1/s × 10 = a burst of 10, then 10/s.
        const first = Array.from({ length: 15 }, () => pacer.acquire("us-east-1|aws", "GetParametersForImport"));
        const otherRegion = pacer.acquire("eu-west-1|aws", "GetParametersForImport");
        const otherOperation = pacer.acquire("us-east-1|aws", "ImportKeyMaterial");
        const done = track([...first, otherRegion, otherOperation]);
        await tick();
        assert.deepEqual(done.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16], "the burst of 10 less a reserve of half a token");
        await Promise.all(first);
        assert.ok(logs.some((l) => /GetParametersForImport at the account quota of 10\/s: \d+ requests queued/.test(l)), logs.join("\n"));
        assert.ok(!logs.some((l) => /ImportKeyMaterial/.test(l)));
    });

    it("RequestPacer does not pace operations without a known quota", async () => {
        const pacer = new RequestPacer(1, () => undefined);
        const done = track(Array.from({ length: 100 }, () => pacer.acquire("s", "Encrypt")));
        await tick();
        assert.equal(done.length, 100);
    });

    describe("arrival jitter: KMS's bucket, fed by the pacer's releases a few ms late or early, never throttles", () => {
        /** KMS's token bucket as kms-local models it: burst max(1, rate), refilled continuously; true = accepted. */
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

        /** Release times of `count` queued requests, on a fake clock (no timers: the clock jumps to each release). */
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

        /** Each release reaches KMS 0–`maxMs` later, alternating late and early (the worst order for KMS's bucket). */
        const arrivals = (times: number[], maxMs: number): number[] => times.map((t, i) => t + (i % 2 === 0 ? maxMs : 0));

        for (const rate of [1, 5, 15, 100, 0.25]) {
            it(`at ${rate}/s: no throttling with arrivals up to 45 ms apart from schedule, and no slower than needed`, async () => {
                const clock = { now: 0 };
                const bucket = new TokenBucket(rate, () => clock.now);
                const count = 40;
                const times = await releases(bucket, clock, count);
                const kms = kmsBucket(rate);
                const throttled = arrivals(times, 45).filter((at) => !kms(at)).length;
                assert.equal(throttled, 0);
                // The only price: the reserve's share of the initial burst, and where KMS holds a single token 50 ms per request.
                if (rate >= 2) assert.equal(bucket.pace, rate);
                else assert.ok(Math.abs(bucket.pace - 1000 / (1000 / rate + 50)) < 1e-9, `pace ${bucket.pace}`);
                const allowed = (Math.max(0, count - bucket.capacity + bucket.reserve) / bucket.pace) * 1000;
                assert.ok(times[count - 1] <= allowed + 1, `${times[count - 1]} ms for ${count} releases, allowed ${allowed}`);
            });
        }

        it("without the tolerance (exactly at the quota) the same arrivals are throttled: why the tolerance exists", async () => {
            const clock = { now: 0 };
            const times = await releases(new TokenBucket(1, () => clock.now, 0), clock, 20);
            const kms = kmsBucket(1);
            assert.ok(arrivals(times, 3).filter((at) => !kms(at)).length >= 5, "3 ms of jitter at 1/s");
        });
    });

    it("knows the 2026 quotas of every operation the provider calls", () => {
        assert.equal(KMS_QUOTAS["GetParametersForImport"], 1);
        assert.equal(KMS_QUOTAS["ImportKeyMaterial"], 15);
        assert.equal(KMS_QUOTAS["DeleteImportedKeyMaterial"], 15);
        for (const op of ["DescribeKey", "ListKeyRotations", "RotateKeyOnDemand", "GetKeyRotationStatus", "GetPublicKey"]) {
            assert.ok(KMS_QUOTAS[op]! > 0, op);
        }
    });
});
