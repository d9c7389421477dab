import type * as CredentialProviders from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { AssumeRoleSettings, CredentialSettings, sessionSeconds } from "./credentialSettings";
import { requestHandler } from "./http";
import { quoteServerText } from "./serverText";
import type { ClientSettings } from "./settings";

/**
 * The credentials a KMS client signs with, resolved like @pulumi/aws resolves them: aws:accessKey /
 * aws:secretKey / aws:token; else a profile (aws:profile, AWS_PROFILE) from aws:sharedCredentialsFiles /
 * aws:sharedConfigFiles; else the SDK's default chain (environment, SSO, web identity, container and
 * instance roles). Then each role of aws:assumeRoles in turn, and last the resource's own `assumeRole`
 * (a key in another account), each assumed with the credentials of the step before. All of it through
 * @aws-sdk/credential-providers; no STS call is written by hand.
 */

export class CredentialsError extends Error {
    override readonly name = "CredentialsError";
}

export function credentialProvider(settings: ClientSettings): AwsCredentialIdentityProvider {
    // Built on first use: loading the credential providers costs the host's start time otherwise.
    let built: Promise<AwsCredentialIdentityProvider> | undefined;
    return async (options) => {
        built ??= import("@aws-sdk/credential-providers").then((providers) => buildChain(providers, settings));
        return (await built)(options);
    };
}

function buildChain(providers: typeof CredentialProviders, settings: ClientSettings): AwsCredentialIdentityProvider {
    const { fromTemporaryCredentials } = providers;
    const stsConfig = {
        ...(settings.stsRegion ? { region: settings.stsRegion } : {}),
        ...(settings.stsEndpoint ? { endpoint: settings.stsEndpoint } : {}),
        // The SDK must not pick an STS endpoint from the environment or config files on its own: which
        // endpoint issues credentials is decided (and trust-checked) by the provider's settings alone.
        ignoreConfiguredEndpointUrls: true,
        requestHandler: requestHandler(settings),
        maxAttempts: settings.maxAttempts,
    };
    let provider = describedFailures(
        baseCredentials(providers, settings.credentials, stsConfig),
        "finding base credentials (aws:accessKey, a profile, or the default chain)",
    );
    settings.credentials.assumeRoles.forEach((role, index) => {
        provider = describedFailures(
            fromTemporaryCredentials({
                params: assumeRoleParams(role),
                masterCredentials: provider,
                clientConfig: stsConfig,
            }),
            `assuming role ${role.roleArn} (link ${index + 1} of ` +
                `${settings.credentials.assumeRoles.length} of the assume-role chain)`,
        );
    });
    return provider;
}

function baseCredentials(
    providers: typeof CredentialProviders,
    credentials: CredentialSettings,
    stsConfig: object,
): AwsCredentialIdentityProvider {
    const { fromNodeProviderChain } = providers;
    if (credentials.accessKey && credentials.secretKey) {
        const identity: AwsCredentialIdentity = {
            accessKeyId: credentials.accessKey,
            secretAccessKey: credentials.secretKey,
            ...(credentials.token ? { sessionToken: credentials.token } : {}),
        };
        return async () => identity;
    }
    const files = pairs(credentials.sharedCredentialsFiles, credentials.sharedConfigFiles);
    const chains = files.map(([filepath, configFilepath]) =>
        fromNodeProviderChain({
            ...(credentials.profile ? { profile: credentials.profile } : {}),
            ...(filepath ? { filepath } : {}),
            ...(configFilepath ? { configFilepath } : {}),
            // Roles named in a profile (role_arn / source_profile) are assumed through the same STS settings.
            clientConfig: stsConfig,
        }),
    );
    if (chains.length === 1) return chains[0];
    // Several files: as in @pulumi/aws, a later file takes precedence over an earlier one.
    return async () => {
        let lastError: unknown;
        for (const chain of [...chains].reverse()) {
            try {
                return await chain();
            } catch (error) {
                lastError = error;
            }
        }
        throw lastError;
    };
}

/** Each credentials file with each config file position; [undefined, undefined] = the SDK's defaults. */
function pairs(credentialFiles: string[] = [], configFiles: string[] = []): [string | undefined, string | undefined][] {
    const count = Math.max(credentialFiles.length, configFiles.length, 1);
    return Array.from({ length: count }, (_, i) => [credentialFiles[i], configFiles[i]]);
}

function assumeRoleParams(role: AssumeRoleSettings) {
    const seconds = sessionSeconds(role);
    return {
        RoleArn: role.roleArn,
        RoleSessionName: role.sessionName ?? `pulumi-kms-byok-${Date.now()}`,
        ...(role.externalId ? { ExternalId: role.externalId } : {}),
        ...(seconds ? { DurationSeconds: seconds } : {}),
        ...(role.policy ? { Policy: role.policy } : {}),
        ...(role.policyArns?.length ? { PolicyArns: role.policyArns.map((arn) => ({ arn })) } : {}),
        ...(role.sourceIdentity ? { SourceIdentity: role.sourceIdentity } : {}),
        ...(role.tags ? { Tags: Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
        ...(role.transitiveTagKeys?.length ? { TransitiveTagKeys: role.transitiveTagKeys } : {}),
    };
}

/**
 * A failure to get credentials says which step failed and what STS answered (sanitised; never a secret: it has none).
 */
function describedFailures(provider: AwsCredentialIdentityProvider, step: string): AwsCredentialIdentityProvider {
    return async (options) => {
        try {
            return await provider(options);
        } catch (error) {
            if (error instanceof CredentialsError) throw error;
            const e = error as { name?: string; message?: string };
            throw new CredentialsError(
                `could not get AWS credentials: ${step} failed: ` +
                    `${quoteServerText(e.name ?? "Error", 100)}: ${quoteServerText(e.message ?? String(error))}`,
                { cause: error },
            );
        }
    };
}
