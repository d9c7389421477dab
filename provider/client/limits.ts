/**
 * Bounds of every numeric setting. A value outside them is refused (check fails, and no operation makes a
 * KMS call), never clamped or replaced by the default in silence: a typo in a timeout must not turn into a
 * stack that hangs or starves. The bounds are wide; they exclude what cannot work:
 * - requestRateScale: below 0.01 a GetParametersForImport waits over 100 s for its turn (at 5e-7 the timer
 *   overflowed and every request starved); above 100 no AWS account's quotas are raised that far;
 * - timeouts: at least a second (an RSA-4096 GetParametersForImport takes longer than that on a busy KMS),
 *   at most an hour (a deployment waiting longer has lost its operator);
 * - maxAttempts: 1 (no retries) to 20 (the SDK's backoff then already spans minutes).
 */

export interface NumericBounds {
    min: number;
    max: number;
    default: number;
    integer?: boolean;
}

export const NUMERIC_SETTINGS = {
    maxAttempts: { min: 1, max: 20, default: 8, integer: true },
    requestRateScale: { min: 0.01, max: 100, default: 1 },
    /** terraform-provider-aws waits 2 minutes for a new key to become visible; so do we. */
    propagationTimeoutSeconds: { min: 1, max: 3600, default: 120 },
    /** On-demand rotation of imported material is asynchronous; AWS's own tests poll for up to 90 s. */
    rotationTimeoutSeconds: { min: 1, max: 3600, default: 600 },
    /** Establishing a TCP/TLS connection to KMS or STS; AWS answers in milliseconds. */
    connectTimeoutSeconds: { min: 1, max: 300, default: 10 },
    /** One request, sent to answered; KMS answers in well under a second, RSA-4096 parameters in a few. */
    requestTimeoutSeconds: { min: 1, max: 600, default: 60 },
    /**
     * How long one KMS request may keep being throttled (waiting its turn again after each ThrottlingException,
     * which does not use up maxAttempts) before its step fails: the account's quota is shared, and a CI job
     * must not wait for ever for other pipelines. Half an hour: on a one-token quota (GetParametersForImport,
     * 1/s) a request can lose the race for the token to other pipelines for minutes (a simulation of 8
     * pipelines of 50 materials: up to 6 minutes).
     */
    throttleTimeoutSeconds: { min: 1, max: 3600, default: 1800 },
    /**
     * Warn in previews and refreshes this many days before material expires; 0 never warns; 365 is AWS's longest
     * validTo.
     */
    expiryWarningDays: { min: 0, max: 365, default: 30, integer: true },
} as const satisfies Record<string, NumericBounds>;

export type NumericSetting = keyof typeof NUMERIC_SETTINGS;

/** A number from config or the environment; out-of-bounds or non-numeric text is a problem (never quoted). */
export function readNumber(
    name: NumericSetting,
    text: string | undefined,
    source: string,
    problems: string[],
): number | undefined {
    if (text === undefined || text.trim() === "") return undefined;
    const value = Number(text.trim());
    const problem = boundsProblem(name, value, source);
    if (problem) {
        problems.push(problem);
        return undefined;
    }
    return value;
}

/** Why `value` cannot be used for `name`, or undefined. */
export function boundsProblem(name: NumericSetting, value: number, source: string): string | undefined {
    const bounds: NumericBounds = NUMERIC_SETTINGS[name];
    const kind = bounds.integer ? "a whole number" : "a number";
    if (
        !Number.isFinite(value) ||
        value < bounds.min ||
        value > bounds.max ||
        (bounds.integer && !Number.isInteger(value))
    ) {
        return (
            `${source} must be ${kind} from ${bounds.min} to ${bounds.max} (default ${bounds.default}); the ` +
            `value given is not, so nothing was sent to KMS`
        );
    }
    return undefined;
}
