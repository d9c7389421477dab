// Who signed a request. Temporary credentials issued by kms-local's AssumeRole are always verified: the
// X-Amz-Security-Token must be the session's, the session unexpired (kms-local clock), and the signature
// made with the session's secret. Other access keys are the long-term test world: accepted as before (their
// signature is verified only with signatureCheck = verify, in server.ts).

import type { IncomingHttpHeaders } from "node:http";
import { E, KmsError } from "../model/errors.js";
import { type Caller, DUMMY_ACCESS_KEY_ID, type StsStore, longTermCaller } from "../store/sessions.js";
import { type SigV4Auth, signatureMatches } from "./sigv4.js";

export async function authenticate(
    sts: StsStore,
    auth: SigV4Auth,
    headers: IncomingHttpHeaders,
    path: string,
    body: Buffer,
    now: number,
): Promise<Caller> {
    if (!auth.accessKeyId.startsWith("ASIA"))
        return longTermCaller(auth.accessKeyId, sts.accountId, DUMMY_ACCESS_KEY_ID);
    const session = sts.session(auth.accessKeyId);
    const token = headers["x-amz-security-token"];
    if (!session || token !== session.sessionToken) {
        throw new KmsError("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (now >= session.expiration)
        throw new KmsError("ExpiredTokenException", "The security token included in the request is expired");
    if (
        !auth.signedHeaders.includes("x-amz-security-token") ||
        !(await signatureMatches(auth, headers, path, body, session.secretAccessKey))
    ) {
        throw E.invalidSignature();
    }
    return {
        principal: session.principal,
        account: session.account,
        roleArn: session.roleArn,
        userId: session.accessKeyId,
    };
}
