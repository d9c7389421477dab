import type * as pulumi from "@pulumi/pulumi";
import type { ConfigSource } from "./stackConfig";

/**
 * Credentials configured the way @pulumi/aws reads them (its `aws:*` config keys, same names and shapes):
 * static keys, shared credential/config files, a profile, and a chain of roles to assume. Plain data;
 * `secretKey` and `token` are secrets: they reach the SDK's signer and the per-call redactor only.
 */

/** One role of the chain: @pulumi/aws's `AssumeRoles` shape (config) and the resource's `assumeRole` input. */
export interface AssumeRoleSettings {
    roleArn: string;
    externalId?: string;
    sessionName?: string;
    /** Go duration text as @pulumi/aws takes it (`"1h"`, `"15m"`, `"3600s"`), 15 minutes to 12 hours. */
    duration?: string;
    /** @pulumi/aws 6.x's name for the duration, in seconds. */
    durationSeconds?: number;
    policy?: string;
    policyArns?: string[];
    sourceIdentity?: string;
    tags?: Record<string, string>;
    transitiveTagKeys?: string[];
}

export interface CredentialSettings {
    accessKey?: string;
    /** Secret. */
    secretKey?: string;
    /** Secret. */
    token?: string;
    profile?: string;
    sharedCredentialsFiles?: string[];
    sharedConfigFiles?: string[];
    /** Assumed in order, each with the credentials the previous one produced. */
    assumeRoles: AssumeRoleSettings[];
}

/** @pulumi/aws's assume-role shape (`aws:assumeRoles` entries): the role and how to assume it. */
export interface AssumeRoleArgs {
    /**
     * The IAM role to assume (arn:aws:iam::<account>:role/<name>), e.g. the role allowed to import into a key of
     * another account.
     */
    roleArn: pulumi.Input<string>;
    /** The external ID the role's trust policy requires, if any. Not a secret to AWS; never logged. */
    externalId?: pulumi.Input<string>;
    /** The session name recorded in CloudTrail. Default: chosen by the AWS SDK. */
    sessionName?: pulumi.Input<string>;
    /** 15m to 12h, Go duration text such as "1h". Default: STS's (1 hour). */
    duration?: pulumi.Input<string>;
    /** An inline session policy (JSON) narrowing the role's permissions for these calls. */
    policy?: pulumi.Input<string>;
    /** ARNs of managed policies narrowing the role's permissions for these calls. */
    policyArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** The source identity to set on the session (CloudTrail), if the role requires one. */
    sourceIdentity?: pulumi.Input<string>;
    /** Session tags. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Session tag keys that pass on to further roles in a chain. */
    transitiveTagKeys?: pulumi.Input<pulumi.Input<string>[]>;
}

export const ASSUME_ROLE_FIELDS = [
    "roleArn",
    "externalId",
    "sessionName",
    "duration",
    "durationSeconds",
    "policy",
    "policyArns",
    "sourceIdentity",
    "tags",
    "transitiveTagKeys",
] as const;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(?:\d{12}|aws):policy\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
const MIN_SESSION_SECONDS = 900;
const MAX_SESSION_SECONDS = 43_200;

export function readCredentialSettings(config: ConfigSource, problems: string[]): CredentialSettings {
    const text = (key: string) => {
        const value = config.get(key);
        return value === undefined || value.trim() === "" ? undefined : value.trim();
    };
    const settings: CredentialSettings = { assumeRoles: [] };
    const accessKey = text("aws:accessKey");
    const secretKey = text("aws:secretKey");
    if ((accessKey === undefined) !== (secretKey === undefined)) {
        problems.push(
            "config aws:accessKey and aws:secretKey must be set together (aws:token too, for temporary credentials)",
        );
    } else if (accessKey && secretKey) {
        Object.assign(settings, { accessKey, secretKey, token: text("aws:token") });
    }
    settings.sharedCredentialsFiles = fileList(
        text("aws:sharedCredentialsFiles"),
        "aws:sharedCredentialsFiles",
        problems,
    );
    settings.sharedConfigFiles = fileList(text("aws:sharedConfigFiles"), "aws:sharedConfigFiles", problems);
    const legacy = parseJson(text("aws:assumeRole"), "aws:assumeRole", problems);
    const chain = parseJson(text("aws:assumeRoles"), "aws:assumeRoles", problems);
    const entries = [
        ...(legacy === undefined ? [] : [legacy]),
        ...(chain === undefined ? [] : Array.isArray(chain) ? (chain as unknown[]) : [chain]),
    ];
    entries.forEach((entry, index) => {
        const chainIndex = index - (legacy !== undefined ? 1 : 0);
        const entryName = legacy !== undefined && index === 0 ? "aws:assumeRole" : `aws:assumeRoles[${chainIndex}]`;
        const where = `config ${entryName}`;
        const problem = assumeRoleProblems(entry, where);
        if (problem.length > 0) problems.push(...problem);
        // @pulumi/aws (like Terraform) ignores an assume-role block without a role.
        else if ((entry as AssumeRoleSettings).roleArn) settings.assumeRoles.push(entry as AssumeRoleSettings);
    });
    return dropEmpty(settings);
}

/**
 * What is wrong with an assume-role object, each problem naming the field and the rule, never its value
 * (`where` names the config key or the input). An object without roleArn is allowed here; callers decide.
 */
export function assumeRoleProblems(value: unknown, where: string): string[] {
    if (!value || typeof value !== "object" || Array.isArray(value))
        return [`${where} must be an object such as { roleArn: "arn:aws:iam::<account>:role/<name>" }`];
    const role = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const name of Object.keys(role)) {
        if (!(ASSUME_ROLE_FIELDS as readonly string[]).includes(name))
            problems.push(`${where} has an unknown field; valid fields: ${ASSUME_ROLE_FIELDS.join(", ")}`);
    }
    const rule = (name: string, ok: (v: unknown) => boolean, text: string) => {
        if (role[name] !== undefined && role[name] !== null && !ok(role[name]))
            problems.push(`${where}.${name} must be ${text}`);
    };
    const matches = (pattern: RegExp) => (v: unknown) => typeof v === "string" && pattern.test(v);
    rule("roleArn", matches(ROLE_ARN), "an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)");
    rule("externalId", matches(EXTERNAL_ID), "2 to 1224 characters of letters, digits and + = , . @ : / -");
    rule("sessionName", matches(SESSION_NAME), "2 to 64 characters of letters, digits and + = , . @ -");
    rule("sourceIdentity", matches(SOURCE_IDENTITY), "2 to 64 characters of letters, digits and + = , . @ -");
    rule(
        "duration",
        (v) => typeof v === "string" && inSessionRange(goDurationSeconds(v)),
        'a duration from 15m to 12h, such as "1h" or "3600s"',
    );
    rule(
        "durationSeconds",
        (v) => typeof v === "number" && Number.isInteger(v) && inSessionRange(v),
        `a whole number of seconds from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}`,
    );
    rule("policy", (v) => typeof v === "string" && isJsonObject(v), "an IAM policy document (JSON text)");
    rule("policyArns", (v) => Array.isArray(v) && v.every(matches(POLICY_ARN)), "a list of IAM policy ARNs");
    rule("transitiveTagKeys", (v) => Array.isArray(v) && v.every((k) => typeof k === "string"), "a list of tag keys");
    rule(
        "tags",
        (v) =>
            !!v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((t) => typeof t === "string"),
        "a map of strings",
    );
    if (role["duration"] !== undefined && role["durationSeconds"] !== undefined)
        problems.push(`${where} sets both duration and durationSeconds; keep duration`);
    return problems;
}

/** The session length to ask STS for, in seconds (undefined: STS's default of one hour). */
export function sessionSeconds(role: AssumeRoleSettings): number | undefined {
    return role.duration !== undefined ? goDurationSeconds(role.duration) : role.durationSeconds;
}

/** Go's time.ParseDuration subset that makes sense here: "1h30m", "900s", "45m", "1.5h". */
export function goDurationSeconds(text: string): number | undefined {
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) return undefined;
    return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0));
}

const inSessionRange = (seconds: number | undefined): boolean =>
    seconds !== undefined && seconds >= MIN_SESSION_SECONDS && seconds <= MAX_SESSION_SECONDS;

function isJsonObject(text: string): boolean {
    try {
        const parsed: unknown = JSON.parse(text);
        return !!parsed && typeof parsed === "object" && !Array.isArray(parsed);
    } catch {
        return false;
    }
}

function parseJson(text: string | undefined, key: string, problems: string[]): unknown {
    if (text === undefined) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        problems.push(
            `config ${key} must be structured config (a JSON value, as \`pulumi config set --path\` stores it)`,
        );
        return undefined;
    }
}

function fileList(text: string | undefined, key: string, problems: string[]): string[] | undefined {
    if (text === undefined) return undefined;
    const parsed = text.startsWith("[") ? parseJson(text, key, problems) : [text];
    if (Array.isArray(parsed) && parsed.every((f) => typeof f === "string" && f.length > 0)) return parsed as string[];
    if (parsed !== undefined) problems.push(`config ${key} must be a list of file paths`);
    return undefined;
}

function dropEmpty(settings: CredentialSettings): CredentialSettings {
    return Object.fromEntries(
        Object.entries(settings).filter(([, v]) => v !== undefined),
    ) as unknown as CredentialSettings;
}
