// Request quotas (docs/kms-behaviour.md#request-quotas): token buckets per account, Region and quota, refilled on real
// monotonic time. Burst = max(1, rate): a bucket holds one second's worth of requests (at least one request). Shared
// quotas (symmetric / RSA / ECC cryptographic operations) use one bucket for every operation in the group.

import { performance } from "node:perf_hooks";

export interface QuotaSettings {
    /** Throttle at all. Default true (AWS always enforces quotas). */
    enabled: boolean;
    /** Multiplier applied to the AWS figures (10 = ten times the AWS rate). Default 1. */
    scale: number;
    /**
     * Per-quota overrides in requests/s, by operation name (e.g. "CreateKey") or shared-quota name (see QUOTA_NAMES).
     */
    rps: Partial<Record<string, number>>;
}

/** Names of the shared cryptographic quotas. */
export const QUOTA_NAMES = {
    symmetric: "CryptographicOperationsSymmetric",
    rsa: "CryptographicOperationsRSA",
    ecc: "CryptographicOperationsECC",
} as const;

const CURRENT: Readonly<Record<string, number>> = {
    CreateKey: 5,
    DescribeKey: 2000,
    GetParametersForImport: 1,
    ImportKeyMaterial: 15,
    DeleteImportedKeyMaterial: 15,
    ListKeyRotations: 100,
    RotateKeyOnDemand: 5,
    ScheduleKeyDeletion: 15,
    CancelKeyDeletion: 5,
    EnableKey: 5,
    DisableKey: 5,
    GetKeyRotationStatus: 1000,
    ListKeys: 500,
    GetPublicKey: 2000,
    ReplicateKey: 5,
    CreateAlias: 5,
    ListAliases: 500,
    [QUOTA_NAMES.rsa]: 1000,
    [QUOTA_NAMES.ecc]: 1000,
};

/** The 2023 archived figures where they differ (docs/kms-behaviour.md#request-quotas, the 2023 column). */
const FIGURES_2023: Readonly<Partial<Record<string, number>>> = {
    GetParametersForImport: 0.25,
    ImportKeyMaterial: 5,
    DeleteImportedKeyMaterial: 5,
    [QUOTA_NAMES.rsa]: 500,
    [QUOTA_NAMES.ecc]: 300,
};

const SYMMETRIC_HIGH = new Set(["us-east-1", "us-west-2", "eu-west-1"]);
const SYMMETRIC_MID = new Set([
    "us-east-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "eu-central-1",
    "eu-west-2",
]);

function symmetricRate(region: string, figures: "current" | "2023"): number {
    const [high, mid, low] = figures === "current" ? [100_000, 20_000, 10_000] : [50_000, 10_000, 5_500];
    if (SYMMETRIC_HIGH.has(region)) return high;
    return SYMMETRIC_MID.has(region) ? mid : low;
}

/** The AWS rate of one quota in one Region (before scale and overrides). */
export function awsRate(quota: string, region: string, figures: "current" | "2023"): number {
    if (quota === QUOTA_NAMES.symmetric) return symmetricRate(region, figures);
    const figure2023 = FIGURES_2023[quota];
    if (figures === "2023" && figure2023 !== undefined) return figure2023;
    return CURRENT[quota] ?? 100;
}

interface Bucket {
    tokens: number;
    last: number;
    rate: number;
}

/**
 * Refills a bucket (creating it full if absent or re-rated) and takes `n` tokens; returns the bucket and the verdict.
 */
function takeFrom(previous: Bucket | undefined, rate: number, n: number): { bucket: Bucket; ok: boolean } {
    const now = performance.now();
    const burst = Math.max(1, rate);
    const b = previous && previous.rate === rate ? previous : { tokens: burst, last: now, rate };
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
    if (b.tokens < n) return { bucket: b, ok: false };
    b.tokens -= n;
    return { bucket: b, ok: true };
}

export class Quotas {
    private buckets = new Map<string, Bucket>();

    constructor(
        public settings: QuotaSettings,
        private readonly figures: () => "current" | "2023",
    ) {}

    configure(update: Partial<QuotaSettings>): void {
        // An override set to undefined removes it.
        const rps = Object.fromEntries(
            Object.entries({ ...this.settings.rps, ...(update.rps ?? {}) }).filter(([, v]) => v !== undefined),
        );
        this.settings = { ...this.settings, ...update, rps };
        this.buckets.clear();
    }

    /** Effective rate of `quota` for `operation` in `region`, requests per second. */
    rate(quota: string, region: string, operation = quota): number {
        const override = this.settings.rps[operation] ?? this.settings.rps[quota];
        if (override !== undefined) return override;
        return awsRate(quota, region, this.figures()) * this.settings.scale;
    }

    /** Takes `n` tokens from the bucket of `quota`; false means the request is throttled. */
    take(account: string, region: string, quota: string, operation = quota, n = 1): boolean {
        if (!this.settings.enabled) return true;
        // An operation with its own override gets its own bucket; otherwise the operations of a shared quota share one.
        const own = operation !== quota && this.settings.rps[operation] !== undefined;
        const key = `${account}/${region}/${own ? operation : quota}`;
        const { bucket, ok } = takeFrom(this.buckets.get(key), this.rate(quota, region, operation), n);
        this.buckets.set(key, bucket);
        return ok;
    }

    reset(): void {
        this.buckets.clear();
    }
}

/** A per-key limiter for the "hot key" throttling of EnableKey/DisableKey bursts (S32); 0 rps = off. */
export class HotKeys {
    private readonly buckets = new Map<string, Bucket>();

    take(keyArn: string, rps: number): boolean {
        if (rps <= 0) return true;
        const { bucket, ok } = takeFrom(this.buckets.get(keyArn), rps, 1);
        this.buckets.set(keyArn, bucket);
        return ok;
    }
}
