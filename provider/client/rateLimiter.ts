/**
 * Client-side pacing of KMS requests, per operation, at the account's published quotas and below them when
 * KMS says the quota is shared. One pacer serves every resource the provider host handles (one host process
 * serves the whole stack, and the engine runs up to 16 resource operations at once): without it a stack of a
 * few dozen materials fires GetParametersForImport far above its 1 request/s quota. But a quota belongs to
 * the account and Region, and other pipelines (other provider hosts), applications and people spend it too:
 * a host that paces as if it owned the quota offers K times the quota when K of them run. So each operation's
 * pace adapts: it drops at once when KMS throttles and climbs back gradually (see SharedRate).
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

    /** Keeps only what one request needs now (and the reserve): no burst until `openBurst`. */
    startWithOne(): void {
        this.refill();
        this.tokens = Math.min(this.tokens, 1 + this.reserve);
    }

    /**
     * Opens the burst after the first request (startWithOne): what KMS's bucket still holds if it was full, the
     * first request's token spent. Filling to the whole capacity counted that token twice, and the request after
     * the burst reached KMS a token early: a stack alone at 1/s had its second request throttled and dropped to a
     * quarter of the quota (`--stacks 1 --materials 10 --quota-scale 1`: KMS busy for 1.59–1.73 × the bound).
     */
    openBurst(): void {
        this.refill();
        this.tokens = Math.min(this.capacity, this.tokens + this.capacity - 1 - this.reserve);
    }

    /** Spends a token for a request released by someone else's queue (call only when msUntilNext() is 0). */
    take(): void {
        this.refill();
        this.tokens -= 1;
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
            this.waiting.shift()?.();
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
 * How an operation's pace reacts when KMS throttles it. Fractions are of the operation's ceiling (its quota ×
 * requestRateScale); the figures were chosen with a simulation of K hosts sharing one KMS token bucket and
 * checked with `npm run bench -- --stacks K` (bench/README.md).
 */
export interface SharedRateTuning {
    /**
     * On a throttle the pace r becomes r × (1 − decrease × r / ceiling): a host holding the whole quota gives up 3/4 of
     * it, one holding a small share little.
     */
    decrease: number;
    /** Additive climb, a fraction of the ceiling per second, while throttles are recent. */
    climbPerSecond: number;
    /**
     * After this long without a throttle (× a random 0.5–1.5, so hosts do not probe together) the pace grows by
     * `probeGrowthPerSecond`.
     */
    quietSeconds: number;
    probeGrowthPerSecond: number;
    /** Never below this fraction of the ceiling (requestRateScale's own lower bound, 0.01, is the same share). */
    floor: number;
    /**
     * Once throttled, gaps between releases vary by ± this fraction (a host pacing exactly at KMS's refill would win
     * every token).
     */
    gapJitter: number;
    /**
     * A lone throttle at the ceiling after this many successes in a row, and the first in `forgiveOncePerSeconds`, is
     * forgiven (no drop): see SharedRate.throttled.
     */
    forgiveAfterSuccesses: number;
    forgiveOncePerSeconds: number;
    /**
     * A starved host (throttled again with nothing through since its drop) waits 2, 4, … up to this many gaps before
     * its next try: it keeps its pace, but stops spending the quota's attempts on requests that cannot win.
     */
    starvedBackoffMax: number;
}

export const SHARED_RATE_TUNING: SharedRateTuning = {
    decrease: 0.75,
    climbPerSecond: 0.01,
    quietSeconds: 8,
    probeGrowthPerSecond: 0.5,
    floor: 0.01,
    gapJitter: 0.5,
    forgiveAfterSuccesses: 10,
    forgiveOncePerSeconds: 10,
    starvedBackoffMax: 4,
};

/**
 * The pace of one operation whose quota is shared with callers this host cannot see: a congestion controller
 * in the family of TCP's and of the AWS SDK's adaptive retry mode (its DefaultRateLimiter, a CUBIC curve),
 * with ThrottlingException as the loss signal. The SDK's limiter does not fit KMS's quotas as they are: it is
 * one per client, so a throttled GetParametersForImport (1/s) would slow DescribeKey (2000/s) to the same
 * crawl; it never paces below 0.5 request/s, more than a fair share of a 1/s quota among three pipelines;
 * and it starts from the rate it measured, where we know the quota. What is kept from TCP and CUBIC:
 * - a multiplicative decrease at once, and only once per round: throttles of requests released before the
 *   last decrease say nothing new, nor do throttles while nothing got through since (see throttled());
 * - a slow additive climb near the rate that was throttled (the sawtooth stays small: KMS's bucket of one
 *   second absorbs it), then, once no throttle came for a while, a fast multiplicative probe (CUBIC's convex
 *   region, TCP's slow start): the other callers may be gone, and the quota must not lie idle;
 * - a decrease proportional to the share held (r/ceiling), so hosts converge to equal shares quickly and no
 *   pipeline finishes long after the others;
 * - jitter, so hosts that started together do not probe together and do not lock onto KMS's refill.
 * A host that is never throttled stays at the ceiling: alone in its account it loses nothing.
 */
export class SharedRate {
    private current: number;
    private lastUpdate: number;
    private lastDecrease: number | undefined;
    private quietFactor = 1;
    private nextAt = 0;
    private successes = 0;
    /** Successes since the last throttle. */
    private streak = 0;
    private lastThrottle: number | undefined;
    /** Throttles in a row with nothing through since the last drop. */
    private starved = 0;

    constructor(
        readonly ceiling: number,
        private readonly clock: () => number = () => performance.now(),
        private readonly random: () => number = Math.random,
        private readonly tuning: SharedRateTuning = SHARED_RATE_TUNING,
    ) {
        this.current = ceiling;
        this.lastUpdate = clock();
    }

    /** Requests per second this operation is paced at now. */
    get rate(): number {
        this.update();
        return this.current;
    }

    /** Milliseconds until the pace allows the next release (0: now). The ceiling's bucket is checked separately. */
    msUntilNext(): number {
        this.update();
        return Math.max(0, this.nextAt - this.clock());
    }

    /** A request was released; returns its release time (to recognise its throttle as one of this round). */
    released(): number {
        const now = this.clock();
        this.update();
        // Until KMS first throttles, the ceiling's bucket alone paces (a lone stack keeps its exact pace); after
        // that gaps vary even at the ceiling, leaving a one-token bucket (1/s) room for the other callers.
        const contended = this.lastDecrease !== undefined;
        this.nextAt = contended ? now + this.jitter(this.tuning.gapJitter) * (1000 / this.current) : now;
        return now;
    }

    /** KMS accepted a request. */
    succeeded(): void {
        this.successes++;
        this.streak++;
        this.starved = 0;
    }

    /**
     * KMS threw a request released at `releasedAt`; true when the pace dropped. Not when:
     * - nothing got through since the last drop: a host starved by others (on a one-token bucket a host
     *   pacing at the quota wins nearly every token) would otherwise spiral down to its floor and never win
     *   one again; it keeps its pace, backs off before its next try (backOff), probes upwards once quiet,
     *   and its first win makes the holder drop;
     * - it is the first throttle at the ceiling after a run of successes: a stack alone in its account is
     *   throttled now and then by timing alone (a request delayed on its way lets the next one arrive early,
     *   and a one-token bucket has not refilled: on a loaded machine once every 20 or so requests), and
     *   dropping to a quarter for that cost it some 10 s of quota each time (a 1,000-material create took
     *   1.5 × its bound); a second throttle soon after is contention, and drops the pace. "Soon" is time,
     *   not a count: at 5/s ten successes take two seconds, and a host holding the whole quota forgave a
     *   throttle every two seconds while the hosts it starved were throttled again and again (a 4 × 25 × 5
     *   fleet: 22 throttles, one stack done in 10 s, the others in 24–27 s). Below the ceiling the host has
     *   met contention already, and a throttle is taken for what it most likely is.
     */
    throttled(releasedAt: number): boolean {
        this.update();
        const now = this.clock();
        const clean =
            this.streak >= this.tuning.forgiveAfterSuccesses &&
            this.current >= this.ceiling &&
            (this.lastThrottle === undefined || now - this.lastThrottle >= this.tuning.forgiveOncePerSeconds * 1000);
        this.streak = 0;
        this.lastThrottle = now;
        if (clean) return false;
        if (this.lastDecrease !== undefined && releasedAt < this.lastDecrease) return false;
        if (this.lastDecrease !== undefined && this.successes === 0) {
            this.backOff(now);
            return false;
        }
        this.successes = 0;
        const share = this.current / this.ceiling;
        this.current = Math.max(this.ceiling * this.tuning.floor, this.current * (1 - this.tuning.decrease * share));
        this.lastDecrease = now;
        this.quietFactor = this.jitter(0.5);
        this.nextAt = now + 1000 / this.current;
        return true;
    }

    /**
     * Starved: the next try waits 2, 4, … gaps (the AWS SDK's retries back off the same way). A host holding the
     * quota releases in step with KMS's refill and wins nearly every token; the others' tries at their own pace were
     * all throttled (a 4 × 25 × 5 fleet: 19 throttles in 4 s, one stack done in 10 s, the others in 22–27 s).
     */
    private backOff(now: number): void {
        this.starved++;
        const gaps = Math.min(2 ** this.starved, this.tuning.starvedBackoffMax);
        this.nextAt = Math.max(this.nextAt, now + this.jitter(this.tuning.gapJitter) * gaps * (1000 / this.current));
    }

    private update(): void {
        const now = this.clock();
        const seconds = (now - this.lastUpdate) / 1000;
        this.lastUpdate = now;
        if (this.lastDecrease === undefined || seconds <= 0 || this.current >= this.ceiling) return;
        const quiet = (now - this.lastDecrease) / 1000 >= this.tuning.quietSeconds * this.quietFactor;
        const grown = quiet
            ? this.current * (1 + this.tuning.probeGrowthPerSecond) ** seconds
            : this.current + this.tuning.climbPerSecond * this.ceiling * seconds;
        this.current = Math.min(this.ceiling, grown);
    }

    /** A factor in [1 − spread, 1 + spread]. */
    private jitter(spread: number): number {
        return 1 - spread + 2 * spread * this.random();
    }
}

/** When a request was released, so that its throttle can be told from the throttles of an older round. */
export interface PacerTicket {
    releasedAt: number;
}

export interface PacerClock {
    now: () => number;
    schedule: (run: () => void, ms: number) => void;
    random: () => number;
}

const REAL_CLOCK: PacerClock = {
    now: () => performance.now(),
    schedule: (run, ms) => void setTimeout(run, ms),
    random: Math.random,
};

/**
 * The queue of one operation in one account and Region: released in arrival order when both KMS's bucket
 * (the ceiling, never exceeded) and the shared pace allow; a request KMS throttled goes back to the front,
 * since it has waited longest. The first request goes alone, and the bucket's burst (a second's worth) opens
 * with its success (TCP's small initial window): a host joining an account whose quota others are already
 * using sees its first request throttled, not a whole burst (4 more throttles per joining host at × 5). The
 * burst stays: without it a host joining an account whose quota another host holds, pacing in step with KMS's
 * refill, rarely wins a token, and the holder never learns it has company (30 simulated fleets each of 4 hosts
 * × 25 requests at 5/s and of 2 × 60 at 15/s: without the burst, in 5 and 8 of them one host finished before
 * 0.4 × the time of the last; with it, in 0 and 2).
 */
export class OperationPacer {
    private readonly waiting: ((ticket: PacerTicket) => void)[] = [];
    private timerSet = false;
    private opened = false;
    readonly ceiling: TokenBucket;
    readonly shared: SharedRate;

    constructor(
        rate: number,
        private readonly clock: PacerClock = REAL_CLOCK,
    ) {
        this.ceiling = new TokenBucket(rate, clock.now);
        this.ceiling.startWithOne();
        this.shared = new SharedRate(rate, clock.now, clock.random);
    }

    get queued(): number {
        return this.waiting.length;
    }

    /** Requests per second released now: the shared pace, or the ceiling's steady pace when that is lower. */
    get pace(): number {
        return Math.min(this.shared.rate, this.ceiling.pace);
    }

    acquire(options: { first?: boolean } = {}): Promise<PacerTicket> {
        return new Promise((resolve) => {
            if (options.first) this.waiting.unshift(resolve);
            else this.waiting.push(resolve);
            this.drain();
        });
    }

    throttled(ticket: PacerTicket): boolean {
        return this.shared.throttled(ticket.releasedAt);
    }

    succeeded(): void {
        this.shared.succeeded();
        if (this.opened) return;
        this.opened = true;
        this.ceiling.openBurst();
        this.drain();
    }

    private msUntilNext(): number {
        return Math.max(this.ceiling.msUntilNext(), this.shared.msUntilNext());
    }

    private drain(): void {
        while (this.waiting.length > 0 && this.msUntilNext() === 0) {
            this.ceiling.take();
            const releasedAt = this.shared.released();
            this.waiting.shift()?.({ releasedAt });
        }
        if (this.waiting.length > 0 && !this.timerSet) {
            this.timerSet = true;
            this.clock.schedule(
                () => {
                    this.timerSet = false;
                    this.drain();
                },
                Math.max(1, Math.ceil(this.msUntilNext())),
            );
        }
    }
}

/**
 * One OperationPacer per (account/Region scope, operation). Requests that wait long are reported, and so are
 * drops of the pace, at most every few seconds per operation, so a user watching a big `pulumi up` sees why
 * it is slow.
 */
export class RequestPacer {
    private readonly pacers = new Map<string, OperationPacer>();
    private readonly lastReport = new Map<string, number>();

    constructor(
        private readonly scale: number,
        private readonly log: ProgressLog,
        private readonly reporting = { everyMs: 10_000, whenWaitOverMs: 2_000 },
        private readonly clock: PacerClock = REAL_CLOCK,
    ) {}

    /** Waits for the request's turn; undefined for operations without a known quota (not paced). */
    async acquire(
        scope: string,
        operation: string,
        options: { first?: boolean } = {},
    ): Promise<PacerTicket | undefined> {
        const pacer = this.pacerFor(scope, operation);
        if (!pacer) return undefined;
        const waitMs = (pacer.queued / pacer.pace) * 1000;
        if (pacer.queued > 0 && waitMs >= this.reporting.whenWaitOverMs) this.reportQueue(scope, operation, pacer);
        return pacer.acquire(options);
    }

    /** KMS throttled the request released with `ticket`: the operation's pace drops (once per round). */
    throttled(scope: string, operation: string, ticket: PacerTicket): void {
        const pacer = this.pacers.get(`${scope}|${operation}`);
        if (!pacer?.throttled(ticket)) return;
        this.report(
            `${scope}|${operation}|throttled`,
            () =>
                `KMS throttled ${operation}: other callers use the account's quota of ` +
                `${format(pacer.shared.ceiling)}/s in this Region too; ` +
                `this stack now paces ${operation} at ${format(pacer.shared.rate)}/s and climbs back as KMS allows`,
        );
    }

    /** KMS accepted a request of this operation. */
    succeeded(scope: string, operation: string): void {
        this.pacers.get(`${scope}|${operation}`)?.succeeded();
    }

    /** The pace reached and the ceiling of an operation (for messages). */
    rateOf(scope: string, operation: string): { rate: number; ceiling: number } | undefined {
        const pacer = this.pacers.get(`${scope}|${operation}`);
        return pacer ? { rate: pacer.shared.rate, ceiling: pacer.shared.ceiling } : undefined;
    }

    private pacerFor(scope: string, operation: string): OperationPacer | undefined {
        const quota = KMS_QUOTAS[operation] as number | undefined;
        if (quota === undefined) return undefined;
        const key = `${scope}|${operation}`;
        let pacer = this.pacers.get(key);
        if (!pacer) {
            pacer = new OperationPacer(quota * this.scale, this.clock);
            this.pacers.set(key, pacer);
        }
        return pacer;
    }

    private reportQueue(scope: string, operation: string, pacer: OperationPacer): void {
        this.report(`${scope}|${operation}`, () => {
            const seconds = Math.ceil((pacer.queued + 1) / pacer.pace);
            const where =
                pacer.shared.rate < pacer.shared.ceiling
                    ? `at ${format(pacer.shared.rate)}/s, below the account quota of ` +
                      `${format(pacer.shared.ceiling)}/s (KMS throttled it: the quota is shared)`
                    : `at the account quota of ${format(pacer.shared.ceiling)}/s`;
            return `pacing KMS ${operation} ${where}: ${pacer.queued + 1} requests queued (~${seconds}s)`;
        });
    }

    private report(key: string, message: () => string): void {
        const now = this.clock.now();
        const last = this.lastReport.get(key);
        if (last !== undefined && now - last < this.reporting.everyMs) return;
        this.lastReport.set(key, now);
        this.log(message());
    }
}

/** A rate for messages: at most 3 significant digits, no trailing zeros. */
function format(rate: number): string {
    return String(Number(rate.toPrecision(3)));
}
