// Request holds: stop the nth matching KMS request at a chosen point until the test lets it go, so a crash test
// can kill a client (the Pulumi CLI) at an exact moment. "before": the request is parsed and authenticated but
// not applied (no quota taken, nothing changed). "after": the operation ran and its outcome is recorded (and
// persisted), but the response is not sent yet. A held request is then released (it proceeds / its response is
// sent) or dropped (the connection is destroyed without an answer; a "before" request is then never applied).
// A "before" request whose client has gone away by the time it is released is not applied either: there is no
// one left to answer, and applying it would be a change nobody asked to observe. Its record says so.

import type { RequestRecord } from "./metrics.js";

export type HoldPhase = "before" | "after";
export type HoldState = "armed" | "held" | "released" | "dropped" | "cleared";

export interface HoldSpec {
    /** Operation name without "TrentService.", e.g. "ImportKeyMaterial". */
    operation: string;
    /** Hold the nth matching request counted from when the hold was added (default 1: the next one). */
    nth?: number;
    /** Default "before". */
    phase?: HoldPhase;
    /** Only requests naming this key (key ID, or a key ARN / multi-Region key ID ending in it). */
    keyId?: string;
    /** Phase "after" only: only requests answered with this HTTP status (e.g. 200: applied successfully). */
    status?: number;
}

/** What became of a held request. */
export interface HoldOutcome {
    /** The operation ran (for "after" always; for "before" unless dropped or its client was gone). */
    applied: boolean;
    /** A response was handed to a live connection. */
    answered: boolean;
    record: RequestRecord;
}

export interface RequestHold {
    readonly id: number;
    readonly spec: Readonly<Required<Pick<HoldSpec, "operation" | "nth" | "phase">>> &
        Pick<HoldSpec, "keyId" | "status">;
    readonly state: HoldState;
    /**
     * Resolves with the request's record when it is held: for "before" a provisional record (status 0, nothing
     * answered yet), for "after" the final one. Rejects if the hold is cleared before its request arrives.
     */
    readonly reached: Promise<RequestRecord>;
    /** Resolves when the held request is over (released or dropped). */
    readonly settled: Promise<HoldOutcome>;
    /** Let the request proceed (before) / send its response (after). Before it is reached: let it pass unheld. */
    release(): void;
    /** Destroy the connection without an answer. Before it is reached: drop it as soon as it arrives. */
    drop(): void;
}

/** A non-secret view of one hold, for control.holds.list() and GET /_kms-local/holds. */
export interface HoldInfo {
    id: number;
    operation: string;
    nth: number;
    phase: HoldPhase;
    keyId?: string;
    status?: number;
    state: HoldState;
    /** Matching requests seen so far. */
    seen: number;
    /** The held (or last held) request. */
    request?: RequestRecord;
}

type Verdict = "release" | "drop";

/** The request at a hold point, as the runtime knows it there. */
export interface HoldPoint {
    operation: string;
    /** The key ID named by the request (before) or resolved by the operation (after), if any. */
    keyId?: string;
    status?: number;
    record: RequestRecord;
}

export class Hold implements RequestHold {
    state: HoldState = "armed";
    seen = 0;
    request?: RequestRecord;
    readonly reached: Promise<RequestRecord>;
    readonly settled: Promise<HoldOutcome>;
    private onReached!: (r: RequestRecord) => void;
    private onReachedFail!: (e: Error) => void;
    private onSettled!: (o: HoldOutcome) => void;
    private decide?: (v: Verdict) => void;
    private preset?: Verdict;

    constructor(
        readonly id: number,
        readonly spec: RequestHold["spec"],
    ) {
        this.reached = new Promise((resolve, reject) => {
            this.onReached = resolve;
            this.onReachedFail = reject;
        });
        this.reached.catch(() => undefined); // a cleared hold nobody awaits must not be an unhandled rejection
        this.settled = new Promise((resolve) => (this.onSettled = resolve));
    }

    matches(phase: HoldPhase, point: HoldPoint): boolean {
        if (this.state !== "armed" || phase !== this.spec.phase || point.operation !== this.spec.operation)
            return false;
        if (this.spec.keyId !== undefined && !(point.keyId !== undefined && point.keyId.endsWith(this.spec.keyId)))
            return false;
        return this.spec.status === undefined || point.status === this.spec.status;
    }

    /** Counts a matching request; when it is the nth, holds it until release() or drop(). */
    async count(record: RequestRecord): Promise<Verdict> {
        this.seen += 1;
        if (this.seen < this.spec.nth) return "release";
        this.state = "held";
        // Visible at once in control.requests() for an "after" hold (whose record is already logged).
        record.held = [...(record.held ?? []), this.id];
        this.request = { ...record };
        this.onReached({ ...record });
        const verdict = this.preset ?? (await new Promise<Verdict>((resolve) => (this.decide = resolve)));
        this.state = verdict === "release" ? "released" : "dropped";
        return verdict;
    }

    settle(outcome: HoldOutcome): void {
        this.request = { ...outcome.record };
        this.onSettled(outcome);
    }

    release(): void {
        this.resolveWith("release");
    }

    drop(): void {
        this.resolveWith("drop");
    }

    private resolveWith(verdict: Verdict): void {
        if (this.decide) {
            const decide = this.decide;
            this.decide = undefined;
            decide(verdict);
        } else if (this.state === "armed") {
            this.preset ??= verdict;
        }
    }

    clear(verdict: Verdict): void {
        if (this.state === "held") this.resolveWith(verdict);
        else if (this.state === "armed") {
            this.state = "cleared";
            this.onReachedFail(
                new Error(
                    `hold ${this.id} (${this.spec.operation}, ${this.spec.phase}) was cleared ` +
                        `before its request arrived`,
                ),
            );
        }
    }

    info(): HoldInfo {
        const { operation, nth, phase, keyId, status } = this.spec;
        return {
            id: this.id,
            operation,
            nth,
            phase,
            keyId,
            status,
            state: this.state,
            seen: this.seen,
            request: this.request && { ...this.request },
        };
    }
}

export class Holds {
    private holds: Hold[] = [];
    private nextId = 1;

    add(spec: HoldSpec): RequestHold {
        const nth = spec.nth ?? 1;
        // The spec may come as JSON from the control endpoint, so its phase is checked as an outside value.
        const phase: unknown = spec.phase ?? "before";
        if (typeof spec.operation !== "string" || spec.operation.length === 0)
            throw new Error("a hold needs an operation");
        if (!Number.isInteger(nth) || nth < 1) throw new Error("hold nth must be a positive integer");
        if (phase !== "before" && phase !== "after") throw new Error('hold phase must be "before" or "after"');
        if (spec.status !== undefined && phase !== "after")
            throw new Error('a hold on status needs phase "after" (the status is known only then)');
        const hold = new Hold(this.nextId++, {
            operation: spec.operation,
            nth,
            phase,
            keyId: spec.keyId,
            status: spec.status,
        });
        this.holds.push(hold);
        return hold;
    }

    /**
     * Passes a request through every matching hold, oldest first (each may hold it in turn). Resolves with the
     * verdict and the holds that held it, so their outcome can be settled once known.
     */
    async pass(phase: HoldPhase, point: HoldPoint): Promise<{ verdict: Verdict; held: Hold[] }> {
        const held: Hold[] = [];
        for (const hold of this.holds.filter((h) => h.matches(phase, point))) {
            const verdict = await hold.count(point.record);
            if (hold.state !== "armed") held.push(hold);
            if (verdict === "drop") return { verdict, held };
        }
        return { verdict: "release", held };
    }

    list(): HoldInfo[] {
        return this.holds.map((h) => h.info());
    }

    get(id: number): RequestHold | undefined {
        return this.holds.find((h) => h.id === id);
    }

    /** Lets every held request go (or drops them, at shutdown), disarms the rest and forgets them all. */
    clear(verdict: Verdict = "release"): void {
        for (const h of this.holds) h.clear(verdict);
        this.holds = [];
    }
}
