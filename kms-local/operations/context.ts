// What an operation handler receives: the caller's Region and account, the store, the switches, the time of the
// request on the kms-local clock, and a place to leave non-secret facts for the request log.

import type { HotKeys, Quotas } from "../control/quotas.js";
import type { EventRecord } from "../control/metrics.js";
import type { Switches } from "../model/switches.js";
import type { Input } from "../model/validate.js";
import type { Store } from "../store/store.js";

export interface RequestFacts {
  keyId?: string;
  keyMaterialId?: string;
  importType?: string;
}

export interface OpContext {
  readonly region: string;
  readonly account: string;
  readonly store: Store;
  readonly switches: Switches;
  /** kms-local clock at the start of the request, epoch ms. */
  readonly now: number;
  readonly quotas: Quotas;
  readonly hotKeys: HotKeys;
  readonly event: (e: EventRecord) => void;
  readonly facts: RequestFacts;
}

/** A response body: plain JSON values, Buffers (sent as base64) and Timestamps (sent as epoch seconds). */
export type Output = Record<string, unknown>;

export type Handler = (ctx: OpContext, input: Input) => Output | Promise<Output>;

/** Epoch-ms time that the wire layer emits as a float of epoch seconds with millisecond precision. */
export class Timestamp {
  constructor(readonly ms: number) {}
}

export const ts = (ms: number | undefined): Timestamp | undefined => (ms === undefined ? undefined : new Timestamp(ms));
