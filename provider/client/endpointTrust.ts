/**
 * Endpoint trust: whoever answers GetParametersForImport chooses the key the material is wrapped with, so the
 * material may only go to a genuine KMS. The rules, in order:
 * - https to AWS's own hosts (kms / kms-fips of every partition, dual-stack names, interface VPC endpoints):
 *   trusted;
 * - loopback (localhost, 127.0.0.0/8, ::1), http or https: trusted (kms-local, a local emulator: the
 *   material does not leave the machine);
 * - plain http to any other host: refused (wrapped material and signed requests would cross the network in
 *   clear), opt-in or not;
 * - https to any other host: only when its origin is listed in `pulumi-kms-byok:trustedEndpoints` or the
 *   resource's `trustedEndpoints`; every import there is logged with the host;
 * - an endpoint taken from AWS_ENDPOINT_URL (every AWS service's override, often set for unrelated tools)
 *   is trusted on its own only if it is AWS's; anything else must be listed.
 * Pure, but for loopbackCheckedLookup (the one rule that needs the resolver, applied at every connection);
 * messages name the setting and the rule, never the URL (it may be a pasted secret).
 */

import * as dns from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";

/** How messages name the endpoint refresh and destroy use: the one recorded in the outputs. */
export const RECORDED_ENDPOINT = "the endpoint recorded at the last import";

export type Service = "kms" | "sts";

export interface TrustedEndpoint {
    /** "aws": an AWS host; "loopback": this machine; "listed": an opt-in from trustedEndpoints. */
    kind: "aws" | "loopback" | "listed";
    /** scheme://host[:port] */
    origin: string;
    host: string;
    /** The Region an AWS regional host serves (undefined for global and non-AWS hosts). */
    region?: string;
}

export type TrustVerdict = { ok: true; endpoint: TrustedEndpoint } | { ok: false; problem: string };

/**
 * DNS suffixes of every AWS partition (aws, aws-cn, aws-eusc, aws-iso, -iso-b, -iso-e, -iso-f, aws-us-gov), plain and
 * dual-stack.
 */
const AWS_DNS_SUFFIXES = [
    "amazonaws.com",
    "api.aws",
    "amazonaws.com.cn",
    "api.amazonwebservices.com.cn",
    "amazonaws.eu",
    "api.amazonwebservices.eu",
    "c2s.ic.gov",
    "api.aws.ic.gov",
    "sc2s.sgov.gov",
    "api.aws.scloud",
    "cloud.adc-e.uk",
    "api.cloud-aws.adc-e.uk",
    "csp.hci.ic.gov",
    "api.aws.hci.ic.gov",
];

const KMS_ENDPOINT_SETTINGS =
    "AWS_ENDPOINT_URL_KMS, pulumi-kms-byok:endpoint, the kms entry of aws:endpoints or the endpoint input";
const STS_ENDPOINT_SETTINGS = "AWS_ENDPOINT_URL_STS or the sts entry of aws:endpoints";
const STS_ANSWERS = "issues the credentials used for KMS";
const REGION_LABEL = "([a-z]{2,4}(?:-[a-z]+)+-\\d{1,2})";
const suffixes = AWS_DNS_SUFFIXES.map((s) => s.replace(/\./g, "\\.")).join("|");
const AWS_HOSTS: Record<Service, RegExp[]> = {
    kms: [
        new RegExp(`^kms(?:-fips)?\\.${REGION_LABEL}\\.(?:${suffixes})$`),
        new RegExp(
            `^vpce-[a-z0-9-]+\\.kms(?:-fips)?\\.${REGION_LABEL}\\.vpce\\.(?:amazonaws\\.com|amazonaws\\.com\\.cn)$`,
        ),
    ],
    sts: [
        new RegExp(`^sts(?:-fips)?\\.(?:${suffixes})$`),
        new RegExp(`^sts(?:-fips)?\\.${REGION_LABEL}\\.(?:${suffixes})$`),
        new RegExp(
            `^vpce-[a-z0-9-]+\\.sts(?:-fips)?\\.${REGION_LABEL}\\.vpce\\.(?:amazonaws\\.com|amazonaws\\.com\\.cn)$`,
        ),
    ],
};

/** Is `url` an endpoint the provider may send requests (and, for KMS, wrapped material) to? */
export function judgeEndpoint(url: string, service: Service, source: string, trusted: readonly string[]): TrustVerdict {
    const parsed = parseEndpoint(url);
    if (typeof parsed === "string") return { ok: false, problem: `${source}: ${parsed}` };
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    const listed = trustedOrigins(trusted).origins.includes(parsed.origin);
    const aws = awsRegion(parsed, service);
    if (aws !== undefined)
        return { ok: true, endpoint: { kind: "aws", origin: parsed.origin, host, region: aws || undefined } };
    if (source === "AWS_ENDPOINT_URL" && !listed) {
        return {
            ok: false,
            problem:
                `the ${service.toUpperCase()} endpoint comes only from AWS_ENDPOINT_URL, the override for ` +
                `every AWS service, which is not ` +
                `enough on its own: name it for ${service.toUpperCase()} ` +
                `(${service === "kms" ? KMS_ENDPOINT_SETTINGS : STS_ENDPOINT_SETTINGS}), ` +
                `or list its origin in pulumi-kms-byok:trustedEndpoints`,
        };
    }
    if (isLoopback(host)) return { ok: true, endpoint: { kind: "loopback", origin: parsed.origin, host } };
    if (parsed.protocol === "http:") {
        return {
            ok: false,
            problem:
                `${source}: plain http is allowed only to loopback (such as kms-local); to another host the ` +
                `requests${service === "kms" ? " and the wrapped key material" : ""} would cross the network ` +
                `unencrypted: use https`,
        };
    }
    if (listed) return { ok: true, endpoint: { kind: "listed", origin: parsed.origin, host } };
    return {
        ok: false,
        problem:
            `${source}: the host is not an AWS ${service.toUpperCase()} host, and whatever answers there ` +
            `${service === "kms" ? "chooses the key your key material is wrapped with" : STS_ANSWERS}. ` +
            listingAdvice(source),
    };
}

/** The trustedEndpoints entries as origins, and what is wrong with any of them. */
export function trustedOrigins(entries: readonly string[]): { origins: string[]; problems: string[] } {
    const origins: string[] = [];
    const problems: string[] = [];
    entries.forEach((entry, index) => {
        const parsed = parseEndpoint(/^[a-z]+:\/\//i.test(entry) ? entry : `https://${entry}`);
        if (typeof parsed === "string") problems.push(`trustedEndpoints entry ${index + 1}: ${parsed}`);
        else if (parsed.protocol === "http:" && !isLoopback(parsed.hostname.replace(/^\[|\]$/g, ""))) {
            problems.push(
                `trustedEndpoints entry ${index + 1}: plain http is never trusted for a host other ` +
                    `than loopback; use https`,
            );
        } else origins.push(parsed.origin);
    });
    return { origins, problems };
}

function parseEndpoint(url: string): URL | string {
    let parsed: URL;
    try {
        parsed = new URL(url.trim());
    } catch {
        return "must be an http(s) URL such as https://kms.eu-west-1.amazonaws.com";
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
        return "must be an http(s) URL such as https://kms.eu-west-1.amazonaws.com";
    if (parsed.username || parsed.password) return "must not carry a user name or password";
    if ((parsed.pathname !== "/" && parsed.pathname !== "") || parsed.search || parsed.hash)
        return "must be scheme://host[:port] only, without a path, query or fragment";
    return parsed;
}

/** The Region of an AWS host ("" for a global one), or undefined when the host is not AWS's. */
function awsRegion(url: URL, service: Service): string | undefined {
    if (url.protocol !== "https:" || (url.port !== "" && url.port !== "443")) return undefined;
    for (const pattern of AWS_HOSTS[service]) {
        const match = pattern.exec(url.hostname);
        if (match) return match.at(1) ?? "";
    }
    return undefined;
}

/**
 * The resolver the HTTP agents connect with. `localhost` is trusted by its name (no setting lists it), so it
 * must also be this machine when the connection is made: every address the resolver answers must be
 * loopback, or the connection is refused before anything is sent (a hosts file, a resolver or a search domain
 * could send "localhost" elsewhere). Other names resolve as usual; IP literals never reach a resolver.
 * Even so, a loopback endpoint is only as trustworthy as whatever listens on that port of this machine.
 */
export function loopbackCheckedLookup(
    hostname: string,
    options: LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) {
            callback(error, []);
            return;
        }
        const list = addresses;
        const foreign = isLoopback(hostname) ? list.filter((a) => !isLoopback(a.address)) : [];
        if (list.length === 0 || foreign.length > 0) {
            const refusal: NodeJS.ErrnoException = new Error(
                `refusing to connect: ${hostname} is trusted as this machine (loopback), but the resolver answered ` +
                    `${foreign.map((a) => a.address).join(", ") || "no address"}, which is not a loopback ` +
                    `address (127.0.0.0/8, ::1). ` +
                    "Fix the resolver (/etc/hosts), or name the endpoint by its address, such as " +
                    "http://127.0.0.1:<port>",
            );
            refusal.code = "ENOTLOOPBACK";
            callback(refusal, []);
            return;
        }
        if (options.all) {
            callback(null, list);
            return;
        }
        callback(null, list[0].address, list[0].family);
    });
}

export function isLoopback(host: string): boolean {
    const h = host.toLowerCase();
    return (
        h === "localhost" ||
        h === "::1" ||
        /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
        /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
    );
}

/**
 * Where to list an endpoint. Refresh and destroy run no program: a resource's recorded trustedEndpoints count
 * only while the stack's endpoint setting names the recorded endpoint (client/context.ts recordedTarget), so
 * for them the stack's config is the one place.
 */
function listingAdvice(source: string): string {
    return source === RECORDED_ENDPOINT
        ? "Refresh and destroy run no program: if you trust this KMS-compatible service, list its origin " +
              "(https://host[:port]) in pulumi-kms-byok:trustedEndpoints (a resource's own trustedEndpoints count " +
              "for them only while the stack's endpoint setting names this endpoint)"
        : "If you run a KMS-compatible service you trust, list its origin (https://host[:port]) in " +
              "pulumi-kms-byok:trustedEndpoints or the trustedEndpoints input";
}
