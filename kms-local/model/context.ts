// What every request carries down to the store and the operations: who asks, in which Region, when, under which
// switches, and a place to leave non-secret facts for the request log; and the shape of a response body.

import type { Switches } from "./switches.js";

export interface RequestFacts {
    keyId?: string;
    keyMaterialId?: string;
    importType?: string;
}

/** The caller's Region and account, the switches and the request's time: what the store needs to answer. */
export interface RequestScope {
    readonly region: string;
    readonly account: string;
    readonly switches: Switches;
    /** kms-local clock at the start of the request, epoch ms. */
    readonly now: number;
    readonly facts: RequestFacts;
}

/** A response body: plain JSON values, Buffers (sent as base64) and Timestamps (sent as epoch seconds). */
export type Output = Record<string, unknown>;

/** Epoch-ms time that the wire layer emits as a float of epoch seconds with millisecond precision. */
export class Timestamp {
    constructor(readonly ms: number) {}
}

export const ts = (ms: number | undefined): Timestamp | undefined => (ms === undefined ? undefined : new Timestamp(ms));
