// The kms-local clock: real time plus an offset that tests move forward, so that AWS-time behaviour
// (ValidTo expiry, 24 h import tokens, DeletionDate, rotation completion, replica creation, new-key
// invisibility) is testable in milliseconds. Request quotas deliberately use real monotonic time instead.

export interface KmsClock {
  /** Current kms-local time, epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` (negative values are refused: AWS time never runs backwards). */
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
    if (!Number.isFinite(ms) || ms < 0) throw new Error("clock.advance needs a non-negative number of milliseconds");
    this.offsetMs += ms;
    return this.now();
  }
}
