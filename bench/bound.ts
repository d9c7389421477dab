// The quota bound of a phase: the least time AWS's request quotas allow for the calls it made.
//
// For each KMS operation, calls ÷ rate (requests per second, per account and Region, times the
// run's quota scale) is how long that operation alone must take; the operations draw on separate
// quotas and can overlap, so the phase cannot be faster than the largest of these. That operation
// is the bottleneck. Throttled attempts are not counted: they spend no quota (and are reported
// separately). The bucket's initial burst (one second's worth) is ignored, so for a phase of a few
// seconds the bound is a little pessimistic.

export interface OperationBound {
    operation: string;
    /** Calls KMS accepted (not throttled). */
    calls: number;
    /** Requests per second allowed (AWS quota × scale). */
    rate: number;
    /** calls ÷ rate, in ms. */
    ms: number;
}

export interface QuotaBound {
    ms: number;
    /** The operation whose quota sets the bound (undefined when no call was made). */
    bottleneck: OperationBound | undefined;
    byOperation: OperationBound[];
}

/** `accepted`: calls per operation that KMS accepted; `rateOf`: the quota of an operation, requests/s. */
export function quotaBound(accepted: Record<string, number>, rateOf: (operation: string) => number): QuotaBound {
    const byOperation = Object.entries(accepted)
        .filter(([, calls]) => calls > 0)
        .map(([operation, calls]) => {
            const rate = rateOf(operation);
            return { operation, calls, rate, ms: (calls / rate) * 1000 };
        })
        .sort((a, b) => b.ms - a.ms);
    return { ms: byOperation[0]?.ms ?? 0, bottleneck: byOperation[0], byOperation };
}

/** Wall time ÷ bound: 1 is as fast as the quotas allow; undefined when the phase made no KMS call. */
export const boundRatio = (wallMs: number, bound: QuotaBound): number | undefined =>
    bound.ms > 0 ? wallMs / bound.ms : undefined;
