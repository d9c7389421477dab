// The control surface over HTTP, for tests in another process: JSON in, JSON out, under /_kms-local/.
// It mirrors KmsLocalControl one to one. It has no authentication, so it answers only what a local test can send
// and a web page cannot: a loopback Host header (no DNS rebinding; stricter than hostGuard.ts, which may also accept
// configured names for KMS and STS), no foreign Origin, and for every request with
// a method other than GET a Content-Type of application/json (which a cross-site form or simple fetch cannot send
// without a CORS preflight, which kms-local never grants).

import type { KmsLocalControl } from "../control/control.js";
import type { FaultSettings } from "../control/faults.js";
import type { HoldSpec } from "../control/holds.js";
import type { TimingPreset } from "../control/timing.js";
import type { KeyState } from "../store/types.js";
import { hostOfHeader, isLoopbackHostname, isLoopbackOrigin } from "./loopback.js";

export const CONTROL_PREFIX = "/_kms-local";

export interface ControlReply {
    status: number;
    body: unknown;
}

type Route = (control: KmsLocalControl, body: Record<string, unknown>, query: URLSearchParams) => unknown;

const GET: Readonly<Record<string, Route>> = {
    "": () => ({ service: "kms-local", routes: Object.keys(GET).concat(Object.keys(POST).map((r) => `POST ${r}`)) }),
    "/switches": (c) => c.switches,
    "/clock": (c) => ({ now: c.clock.now(), offsetMs: c.clock.offsetMs }),
    "/quotas": (c) => c.quotas.get(),
    "/faults": (c) => c.faults.get(),
    "/consistency": (c) => c.consistency.get(),
    "/counters": (c) => c.counters(),
    "/requests": (c) => c.requests(),
    "/events": (c) => c.events(),
    "/keys": (c, _b, q) => c.keys(q.get("region") ?? undefined),
    "/holds": (c) => c.holds.list(),
};

/** The hold named by a request body's "id". */
function holdOf(c: KmsLocalControl, b: Record<string, unknown>) {
    const hold = typeof b.id === "number" ? c.holds.get(b.id) : undefined;
    if (!hold) throw new Error(`no hold ${JSON.stringify(b.id ?? null)} (body must be {"id": <number>})`);
    return hold;
}

const POST: Readonly<Record<string, Route>> = {
    "/switches": (c, b) => {
        c.setSwitches(b);
        return c.switches;
    },
    "/switches/reset": (c) => {
        c.resetSwitches();
        return c.switches;
    },
    "/timing": (c, b) => {
        if (typeof b.timing !== "string") throw new Error('body must be {"timing": "fast" | "aws"}');
        c.setTiming(b.timing as TimingPreset);
        return c.switches;
    },
    "/clock/advance": (c, b) => {
        if (typeof b.ms !== "number") throw new Error('body must be {"ms": <number>}');
        c.clock.advance(b.ms);
        return { now: c.clock.now(), offsetMs: c.clock.offsetMs };
    },
    "/quotas": (c, b) => {
        c.quotas.set(b);
        return c.quotas.get();
    },
    "/quotas/reset": (c) => {
        c.quotas.reset();
        return c.quotas.get();
    },
    "/faults": (c, b) => {
        c.faults.set(b as unknown as FaultSettings);
        return c.faults.get();
    },
    "/faults/clear": (c) => {
        c.faults.clear();
        return c.faults.get();
    },
    "/consistency": (c, b) => {
        c.consistency.set(b);
        return c.consistency.get();
    },
    "/reset": (c) => {
        c.resetCounters();
        return { ok: true };
    },
    "/reset-state": (c) => {
        c.resetState();
        return { ok: true };
    },
    "/holds": (c, b) => {
        const hold = c.holds.add(b as unknown as HoldSpec);
        return c.holds.list().find((h) => h.id === hold.id);
    },
    "/holds/release": (c, b) => {
        holdOf(c, b).release();
        return { ok: true };
    },
    "/holds/drop": (c, b) => {
        holdOf(c, b).drop();
        return { ok: true };
    },
    "/holds/clear": (c) => {
        c.holds.clear();
        return { ok: true };
    },
    "/keys/force-state": (c, b) => {
        if (typeof b.region !== "string" || typeof b.keyId !== "string") throw new Error("body needs region and keyId");
        c.forceKeyState(b.region, b.keyId, typeof b.state === "string" ? (b.state as KeyState) : undefined);
        return { ok: true };
    },
};

export interface ControlHeaders {
    host?: string;
    origin?: string;
    "content-type"?: string;
}

/** The refusal of a request a local test would not send (see the header comment), or undefined. */
export function refuseControlRequest(method: string, headers: ControlHeaders): ControlReply | undefined {
    const host = headers.host;
    if (host === undefined || !isLoopbackHostname(hostOfHeader(host))) {
        return {
            status: 403,
            body: {
                error:
                    `the control surface answers only requests with a loopback Host header (got ` +
                    `${JSON.stringify(host ?? null)})`,
            },
        };
    }
    if (headers.origin !== undefined && !isLoopbackOrigin(headers.origin)) {
        return {
            status: 403,
            body: { error: `the control surface refuses requests from origin ${JSON.stringify(headers.origin)}` },
        };
    }
    const type = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (method !== "GET" && type !== "application/json") {
        return {
            status: 415,
            body: { error: `${method} requests to the control surface need Content-Type: application/json` },
        };
    }
    return undefined;
}

export function handleControl(control: KmsLocalControl, method: string, url: URL, rawBody: Buffer): ControlReply {
    const route = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
    const table = method === "GET" ? GET : method === "POST" || method === "PUT" ? POST : undefined;
    const handler = table?.[route];
    if (!handler) {
        const known = route in GET || route in POST;
        return {
            status: known ? 405 : 404,
            body: {
                error: known ? `method ${method} not allowed on ${url.pathname}` : `no control route ${url.pathname}`,
            },
        };
    }
    let body: Record<string, unknown> = {};
    try {
        if (rawBody.length > 0) {
            const parsed: unknown = JSON.parse(rawBody.toString("utf8"));
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
                throw new Error("body must be a JSON object");
            body = parsed as Record<string, unknown>;
        }
        return { status: 200, body: handler(control, body, url.searchParams) };
    } catch (e) {
        return { status: 400, body: { error: (e as Error).message } };
    }
}
