import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { KMS_QUOTAS, RequestPacer, TokenBucket } from "../../../provider/client/rateLimiter";

/** Only orderings and lower bounds are asserted: a slow machine can delay a token, never advance it. */
describe("provider/client/rateLimiter", () => {
    function track(promises: Promise<void>[]): number[] {
        const done: number[] = [];
        promises.forEach((p, i) => void p.then(() => done.push(i)));
        return done;
    }

    it("TokenBucket lets a burst of max(1, rate) through at once, then waits for refills", async () => {
        const bucket = new TokenBucket(20);
        const started = performance.now();
        const all = Array.from({ length: 30 }, () => bucket.acquire());
        const done = track(all);
        await tick();
        assert.equal(done.length, 20, "exactly the burst passes without waiting");
        await Promise.all(all);
        assert.ok(performance.now() - started >= 450, "10 more at 20/s take at least half a second");
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
        assert.deepEqual(done.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16]);
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

    it("knows the 2026 quotas of every operation the provider calls", () => {
        assert.equal(KMS_QUOTAS["GetParametersForImport"], 1);
        assert.equal(KMS_QUOTAS["ImportKeyMaterial"], 15);
        assert.equal(KMS_QUOTAS["DeleteImportedKeyMaterial"], 15);
        for (const op of ["DescribeKey", "ListKeyRotations", "RotateKeyOnDemand", "GetKeyRotationStatus", "GetPublicKey"]) {
            assert.ok(KMS_QUOTAS[op]! > 0, op);
        }
    });
});
