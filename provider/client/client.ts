import { KMSClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-kms";
import { AdaptiveRetryStrategy } from "@smithy/core/retry";
import type { FinalizeRequestMiddleware, RetryErrorInfo, RetryToken, StandardRetryToken } from "@smithy/types";
import { ClientSettings } from "./settings";
import { ProgressLog, RequestPacer } from "./rateLimiter";

/**
 * KMS clients, built once per distinct setting and kept for the life of the provider host process.
 * Module state on purpose: the serialized provider (`__provider`) must never capture a client (SDK clients
 * hold native functions and credentials), and every resource of a stack shares one host process, so one
 * client and one pacer per Region/endpoint is exactly "configuration resolved once".
 */

const clients = new Map<string, KMSClient>();
const pacers = new Map<number, RequestPacer>();

export function kmsClient(settings: ClientSettings, log: ProgressLog): KMSClient {
    const key = JSON.stringify([settings.region, settings.endpoint, settings.profile, settings.maxAttempts, settings.requestRateScale]);
    let client = clients.get(key);
    if (!client) {
        client = createClient(settings, log);
        clients.set(key, client);
    }
    return client;
}

function createClient(settings: ClientSettings, log: ProgressLog): KMSClient {
    const client = new KMSClient({
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        ...(settings.profile ? { profile: settings.profile } : {}),
        // Adaptive mode adds the SDK's own client-side rate limiting on top of retries when KMS throttles.
        retryStrategy: new KmsRetryStrategy(async () => settings.maxAttempts),
    });
    const pacer = pacerFor(settings.requestRateScale, log);
    const scope = `${settings.region ?? "default"}|${settings.endpoint ?? "aws"}`;
    // Placed inside the retry loop so that every attempt, retries included, spends quota.
    const pacing: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
        await pacer.acquire(scope, context.commandName?.replace(/Command$/, "") ?? "");
        return next(args);
    };
    client.middlewareStack.addRelativeTo(pacing, {
        name: "kmsQuotaPacing",
        relation: "after",
        toMiddleware: "retryMiddleware",
    });
    return client;
}

/**
 * KMS decides when material expires by its own clock, so "expired" vs "deleted" is judged by KMS's time, not
 * by a CI runner's possibly skewed clock. The SDK already tracks that time: it samples the Date header of
 * every KMS response into `systemClockOffset` (and signs with it).
 */
export function serverNow(client: KMSClient): Date {
    return new Date(Date.now() + (client.config.systemClockOffset ?? 0));
}

/**
 * The SDK counts LimitExceededException as throttling and retries it with long backoffs. In KMS it means a
 * hard quota (25 on-demand rotations per key, key and alias counts): retrying cannot succeed, only delay the
 * error by a minute. Everything else keeps the adaptive strategy.
 */
class KmsRetryStrategy extends AdaptiveRetryStrategy {
    override async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
        if ((errorInfo.error as { name?: string } | undefined)?.name === "LimitExceededException") throw errorInfo.error;
        return super.refreshRetryTokenForRetry(token, errorInfo);
    }
}

function pacerFor(scale: number, log: ProgressLog): RequestPacer {
    let pacer = pacers.get(scale);
    if (!pacer) {
        pacer = new RequestPacer(scale, log);
        pacers.set(scale, pacer);
    }
    return pacer;
}
