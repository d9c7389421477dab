// What counts as loopback, for the listen address (a non-loopback bind needs an explicit opt-in) and for the
// Host / Origin headers kms-local accepts (hostGuard.ts on every route, and the control surface, which accepts
// nothing else): a browser page on another site, or a DNS name rebound to 127.0.0.1, must not drive kms-local.

import { isIP } from "node:net";

/** True for localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127.x (with or without IPv6 brackets). */
export function isLoopbackHostname(hostname: string): boolean {
    const h = hostname
        .toLowerCase()
        .replace(/^\[(.*)\]$/, "$1")
        .replace(/\.$/, "");
    if (h === "localhost" || h.endsWith(".localhost")) return true;
    if (isIP(h) === 4) return h.startsWith("127.");
    if (isIP(h) === 6) return h === "::1" || /^(0{0,4}:){5}ffff:127\./.test(h) || /^::ffff:127\./.test(h);
    return false;
}

/** The hostname of a Host header value ("127.0.0.1:4599", "[::1]:4599", "localhost"). */
export function hostOfHeader(host: string): string {
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
    if (bracketed) return bracketed[1];
    return host.replace(/:\d+$/, "");
}

/** Is an Origin header value ("http://localhost:3000") a loopback origin? "null" and garbage are not. */
export function isLoopbackOrigin(origin: string): boolean {
    try {
        const u = new URL(origin);
        return (u.protocol === "http:" || u.protocol === "https:") && isLoopbackHostname(u.hostname);
    } catch {
        return false;
    }
}
