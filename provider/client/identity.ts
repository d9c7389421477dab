import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { judgeEndpoint } from "./endpointTrust";
import { requestHandler } from "./http";
import type { ClientSettings } from "./settings";

/**
 * Which AWS account the session's credentials belong to, best effort: for messages ("searched account …")
 * and to refuse at once a key ARN of another account (KMS's import, delete and rotation operations do not
 * work across accounts). undefined when it cannot be known cheaply and safely.
 */
export async function callerAccount(
    settings: ClientSettings,
    credentials: AwsCredentialIdentityProvider,
): Promise<string | undefined> {
    // An assumed role's account is in its ARN: no call needed.
    const lastRole = settings.credentials.assumeRoles.at(-1);
    if (lastRole) return /^arn:[^:]+:iam::(\d{12}):/.exec(lastRole.roleArn)?.[1];
    if (settings.skipRequestingAccountId) return undefined;
    // Talking to an emulator with no STS named for it: never dial AWS's STS just to ask.
    if (settings.kmsEndpoint && !settings.stsEndpoint) return undefined;
    if (
        settings.stsEndpoint &&
        !judgeEndpoint(
            settings.stsEndpoint,
            "sts",
            settings.stsEndpointSource ?? "sts endpoint",
            settings.trustedEndpoints,
        ).ok
    )
        return undefined;
    // Loaded on first use: most sessions never need it, and the provider host should start fast.
    const { GetCallerIdentityCommand, STSClient } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({
        ...(settings.stsRegion ? { region: settings.stsRegion } : {}),
        ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}),
        ignoreConfiguredEndpointUrls: true,
        credentials,
        // Best effort, asked once per client: short bounds, so a network without a path to STS (a private
        // VPC with a KMS endpoint only) costs a few seconds once, not minutes.
        requestHandler: requestHandler({
            ...settings,
            connectTimeoutMs: Math.min(settings.connectTimeoutMs, 3000),
            requestTimeoutMs: Math.min(settings.requestTimeoutMs, 10_000),
        }),
        maxAttempts: 1,
    });
    try {
        return (await sts.send(new GetCallerIdentityCommand({}))).Account;
    } catch {
        return undefined;
    } finally {
        sts.destroy();
    }
}

/**
 * KMS's NotFoundException names the ARN it looked for, caller's account included: `Key 'arn:…:key/…' does not exist`.
 */
export function accountInMessage(message: string): string | undefined {
    return /arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):key\//.exec(message)?.[1];
}
