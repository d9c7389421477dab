import { TrustedEndpoint, judgeEndpoint, trustedOrigins } from "./endpointTrust";
import { ClientSettings, ProviderSettings, ResourceClientInputs, resolveClientSettings } from "./settings";

/**
 * Where a resource's KMS calls go, decided once: check reports the problems (preview, before any AWS call) and
 * the session throws them (every operation, before its first request: refresh and destroy never run check).
 * The rules themselves (which hosts are trusted) are endpointTrust.ts's; this applies them to the settings
 * resolved from the resource's inputs, the stack configuration and the environment.
 */

/**
 * Where calls go, as the rules accepted it: the settings' Region and endpoint override (the output kmsEndpoint
 * records it; undefined: AWS's own endpoint for the Region), and how that endpoint is trusted.
 */
export interface KmsTarget extends Pick<ClientSettings, "region" | "kmsEndpoint" | "chosenBy"> {
    /**
     * How kmsEndpoint is trusted (an AWS host, this machine, or listed); undefined for AWS's own endpoint or a refused
     * one.
     */
    trust: TrustedEndpoint | undefined;
}

/**
 * Why nothing may be sent: the rule that refused and its words, which name settings, never their values.
 * `configuration`: the stack configuration or the environment cannot be used; `source` says which (the stack's
 * settings, the process's environment, or one of the two trustedEndpoints lists).
 */
export type ConfigurationSource = "stack" | "environment" | "stack trustedEndpoints" | "resource trustedEndpoints";

export type TargetProblem =
    | { rule: "configuration"; source: ConfigurationSource; problem: string }
    | { rule: "sts endpoint"; problem: string }
    | { rule: "kms endpoint"; problem: string }
    | { rule: "kms region"; chosenBy: string; endpointRegion: string; keyRegion: string };

export interface ResolvedTarget {
    settings: ClientSettings;
    target: KmsTarget;
    /** In the order a session refuses them; empty when calls may go. */
    problems: TargetProblem[];
}

export function resolveKmsTarget(
    resource: ResourceClientInputs,
    provider: ProviderSettings,
    env: Record<string, string | undefined>,
): ResolvedTarget {
    const settings = resolveClientSettings(resource, provider, env);
    const configuration = (source: ConfigurationSource, problems: string[]): TargetProblem[] =>
        problems.map((problem) => ({ rule: "configuration", source, problem }));
    const problems = [
        ...configuration("stack", settings.problems),
        ...configuration("environment", settings.environmentProblems),
        ...configuration("stack trustedEndpoints", trustedOrigins(provider.trustedEndpoints ?? []).problems),
        ...configuration("resource trustedEndpoints", trustedOrigins(resource.trustedEndpoints ?? []).problems),
    ];
    if (settings.credentials.assumeRoles.length > 0 && settings.stsEndpoint) {
        const sts = judgeEndpoint(
            settings.stsEndpoint,
            "sts",
            settings.stsEndpointSource ?? "STS endpoint",
            settings.trustedEndpoints,
        );
        if (!sts.ok) problems.push({ rule: "sts endpoint", problem: sts.problem });
    }
    const { region, kmsEndpoint, chosenBy } = settings;
    const target: KmsTarget = { region, kmsEndpoint, chosenBy, trust: undefined };
    if (settings.kmsEndpoint) {
        const verdict = judgeEndpoint(
            settings.kmsEndpoint,
            "kms",
            settings.chosenBy ?? "endpoint",
            settings.trustedEndpoints,
        );
        if (!verdict.ok) problems.push({ rule: "kms endpoint", problem: verdict.problem });
        else if (verdict.endpoint.region && settings.region && verdict.endpoint.region !== settings.region) {
            problems.push({
                rule: "kms region",
                chosenBy: settings.chosenBy ?? "endpoint",
                endpointRegion: verdict.endpoint.region,
                keyRegion: settings.region,
            });
        } else target.trust = verdict.endpoint;
    }
    return { settings, target, problems };
}
