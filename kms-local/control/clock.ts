// The kms-local clock: real time plus an offset that tests move forward, so that AWS-time behaviour
// (ValidTo expiry, 24 h import tokens, DeletionDate, rotation completion, replica creation, new-key
// invisibility) is testable in milliseconds. Request quotas deliberately use real monotonic time instead.

import { DAY_MS, MAX_CLOCK_OFFSET_MS } from "../model/clock.js";

export interface KmsClock {
    /** Current kms-local time, epoch milliseconds. */
    now(): number;
    /** Moves the clock forward by `ms` (negative values, and offsets beyond MAX_CLOCK_OFFSET_MS, are refused). */
    advance(ms: number): number;
    /** Current offset from real time in ms. */
    readonly offsetMs: number;
}

export class OffsetClock implements KmsClock {
    offsetMs = 0;

    now(): number {
        return Date.now() + this.offsetMs;
    }

    advance(ms: number): number {
        if (!Number.isFinite(ms) || ms < 0)
            throw new Error("clock.advance needs a non-negative number of milliseconds");
        const offset = this.offsetMs + ms;
        if (offset > MAX_CLOCK_OFFSET_MS) {
            throw new Error(
                `clock.advance(${ms}) would put the kms-local clock ${(offset / DAY_MS).toFixed(1)} days ` +
                    `ahead of real time; ` +
                    `the limit is ${MAX_CLOCK_OFFSET_MS / DAY_MS} days (reset-state returns the clock to real time)`,
            );
        }
        this.offsetMs = offset;
        return this.now();
    }

    /** Back to real time (reset-state). */
    reset(): void {
        this.offsetMs = 0;
    }
}
