import { KMSClient } from "@aws-sdk/client-kms";
import { kmsClient, serverClockOffsetMs, serverNow } from "./client";
import { TrustedEndpoint, judgeEndpoint, trustedOrigins } from "./endpointTrust";
import { callerAccount } from "./identity";
import { ClientSettings } from "./settings";
import { ProgressLog } from "./rateLimiter";

/**
 * Everything a KMS workflow needs for one resource operation: the client, its settings, a log, KMS's clock,
 * where requests go (`endpoint`, trust-checked), and whose account they act in (`account()`, best effort).
 */
export interface KmsSession {
    client: KMSClient;
    settings: ClientSettings;
    log: ProgressLog;
    now(): Date;
    /** KMS's clock minus this machine's, in ms, as the SDK last measured it (0 within its 5-minute tolerance). */
    clockOffsetMs(): number;
    /** The trusted override endpoint; undefined: AWS's own endpoint for the Region. */
    endpoint: TrustedEndpoint | undefined;
    /** The credentials' AWS account, when it can be known (asked once per client). */
    account(): Promise<string | undefined>;
    /** "Region eu-west-1 at https://… (account 1111…)": where a key was looked for. */
    describeTarget(): Promise<string>;
}

/** Settings that cannot be used, or an endpoint that is not trusted: nothing is sent anywhere. */
export class SettingsError extends Error {
    override readonly name = "SettingsError";
}

const accounts = new WeakMap<KMSClient, Promise<string | undefined>>();

export function openSession(settings: ClientSettings, log: ProgressLog): KmsSession {
    const endpoint = trustedEndpoint(settings);
    const { client, credentials } = kmsClient(settings);
    const account = () => {
        let known = accounts.get(client);
        if (!known) {
            known = callerAccount(settings, credentials);
            accounts.set(client, known);
        }
        return known;
    };
    return {
        client,
        settings,
        log,
        now: () => serverNow(client),
        clockOffsetMs: () => serverClockOffsetMs(client),
        endpoint,
        account,
        describeTarget: async () => {
            const where = endpoint ? `${endpoint.origin}${endpoint.kind === "aws" ? "" : ` (${endpoint.kind === "loopback" ? "loopback" : "listed in trustedEndpoints"})`}` : "AWS's KMS endpoint";
            return `Region ${settings.region ?? "(none configured)"} at ${where}, account ${(await account()) ?? "unknown"}`;
        },
    };
}

/** The endpoint rules (see endpointTrust.ts), applied again before any request: check is not the only caller. */
function trustedEndpoint(settings: ClientSettings): TrustedEndpoint | undefined {
    const problems = [...settings.problems, ...trustedOrigins(settings.trustedEndpoints).problems];
    if (problems.length > 0) throw new SettingsError(`the provider configuration cannot be used, so nothing was sent to KMS: ${problems.join("; ")}`);
    if (settings.credentials.assumeRoles.length > 0 && settings.stsEndpoint) {
        const sts = judgeEndpoint(settings.stsEndpoint, "sts", settings.stsEndpointSource ?? "STS endpoint", settings.trustedEndpoints);
        if (!sts.ok) throw new SettingsError(`refusing to assume roles through this STS endpoint: ${sts.problem}`);
    }
    if (!settings.endpoint) return undefined;
    const verdict = judgeEndpoint(settings.endpoint, "kms", settings.endpointSource ?? "endpoint", settings.trustedEndpoints);
    if (!verdict.ok) throw new SettingsError(`refusing to send requests to this KMS endpoint: ${verdict.problem}`);
    if (verdict.endpoint.region && settings.region && verdict.endpoint.region !== settings.region) {
        throw new SettingsError(`${settings.endpointSource ?? "endpoint"} is AWS KMS of ${verdict.endpoint.region}, but the key is in ${settings.region}`);
    }
    return verdict.endpoint;
}
