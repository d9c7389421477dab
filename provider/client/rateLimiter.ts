/**
 * Client-side pacing of KMS requests at the account's published quotas, shared by every resource the
 * provider host handles (one host process serves the whole stack, and the engine runs up to 16 resource
 * operations at once). Without it a stack of a few dozen materials fires GetParametersForImport far above
 * its 1 request/s quota and the SDK's retries give up. Combined with the SDK's adaptive retry mode, which
 * slows down further when KMS throttles anyway (other jobs sharing the account).
 */

/** AWS KMS request quotas in requests per second, per account and Region (Developer Guide, 2026). */
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

/** A FIFO token bucket: `rate` tokens per second, bursts of at most max(1, rate). */
export class TokenBucket {
    private tokens: number;
    private last: number;
    private readonly waiting: (() => void)[] = [];
    private timer: NodeJS.Timeout | undefined;

    constructor(
        readonly rate: number,
        private readonly clock: () => number = () => performance.now(),
    ) {
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

    private drain(): void {
        this.refill();
        while (this.waiting.length > 0 && this.tokens >= 1) {
            this.tokens -= 1;
            this.waiting.shift()!();
        }
        if (this.waiting.length > 0 && !this.timer) {
            const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
            this.timer = setTimeout(() => {
                this.timer = undefined;
                this.drain();
            }, wait);
        }
    }

    private refill(): void {
        const now = this.clock();
        this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
        this.last = now;
    }
}

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
        const waitMs = (bucket.queued / bucket.rate) * 1000;
        if (bucket.queued > 0 && waitMs >= this.reporting.whenWaitOverMs) this.report(key, operation, bucket);
        await bucket.acquire();
    }

    private report(key: string, operation: string, bucket: TokenBucket): void {
        const now = Date.now();
        if (now - (this.lastReport.get(key) ?? 0) < this.reporting.everyMs) return;
        this.lastReport.set(key, now);
        const seconds = Math.ceil((bucket.queued + 1) / bucket.rate);
        this.log(
            `pacing KMS ${operation} at the account quota of ${bucket.rate}/s: ${bucket.queued + 1} requests queued (~${seconds}s)`,
        );
    }
}
