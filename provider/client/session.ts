import { KMSClient } from "@aws-sdk/client-kms";
import { kmsClient, serverClockOffsetMs, serverNow } from "./client";
import { callerAccount } from "./identity";
import { ClientSettings } from "./settings";
import { ProgressLog } from "./rateLimiter";
import { KmsTarget, ResolvedTarget, TargetProblem } from "./target";

/**
 * Everything a KMS workflow needs for one resource operation: the client, its settings, a log, KMS's clock,
 * where requests go (`target`, trust-checked), and whose account they act in (`account()`, best effort).
 */
export interface KmsSession {
    client: KMSClient;
    settings: ClientSettings;
    log: ProgressLog;
    now(): Date;
    /** KMS's clock minus this machine's, in ms, as the SDK last measured it (0 within its 5-minute tolerance). */
    clockOffsetMs(): number;
    /** Where requests go, as the trust rules accepted it. */
    target: KmsTarget;
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

/** Opens a session to a resolved target (target.ts); throws SettingsError, before any request, if it has problems. */
export function openSession({ settings, target, problems }: ResolvedTarget, log: ProgressLog): KmsSession {
    if (problems.length > 0) throw new SettingsError(refusal(problems));
    const trust = target.trust;
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
        target,
        account,
        describeTarget: async () => {
            const trustedAs = trust?.kind === "loopback" ? "loopback" : "listed in trustedEndpoints";
            const where = trust
                ? `${trust.origin}${trust.kind === "aws" ? "" : ` (${trustedAs})`}`
                : "AWS's KMS endpoint";
            return (
                `Region ${settings.region ?? "(none configured)"} at ${where}, account ` +
                ((await account()) ?? "unknown")
            );
        },
    };
}

/** What a session says when it refuses: the configuration's problems together, else the first rule that refused. */
function refusal(problems: TargetProblem[]): string {
    const configuration = problems.flatMap((p) => (p.rule === "configuration" ? [p.problem] : []));
    if (configuration.length > 0)
        return `the provider configuration cannot be used, so nothing was sent to KMS: ${configuration.join("; ")}`;
    const first = problems[0];
    if (first.rule === "sts endpoint") return `refusing to assume roles through this STS endpoint: ${first.problem}`;
    if (first.rule === "kms endpoint") return `refusing to send requests to this KMS endpoint: ${first.problem}`;
    return first.rule === "kms region"
        ? `${first.chosenBy} is AWS KMS of ${first.endpointRegion}, but the key is in ${first.keyRegion}`
        : first.problem;
}
