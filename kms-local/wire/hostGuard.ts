// Which Host and Origin headers kms-local answers, on every route (KMS, STS and the control surface). A web page
// cannot choose its requests' Host: after DNS rebinding (attacker.example re-resolved to 127.0.0.1) the browser
// still sends `Host: attacker.example`, and a cross-site request carries the page's Origin. Refusing both is
// what keeps a page from listing keys, scheduling deletions, decrypting or signing through a local kms-local.
//
// Accepted: loopback names (localhost, 127.0.0.0/8, [::1]) with any port; with a non-loopback bind, the bind
// address itself and, for a wildcard bind (0.0.0.0, ::), this machine's interface addresses; and every name
// the operator lists in `allowedHosts` (CLI --allowed-host), e.g. a container's service name.

import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import { hostOfHeader, isLoopbackHostname } from "./loopback.js";

export interface HostGuard {
    /** The non-loopback hostnames accepted besides loopback ones (lowercase, no port), for messages and logs. */
    readonly extraHosts: readonly string[];
    /** Which header makes a request refused, or undefined when it may be answered. */
    refusal(headers: { host?: string; origin?: string }): "Host" | "Origin" | undefined;
}

const WILDCARD_BINDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/** A hostname as compared: lowercase, IPv6 brackets and a final dot removed. */
function canonical(hostname: string): string {
    return hostname
        .toLowerCase()
        .replace(/^\[(.*)\]$/, "$1")
        .replace(/\.$/, "");
}

/** Checks one `allowedHosts` entry: a bare DNS name or IP address, no port, scheme, path or wildcard. */
export function checkAllowedHost(entry: string): string {
    const name = canonical(entry.trim());
    const dnsName = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
    if (isIP(name) === 0 && !dnsName.test(name)) {
        throw new Error(
            `allowedHosts: ${JSON.stringify(entry)} is not a hostname or IP address (give a bare name such ` +
                `as kms-local.internal: no port, scheme or wildcard)`,
        );
    }
    return name;
}

/** The local interface addresses a client may use to reach a wildcard bind. */
function interfaceAddresses(): string[] {
    return Object.values(networkInterfaces())
        .flat()
        .flatMap((i) => (i ? [canonical(i.address.replace(/%.*$/, ""))] : []));
}

export function createHostGuard(bindHost: string, allowedHosts: readonly string[] = []): HostGuard {
    const extra = new Set(allowedHosts.map(checkAllowedHost));
    const bind = canonical(bindHost);
    if (!isLoopbackHostname(bind)) {
        extra.add(bind);
        if (WILDCARD_BINDS.has(bind)) for (const address of interfaceAddresses()) extra.add(address);
    }
    for (const name of [...extra]) if (isLoopbackHostname(name)) extra.delete(name);
    const accepted = (hostname: string) => isLoopbackHostname(hostname) || extra.has(canonical(hostname));
    const originAccepted = (origin: string) => {
        try {
            const u = new URL(origin);
            return (u.protocol === "http:" || u.protocol === "https:") && accepted(u.hostname);
        } catch {
            return false;
        }
    };
    return {
        extraHosts: [...extra],
        refusal: ({ host, origin }) => {
            if (host === undefined || !accepted(hostOfHeader(host))) return "Host";
            if (origin !== undefined && !originAccepted(origin)) return "Origin";
            return undefined;
        },
    };
}
