// The running emulator without its HTTP server: the store, switches, clock, quotas, faults, holds, metrics and the
// request pipeline. Order of a KMS request: auth → target → JSON → hold("before") → quota → fault("before") →
// settle → validate → operation → persist → fault("after") → record → hold("after") → respond. Everything here is
// shared by the wire and control layers.

import { randomUUID } from "node:crypto";
import type { Output, RequestFacts } from "../model/context.js";
import { E, KmsError, statusOf } from "../model/errors.js";
import { OPERATION_INPUTS } from "../model/shapes.js";
import { DEFAULT_SWITCHES, type Switches } from "../model/switches.js";
import { validateInput } from "../model/validate.js";
import type { OpContext } from "../operations/context.js";
import { OPERATIONS, STATE_CHANGING } from "../operations/index.js";
import { keyMetadata } from "../operations/keyMetadata.js";
import { loadState, saveState } from "../store/persistence.js";
import { settle } from "../store/settle.js";
import { StsStore } from "../store/sessions.js";
import { Store } from "../store/store.js";
import type { KeyRecord } from "../store/types.js";
import { holdFreshStock } from "../crypto/freshPool.js";
import { OffsetClock } from "./clock.js";
import { Faults, type FaultDecision, type FaultSettings } from "./faults.js";
import { Holds, type Hold } from "./holds.js";
import { Metrics, type RequestRecord } from "./metrics.js";
import { HotKeys, QUOTA_NAMES, Quotas, type QuotaSettings } from "./quotas.js";

export interface RuntimeOptions {
    accountId: string;
    stateFile?: string;
    switches: Partial<Switches>;
    quotas: Partial<QuotaSettings>;
    faults?: FaultSettings;
    log?: (line: string) => void;
}

/** The outcome of the pipeline for one KMS request. `drop` means: destroy the connection, send nothing. */
export interface KmsReply {
    status: number;
    body: Output | { __type: string; message?: string };
    requestId: string;
    drop?: boolean;
}

export interface KmsRequest {
    operation: string | undefined;
    region: string;
    /** Who signed it (undefined for unsigned requests). */
    principal?: string;
    /** Parsed JSON body, or the KmsError raised while reading the request (auth, JSON, target). */
    body: unknown;
    early?: KmsError;
    /** Whether the client's connection is still open (a held request's client may have gone away). */
    connection?: { alive(): boolean };
}

/** The key a request names, as a key ID when it is a key ARN (for holds filtered by key). */
function requestedKeyId(body: unknown): string | undefined {
    const keyId = typeof body === "object" && body !== null ? (body as Record<string, unknown>).KeyId : undefined;
    if (typeof keyId !== "string") return undefined;
    return keyId.startsWith("arn:") ? keyId.slice(keyId.lastIndexOf("/") + 1) : keyId;
}

/** Messages for S34 = withMessage, for the errors real AWS sends without one. */
const FILLER: Readonly<Record<string, string>> = {
    InvalidCiphertextException:
        "The ciphertext is invalid or was not encrypted under this KMS key and encryption context.",
    UnsupportedOperationException: "The request is not supported for this KMS key.",
    UnknownOperationException: "The requested operation is not supported by this service.",
    KMSInvalidSignatureException: "The signature verification failed.",
    KMSInvalidMacException: "The HMAC verification failed.",
};

/**
 * The quota a request counts against (docs/kms-behaviour.md#request-quotas): its own, or the shared one of its
 * cryptographic family.
 */
function quotaName(operation: string, body: Record<string, unknown>): string {
    if (operation === "GenerateMac" || operation === "VerifyMac") return QUOTA_NAMES.symmetric;
    if (operation === "Sign" || operation === "Verify") {
        const alg = body.SigningAlgorithm;
        return typeof alg === "string" && alg.startsWith("RSASSA") ? QUOTA_NAMES.rsa : QUOTA_NAMES.ecc;
    }
    if (operation !== "Encrypt" && operation !== "Decrypt") return operation;
    const alg = body.EncryptionAlgorithm;
    return typeof alg === "string" && alg.startsWith("RSAES") ? QUOTA_NAMES.rsa : QUOTA_NAMES.symmetric;
}

export class Runtime {
    readonly store: Store;
    readonly clock = new OffsetClock();
    readonly metrics = new Metrics();
    readonly quotas: Quotas;
    readonly faults: Faults;
    readonly hotKeys = new HotKeys();
    readonly sts: StsStore;
    readonly holds = new Holds();
    switches: Switches;
    private sweep: NodeJS.Timeout | undefined;
    private releaseFreshStock: (() => void) | undefined;

    constructor(private readonly options: RuntimeOptions) {
        this.switches = { ...DEFAULT_SWITCHES, ...options.switches };
        this.store = new Store(options.accountId);
        this.sts = new StsStore(options.accountId);
        this.quotas = new Quotas(
            { enabled: true, scale: 1, rps: {}, ...options.quotas },
            () => this.switches.quotaFigures,
        );
        this.faults = new Faults({ rate: 0 });
        if (options.faults) this.faults.configure(options.faults);
        if (options.stateFile) {
            const offset = loadState(options.stateFile, this.store);
            if (offset !== undefined) this.clock.offsetMs = Math.max(this.clock.offsetMs, offset);
        }
        this.applySweep();
        this.applyWrappingMode();
    }

    setSwitches(update: Partial<Switches>): void {
        this.switches = { ...this.switches, ...update };
        this.applySweep();
        this.applyWrappingMode();
    }

    /** S13 "fresh": keep wrapping key pairs generated ahead while this instance runs in that mode. */
    private applyWrappingMode(): void {
        if (this.switches.wrappingKeyPerCall === "fresh" && !this.releaseFreshStock) {
            this.releaseFreshStock = holdFreshStock();
        } else if (this.switches.wrappingKeyPerCall !== "fresh" && this.releaseFreshStock) {
            this.releaseFreshStock();
            this.releaseFreshStock = undefined;
        }
    }

    /** S31 variant "sweep": settle every 250 ms in the background as well (never needed for correctness). */
    private applySweep(): void {
        if (this.switches.expiryEvaluation === "sweep" && !this.sweep) {
            this.sweep = setInterval(() => this.settleNow(), 250);
            this.sweep.unref();
        } else if (this.switches.expiryEvaluation !== "sweep" && this.sweep) {
            clearInterval(this.sweep);
            this.sweep = undefined;
        }
    }

    settleNow(): void {
        settle(this.store, this.clock.now(), this.switches, (e) => this.metrics.event(e));
        this.persist();
    }

    persist(): void {
        if (!this.store.dirty) return;
        this.store.dirty = false;
        if (this.options.stateFile) saveState(this.options.stateFile, this.store, this.clock.offsetMs);
    }

    close(): void {
        // Held requests die with the server: none is applied or answered any more.
        this.holds.clear("drop");
        if (this.sweep) clearInterval(this.sweep);
        this.sweep = undefined;
        this.releaseFreshStock?.();
        this.releaseFreshStock = undefined;
        this.persist();
    }

    private errorReply(e: KmsError, requestId: string): KmsReply {
        const message =
            e.wireMessage ?? (this.switches.emptyMessageErrors === "withMessage" ? FILLER[e.type] : undefined);
        return { status: statusOf(e.type, this.switches), body: { __type: e.type, message }, requestId };
    }

    private faultReply(f: FaultDecision, requestId: string): KmsReply {
        if (f.kind === "DroppedConnection") return { status: 0, body: {}, requestId, drop: true };
        return this.errorReply(f.kind === "KMSInternalException" ? E.internal() : E.dependencyTimeout(), requestId);
    }

    /** Runs one KMS request through the whole pipeline (request holds included) and records it. */
    async handle(req: KmsRequest): Promise<KmsReply> {
        const requestId = randomUUID();
        const started = Date.now();
        const holdable = req.early === undefined && req.operation !== undefined;
        const before = holdable ? await this.holdBefore(req, requestId, started) : { held: [] };
        if (before.notApplied) return before.notApplied;
        const facts: RequestFacts = {};
        let fault: FaultDecision | undefined;
        let reply: KmsReply;
        try {
            if (req.early) throw req.early;
            const op = req.operation as string;
            const body = req.body as Record<string, unknown>;
            if (!this.quotas.take(this.callerAccount(req.principal), req.region, quotaName(op, body), op))
                throw E.throttling();
            fault = this.faults.decide(op);
            if (fault?.timing === "before") {
                reply = this.faultReply(fault, requestId);
            } else {
                const output = await this.run(op, req.region, body, facts);
                reply = fault ? this.faultReply(fault, requestId) : { status: 200, body: output, requestId };
            }
        } catch (e) {
            if (!(e instanceof KmsError))
                this.options.log?.(`kms-local internal error: ${(e as Error).stack ?? String(e)}`);
            // An "after" fault loses the response whatever it was.
            reply =
                fault?.timing === "after"
                    ? this.faultReply(fault, requestId)
                    : this.errorReply(e instanceof KmsError ? e : E.internal(), requestId);
        }
        const errorType = reply.drop
            ? "DroppedConnection"
            : "__type" in reply.body
              ? String(reply.body.__type)
              : undefined;
        const record = this.record({
            time: this.clock.now(),
            requestId,
            operation: req.operation ?? "(unknown)",
            region: req.region,
            principal: req.principal,
            ...facts,
            status: reply.status,
            errorType,
            fault: fault?.kind,
            ...(before.held.length > 0 ? { held: before.held.map((h) => h.id) } : {}),
            durationMs: Date.now() - started,
        });
        return holdable ? this.holdAfter(req, record, reply, before.held) : reply;
    }

    /**
     * The account whose quotas a request spends: the caller's (docs/kms-behaviour.md#request-quotas says cross-account
     * requests count against the caller's account), read from the principal that signed it, e.g. a role assumed in
     * another account. Every client signing as the same account shares its buckets, as at AWS.
     */
    private callerAccount(principal: string | undefined): string {
        return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal ?? "")?.[1] ?? this.options.accountId;
    }

    private record(record: RequestRecord): RequestRecord {
        this.metrics.record(record);
        const status =
            record.status === 0 ? (record.errorType === "DroppedConnection" ? "dropped" : "unanswered") : record.status;
        this.options.log?.(
            `${new Date(record.time).toISOString()} ${record.requestId} ${record.region} ` +
                `${record.operation} ${status}` +
                `${record.errorType ? ` ${record.errorType}` : ""}${record.keyId ? ` key=${record.keyId}` : ""}` +
                `${record.keyMaterialId ? ` material=${record.keyMaterialId}` : ""} ${record.durationMs}ms`,
        );
        return record;
    }

    /**
     * Phase "before" of request holds: nothing applied yet. A request dropped there, or whose client is gone when
     * it is released, is recorded (status 0, DroppedConnection / ClientDisconnected) and never applied.
     */
    private async holdBefore(
        req: KmsRequest,
        requestId: string,
        started: number,
    ): Promise<{ held: Hold[]; notApplied?: KmsReply }> {
        const operation = req.operation as string;
        const keyId = requestedKeyId(req.body);
        const provisional: RequestRecord = {
            time: this.clock.now(),
            requestId,
            operation,
            region: req.region,
            principal: req.principal,
            keyId,
            status: 0,
            durationMs: 0,
        };
        const { verdict, held } = await this.holds.pass("before", { operation, keyId, record: provisional });
        if (held.length === 0 || (verdict === "release" && (req.connection?.alive() ?? true))) return { held };
        const record = this.record({
            ...provisional,
            time: this.clock.now(),
            errorType: verdict === "drop" ? "DroppedConnection" : "ClientDisconnected",
            held: held.map((h) => h.id),
            durationMs: Date.now() - started,
        });
        for (const h of held) h.settle({ applied: false, answered: false, record: { ...record } });
        return { held, notApplied: { status: 0, body: {}, requestId, drop: true } };
    }

    /** Phase "after" of request holds: applied and recorded, response not sent yet. */
    private async holdAfter(
        req: KmsRequest,
        record: RequestRecord,
        reply: KmsReply,
        heldBefore: Hold[],
    ): Promise<KmsReply> {
        const { verdict, held } = await this.holds.pass("after", {
            operation: record.operation,
            keyId: record.keyId,
            status: record.status,
            record,
        });
        const out = verdict === "drop" ? { ...reply, drop: true } : reply;
        const answered = !out.drop && (req.connection?.alive() ?? true);
        for (const h of [...heldBefore, ...held]) h.settle({ applied: true, answered, record: { ...record } });
        return out;
    }

    private async run(op: string, region: string, body: Record<string, unknown>, facts: RequestFacts): Promise<Output> {
        const now = this.clock.now();
        settle(this.store, now, this.switches, (e) => this.metrics.event(e));
        const input = validateInput(OPERATION_INPUTS[op], body);
        // The request's own KeyMaterialId / ImportType are logged even when the operation fails; operations
        // overwrite them with what they computed (the material's real id, the default import type).
        if (typeof input.KeyMaterialId === "string") facts.keyMaterialId = input.KeyMaterialId;
        if (typeof input.ImportType === "string") facts.importType = input.ImportType;
        const ctx: OpContext = {
            region,
            account: this.options.accountId,
            store: this.store,
            switches: this.switches,
            now,
            quotas: this.quotas,
            hotKeys: this.hotKeys,
            event: (e) => this.metrics.event(e),
            facts,
        };
        const before =
            STATE_CHANGING.has(op) && this.switches.stateChangePropagationMs > 0
                ? this.peek(region, body.KeyId)
                : undefined;
        const staleMetadata = before && keyMetadata(this.store, before, this.switches);
        try {
            const output = await OPERATIONS[op](ctx, input);
            if (before && staleMetadata) {
                // S29: DescribeKey keeps showing the metadata from before the change for a while.
                if (!(before.staleUntil !== undefined && now < before.staleUntil)) before.staleMetadata = staleMetadata;
                before.staleUntil = now + this.switches.stateChangePropagationMs;
            }
            return output;
        } finally {
            this.persist();
        }
    }

    /** The key a request names, without errors or side effects (for S29 snapshots). */
    private peek(region: string, keyId: unknown): KeyRecord | undefined {
        if (typeof keyId !== "string") return undefined;
        const id = keyId.startsWith("arn:") ? keyId.slice(keyId.lastIndexOf("/") + 1) : keyId;
        return this.store.region(region).keys.get(id);
    }
}
