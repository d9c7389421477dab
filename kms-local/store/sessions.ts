// STS state: the roles tests declare (who may assume them, which ExternalId they demand) and the temporary
// credentials AssumeRole issued. Temporary credentials are the only ones kms-local knows the secret of for
// sure, so a request signed with them is always verified (signature, session token, expiry), whatever the
// signatureCheck switch says. Secrets live here only; no log or request record ever contains one.

import { randomBytes } from "node:crypto";

/** The long-term test credentials kms-local prints (any secret works unless signatureCheck = verify). */
export const DUMMY_ACCESS_KEY_ID = "AKIAKMSLOCALTEST0000";

export interface RoleDefinition {
    /** The ExternalId AssumeRole must carry (AWS: condition sts:ExternalId in the role's trust policy). */
    externalId?: string;
    /** Principal ARNs (users, or roles: any session of that role) allowed to assume it; absent = anyone. */
    trustedPrincipals?: string[];
    /** The role's MaxSessionDuration in seconds (AWS default 3600, at most 43 200). */
    maxSessionDurationSeconds?: number;
}

export interface IssuedSession {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    /** kms-local clock, epoch ms. */
    expiration: number;
    roleArn: string;
    /** arn:aws:sts::<account>:assumed-role/<role name>/<session name> */
    principal: string;
    account: string;
    /** The principal that assumed the role (for chains and trust checks). */
    assumedBy: string;
    /** What the session asked for, recorded (not enforced): ExternalId, Policy, PolicyArns, SourceIdentity. */
    externalId?: string;
    policy?: string;
    policyArns?: string[];
    sourceIdentity?: string;
}

/** Who signed a request. */
export interface Caller {
    principal: string;
    account: string;
    /** The role a session belongs to, when the caller is an assumed-role session. */
    roleArn?: string;
    userId: string;
}

export class StsStore {
    readonly roles = new Map<string, RoleDefinition>();
    private readonly sessions = new Map<string, IssuedSession>();

    constructor(readonly accountId: string) {}

    issue(fields: Omit<IssuedSession, "accessKeyId" | "secretAccessKey" | "sessionToken">): IssuedSession {
        const session: IssuedSession = {
            ...fields,
            accessKeyId: `ASIA${randomBytes(10).toString("hex").toUpperCase().slice(0, 16)}`,
            secretAccessKey: randomBytes(30).toString("base64"),
            sessionToken: randomBytes(96).toString("base64"),
        };
        this.sessions.set(session.accessKeyId, session);
        return session;
    }

    session(accessKeyId: string): IssuedSession | undefined {
        return this.sessions.get(accessKeyId);
    }

    /** Non-secret view of every issued session, oldest first. */
    list(): Omit<IssuedSession, "secretAccessKey" | "sessionToken">[] {
        return [...this.sessions.values()].map(({ secretAccessKey: _s, sessionToken: _t, ...rest }) => rest);
    }

    clear(): void {
        this.sessions.clear();
        this.roles.clear();
    }
}

/** The identity of long-term credentials: kms-local's test user, or a user named after an unknown key id. */
export function longTermCaller(accessKeyId: string, account: string, testKeyId: string): Caller {
    const name = accessKeyId === testKeyId ? "kms-local-test" : accessKeyId;
    return { principal: `arn:aws:iam::${account}:user/${name}`, account, userId: accessKeyId };
}
