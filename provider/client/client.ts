import { createHash } from "node:crypto";
import { KMSClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/client-kms";
import {
    RETRY_MODES,
    StandardRetryStrategy,
    isClockSkewCorrectedError,
    isClockSkewError,
    isServerError,
    isThrottlingError,
    isTransientError,
} from "@smithy/core/retry";
import type {
    AwsCredentialIdentityProvider,
    FinalizeRequestMiddleware,
    InitializeMiddleware,
    RetryErrorInfo,
    RetryStrategyV2,
    RetryToken,
    StandardRetryToken,
} from "@smithy/types";
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
    const {
        region,
        kmsEndpoint,
        maxAttempts,
        requestRateScale,
        connectTimeoutMs,
        requestTimeoutMs,
        throttleTimeoutMs,
        customCaBundle,
        stsEndpoint,
        stsRegion,
        credentials,
    } = settings;
    const credentialsHash = createHash("sha256").update(JSON.stringify(credentials)).digest("hex");
    return JSON.stringify([
        region,
        kmsEndpoint,
        maxAttempts,
        requestRateScale,
        connectTimeoutMs,
        requestTimeoutMs,
        throttleTimeoutMs,
        customCaBundle,
        stsEndpoint,
        stsRegion,
        credentialsHash,
    ]);
}

function createClient(settings: ClientSettings): KmsClientHandle {
    const credentials = credentialProvider(settings);
    const client = new KMSClient({
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.kmsEndpoint ? { endpoint: settings.kmsEndpoint } : {}),
        // The endpoint is the provider's decision alone (trust-checked); never one the SDK finds in the
        // environment or a config file's endpoint_url.
        ignoreConfiguredEndpointUrls: true,
        credentials,
        requestHandler: requestHandler(settings),
        // Throttles are paced (below), not backed off; other errors are retried as the SDK's standard mode does.
        retryStrategy: new KmsRetryStrategy(async () => settings.maxAttempts, settings.throttleTimeoutMs),
    });
    const pacer = pacerFor(settings.requestRateScale);
    const identity = settings.credentials.assumeRoles.at(-1)?.roleArn ?? settings.profile ?? "";
    const scope = `${settings.region ?? "default"}|${settings.kmsEndpoint ?? "aws"}|${identity}`;
    client.middlewareStack.addRelativeTo(pacing(pacer, scope), {
        name: "kmsQuotaPacing",
        relation: "after",
        toMiddleware: "retryMiddleware",
    });
    client.middlewareStack.add(throttledTooLong(settings, pacer, scope), {
        step: "initialize",
        name: "kmsThrottledTooLong",
    });
    client.middlewareStack.add(unreachable(settings), { step: "initialize", name: "kmsUnreachable" });
    return { client, credentials };
}

/**
 * Placed inside the retry loop, so that every attempt, retries included, waits for its turn and spends
 * quota. A throttled attempt lowers the operation's pace and its retry goes to the front of the queue.
 */
function pacing(pacer: RequestPacer, scope: string): FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> {
    return (next, context) => {
        const operation = operationOf(context.commandName);
        let throttledBefore = false;
        return async (args) => {
            const ticket = await pacer.acquire(scope, operation, { first: throttledBefore });
            try {
                const output = await next(args);
                if (ticket) pacer.succeeded(scope, operation);
                return output;
            } catch (error) {
                if (isQuotaThrottling(error)) {
                    throttledBefore = true;
                    if (ticket) pacer.throttled(scope, operation, ticket);
                    // An operation without a known quota is not paced: its retry waits like the SDK's first
                    // throttling backoff.
                    else await new Promise((resolve) => setTimeout(resolve, UNPACED_THROTTLE_WAIT_MS));
                }
                throw error;
            }
        };
    };
}

const UNPACED_THROTTLE_WAIT_MS = 1_000;

/** An error as the SDK's retry strategy sees it (`SdkError`, which @smithy/types marks deprecated for callers). */
type RetryError = NonNullable<RetryErrorInfo["error"]>;

/** ThrottlingException and its kin, not LimitExceededException (a hard limit in KMS, never retried). */
function isQuotaThrottling(error: unknown): boolean {
    if (typeof error !== "object" || error === null) return false;
    const e = error as RetryError;
    return e.name !== "LimitExceededException" && isThrottlingError(e);
}

function operationOf(commandName: string | undefined): string {
    return commandName?.replace(/Command$/, "") ?? "";
}

export class KmsThrottledError extends Error {
    override readonly name = "KmsThrottledError";
}

/** A throttle that outlived throttleTimeoutSeconds, said plainly: which operation, the pace reached, what to change. */
function throttledTooLong(
    settings: ClientSettings,
    pacer: RequestPacer,
    scope: string,
): InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> {
    return (next, context) => async (args) => {
        try {
            return await next(args);
        } catch (error) {
            if (!isQuotaThrottling(error)) throw error;
            const operation = operationOf(context.commandName);
            const pace = pacer.rateOf(scope, operation);
            const reached = pace
                ? `; this stack's pace for it had come down to ${round(pace.rate)}/s of the ` +
                  `${round(pace.ceiling)}/s quota it assumes`
                : "";
            throw new KmsThrottledError(
                `${operation}: KMS kept throttling this request for longer than ` +
                    `pulumi-kms-byok:throttleTimeoutSeconds ` +
                    `(${settings.throttleTimeoutMs / 1000} s) allows. The account's ${operation} quota in ` +
                    `this Region is shared by every ` +
                    `caller${reached}. Raise pulumi-kms-byok:throttleTimeoutSeconds, run fewer pipelines ` +
                    `against this account and Region at ` +
                    `once, give each a fixed share with pulumi-kms-byok:requestRateScale ` +
                    `(docs/guides/quotas.md), or ask AWS to raise the quota`,
                { cause: error },
            );
        }
    };
}

function round(rate: number): number {
    return Number(rate.toPrecision(3));
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
            const where = settings.kmsEndpoint
                ? `the KMS endpoint ${new URL(settings.kmsEndpoint).origin}`
                : `AWS KMS in ${settings.region ?? "the default Region"}`;
            const attempts =
                (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? settings.maxAttempts;
            throw new KmsUnreachableError(
                `${context.commandName?.replace(/Command$/, "") ?? "a KMS request"}: no answer from ` +
                    `${where} after ${attempts} attempt(s) ` +
                    `(each bounded by a ${settings.connectTimeoutMs / 1000} s connect timeout, ` +
                    `pulumi-kms-byok:connectTimeoutSeconds, and a ` +
                    `${settings.requestTimeoutMs / 1000} s request timeout, ` +
                    `pulumi-kms-byok:requestTimeoutSeconds; attempts: pulumi-kms-byok:maxAttempts). ` +
                    `Check the endpoint, the network path and any proxy or firewall ` +
                    `(${quoteServerText((error as Error).message)})`,
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
    return client.config.systemClockOffset;
}

/**
 * The SDK's standard strategy for every error but throttling, minus two retries that cannot succeed:
 * - LimitExceededException, which the SDK counts as throttling, is a hard quota in KMS (25 on-demand
 *   rotations per key, key and alias counts): retrying only delays the error by a minute;
 * - once KMS's clock is minutes away from ours, the SDK marks every error response "clock skew corrected"
 *   and retries it, NotFound and IncorrectKeyMaterial included (8 attempts each). A skew correction helps
 *   only errors caused by the skew (signature/time errors) and errors retryable anyway.
 * A throttle is not a failure of the request but a sign that the account's quota is shared: it costs
 * neither an attempt of maxAttempts nor the SDK's retry capacity, and it is not backed off; the pacer makes
 * the retry wait its turn at the lowered pace. Only the time since the request's first throttle is bounded
 * (throttleTimeoutSeconds): without this a fleet of pipelines ran out of attempts and failed steps.
 */
class KmsRetryStrategy implements RetryStrategyV2 {
    readonly mode = RETRY_MODES.ADAPTIVE;
    private readonly standard: StandardRetryStrategy;

    constructor(
        maxAttempts: () => Promise<number>,
        private readonly throttleTimeoutMs: number,
    ) {
        this.standard = new StandardRetryStrategy(maxAttempts);
    }

    async acquireInitialRetryToken(scope: string): Promise<RetryToken> {
        return new CallRetryToken(await this.standard.acquireInitialRetryToken(scope));
    }

    async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
        const call = callToken(token);
        const error = errorInfo.error;
        if (error?.name === "LimitExceededException") throw error;
        if (error && isClockSkewCorrectedError(error) && !retryableBesidesSkew(error)) throw error;
        if (errorInfo.errorType === "THROTTLING") {
            const now = performance.now();
            call.throttledSince ??= now;
            if (now - call.throttledSince >= this.throttleTimeoutMs) throw error ?? new Error("KMS throttled the call");
            return call.again();
        }
        return call.next(await this.standard.refreshRetryTokenForRetry(call.attempt, errorInfo));
    }

    recordSuccess(token: RetryToken): void {
        this.standard.recordSuccess(callToken(token).attempt);
    }
}

/**
 * One call's retry state: the standard strategy's token of its last counted attempt, and since when KMS throttles it.
 */
class CallRetryToken implements StandardRetryToken {
    throttledSince: number | undefined;

    constructor(
        readonly attempt: StandardRetryToken,
        private readonly delayMs = attempt.getRetryDelay(),
    ) {}

    /** The same attempt again, at once: the pacer decides when. */
    again(): CallRetryToken {
        const token = new CallRetryToken(this.attempt, 0);
        token.throttledSince = this.throttledSince;
        return token;
    }

    next(attempt: StandardRetryToken): CallRetryToken {
        const token = new CallRetryToken(attempt);
        token.throttledSince = this.throttledSince;
        return token;
    }

    getRetryCount(): number {
        return this.attempt.getRetryCount();
    }

    getRetryDelay(): number {
        return this.delayMs;
    }

    getRetryCost(): number | undefined {
        return this.attempt.getRetryCost();
    }
}

/** The SDK hands back the tokens this strategy gave it. */
function callToken(token: RetryToken): CallRetryToken {
    if (!(token instanceof CallRetryToken)) throw new Error("the retry strategy got a token it did not issue");
    return token;
}

function retryableBesidesSkew(error: RetryError): boolean {
    const unflagged = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as RetryError, error, {
        name: error.name,
        message: error.message,
        $metadata: { ...error.$metadata, clockSkewCorrected: undefined },
    });
    return (
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- skew codes by name, flag aside
        isClockSkewError(unflagged) ||
        isThrottlingError(unflagged) ||
        isTransientError(unflagged) ||
        isServerError(unflagged)
    );
}

function pacerFor(scale: number): RequestPacer {
    let pacer = pacers.get(scale);
    if (!pacer) {
        pacer = new RequestPacer(scale, hostLog);
        pacers.set(scale, pacer);
    }
    return pacer;
}
