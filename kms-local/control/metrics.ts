// Per-operation counters, a request log and an event log of non-secret facts.
// Never recorded: key material, plaintext, ciphertext, import tokens, wrapped material, public keys.

import type { EventRecord } from "../model/events.js";

export interface OperationCounters {
    /** Requests that named this operation (including throttled and faulted ones). */
    calls: number;
    /** Requests answered with ThrottlingException. */
    throttled: number;
    /** Requests failed by fault injection. */
    faults: number;
    /** Requests answered with any error (including throttling and faults). */
    errors: number;
}

export interface RequestRecord {
    /** kms-local clock time, epoch ms. */
    time: number;
    requestId: string;
    operation: string;
    region?: string;
    /** Who signed the request: an IAM user ARN, or an assumed-role session ARN for temporary credentials. */
    principal?: string;
    keyId?: string;
    keyMaterialId?: string;
    importType?: string;
    status: number;
    errorType?: string;
    /** Fault injected into this request, if any. */
    fault?: string;
    /** Ids of the request holds (control.holds) that held this request. */
    held?: number[];
    durationMs: number;
}

const MAX_LOG = 10_000;

export class Metrics {
    private counters = new Map<string, OperationCounters>();
    private log: RequestRecord[] = [];
    private eventLog: EventRecord[] = [];

    private counter(op: string): OperationCounters {
        let c = this.counters.get(op);
        if (!c) {
            c = { calls: 0, throttled: 0, faults: 0, errors: 0 };
            this.counters.set(op, c);
        }
        return c;
    }

    record(r: RequestRecord): void {
        const c = this.counter(r.operation);
        c.calls += 1;
        if (r.errorType !== undefined) c.errors += 1;
        if (r.errorType === "ThrottlingException" && r.fault === undefined) c.throttled += 1;
        if (r.fault !== undefined) c.faults += 1;
        this.log.push(r);
        if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    }

    event(e: EventRecord): void {
        this.eventLog.push(e);
        if (this.eventLog.length > MAX_LOG) this.eventLog.splice(0, this.eventLog.length - MAX_LOG);
    }

    snapshot(): Record<string, OperationCounters> {
        const out: Record<string, OperationCounters> = {};
        for (const [op, c] of [...this.counters.entries()].sort(([a], [b]) => a.localeCompare(b))) out[op] = { ...c };
        return out;
    }

    requests(): RequestRecord[] {
        return this.log.map((r) => ({ ...r, ...(r.held ? { held: [...r.held] } : {}) }));
    }

    events(): EventRecord[] {
        return this.eventLog.map((e) => ({ ...e }));
    }

    reset(): void {
        this.counters = new Map();
        this.log = [];
        this.eventLog = [];
    }
}
