// STS on the same port as KMS, told apart by the request's shape: KMS is awsJson1.1 (X-Amz-Target), STS the AWS
// query protocol (form-encoded POST, XML answers). AssumeRole and GetCallerIdentity only; every request is
// signed and authenticated like a KMS request, and recorded in the request log with its principal.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../control/runtime.js";
import { KmsError } from "../model/errors.js";
import { StsError, assumeRole } from "../operations/sts.js";
import type { Caller } from "../store/sessions.js";
import { authenticate } from "./principals.js";
import { parseAuthorization, signatureMatches } from "./sigv4.js";

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** POST / with a form body and no X-Amz-Target: an STS query request. */
export function isStsRequest(req: IncomingMessage, pathname: string): boolean {
    const type = req.headers["content-type"] ?? "";
    return (
        req.method === "POST" &&
        pathname === "/" &&
        req.headers["x-amz-target"] === undefined &&
        type.startsWith("application/x-www-form-urlencoded")
    );
}

export async function handleSts(
    rt: Runtime,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    defaultRegion: string,
): Promise<void> {
    const requestId = randomUUID();
    const form = new URLSearchParams(body.toString("utf8"));
    const action = form.get("Action") ?? "(unknown)";
    let region = defaultRegion;
    let principal: string | undefined;
    let status = 200;
    let errorType: string | undefined;
    let xml: string;
    try {
        const header = req.headers.authorization;
        if (header === undefined)
            throw new StsError("MissingAuthenticationToken", 403, "Request is missing Authentication Token");
        const auth = parseAuthorization(header);
        region = auth.region;
        const caller = await authenticated(rt, auth, req, body);
        principal = caller.principal;
        xml = answer(rt, action, caller, form, requestId);
    } catch (error) {
        const e = asStsError(error);
        status = e.status;
        errorType = e.code;
        xml = errorXml(e, requestId);
    }
    rt.metrics.record({
        time: rt.clock.now(),
        requestId,
        operation: action,
        region,
        principal,
        status,
        errorType,
        durationMs: 0,
    });
    sendXml(res, status, xml, { "x-amzn-RequestId": requestId, date: new Date(rt.clock.now()).toUTCString() });
}

function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string>): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { "content-type": "text/xml", "content-length": String(Buffer.byteLength(xml)), ...headers });
    res.end(xml);
}

function errorXml(e: StsError, requestId: string): string {
    return (
        `<ErrorResponse xmlns="${XMLNS}">` +
        `<Error><Type>Sender</Type><Code>${e.code}</Code><Message>${escape(e.message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`
    );
}

/** Answers an STS request kms-local refuses before reading it (foreign Host, too many connections) in STS's shape. */
export function refuseSts(res: ServerResponse, error: KmsError, headers: Record<string, string>): void {
    const requestId = randomUUID();
    const e = asStsError(error);
    sendXml(res, e.status, errorXml(e, requestId), { "x-amzn-RequestId": requestId, ...headers });
}

async function authenticated(
    rt: Runtime,
    auth: ReturnType<typeof parseAuthorization>,
    req: IncomingMessage,
    body: Buffer,
): Promise<Caller> {
    const path = req.url ?? "/";
    const verifyLongTerm = rt.switches.signatureCheck === "verify" && !auth.accessKeyId.startsWith("ASIA");
    if (verifyLongTerm && !(await signatureMatches(auth, req.headers, path, body, rt.switches.signatureSecret))) {
        throw new StsError(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    return authenticate(rt.sts, auth, req.headers, path, body, rt.clock.now());
}

function answer(rt: Runtime, action: string, caller: Caller, form: URLSearchParams, requestId: string): string {
    const metadata = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
    if (action === "GetCallerIdentity") {
        const result =
            `<Arn>${escape(caller.principal)}</Arn><UserId>${escape(caller.userId)}</UserId>` +
            `<Account>${caller.account}</Account>`;
        return (
            `<GetCallerIdentityResponse ` +
            `xmlns="${XMLNS}"><GetCallerIdentityResult>${result}</GetCallerIdentityResult>${metadata}</GetCallerIdentityResponse>`
        );
    }
    if (action !== "AssumeRole")
        throw new StsError(
            "InvalidAction",
            400,
            `Could not find operation ${action} for version ${form.get("Version") ?? "NO_VERSION_SPECIFIED"}`,
        );
    const policyArns = [...form.entries()].filter(([k]) => /^PolicyArns\.member\.\d+\.arn$/.test(k)).map(([, v]) => v);
    const session = assumeRole(
        rt.sts,
        caller,
        {
            RoleArn: form.get("RoleArn") ?? undefined,
            RoleSessionName: form.get("RoleSessionName") ?? undefined,
            ExternalId: form.get("ExternalId") ?? undefined,
            DurationSeconds: form.get("DurationSeconds") ?? undefined,
            Policy: form.get("Policy") ?? undefined,
            PolicyArns: policyArns,
            SourceIdentity: form.get("SourceIdentity") ?? undefined,
        },
        rt.clock.now(),
    );
    const roleId = `AROA${session.accessKeyId.slice(4)}`;
    const sessionName = escape(session.principal.split("/").at(-1) ?? "");
    const expiration = new Date(session.expiration).toISOString();
    const result =
        `<AssumedRoleUser><AssumedRoleId>${roleId}:${sessionName}</AssumedRoleId>` +
        `<Arn>${escape(session.principal)}</Arn></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${escape(session.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${escape(session.sessionToken)}</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials>` +
        (session.sourceIdentity ? `<SourceIdentity>${escape(session.sourceIdentity)}</SourceIdentity>` : "");
    return (
        `<AssumeRoleResponse ` +
        `xmlns="${XMLNS}"><AssumeRoleResult>${result}</AssumeRoleResult>${metadata}</AssumeRoleResponse>`
    );
}

/** KMS-style authentication errors in STS's vocabulary. */
function asStsError(error: unknown): StsError {
    if (error instanceof StsError) return error;
    if (error instanceof KmsError) {
        const codes: Record<string, [string, number]> = {
            UnrecognizedClientException: ["InvalidClientTokenId", 403],
            InvalidSignatureException: ["SignatureDoesNotMatch", 403],
            ExpiredTokenException: ["ExpiredToken", 400],
            IncompleteSignatureException: ["IncompleteSignature", 403],
            AccessDeniedException: ["AccessDenied", 403],
            ServiceUnavailableException: ["ServiceUnavailable", 503],
            RequestEntityTooLargeException: ["RequestEntityTooLarge", 413],
        };
        const [code, status] = codes[error.type] ?? [error.type, 400];
        return new StsError(code, status, error.wireMessage ?? error.type);
    }
    return new StsError("InternalFailure", 500, "kms-local internal error");
}

function escape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
