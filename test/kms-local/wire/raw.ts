// Raw HTTP helpers for wire-level tests (bad input the SDK would never send).

import { request } from "node:http";
import { connect } from "node:net";

export interface RawResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
    json: Record<string, unknown> | undefined;
}

/** An Authorization header with a syntactically valid SigV4 scope (signature not checked by default). */
export const fakeAuth = (region = "us-east-1") =>
    `AWS4-HMAC-SHA256 Credential=AKIAKMSLOCALTEST0000/20261123/${region}/kms/aws4_request, ` +
    `SignedHeaders=host;x-amz-date;x-amz-target, Signature=${"0".repeat(64)}`;

export function rawRequest(
    url: string,
    options: {
        method?: string;
        path?: string;
        headers?: Record<string, string>;
        body?: string | Buffer;
        newConnection?: boolean;
    } = {},
): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const agent = options.newConnection ? { agent: false as const } : {};
        const req = request(
            `${url}${options.path ?? "/"}`,
            { method: options.method ?? "POST", headers: options.headers ?? {}, ...agent },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let json: Record<string, unknown> | undefined;
                    try {
                        json = JSON.parse(text) as Record<string, unknown>;
                    } catch {
                        json = undefined;
                    }
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
                });
                res.on("error", reject);
            },
        );
        req.on("error", reject);
        req.end(options.body);
    });
}

/** A KMS call with JSON body (or raw text) and a fake SigV4 Authorization header. */
export function kmsCall(
    url: string,
    target: string | undefined,
    body: string | Buffer,
    headers: Record<string, string> = {},
): Promise<RawResponse> {
    const h: Record<string, string> = {
        "content-type": "application/x-amz-json-1.1",
        authorization: fakeAuth(),
        ...headers,
    };
    if (target !== undefined) h["x-amz-target"] = target;
    return rawRequest(url, { headers: h, body });
}

/** Opens a socket, writes `data` (e.g. headers promising more body than sent), then closes it. */
export function truncatedRequest(url: string, data: string | Buffer): Promise<void> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve) => {
        const socket = connect(Number(port), hostname, () => {
            socket.end(data);
        });
        socket.on("error", () => resolve());
        socket.on("close", () => resolve());
        socket.resume();
    });
}
