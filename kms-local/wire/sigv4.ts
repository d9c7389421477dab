// The Authorization header: parsed for the Region of its SigV4 credential scope (docs/kms-behaviour.md#wire-protocol;
// refused unless it looks like an AWS Region, as AWS refuses a scope naming no Region), and optionally verified (S35)
// against a fixed test secret. Works with any signed-header set (JS v3, boto3, aws CLI). Verification, like AWS, also
// refuses a request signed more than 15 minutes away from the server's (here: kms-local's) clock, and signs the hash of
// the body actually received, never a hash the client claims.

import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { IncomingHttpHeaders } from "node:http";
import { E } from "../model/errors.js";
import { RegionType } from "../model/shapes.js";

export interface SigV4Auth {
    accessKeyId: string;
    date: string;
    region: string;
    service: string;
    signedHeaders: string[];
    signature: string;
}

const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;
const REGION = new RegExp(RegionType.pattern);

/**
 * Is this an AWS Region name (the model's RegionType: lowercase words and a number, at most 32 characters)? The
 * Region keys the store, the quotas and the state file, so `__proto__` or 5,000 characters never get that far.
 */
export function isRegionName(region: string): boolean {
    return region.length >= RegionType.min && region.length <= RegionType.max && REGION.test(region);
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`; throws IncompleteSignatureException, or
 * InvalidSignatureException when the scope names no AWS Region.
 */
export function parseAuthorization(header: string): SigV4Auth {
    const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim());
    if (!m) throw E.incompleteSignature("Authorization header requires the AWS4-HMAC-SHA256 algorithm.");
    const fields = new Map<string, string>();
    for (const part of m[1].split(",")) {
        const eq = part.indexOf("=");
        if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    for (const required of ["Credential", "SignedHeaders", "Signature"]) {
        if (!fields.get(required))
            throw E.incompleteSignature(`Authorization header requires '${required}' parameter.`);
    }
    const cred = CREDENTIAL.exec(fields.get("Credential") as string);
    if (!cred) throw E.incompleteSignature("Authorization header has a malformed Credential scope.");
    const [, accessKeyId, date, region, service] = cred as unknown as [string, string, string, string, string];
    if (!isRegionName(region)) throw E.invalidRegionScope(region);
    return {
        accessKeyId,
        date,
        region,
        service,
        signedHeaders: (fields.get("SignedHeaders") as string).split(";").filter((h) => h.length > 0),
        signature: fields.get("Signature") as string,
    };
}

/** SigV4's validity window around the server's time (Signature Version 4 documentation: 15 minutes). */
export const SIGNATURE_WINDOW_MS = 15 * 60_000;

const amzDateOf = (ms: number): string =>
    new Date(ms)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");

/** The X-Amz-Date of a request as epoch ms, or undefined when absent or malformed. */
export function signingTime(headers: IncomingHttpHeaders): number | undefined {
    const amzDate = headers["x-amz-date"];
    if (typeof amzDate !== "string" || !/^\d{8}T\d{6}Z$/.test(amzDate)) return undefined;
    const date = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}`;
    const ms = Date.parse(`${date}${amzDate.slice(8, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`);
    return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Throws InvalidSignatureException when the request was signed outside ±15 minutes of `now` (kms-local's clock),
 * in the wording AWS JSON services use ("Signature expired: … is now earlier than … (… - 15 min.)").
 */
export function checkSigningWindow(signedAt: number, now: number): void {
    const mins = SIGNATURE_WINDOW_MS / 60_000;
    if (signedAt < now - SIGNATURE_WINDOW_MS) {
        throw E.signatureOutsideWindow(
            `Signature expired: ${amzDateOf(signedAt)} is now earlier than ` +
                `${amzDateOf(now - SIGNATURE_WINDOW_MS)} (${amzDateOf(now)} - ${mins} min.)`,
        );
    }
    if (signedAt > now + SIGNATURE_WINDOW_MS) {
        throw E.signatureOutsideWindow(
            `Signature not yet current: ${amzDateOf(signedAt)} is still later than ` +
                `${amzDateOf(now + SIGNATURE_WINDOW_MS)} (${amzDateOf(now)} + ${mins} min.)`,
        );
    }
}

/**
 * Re-signs the request with @smithy/signature-v4 (the SDK's own signer) using the fixed test secret, over
 * exactly the headers the client signed, and compares signatures in constant time. The payload hash is always
 * computed from `body`: the signer would otherwise trust a client's x-amz-content-sha256 header.
 */
export async function signatureMatches(
    auth: SigV4Auth,
    headers: IncomingHttpHeaders,
    path: string,
    body: Buffer,
    secret: string,
): Promise<boolean> {
    const signedAt = signingTime(headers);
    if (signedAt === undefined) return false;
    const signingDate = new Date(signedAt);
    const signed: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
        const value = headers[name];
        signed[name] = Array.isArray(value) ? value.join(",") : (value ?? "");
    }
    // The signer takes the payload hash from a signed x-amz-content-sha256 header when there is one: replace the
    // client's claim with the hash of the body received, so a lie fails the comparison. (Unsigned, the header is
    // not passed on at all and the signer hashes the body itself.)
    if ("x-amz-content-sha256" in signed)
        signed["x-amz-content-sha256"] = createHash("sha256").update(body).digest("hex");
    const [pathname = "/", query = ""] = path.split("?");
    const signer = new SignatureV4({
        credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: secret },
        region: auth.region,
        service: auth.service,
        sha256: Sha256,
        applyChecksum: false,
    });
    const request = new HttpRequest({
        method: "POST",
        protocol: "http:",
        hostname: (signed["host"] ?? "").split(":")[0] ?? "",
        path: pathname,
        query: Object.fromEntries(new URLSearchParams(query)),
        headers: signed,
        body,
    });
    const signedRequest = await signer.sign(request, { signingDate, signableHeaders: new Set(auth.signedHeaders) });
    const expected = /Signature=([0-9a-f]+)/.exec(signedRequest.headers["authorization"] ?? "")?.[1] ?? "";
    const given = Buffer.from(auth.signature);
    return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}
