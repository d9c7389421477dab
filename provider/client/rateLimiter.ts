/**
 * Client-side pacing of KMS requests at the account's published quotas, shared by every resource the
 * provider host handles (one host process serves the whole stack, and the engine runs up to 16 resource
 * operations at once). Without it a stack of a few dozen materials fires GetParametersForImport far above
 * its 1 request/s quota and the SDK's retries give up. Combined with the SDK's adaptive retry mode, which
 * slows down further when KMS throttles anyway (other jobs sharing the account).
 */

/**
 * AWS KMS request quotas in requests per second, per account and Region (Developer Guide, 2026).
 * kms-local keeps its own copy on purpose: it is the stand-in the provider is tested against, so it must
 * not share the provider's assumptions.
 */
export const KMS_QUOTAS: Readonly<Record<string, number>> = {
    CreateKey: 5,
    DescribeKey: 2000,
    GetParametersForImport: 1,
    ImportKeyMaterial: 15,
    DeleteImportedKeyMaterial: 15,
    ListKeyRotations: 100,
    RotateKeyOnDemand: 5,
    GetKeyRotationStatus: 1000,
    GetPublicKey: 2000,
    ScheduleKeyDeletion: 15,
    CancelKeyDeletion: 5,
};

/**
 * How much earlier than the pacer's schedule a request may reach KMS and still find a token there. Between
 * the pacer letting a request go and KMS receiving it lie signing, the event loop and the connection, and
 * that delay varies by a few milliseconds (tens under load). Paced at exactly 1/s, GetParametersForImport
 * calls then arrived 997–999 ms apart now and then; KMS's one-token bucket had not refilled, throttled them,
 * and each retry cost a whole one-second slot (`npm run bench -- --quota-scale 1`: 10 % of the calls
 * throttled, create 12 % slower than the quotas allow).
 */
export const ARRIVAL_JITTER_MS = 50;

/**
 * A FIFO token bucket shaped like KMS's own: `rate` tokens per second, bursts of at most max(1, rate).
 *
 * It keeps a small reserve of tokens unspent, so that its releases can reach KMS up to `toleranceMs` early
 * (relative to each other) and still find a token in KMS's bucket, which tracks this one. That costs
 * nothing in steady state, only `reserve` tokens of the initial burst. Where KMS's bucket is too small for
 * that reserve (a quota under 2/s holds a single token), the part of the tolerance the reserve cannot cover
 * is added to the interval between releases instead (at 1/s: one request every 1.05 s).
 */
export class TokenBucket {
    private tokens: number;
    private last: number;
    private readonly waiting: (() => void)[] = [];
    private timer: NodeJS.Timeout | undefined;
    /** Tokens kept unspent: a request is released only while more than this remains after it. */
    readonly reserve: number;
    /** Tokens per second released in steady state: `rate`, or a little less where the reserve falls short. */
    readonly pace: number;

    constructor(
        readonly rate: number,
        private readonly clock: () => number = () => performance.now(),
        toleranceMs: number = ARRIVAL_JITTER_MS,
    ) {
        this.reserve = Math.min(this.capacity - 1, (rate * toleranceMs) / 1000);
        const uncoveredMs = toleranceMs - (this.reserve / rate) * 1000;
        this.pace = uncoveredMs > 1e-6 ? 1000 / (1000 / rate + uncoveredMs) : rate;
        this.tokens = this.capacity;
        this.last = this.clock();
    }

    get capacity(): number {
        return Math.max(1, this.rate);
    }

    get queued(): number {
        return this.waiting.length;
    }

    acquire(): Promise<void> {
        return new Promise((resolve) => {
            this.waiting.push(resolve);
            this.drain();
        });
    }

    /** Milliseconds until the next request can be released (0: now). */
    msUntilNext(): number {
        this.refill();
        const missing = 1 + this.reserve - this.tokens;
        return missing <= EPSILON ? 0 : (missing / this.pace) * 1000;
    }

    private drain(): void {
        while (this.waiting.length > 0 && this.msUntilNext() === 0) {
            this.tokens -= 1;
            this.waiting.shift()!();
        }
        if (this.waiting.length > 0 && !this.timer) {
            this.timer = setTimeout(() => {
                this.timer = undefined;
                this.drain();
            }, Math.ceil(this.msUntilNext()));
        }
    }

    private refill(): void {
        const now = this.clock();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.pace);
        this.last = now;
    }
}

/** Rounding slack when comparing token counts. */
const EPSILON = 1e-9;

export type ProgressLog = (message: string) => void;

/**
 * One bucket per (account/Region scope, operation). Requests that wait long are reported, at most every
 * few seconds per operation, so a user watching a big `pulumi up` sees why it is slow.
 */
export class RequestPacer {
    private readonly buckets = new Map<string, TokenBucket>();
    private readonly lastReport = new Map<string, number>();

    constructor(
        private readonly scale: number,
        private readonly log: ProgressLog,
        private readonly reporting = { everyMs: 10_000, whenWaitOverMs: 2_000 },
    ) {}

    async acquire(scope: string, operation: string): Promise<void> {
        const quota = KMS_QUOTAS[operation];
        if (quota === undefined) return;
        const key = `${scope}|${operation}`;
        let bucket = this.buckets.get(key);
        if (!bucket) {
            bucket = new TokenBucket(quota * this.scale);
            this.buckets.set(key, bucket);
        }
        const waitMs = (bucket.queued / bucket.pace) * 1000;
        if (bucket.queued > 0 && waitMs >= this.reporting.whenWaitOverMs) this.report(key, operation, bucket);
        await bucket.acquire();
    }

    private report(key: string, operation: string, bucket: TokenBucket): void {
        const now = Date.now();
        if (now - (this.lastReport.get(key) ?? 0) < this.reporting.everyMs) return;
        this.lastReport.set(key, now);
        const seconds = Math.ceil((bucket.queued + 1) / bucket.pace);
        this.log(
            `pacing KMS ${operation} at the account quota of ${bucket.rate}/s: ${bucket.queued + 1} requests queued (~${seconds}s)`,
        );
    }
}
