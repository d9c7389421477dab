import { createHash } from "node:crypto";
import { KMSClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-kms";
import {
    AdaptiveRetryStrategy,
    isClockSkewCorrectedError,
    isClockSkewError,
    isServerError,
    isThrottlingError,
    isTransientError,
} from "@smithy/core/retry";
import type { AwsCredentialIdentityProvider, FinalizeRequestMiddleware, SdkError, InitializeMiddleware, RetryErrorInfo, RetryToken, StandardRetryToken } from "@smithy/types";
import { credentialProvider } from "./credentials";
import { isUnreachable, requestHandler } from "./http";
import { ClientSettings } from "./settings";
import { ProgressLog, RequestPacer } from "./rateLimiter";
import { quoteServerText } from "./serverText";

/**
 * KMS clients, built once per distinct setting and kept for the life of the provider host process.
 * Module state on purpose: the serialized provider (`__provider`) must never capture a client (SDK clients
 * hold native functions and credentials), and every resource of a stack shares one host process, so one
 * client and one pacer per Region/endpoint/credentials is exactly "configuration resolved once".
 * Nothing cached here may capture anything of one provider call (its log, and with it that call's
 * redaction state built from a material): the pacer reports through the host's log.
 */

export interface KmsClientHandle {
    client: KMSClient;
    credentials: AwsCredentialIdentityProvider;
}

const clients = new Map<string, KmsClientHandle>();
const pacers = new Map<number, RequestPacer>();

/** Where host-wide messages (request pacing) go: the provider host's stderr, which the engine logs. */
const hostLog: ProgressLog = (message) => console.error(`pulumi-kms-byok: ${message}`);

export function kmsClient(settings: ClientSettings): KmsClientHandle {
    const key = cacheKey(settings);
    let handle = clients.get(key);
    if (!handle) {
        handle = createClient(settings);
        clients.set(key, handle);
    }
    return handle;
}

/** Everything that shapes a client; credentials hashed, so the map holds no secret in its keys. */
function cacheKey(settings: ClientSettings): string {
    const { region, endpoint, maxAttempts, requestRateScale, connectTimeoutMs, requestTimeoutMs, customCaBundle, stsEndpoint, stsRegion, credentials } = settings;
    const credentialsHash = createHash("sha256").update(JSON.stringify(credentials)).digest("hex");
    return JSON.stringify([region, endpoint, maxAttempts, requestRateScale, connectTimeoutMs, requestTimeoutMs, customCaBundle, stsEndpoint, stsRegion, credentialsHash]);
}

function createClient(settings: ClientSettings): KmsClientHandle {
    const credentials = credentialProvider(settings);
    const client = new KMSClient({
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        // The endpoint is the provider's decision alone (trust-checked); never one the SDK finds in the
        // environment or a config file's endpoint_url.
        ignoreConfiguredEndpointUrls: true,
        credentials,
        requestHandler: requestHandler(settings),
        // Adaptive mode adds the SDK's own client-side rate limiting on top of retries when KMS throttles.
        retryStrategy: new KmsRetryStrategy(async () => settings.maxAttempts),
    });
    const pacer = pacerFor(settings.requestRateScale);
    const scope = `${settings.region ?? "default"}|${settings.endpoint ?? "aws"}|${settings.credentials.assumeRoles.at(-1)?.roleArn ?? settings.profile ?? ""}`;
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
    client.middlewareStack.add(unreachable(settings), { step: "initialize", name: "kmsUnreachable" });
    return { client, credentials };
}

export class KmsUnreachableError extends Error {
    override readonly name = "KmsUnreachableError";
}

/** "Nobody answered", said plainly: which endpoint, which bounds, what to check. */
function unreachable(settings: ClientSettings): InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> {
    return (next, context) => async (args) => {
        try {
            return await next(args);
        } catch (error) {
            if (!isUnreachable(error)) throw error;
            const where = settings.endpoint ? `the KMS endpoint ${new URL(settings.endpoint).origin}` : `AWS KMS in ${settings.region ?? "the default Region"}`;
            const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? settings.maxAttempts;
            throw new KmsUnreachableError(
                `${context.commandName?.replace(/Command$/, "") ?? "a KMS request"}: no answer from ${where} after ${attempts} attempt(s) ` +
                    `(each bounded by a ${settings.connectTimeoutMs / 1000} s connect timeout, pulumi-kms-byok:connectTimeoutSeconds, and a ` +
                    `${settings.requestTimeoutMs / 1000} s request timeout, pulumi-kms-byok:requestTimeoutSeconds; attempts: pulumi-kms-byok:maxAttempts). ` +
                    `Check the endpoint, the network path and any proxy or firewall (${quoteServerText((error as Error).message)})`,
                { cause: error },
            );
        }
    };
}

/**
 * KMS decides when material expires by its own clock, so "expired" vs "deleted" is judged by KMS's time, not
 * by a CI runner's possibly skewed clock. The SDK already tracks that time: it samples the Date header of
 * every KMS response into `systemClockOffset` (and signs with it).
 */
export function serverNow(client: KMSClient): Date {
    return new Date(Date.now() + serverClockOffsetMs(client));
}

export function serverClockOffsetMs(client: KMSClient): number {
    return client.config.systemClockOffset ?? 0;
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

function pacerFor(scale: number): RequestPacer {
    let pacer = pacers.get(scale);
    if (!pacer) {
        pacer = new RequestPacer(scale, hostLog);
        pacers.set(scale, pacer);
    }
    return pacer;
}
