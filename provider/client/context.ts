import type { AssumeRoleSettings } from "./credentialSettings";
import { KmsSession, openSession } from "./session";
import { ProviderSettings, resolveClientSettings } from "./settings";
import { resolveKmsTarget } from "./target";

/**
 * What every engine call of either resource runs with: the provider's settings from `configure`, the host's
 * environment and its log; and the session a resource's calls go through, refused (SettingsError) when the
 * target (target.ts) has problems.
 */

export interface ProviderContext {
    settings: ProviderSettings;
    env: Record<string, string | undefined>;
    log: (message: string) => void;
}

/** Where a resource's calls go and as whom; for refresh and destroy, as recorded in its outputs. */
export interface SessionTarget {
    keyId: string;
    region?: string;
    endpoint?: string | null;
    profile?: string | null;
    trustedEndpoints?: string[] | null;
    assumeRole?: AssumeRoleSettings | null;
    /** The endpoint recorded at the last import (outputs): where refresh and destroy must go. */
    kmsEndpoint?: string | null;
}

export function openSessionFor(context: ProviderContext, target: SessionTarget): KmsSession {
    const resolved = resolveKmsTarget(
        {
            keyId: target.keyId,
            region: target.region,
            endpoint: target.endpoint ?? undefined,
            profile: target.profile ?? undefined,
            trustedEndpoints: target.trustedEndpoints ?? undefined,
            assumeRole: target.assumeRole ?? undefined,
            kmsEndpoint: target.kmsEndpoint,
        },
        context.settings,
        context.env,
    );
    return openSession(resolved, context.log);
}

/**
 * For refresh and destroy, which run no program: the trustedEndpoints recorded in a resource's outputs count
 * only while the endpoint recorded with them (undefined: none recorded) is the one the stack names now, so
 * outputs alone (an edited state) never make an endpoint trusted.
 */
export function recordedTrust<T>(
    context: ProviderContext,
    keyArn: string,
    recorded: string | null | undefined,
    trusted: T,
): T | undefined {
    const current = resolveClientSettings({ keyId: keyArn }, context.settings, context.env).kmsEndpoint ?? null;
    return recorded === undefined || recorded === current ? trusted : undefined;
}
