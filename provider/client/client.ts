import { KMSClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-kms";
import {
    AdaptiveRetryStrategy,
    isClockSkewCorrectedError,
    isClockSkewError,
    isServerError,
    isThrottlingError,
    isTransientError,
} from "@smithy/core/retry";
import type { SdkError } from "@smithy/types";
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
 * The adaptive strategy, minus two retries that cannot succeed:
 * - LimitExceededException, which the SDK counts as throttling, is a hard quota in KMS (25 on-demand
 *   rotations per key, key and alias counts): retrying only delays the error by a minute;
 * - once KMS's clock is minutes away from ours, the SDK marks every error response "clock skew corrected"
 *   and retries it, NotFound and IncorrectKeyMaterial included (8 attempts each). A skew correction helps
 *   only errors caused by the skew (signature/time errors) and errors retryable anyway.
 */
class KmsRetryStrategy extends AdaptiveRetryStrategy {
    override async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
        const error = errorInfo.error;
        if (error?.name === "LimitExceededException") throw error;
        if (error && isClockSkewCorrectedError(error) && !retryableBesidesSkew(error)) throw error;
        return super.refreshRetryTokenForRetry(token, errorInfo);
    }
}

function retryableBesidesSkew(error: SdkError): boolean {
    const unflagged = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as SdkError, error, {
        name: error.name,
        message: error.message,
        $metadata: { ...error.$metadata, clockSkewCorrected: undefined },
    });
    return isClockSkewError(unflagged) || isThrottlingError(unflagged) || isTransientError(unflagged) || isServerError(unflagged);
}

function pacerFor(scale: number, log: ProgressLog): RequestPacer {
    let pacer = pacers.get(scale);
    if (!pacer) {
        pacer = new RequestPacer(scale, log);
        pacers.set(scale, pacer);
    }
    return pacer;
}
