// STS AssumeRole and GetCallerIdentity, enough for clients that assume roles before calling KMS (the AWS SDKs'
// fromTemporaryCredentials, profiles with role_arn, @pulumi/aws's assumeRoles): temporary credentials, role
// chains (sessions assuming further roles, limited to one hour as on AWS), ExternalId and trust enforcement for
// roles a test declares. IAM policies are not evaluated: a role nobody declared can be assumed by anyone.

import type { Caller, IssuedSession, StsStore } from "../store/sessions.js";

export class StsError extends Error {
    constructor(
        readonly code: string,
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const DEFAULT_MAX_SESSION = 3600;
/** AWS: "role chaining limits your session to a maximum of one hour". */
const CHAINED_MAX_SESSION = 3600;

export interface AssumeRoleParams {
    RoleArn?: string;
    RoleSessionName?: string;
    ExternalId?: string;
    DurationSeconds?: string;
    Policy?: string;
    PolicyArns: string[];
    SourceIdentity?: string;
}

const validation = (message: string) => new StsError("ValidationError", 400, message);

export function assumeRole(store: StsStore, caller: Caller, params: AssumeRoleParams, now: number): IssuedSession {
    const roleArn = params.RoleArn ?? "";
    const role = ROLE_ARN.exec(roleArn);
    if (!role)
        throw validation(
            "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must be a role ARN",
        );
    const sessionName = params.RoleSessionName ?? "";
    if (!SESSION_NAME.test(sessionName)) {
        throw validation(
            "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member " +
                "must satisfy regular expression pattern: [\\w+=,.@-]*",
        );
    }
    if (params.ExternalId !== undefined && !EXTERNAL_ID.test(params.ExternalId)) {
        throw validation(
            "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must " +
                "satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
        );
    }
    const definition = store.roles.get(roleArn) ?? {};
    const denied = () =>
        new StsError(
            "AccessDenied",
            403,
            `User: ${caller.principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
    if (definition.externalId !== undefined && params.ExternalId !== definition.externalId) throw denied();
    if (
        definition.trustedPrincipals &&
        !definition.trustedPrincipals.some((p) => p === caller.principal || p === caller.roleArn)
    )
        throw denied();
    const seconds = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
    const max = caller.roleArn ? CHAINED_MAX_SESSION : (definition.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION);
    if (!Number.isInteger(seconds) || seconds < 900) {
        throw validation(
            "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member " +
                "must have value greater than or equal to 900",
        );
    }
    if (seconds > max) {
        throw validation(
            caller.roleArn
                ? "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
                : "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        );
    }
    const account = role[1];
    return store.issue({
        expiration: now + seconds * 1000,
        roleArn,
        principal: `arn:aws:sts::${account}:assumed-role/${role[2]}/${sessionName}`,
        account,
        assumedBy: caller.principal,
        externalId: params.ExternalId,
        policy: params.Policy,
        policyArns: params.PolicyArns.length > 0 ? params.PolicyArns : undefined,
        sourceIdentity: params.SourceIdentity,
    });
}
