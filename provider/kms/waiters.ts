import { setTimeout as sleep } from "node:timers/promises";
import { NotFoundError } from "./errors";

/**
 * Waiters: poll until KMS reaches a state, with a deadline and progress for the user. Bounded always:
 * a CI job must fail with a clear message rather than hang.
 */

export interface WaitOptions {
    timeoutMs: number;
    /** What is being waited for, e.g. "key 1234… to become visible". */
    what: string;
    log: (message: string) => void;
    /** First delay between polls; doubles up to maxDelayMs. */
    delayMs?: number;
    maxDelayMs?: number;
    /** Report progress at most this often. */
    reportEveryMs?: number;
}

export class WaitTimeoutError extends Error {
    override readonly name = "WaitTimeoutError";
}

/** Poll `probe` until it returns a value other than undefined. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
    const started = Date.now();
    let delay = options.delayMs ?? 250;
    let lastReport = started;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        const elapsed = Date.now() - started;
        if (elapsed >= options.timeoutMs) {
            throw new WaitTimeoutError(`timed out after ${Math.round(elapsed / 1000)}s waiting for ${options.what}`);
        }
        if (Date.now() - lastReport >= (options.reportEveryMs ?? 5000)) {
            lastReport = Date.now();
            options.log(`still waiting for ${options.what} (${Math.round(elapsed / 1000)}s)`);
        }
        await sleep(Math.min(delay, options.timeoutMs - elapsed));
        delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
}

/**
 * KMS is eventually consistent: right after CreateKey (for example a key created earlier in the same
 * `pulumi up`), DescribeKey and GetParametersForImport may answer NotFoundException for a while.
 * Retry NotFound, and only NotFound, for a bounded time.
 */
export async function retryWhileNotFound<T>(
    operation: () => Promise<T>,
    options: WaitOptions & { onFirstNotFound?: (error: NotFoundError) => Promise<void> },
): Promise<T> {
    let lastNotFound: NotFoundError | undefined;
    try {
        return await waitFor(async () => {
            try {
                return await operation();
            } catch (error) {
                if (!(error instanceof NotFoundError)) throw error;
                // Said at once, so the wait cannot hide a key looked for in the wrong Region or account.
                if (!lastNotFound) await options.onFirstNotFound?.(error);
                lastNotFound = error;
                return undefined;
            }
        }, options);
    } catch (error) {
        throw error instanceof WaitTimeoutError && lastNotFound ? lastNotFound : error;
    }
}
