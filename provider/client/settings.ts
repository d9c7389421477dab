/**
 * Where a resource's KMS calls go and how they are paced, resolved once per call from three layers:
 * the resource's own inputs, the stack configuration (delivered to the dynamic provider by `configure`),
 * then the environment the provider host runs in. Pure: no I/O, so it is testable and the same for
 * check (which may only warn) and the operations.
 */

/** Stack configuration keys read by the provider. The `aws:` keys are shared with @pulumi/aws on purpose. */
export const CONFIG_KEYS = {
    region: "aws:region",
    profile: "aws:profile",
    awsEndpoints: "aws:endpoints",
    endpoint: "pulumi-kms-byok:endpoint",
    maxAttempts: "pulumi-kms-byok:maxAttempts",
    requestRateScale: "pulumi-kms-byok:requestRateScale",
    propagationTimeoutSeconds: "pulumi-kms-byok:propagationTimeoutSeconds",
    rotationTimeoutSeconds: "pulumi-kms-byok:rotationTimeoutSeconds",
} as const;

/** The provider-wide settings taken from stack configuration in `configure`. Plain data: no secrets, no clients. */
export interface ProviderSettings {
    region?: string;
    profile?: string;
    endpoint?: string;
    maxAttempts?: number;
    requestRateScale?: number;
    propagationTimeoutSeconds?: number;
    rotationTimeoutSeconds?: number;
}

export interface ConfigSource {
    get(key: string): string | undefined;
}

export function readProviderSettings(config: ConfigSource): ProviderSettings {
    return dropUndefined({
        region: nonEmpty(config.get(CONFIG_KEYS.region)),
        profile: nonEmpty(config.get(CONFIG_KEYS.profile)),
        endpoint: nonEmpty(config.get(CONFIG_KEYS.endpoint)) ?? kmsEndpointOf(config.get(CONFIG_KEYS.awsEndpoints)),
        maxAttempts: positiveNumber(config.get(CONFIG_KEYS.maxAttempts)),
        requestRateScale: positiveNumber(config.get(CONFIG_KEYS.requestRateScale)),
        propagationTimeoutSeconds: positiveNumber(config.get(CONFIG_KEYS.propagationTimeoutSeconds)),
        rotationTimeoutSeconds: positiveNumber(config.get(CONFIG_KEYS.rotationTimeoutSeconds)),
    });
}

/** Stack config values this provider cannot use; they are ignored (defaults apply), and said so in the log. */
export function configProblems(config: ConfigSource): string[] {
    const numeric = [CONFIG_KEYS.maxAttempts, CONFIG_KEYS.requestRateScale, CONFIG_KEYS.propagationTimeoutSeconds, CONFIG_KEYS.rotationTimeoutSeconds];
    return numeric
        .filter((key) => nonEmpty(config.get(key)) !== undefined && positiveNumber(config.get(key)) === undefined)
        .map((key) => `config ${key} must be a positive number; got '${config.get(key)}', using the default`);
}

/** `aws:endpoints` is @pulumi/aws's list of per-service overrides, e.g. `[{"kms":"http://127.0.0.1:4599"}]`. */
function kmsEndpointOf(json: string | undefined): string | undefined {
    if (!json) return undefined;
    try {
        const entries: unknown = JSON.parse(json);
        if (!Array.isArray(entries)) return undefined;
        for (const entry of entries) {
            const kms = (entry as Record<string, unknown> | null)?.["kms"];
            if (typeof kms === "string" && kms) return kms;
        }
    } catch {
        // Not ours to validate: @pulumi/aws reports a malformed aws:endpoints itself.
    }
    return undefined;
}

/** Per-resource overrides, as given in the resource's inputs. */
export interface ResourceClientInputs {
    keyId?: string;
    region?: string;
    endpoint?: string;
    profile?: string;
}

export interface ClientSettings {
    /** Undefined when nothing names a region: the SDK then tries its own chain (profile files) and fails clearly. */
    region: string | undefined;
    endpoint: string | undefined;
    profile: string | undefined;
    maxAttempts: number;
    requestRateScale: number;
    propagationTimeoutMs: number;
    rotationTimeoutMs: number;
}

export const DEFAULTS = {
    /** Generous, because throttling is expected at GetParametersForImport's 1 request/s and retries are cheap. */
    maxAttempts: 8,
    requestRateScale: 1,
    /** terraform-provider-aws waits 2 minutes for a new key to become visible; so do we. */
    propagationTimeoutSeconds: 120,
    /** On-demand rotation of imported material is asynchronous; AWS's own tests poll for up to 90 s. */
    rotationTimeoutSeconds: 600,
} as const;

type Env = Record<string, string | undefined>;

export function resolveClientSettings(resource: ResourceClientInputs, provider: ProviderSettings, env: Env): ClientSettings {
    return {
        region: resource.region ?? regionOfArn(resource.keyId) ?? provider.region ?? envRegion(env),
        endpoint: resource.endpoint ?? provider.endpoint ?? nonEmpty(env["AWS_ENDPOINT_URL_KMS"]) ?? nonEmpty(env["AWS_ENDPOINT_URL"]),
        profile: resource.profile ?? provider.profile ?? nonEmpty(env["AWS_PROFILE"]),
        maxAttempts: provider.maxAttempts ?? positiveNumber(env["AWS_MAX_ATTEMPTS"]) ?? DEFAULTS.maxAttempts,
        requestRateScale: provider.requestRateScale ?? DEFAULTS.requestRateScale,
        propagationTimeoutMs: 1000 * (provider.propagationTimeoutSeconds ?? DEFAULTS.propagationTimeoutSeconds),
        rotationTimeoutMs: 1000 * (provider.rotationTimeoutSeconds ?? DEFAULTS.rotationTimeoutSeconds),
    };
}

export const envRegion = (env: Env): string | undefined => nonEmpty(env["AWS_REGION"]) ?? nonEmpty(env["AWS_DEFAULT_REGION"]);

/** `arn:aws:kms:eu-west-1:111122223333:key/…` → `eu-west-1`. */
export function regionOfArn(keyId: string | undefined): string | undefined {
    const match = /^arn:[a-z-]+:kms:([a-z0-9-]+):\d{12}:key\//.exec(keyId ?? "");
    return match?.[1];
}

function nonEmpty(value: string | undefined): string | undefined {
    return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function positiveNumber(value: string | undefined): number | undefined {
    const n = Number(nonEmpty(value));
    return Number.isFinite(n) && n > 0 ? n : undefined;
}

function dropUndefined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
