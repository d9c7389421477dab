// The STS part of the control surface, in-process only: declare roles (ExternalId, who may assume them, their
// maximum session), list the sessions AssumeRole issued (never their secrets), forget them all.

import type { IssuedSession, RoleDefinition, StsStore } from "../store/sessions.js";

export interface StsControl {
    /** Declares (or replaces) a role; undeclared roles can be assumed by anyone, without ExternalId. */
    defineRole(roleArn: string, definition: RoleDefinition): void;
    /** Sessions issued so far, oldest first, without SecretAccessKey and SessionToken. */
    sessions(): Omit<IssuedSession, "secretAccessKey" | "sessionToken">[];
    /** Forgets every role and session (their credentials stop working). */
    reset(): void;
}

export function stsControl(store: StsStore): StsControl {
    return {
        defineRole: (roleArn, definition) => void store.roles.set(roleArn, { ...definition }),
        sessions: () => store.list(),
        reset: () => store.clear(),
    };
}
