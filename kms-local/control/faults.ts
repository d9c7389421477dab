// Fault injection: a fraction of requests fails with a retryable server error or a dropped connection.
// "before": the operation does not run (no side effect). "after": the operation runs (its side effect stays)
// and its response is lost — what makes a client retry an ImportKeyMaterial whose token is already consumed.

import { seededRandom } from "./prng.js";

export type FaultKind = "KMSInternalException" | "DependencyTimeoutException" | "DroppedConnection";
export type FaultTiming = "before" | "after" | "mixed";

export interface FaultSettings {
    /** Fraction of requests to fail, 0..1. 0 disables fault injection. */
    rate: number;
    /** Kinds to choose from (uniformly). Default: all three. */
    kinds?: FaultKind[];
    /** When the fault strikes. Default "before". */
    timing?: FaultTiming;
    /** Only these operations (names without "TrentService."); default all. */
    operations?: string[];
    /** PRNG seed; the same seed gives the same fault sequence. Default 1. */
    seed?: number;
    /** Inject at most this many faults, then stop (e.g. 1: fail exactly the next eligible request at rate 1). */
    count?: number;
}

export interface FaultDecision {
    kind: FaultKind;
    timing: "before" | "after";
}

const ALL_KINDS: FaultKind[] = ["KMSInternalException", "DependencyTimeoutException", "DroppedConnection"];

export class Faults {
    private random: () => number;
    private injected = 0;

    constructor(public settings: FaultSettings) {
        this.random = seededRandom(settings.seed ?? 1);
    }

    configure(settings: FaultSettings): void {
        if (!(settings.rate >= 0 && settings.rate <= 1)) throw new Error("faults.rate must be between 0 and 1");
        for (const k of settings.kinds ?? []) if (!ALL_KINDS.includes(k)) throw new Error(`unknown fault kind '${k}'`);
        this.settings = { ...settings };
        this.random = seededRandom(settings.seed ?? 1);
        this.injected = 0;
    }

    /** Decides, for one request, whether and how it fails. Draws from the PRNG only for eligible operations. */
    decide(operation: string): FaultDecision | undefined {
        const s = this.settings;
        if (s.rate <= 0 || (s.count !== undefined && this.injected >= s.count)) return undefined;
        if (s.operations && s.operations.length > 0 && !s.operations.includes(operation)) return undefined;
        if (this.random() >= s.rate) return undefined;
        const kinds = s.kinds && s.kinds.length > 0 ? s.kinds : ALL_KINDS;
        const kind = kinds[Math.floor(this.random() * kinds.length)] ?? "KMSInternalException";
        const timing = s.timing ?? "before";
        this.injected += 1;
        return { kind, timing: timing === "mixed" ? (this.random() < 0.5 ? "before" : "after") : timing };
    }
}
