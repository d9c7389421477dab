// The Authorization header: parsed for the Region of its SigV4 credential scope (ref §1.1), and optionally
// verified (S35) against a fixed test secret. Works with any signed-header set (JS v3, boto3, aws CLI).

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { E } from "../model/errors.js";

export interface SigV4Auth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;

/** Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; throws IncompleteSignatureException. */
export function parseAuthorization(header: string): SigV4Auth {
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim());
  if (!m) throw E.incompleteSignature("Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
  const fields = new Map<string, string>();
  for (const part of (m[1] as string).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const required of ["Credential", "SignedHeaders", "Signature"]) {
    if (!fields.get(required)) throw E.incompleteSignature(`Authorization header requires '${required}' parameter.`);
  }
  const cred = CREDENTIAL.exec(fields.get("Credential") as string);
  if (!cred) throw E.incompleteSignature("Authorization header has a malformed Credential scope.");
  const [, accessKeyId, date, region, service] = cred as unknown as [string, string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: (fields.get("SignedHeaders") as string).split(";").filter((h) => h.length > 0),
    signature: fields.get("Signature") as string,
  };
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/** Recomputes the SigV4 signature of a `POST /` request and compares it in constant time. */
export function signatureMatches(auth: SigV4Auth, headers: IncomingHttpHeaders, path: string, body: Buffer, secret: string): boolean {
  const amzDate = headers["x-amz-date"];
  if (typeof amzDate !== "string") return false;
  const canonicalHeaders = auth.signedHeaders
    .map((h) => {
      const v = headers[h];
      const value = Array.isArray(v) ? v.join(",") : (v ?? "");
      return `${h}:${value.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const payloadHash = typeof headers["x-amz-content-sha256"] === "string" ? headers["x-amz-content-sha256"] : sha256(body);
  const [uri, query = ""] = path.split("?");
  const canonicalRequest = ["POST", uri, query, canonicalHeaders, auth.signedHeaders.join(";"), payloadHash].join("\n");
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${secret}`, auth.date);
  for (const part of [auth.region, auth.service, "aws4_request"]) key = hmac(key, part);
  const expected = Buffer.from(createHmac("sha256", key).update(stringToSign).digest("hex"));
  const given = Buffer.from(auth.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
