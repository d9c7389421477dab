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

/** What a resource's outputs record of where its calls went (both resources echo these inputs). */
export interface RecordedTarget {
    keyArn: string;
    endpoint?: string | null;
    profile?: string | null;
    trustedEndpoints?: string[] | null;
    assumeRole?: AssumeRoleSettings | null;
    /** ImportedKeyMaterial only: the endpoint of the last import. */
    kmsEndpoint?: string | null;
}

/**
 * Where refresh and destroy go (they run no program): where the outputs say the calls went, judged by the
 * rules with the stack's current configuration. The trustedEndpoints recorded in outputs count only while the
 * endpoint recorded with them (the last import's, else the endpoint input; null: none) is the one the stack
 * names now, so outputs alone (an edited state) never make an endpoint trusted. Absent (undefined) only in
 * states written before trustedEndpoints existed.
 */
export function recordedTarget(context: ProviderContext, olds: RecordedTarget): SessionTarget {
    const recorded = olds.kmsEndpoint !== undefined ? olds.kmsEndpoint : olds.endpoint;
    const current = resolveClientSettings({ keyId: olds.keyArn }, context.settings, context.env).kmsEndpoint ?? null;
    const trusted = recorded === undefined || recorded === current ? olds.trustedEndpoints : undefined;
    return {
        keyId: olds.keyArn,
        endpoint: olds.endpoint,
        profile: olds.profile,
        assumeRole: olds.assumeRole,
        kmsEndpoint: olds.kmsEndpoint,
        trustedEndpoints: trusted,
    };
}
