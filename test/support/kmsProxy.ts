import {
    createServer,
    request,
    type IncomingHttpHeaders,
    type IncomingMessage,
    type Server,
    type ServerResponse,
} from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";

/**
 * A test-only KMS endpoint on loopback that forwards to kms-local and can misbehave: run a hook before a
 * request is forwarded (someone else acting on the key at that very moment), or rewrite a response (a
 * malicious or broken endpoint choosing the wrapping key). It sees what a real man-in-the-middle would see,
 * and records which operations reached it. A hook that fails drops the connection (the client sees a network
 * error) and stop() rejects with the hook's error, so a broken test fixture is never mistaken for a result.
 */

export interface ProxyHooks {
    /** Called before forwarding; may act on kms-local out of band. */
    before?(operation: string, body: Record<string, unknown>): Promise<void>;
    /** Rewrites a successful JSON response. */
    rewrite?(operation: string, body: Record<string, unknown>): Record<string, unknown>;
    /** Answers in kms-local's stead (nothing forwarded) when it returns a response: an endpoint's own answer. */
    respond?(operation: string, body: Record<string, unknown>): { status: number; body: string } | undefined;
}

export interface KmsProxy {
    url: string;
    /** Operations received, in order. */
    operations: string[];
    hooks: ProxyHooks;
    /** Closes the proxy; rejects if a hook or the forwarding failed while it ran. */
    stop(): Promise<void>;
}

export interface ProxyOptions {
    /** Listen address (default 127.0.0.1). */
    host?: string;
    /** Serve https with this key and certificate (PEM). */
    tls?: { key: string; cert: string };
}

export async function startKmsProxy(
    target: string,
    hooks: ProxyHooks = {},
    options: ProxyOptions = {},
): Promise<KmsProxy> {
    const upstream = new URL(target);
    const operations: string[] = [];
    const failures: Error[] = [];
    const proxy: KmsProxy = { url: "", operations, hooks, stop: async () => undefined };
    const handler = (req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            void (async () => {
                const body = Buffer.concat(chunks);
                const operation = String(req.headers["x-amz-target"] ?? "").replace("TrentService.", "");
                operations.push(operation);
                const parsed =
                    body.length > 0 && operation ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
                await proxy.hooks.before?.(operation, parsed);
                const own = proxy.hooks.respond?.(operation, parsed);
                if (own) {
                    res.writeHead(own.status, {
                        "content-type": "application/x-amz-json-1.1",
                        "content-length": String(Buffer.byteLength(own.body)),
                    });
                    res.end(own.body);
                    return;
                }
                const answer = await forward(upstream, req.method ?? "POST", req.url ?? "/", req.headers, body);
                let payload = answer.body;
                if (answer.status === 200 && operation && proxy.hooks.rewrite) {
                    payload = Buffer.from(
                        JSON.stringify(
                            proxy.hooks.rewrite(
                                operation,
                                JSON.parse(payload.toString("utf8")) as Record<string, unknown>,
                            ),
                        ),
                    );
                }
                res.writeHead(answer.status, { ...answer.headers, "content-length": String(payload.length) });
                res.end(payload);
            })().catch((error: unknown) => {
                failures.push(error instanceof Error ? error : new Error(String(error)));
                res.destroy();
            });
        });
    };
    const server: Server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    proxy.url = `${options.tls ? "https" : "http"}://${host}:${(server.address() as AddressInfo).port}`;
    proxy.stop = async () => {
        await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        });
        if (failures.length > 0) throw new AggregateError(failures, "the KMS test proxy failed while forwarding");
    };
    return proxy;
}

/**
 * Forwarded with kms-local's own Host, as a reverse proxy does: kms-local answers only the Host names it serves
 * (loopback ones here). The request as signed for the proxy's host still passes, since kms-local ignores
 * signatures by default (signatureCheck).
 */
function forward(
    upstream: URL,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
        const out = request(
            {
                host: upstream.hostname,
                port: upstream.port,
                method,
                path,
                headers: { ...headers, host: upstream.host },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const kept: Record<string, string> = {};
                    for (const name of ["content-type", "x-amzn-requestid", "date"])
                        if (res.headers[name]) kept[name] = String(res.headers[name]);
                    resolve({ status: res.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
                });
            },
        );
        out.on("error", reject);
        out.end(body);
    });
}
