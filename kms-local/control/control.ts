// KmsLocalControl: the typed control surface tests use in-process (and the HTTP control surface mirrors).

import type { EventRecord } from "../model/events.js";
import { coerceSwitches, DEFAULT_SWITCHES, type Switches } from "../model/switches.js";
import { isPermanent, keyState } from "../store/keyState.js";
import type { KeyState, MaterialState } from "../store/types.js";
import type { FaultSettings } from "./faults.js";
import type { HoldInfo, HoldSpec, RequestHold } from "./holds.js";
import type { OperationCounters, RequestRecord } from "./metrics.js";
import type { QuotaSettings } from "./quotas.js";
import type { Runtime } from "./runtime.js";
import { type StsControl, stsControl } from "./stsControl.js";
import { timingSwitches, type TimingPreset } from "./timing.js";

export interface ConsistencySettings {
    /** S28: a new key or replica answers NotFoundException for this many ms (kms-local clock). Default 0. */
    newKeyInvisibleMs: number;
    /** S29: DescribeKey shows pre-change metadata for this many ms after a state change. Default 0. */
    stateChangePropagationMs: number;
}

/** A non-secret view of one key, for assertions. */
export interface KeySummary {
    region: string;
    keyId: string;
    arn: string;
    keyState: KeyState;
    origin: string;
    keySpec: string;
    multiRegion: boolean;
    onDemandRotations: number;
    materials: {
        keyMaterialId: string;
        state: MaterialState;
        imported: boolean;
        permanent: boolean;
        validTo?: number;
    }[];
}

export interface KmsLocalControl {
    /** A copy of the current switches. */
    readonly switches: Readonly<Switches>;
    /** Changes some switches at run time (validated; throws on unknown names or values). */
    setSwitches(update: Partial<Switches>): void;
    /** Back to DEFAULT_SWITCHES merged with the switches given at start. */
    resetSwitches(): void;
    /** Applies a timing preset's switches (see TIMING_PRESETS) at run time. */
    setTiming(preset: TimingPreset): void;
    readonly clock: {
        /** kms-local time, epoch ms. */
        now(): number;
        /** Moves kms-local time forward; returns the new now(). */
        advance(ms: number): number;
        readonly offsetMs: number;
    };
    readonly quotas: {
        get(): QuotaSettings;
        set(update: Partial<QuotaSettings>): void;
        /** Effective requests/s of an operation (or shared quota) in a Region. */
        rate(operationOrQuota: string, region?: string): number;
        /** Refills every bucket. */
        reset(): void;
    };
    readonly faults: {
        get(): FaultSettings;
        set(settings: FaultSettings): void;
        clear(): void;
    };
    readonly consistency: {
        get(): ConsistencySettings;
        set(update: Partial<ConsistencySettings>): void;
    };
    /** Request holds: stop the nth matching request before it is applied or before its response is sent. */
    readonly holds: {
        add(spec: HoldSpec): RequestHold;
        /** Every hold added since the last clear(), with its state and the request it held. */
        list(): HoldInfo[];
        get(id: number): RequestHold | undefined;
        /** Lets every held request proceed, disarms the other holds (their `reached` rejects) and forgets them. */
        clear(): void;
    };
    /** Per-operation counters since the last reset. */
    counters(): Record<string, OperationCounters>;
    /** The request log (non-secret facts), oldest first, at most 10 000 entries. */
    requests(): RequestRecord[];
    /** Things kms-local did by itself: DeleteExpiredKeyMaterial, RotationCompleted, DeleteKey, ReplicaCreated. */
    events(): EventRecord[];
    /** Clears counters, the request log and the event log. */
    resetCounters(): void;
    /** All keys (optionally of one Region), settled to now. */
    keys(region?: string): KeySummary[];
    /**
     * Test hook: pins a key in a state kms-local cannot reach by itself (e.g. Unavailable, Updating); undefined unpins.
     */
    forceKeyState(region: string, keyId: string, state: KeyState | undefined): void;
    /** Deletes every key, alias and import token and returns the clock to real time (switches and counters stay). */
    resetState(): void;
    /** STS: roles tests declare, and the temporary credentials AssumeRole issued (see stsControl.ts). */
    readonly sts: StsControl;
}

export function createControl(rt: Runtime, startSwitches: Partial<Switches>): KmsLocalControl {
    return {
        get switches() {
            return { ...rt.switches };
        },
        setSwitches: (update) => rt.setSwitches(coerceSwitches(update)),
        resetSwitches: () => rt.setSwitches({ ...DEFAULT_SWITCHES, ...startSwitches }),
        setTiming: (preset) => rt.setSwitches(timingSwitches(preset)),
        clock: {
            now: () => rt.clock.now(),
            advance: (ms) => {
                const now = rt.clock.advance(ms);
                rt.store.dirty = true;
                rt.settleNow();
                return now;
            },
            get offsetMs() {
                return rt.clock.offsetMs;
            },
        },
        quotas: {
            get: () => ({ ...rt.quotas.settings, rps: { ...rt.quotas.settings.rps } }),
            set: (update) => {
                if (update.scale !== undefined && !(update.scale > 0)) throw new Error("quotas.scale must be > 0");
                rt.quotas.configure(update);
            },
            rate: (name, region = "us-east-1") => rt.quotas.rate(name, region),
            reset: () => rt.quotas.reset(),
        },
        faults: {
            get: () => ({ ...rt.faults.settings }),
            set: (settings) => rt.faults.configure(settings),
            clear: () => rt.faults.configure({ rate: 0 }),
        },
        consistency: {
            get: () => ({
                newKeyInvisibleMs: rt.switches.newKeyInvisibleMs,
                stateChangePropagationMs: rt.switches.stateChangePropagationMs,
            }),
            set: (update) => rt.setSwitches(coerceSwitches(update)),
        },
        holds: {
            add: (spec) => rt.holds.add(spec),
            list: () => rt.holds.list(),
            get: (id) => rt.holds.get(id),
            clear: () => rt.holds.clear("release"),
        },
        counters: () => rt.metrics.snapshot(),
        requests: () => rt.metrics.requests(),
        events: () => {
            rt.settleNow();
            return rt.metrics.events();
        },
        resetCounters: () => rt.metrics.reset(),
        keys: (region) => {
            rt.settleNow();
            return rt.store
                .allKeys()
                .filter((k) => region === undefined || k.region === region)
                .map((k) => ({
                    region: k.region,
                    keyId: k.keyId,
                    arn: rt.store.arn(k),
                    keyState: keyState(k),
                    origin: k.origin,
                    keySpec: k.keySpec,
                    multiRegion: k.multiRegion,
                    onDemandRotations: k.onDemandRotations,
                    materials: k.materials.map((m) => ({
                        keyMaterialId: m.id,
                        state: m.state,
                        imported: m.bytes !== undefined,
                        permanent: isPermanent(m),
                        validTo: m.validTo,
                    })),
                }));
        },
        forceKeyState: (region, keyId, state) => {
            const k = rt.store.regions.get(region)?.keys.get(keyId);
            if (!k) throw new Error(`no key ${keyId} in ${region}`);
            if (state === undefined) delete k.forcedState;
            else k.forcedState = state;
            rt.store.dirty = true;
            rt.persist();
        },
        sts: stsControl(rt.sts),
        resetState: () => {
            rt.store.clear();
            rt.clock.reset();
            rt.persist();
        },
    };
}
