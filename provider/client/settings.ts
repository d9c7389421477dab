import { AssumeRoleSettings, CredentialSettings, readCredentialSettings } from "./credentialSettings";
import { NUMERIC_SETTINGS, NumericSetting, boundsProblem, readNumber } from "./limits";
import { CONFIG_KEYS, ConfigSource } from "./stackConfig";
import { RECORDED_ENDPOINT } from "./endpointTrust";

/**
 * Where a resource's KMS calls go, with which credentials, and how they are paced and bounded, resolved
 * once per call from three layers: the resource's own inputs, the stack configuration (delivered to the
 * dynamic provider by `configure`), then the environment the provider host runs in. Pure: no I/O, so it is
 * testable and the same for check (which refuses what cannot be used) and the operations.
 */

/**
 * Provider-wide settings from stack configuration, read in `configure`. Plain data. `credentials` may hold
 * aws:secretKey / aws:token: they go to the SDK's signer and the per-call redactor, never into a message,
 * an output or the serialized provider; so do hsmPin and hsmSoPin (to the token's C_Login only) and
 * hsmModuleParameters (to C_Initialize only).
 */
export interface ProviderSettings {
    region?: string;
    profile?: string;
    endpoint?: string;
    /** Which config key named `endpoint`, for messages: "pulumi-kms-byok:endpoint" or "aws:endpoints". */
    endpointKey?: "pulumi-kms-byok:endpoint" | "aws:endpoints";
    stsEndpoint?: string;
    stsRegion?: string;
    trustedEndpoints?: string[];
    maxAttempts?: number;
    requestRateScale?: number;
    propagationTimeoutSeconds?: number;
    rotationTimeoutSeconds?: number;
    connectTimeoutSeconds?: number;
    requestTimeoutSeconds?: number;
    throttleTimeoutSeconds?: number;
    /** Warn in previews and refreshes when material expires within this many days (0: never). */
    expiryWarningDays?: number;
    credentials?: CredentialSettings;
    skipRegionValidation?: boolean;
    skipRequestingAccountId?: boolean;
    customCaBundle?: string;
    /** Default PKCS#11 library for hsmKey URIs without module-path. */
    hsmModulePath?: string;
    /** The token's user PIN (secret config), when the resource gives no hsmPin. */
    hsmPin?: string;
    /** C_Initialize's library parameters (secret config: may hold paths and PINs), when the resource gives none. */
    hsmModuleParameters?: string;
    /** The only PKCS#11 library paths (or directories ending in "/") hsmKey may load. */
    hsmAllowedModulePaths?: string[];
    /** The token's Security Officer PIN (secret config), only for objects with CKA_WRAP_WITH_TRUSTED. */
    hsmSoPin?: string;
    /** Config values that cannot be used, as messages naming the key (never its value). */
    problems?: string[];
}

/** Where the KMS endpoint came from; AWS_ENDPOINT_URL (all services) is the one that is not enough on its own. */
export type EndpointSource =
    | typeof RECORDED_ENDPOINT
    | "input endpoint"
    | "pulumi-kms-byok:endpoint"
    | "aws:endpoints"
    | "AWS_ENDPOINT_URL_KMS"
    | "AWS_ENDPOINT_URL";

export function readProviderSettings(config: ConfigSource): ProviderSettings {
    const problems: string[] = [];
    const numbers = Object.fromEntries(
        (Object.keys(NUMERIC_SETTINGS) as NumericSetting[]).map((name) => [
            name,
            readNumber(name, config.get(CONFIG_KEYS[name]), CONFIG_KEYS[name], problems),
        ]),
    );
    const ownEndpoint = nonEmpty(config.get(CONFIG_KEYS.endpoint));
    const awsEndpoint = serviceEndpointOf(config.get(CONFIG_KEYS.awsEndpoints), "kms");
    const credentials = readCredentialSettings(config, problems);
    return dropUndefined({
        region: nonEmpty(config.get(CONFIG_KEYS.region)),
        profile: nonEmpty(config.get(CONFIG_KEYS.profile)),
        endpoint: ownEndpoint ?? awsEndpoint,
        endpointKey: ownEndpoint ? "pulumi-kms-byok:endpoint" : awsEndpoint ? "aws:endpoints" : undefined,
        stsEndpoint: serviceEndpointOf(config.get(CONFIG_KEYS.awsEndpoints), "sts"),
        stsRegion: nonEmpty(config.get(CONFIG_KEYS.stsRegion)),
        trustedEndpoints: stringList(config.get(CONFIG_KEYS.trustedEndpoints), CONFIG_KEYS.trustedEndpoints, problems),
        ...numbers,
        credentials,
        skipRegionValidation: flag(
            config.get(CONFIG_KEYS.skipRegionValidation),
            CONFIG_KEYS.skipRegionValidation,
            problems,
        ),
        skipRequestingAccountId: flag(
            config.get(CONFIG_KEYS.skipRequestingAccountId),
            CONFIG_KEYS.skipRequestingAccountId,
            problems,
        ),
        customCaBundle: nonEmpty(config.get(CONFIG_KEYS.customCaBundle)),
        hsmModulePath: nonEmpty(config.get(CONFIG_KEYS.hsmModulePath)),
        // Not trimmed: a PIN is used exactly as given.
        hsmPin: config.get(CONFIG_KEYS.hsmPin) || undefined,
        hsmModuleParameters: config.get(CONFIG_KEYS.hsmModuleParameters) || undefined,
        hsmAllowedModulePaths: stringList(
            config.get(CONFIG_KEYS.hsmAllowedModulePaths),
            CONFIG_KEYS.hsmAllowedModulePaths,
            problems,
        ),
        hsmSoPin: config.get(CONFIG_KEYS.hsmSoPin) || undefined,
        problems: problems.length > 0 ? problems : undefined,
    });
}

/** `aws:endpoints` is @pulumi/aws's list of per-service overrides, e.g. `[{"kms":"http://127.0.0.1:4599"}]`. */
function serviceEndpointOf(json: string | undefined, service: string): string | undefined {
    if (!json) return undefined;
    try {
        const entries: unknown = JSON.parse(json);
        if (!Array.isArray(entries)) return undefined;
        for (const entry of entries) {
            const url = (entry as Record<string, unknown> | null)?.[service];
            if (typeof url === "string" && url.trim()) return url.trim();
        }
    } catch {
        // Not ours to validate: @pulumi/aws reports a malformed aws:endpoints itself.
    }
    return undefined;
}

/** A list in stack config: a JSON array of strings (`pulumi config set --path`), or comma-separated text. */
function stringList(text: string | undefined, key: string, problems: string[]): string[] | undefined {
    const value = nonEmpty(text);
    if (value === undefined) return undefined;
    if (!value.startsWith("["))
        return value
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0);
    try {
        const list: unknown = JSON.parse(value);
        if (Array.isArray(list) && list.every((s) => typeof s === "string")) return list;
    } catch {
        // reported below
    }
    problems.push(`config ${key} must be a list of strings`);
    return undefined;
}

function flag(text: string | undefined, key: string, problems: string[]): boolean | undefined {
    const value = nonEmpty(text);
    if (value === undefined) return undefined;
    if (value === "true" || value === "false") return value === "true";
    problems.push(`config ${key} must be true or false`);
    return undefined;
}

/** Per-resource overrides, as given in the resource's inputs. */
export interface ResourceClientInputs {
    keyId?: string;
    region?: string;
    endpoint?: string;
    profile?: string;
    trustedEndpoints?: string[];
    assumeRole?: AssumeRoleSettings;
    /**
     * Where the material was imported (the output kmsEndpoint, for refresh and destroy): wins over the input,
     * config and environment, so a destroy after a change of the stack's endpoint still deletes where the
     * material is. null: AWS's own.
     */
    kmsEndpoint?: string | null;
}

export interface ClientSettings {
    /** Undefined when nothing names a region: the SDK then tries its own chain (profile files) and fails clearly. */
    region: string | undefined;
    /** An override of the KMS endpoint; undefined means AWS's own endpoint for the Region. */
    kmsEndpoint: string | undefined;
    /** Which setting chose kmsEndpoint, for messages. */
    chosenBy: EndpointSource | undefined;
    /** Origins (scheme://host[:port]) explicitly trusted to receive wrapped key material. */
    trustedEndpoints: string[];
    stsEndpoint: string | undefined;
    stsEndpointSource: "aws:endpoints" | "AWS_ENDPOINT_URL_STS" | "AWS_ENDPOINT_URL" | undefined;
    stsRegion: string | undefined;
    profile: string | undefined;
    credentials: CredentialSettings;
    maxAttempts: number;
    requestRateScale: number;
    propagationTimeoutMs: number;
    rotationTimeoutMs: number;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    throttleTimeoutMs: number;
    customCaBundle: string | undefined;
    skipRequestingAccountId: boolean;
    /** Problems with the stack configuration: no KMS call is made while there are any. */
    problems: string[];
    /** Problems with the process's environment (each names its variable): no KMS call either. */
    environmentProblems: string[];
}

export const DEFAULTS = Object.fromEntries(
    (Object.keys(NUMERIC_SETTINGS) as NumericSetting[]).map((name) => [name, NUMERIC_SETTINGS[name].default]),
) as Record<NumericSetting, number>;

type Env = Record<string, string | undefined>;

/**
 * Node's switch that turns off certificate checks for every https connection of a process, often set in CI
 * behind a TLS-inspecting proxy. The provider's agents verify regardless (http.ts), and the setting is
 * refused out loud: it would leave AWS's own KMS host, trusted because TLS proves who answers, unproven.
 */
const TLS_OFF =
    "NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: it turns off the certificate checks " +
    "that prove an https " +
    "endpoint (AWS's own KMS and STS hosts included) is who it claims to be, and whoever answers KMS " +
    "chooses the key your " +
    "key material is wrapped with. The provider never sends requests without those checks: unset it " +
    "for pulumi; to trust a " +
    "TLS-inspecting proxy or a private KMS-compatible service, give its CA certificates in " +
    "aws:customCaBundle or AWS_CA_BUNDLE";

export function resolveClientSettings(
    resource: ResourceClientInputs,
    provider: ProviderSettings,
    env: Env,
): ClientSettings {
    const problems = [...(provider.problems ?? [])];
    const environmentProblems: string[] = [];
    if (env["NODE_TLS_REJECT_UNAUTHORIZED"] === "0") environmentProblems.push(TLS_OFF);
    const envAttempts = readNumber("maxAttempts", env["AWS_MAX_ATTEMPTS"], "AWS_MAX_ATTEMPTS", environmentProblems);
    const endpoint = resolveEndpoint(resource, provider, env);
    const sts = resolveStsEndpoint(provider, env);
    const profile = resource.profile ?? provider.profile ?? nonEmpty(env["AWS_PROFILE"]);
    const region = resource.region ?? regionOfArn(resource.keyId) ?? provider.region ?? envRegion(env);
    const number = (name: NumericSetting): number => {
        const value = provider[name];
        const problem = value === undefined ? undefined : boundsProblem(name, value, CONFIG_KEYS[name]);
        if (problem) problems.push(problem);
        return value === undefined || problem ? NUMERIC_SETTINGS[name].default : value;
    };
    const seconds = (name: NumericSetting) => 1000 * number(name);
    return {
        region,
        ...endpoint,
        trustedEndpoints: [...(provider.trustedEndpoints ?? []), ...(resource.trustedEndpoints ?? [])],
        stsEndpoint: sts.endpoint,
        stsEndpointSource: sts.source,
        stsRegion: provider.stsRegion ?? region,
        profile,
        credentials: {
            ...(provider.credentials ?? { assumeRoles: [] }),
            profile,
            assumeRoles: [
                ...(provider.credentials?.assumeRoles ?? []),
                ...(resource.assumeRole ? [resource.assumeRole] : []),
            ],
        },
        maxAttempts:
            provider.maxAttempts !== undefined
                ? number("maxAttempts")
                : (envAttempts ?? NUMERIC_SETTINGS.maxAttempts.default),
        requestRateScale: number("requestRateScale"),
        propagationTimeoutMs: seconds("propagationTimeoutSeconds"),
        rotationTimeoutMs: seconds("rotationTimeoutSeconds"),
        connectTimeoutMs: seconds("connectTimeoutSeconds"),
        requestTimeoutMs: seconds("requestTimeoutSeconds"),
        throttleTimeoutMs: seconds("throttleTimeoutSeconds"),
        customCaBundle: provider.customCaBundle ?? nonEmpty(env["AWS_CA_BUNDLE"]),
        skipRequestingAccountId: provider.skipRequestingAccountId ?? false,
        problems,
        environmentProblems,
    };
}

function resolveEndpoint(
    resource: ResourceClientInputs,
    provider: ProviderSettings,
    env: Env,
): Pick<ClientSettings, "kmsEndpoint" | "chosenBy"> {
    if (resource.kmsEndpoint !== undefined) {
        return { kmsEndpoint: resource.kmsEndpoint ?? undefined, chosenBy: RECORDED_ENDPOINT };
    }
    const candidates: [string | undefined, EndpointSource][] = [
        [nonEmpty(resource.endpoint), "input endpoint"],
        [provider.endpoint, provider.endpointKey ?? "pulumi-kms-byok:endpoint"],
        [nonEmpty(env["AWS_ENDPOINT_URL_KMS"]), "AWS_ENDPOINT_URL_KMS"],
        [nonEmpty(env["AWS_ENDPOINT_URL"]), "AWS_ENDPOINT_URL"],
    ];
    const found = candidates.find(([value]) => value !== undefined);
    return found ? { kmsEndpoint: found[0], chosenBy: found[1] } : { kmsEndpoint: undefined, chosenBy: undefined };
}

function resolveStsEndpoint(
    provider: ProviderSettings,
    env: Env,
): { endpoint?: string; source?: ClientSettings["stsEndpointSource"] } {
    if (provider.stsEndpoint) return { endpoint: provider.stsEndpoint, source: "aws:endpoints" };
    const specific = nonEmpty(env["AWS_ENDPOINT_URL_STS"]);
    if (specific) return { endpoint: specific, source: "AWS_ENDPOINT_URL_STS" };
    const generic = nonEmpty(env["AWS_ENDPOINT_URL"]);
    return generic ? { endpoint: generic, source: "AWS_ENDPOINT_URL" } : {};
}

export const envRegion = (env: Env): string | undefined =>
    nonEmpty(env["AWS_REGION"]) ?? nonEmpty(env["AWS_DEFAULT_REGION"]);

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\//;

/** `arn:aws:kms:eu-west-1:111122223333:key/…` → `eu-west-1`. */
export function regionOfArn(keyId: string | undefined): string | undefined {
    return KEY_ARN.exec(keyId ?? "")?.[2];
}

/** Key ID, ARN or multi-Region key ID → the bare key ID, so "same key" compares forms equal. */
export function bareKeyId(keyIdOrArn: string): string {
    const slash = keyIdOrArn.lastIndexOf("key/");
    return keyIdOrArn.startsWith("arn:") && slash >= 0 ? keyIdOrArn.slice(slash + 4) : keyIdOrArn;
}

/** `arn:aws:kms:eu-west-1:111122223333:key/…` → `111122223333`. */
export function accountOfArn(keyId: string | undefined): string | undefined {
    return KEY_ARN.exec(keyId ?? "")?.[3];
}

export function nonEmpty(value: string | undefined): string | undefined {
    return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function dropUndefined<T extends object>(value: T): T {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
