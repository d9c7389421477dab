import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { loopbackCheckedLookup } from "./endpointTrust";
import type { ClientSettings } from "./settings";

/**
 * The HTTP handler of every SDK client the provider builds (KMS and STS): without timeouts a black-holed
 * endpoint (a firewall dropping packets, a server that accepts and never answers) would hang create,
 * refresh and destroy for ever. Each attempt is bounded by the connect timeout plus the request timeout;
 * attempts by maxAttempts; so every call is.
 *
 * Certificates are always verified, whatever the environment says: `rejectUnauthorized: true` is set on the
 * agent itself, so NODE_TLS_REJECT_UNAUTHORIZED=0 (which settings.ts refuses anyway) cannot switch it off.
 * aws:customCaBundle / AWS_CA_BUNDLE add roots; they never remove the check. A name trusted as loopback
 * (localhost) must resolve to loopback addresses at every connection (endpointTrust.ts).
 */
export function requestHandler(
    settings: Pick<ClientSettings, "connectTimeoutMs" | "requestTimeoutMs" | "customCaBundle">,
): NodeHttpHandler {
    return new NodeHttpHandler({
        connectionTimeout: settings.connectTimeoutMs,
        // Sent to answered, for the whole exchange (not only while the socket is idle).
        requestTimeout: settings.requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: settings.requestTimeoutMs,
        httpAgent: new HttpAgent({ keepAlive: true, lookup: loopbackCheckedLookup }),
        httpsAgent: new HttpsAgent({
            keepAlive: true,
            rejectUnauthorized: true,
            lookup: loopbackCheckedLookup,
            ...(settings.customCaBundle ? { ca: [...rootCertificates, caBundle(settings.customCaBundle)] } : {}),
        }),
    });
}

/** aws:customCaBundle / AWS_CA_BUNDLE: extra roots (a TLS-inspecting proxy, a private KMS-compatible service). */
function caBundle(path: string): string {
    try {
        return readFileSync(path, "utf8");
    } catch (error) {
        throw new Error(
            `cannot read the CA bundle named by aws:customCaBundle or AWS_CA_BUNDLE ` +
                `(${(error as NodeJS.ErrnoException).code ?? "error"})`,
            { cause: error },
        );
    }
}

/** Network failures that mean "nobody answered", as the SDK and Node report them. */
export function isUnreachable(error: unknown): boolean {
    const e = error as { name?: unknown; code?: unknown } | null;
    return (
        e?.name === "TimeoutError" ||
        [
            "ECONNREFUSED",
            "ECONNRESET",
            "EHOSTUNREACH",
            "ENETUNREACH",
            "ENOTFOUND",
            "EAI_AGAIN",
            "ETIMEDOUT",
            "EPIPE",
        ].includes(String(e?.code))
    );
}
