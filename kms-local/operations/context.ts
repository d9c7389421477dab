// What an operation handler receives: the request's scope in the store (Region, account, switches, time, facts for
// the request log), the request quotas an operation spends beyond its own request (ReplicateKey's CreateKey), the
// per-key throttle of EnableKey/DisableKey, and a place to record what kms-local did by itself. The quota types are
// declared here, where they are spent, so that operations never import the control floor that runs them.

import type { Output } from "../model/context.js";
import type { EventRecord } from "../model/events.js";
import type { Input } from "../model/validate.js";
import type { StoreScope } from "../store/store.js";

/** Request quotas: takes `n` tokens from the bucket of `quota`; false means the request is throttled. */
export interface QuotaBuckets {
    take(account: string, region: string, quota: string, operation?: string, n?: number): boolean;
}

/** The "hot key" throttle (S32): may `keyArn` take one more request at `rps` requests per second? */
export interface HotKeyThrottle {
    take(keyArn: string, rps: number): boolean;
}

export interface OpContext extends StoreScope {
    readonly quotas: QuotaBuckets;
    readonly hotKeys: HotKeyThrottle;
    readonly event: (e: EventRecord) => void;
}

export type Handler = (ctx: OpContext, input: Input) => Output | Promise<Output>;
