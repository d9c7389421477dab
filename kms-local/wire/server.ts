// The HTTP server: POST / with X-Amz-Target is KMS (awsJson1.1); a form-encoded POST / is STS (stsQuery.ts);
// /_kms-local/* is the control surface; anything else is 404. Before any route is chosen, every request must carry
// a Host (and no Origin other than) one hostGuard.ts accepts, else 403 AccessDeniedException, so a web page cannot
// drive kms-local by DNS rebinding. Resources per client are bounded: at most `maxConnections` connections are
// served (a request on one more is answered 503 ServiceUnavailableException and the connection closed; beyond
// twice as many, connections are closed unanswered), request bodies are read up to `bodyLimit` bytes (413
// RequestEntityTooLargeException, connection closed), and headers / whole requests must arrive within
// HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS (a request waiting for its answer, e.g. a held one, is not timed out).

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { KmsLocalControl } from "../control/control.js";
import type { KmsRequest, Runtime } from "../control/runtime.js";
import { E, KmsError, statusOf, type StatusModes } from "../model/errors.js";
import { OPERATIONS } from "../operations/index.js";
import { CONTROL_PREFIX, handleControl, refuseControlRequest } from "./controlHttp.js";
import type { HostGuard } from "./hostGuard.js";
import { toAwsJson } from "./json.js";
import { authenticate } from "./principals.js";
import { checkSigningWindow, parseAuthorization, signatureMatches, signingTime } from "./sigv4.js";
import { handleSts, isStsRequest, refuseSts } from "./stsQuery.js";

/**
 * 64 KiB: every request KMS itself would accept, with room to spare, and no more. The largest request of the
 * import workflow is ImportKeyMaterial: its ImportToken and EncryptedKeyMaterial are each a blob of at most 6144
 * bytes (docs/kms-behaviour.md#importkeymaterial; CiphertextType in the model), 8192 characters in base64; with a KeyId
 * of at most 2048 characters, a KeyMaterialDescription of at most 256 (1536 bytes if every one is JSON-escaped), a
 * 64-character KeyMaterialId, ValidTo, ExpirationModel, ImportType and the member names, its JSON is at most 20,260
 * bytes. Encrypt / Decrypt / Sign / Verify carry at most a 4096-byte plaintext or message and a 6144-byte ciphertext or
 * signature (the model): less again. The one larger request AWS accepts is CreateKey / ReplicateKey with a key policy:
 * AWS refuses policies over 32 KiB (docs/kms-behaviour.md#createkey-describekey-and-listkeys), about 40 KB once its
 * quotes are escaped inside the JSON body, plus Description and Tags. Refused with 413: only what the model allows but
 * no real request carries (a 131,072-character Policy beyond AWS's own quota, ten 8,192-character GrantTokens). With
 * DEFAULT_MAX_CONNECTIONS, bodies in memory stay under 16 MiB however many clients try (1 MiB bodies on 200 connections
 * cost 177 MiB of RSS before).
 */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/**
 * Concurrent connections served; SDK clients keep a few each (keep-alive), `pulumi up --parallel 64` stays far below.
 */
export const DEFAULT_MAX_CONNECTIONS = 256;
/** Request headers must arrive within 10 s of the connection (or of the previous request): loopback needs ms. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request (headers and body, at most bodyLimit bytes) within 30 s; the answer may take longer (holds). */
export const REQUEST_TIMEOUT_MS = 30_000;
const JSON_TYPE = "application/x-amz-json-1.1";

export interface ServerOptions {
    bodyLimit: number;
    /** Region used when a request has no (parsable) credential scope and auth is not required. */
    defaultRegion: string;
    maxConnections: number;
    /** Which Host / Origin headers are answered. */
    hostGuard: HostGuard;
}

/** Which protocol answers a request, so that a refusal is sent in the shape its client reads. */
type Route = "control" | "sts" | "kms";

function routeOf(req: IncomingMessage, url: URL): Route {
    if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) return "control";
    return isStsRequest(req, url.pathname) ? "sts" : "kms";
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { "content-type": JSON_TYPE, "content-length": String(Buffer.byteLength(body)), ...headers });
    res.end(body);
}

/**
 * Answers a request kms-local refuses before (or instead of) reading its body, in its route's shape, and closes
 * the connection once the answer is out, so an unread body is never waited for.
 */
function refuse(req: IncomingMessage, res: ServerResponse, route: Route, error: KmsError, modes: StatusModes): void {
    res.on("finish", () => req.socket.destroy());
    const close = { connection: "close" };
    if (route === "sts") {
        refuseSts(res, error, close);
        return;
    }
    const status = statusOf(error.type, modes);
    if (route === "control") {
        send(res, status, JSON.stringify({ error: error.wireMessage }), {
            ...close,
            "content-type": "application/json",
        });
        return;
    }
    send(res, status, toAwsJson({ __type: error.type, message: error.wireMessage }), {
        ...close,
        "x-amzn-RequestId": randomUUID(),
    });
}

/** Reads the body up to `limit` bytes; resolves "tooLarge" as soon as it is known to be larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "tooLarge" | undefined> {
    return new Promise((resolve) => {
        const declared = Number(req.headers["content-length"]);
        if (Number.isFinite(declared) && declared > limit) {
            resolve("tooLarge");
            return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        req.on("data", (chunk: Buffer) => {
            if (done) return;
            size += chunk.length;
            if (size > limit) {
                done = true;
                chunks.length = 0;
                resolve("tooLarge");
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => {
            if (!done) resolve(Buffer.concat(chunks));
        });
        req.on("error", () => resolve(undefined));
    });
}

/** Turns the raw request into a KmsRequest: auth (region), target, JSON body; errors become `early`. */
async function parseKmsRequest(
    rt: Runtime,
    req: IncomingMessage,
    path: string,
    body: Buffer,
    defaultRegion: string,
): Promise<KmsRequest> {
    const target = req.headers["x-amz-target"];
    const operation =
        typeof target === "string" && target.startsWith("TrentService.")
            ? target.slice("TrentService.".length)
            : undefined;
    const out: KmsRequest = { operation, region: defaultRegion, body: {} };
    try {
        const header = req.headers.authorization;
        if (header === undefined) {
            if (rt.switches.requireAuth === "require") throw E.missingAuth();
        } else {
            const auth = parseAuthorization(header);
            out.region = auth.region;
            // Temporary (AssumeRole) credentials are verified by authenticate() below, with their session's secret.
            const temporary = auth.accessKeyId.startsWith("ASIA");
            if (rt.switches.signatureCheck === "verify") {
                const signedAt = signingTime(req.headers);
                if (signedAt !== undefined) checkSigningWindow(signedAt, rt.clock.now());
                if (!temporary && !(await signatureMatches(auth, req.headers, path, body, rt.switches.signatureSecret)))
                    throw E.invalidSignature();
            }
            out.principal = (await authenticate(rt.sts, auth, req.headers, path, body, rt.clock.now())).principal;
        }
        if (operation === undefined || !Object.prototype.hasOwnProperty.call(OPERATIONS, operation))
            throw E.unknownOperation();
        const text = body.toString("utf8");
        if (text.trim().length > 0) {
            let parsed: unknown;
            try {
                parsed = JSON.parse(text);
            } catch {
                throw E.serialization("Unable to parse the request body as JSON.");
            }
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                throw E.serialization("The request body must be a JSON object.");
            }
            out.body = parsed;
        }
    } catch (e) {
        out.early = e instanceof KmsError ? e : E.internal();
    }
    return out;
}

/** The request target as a URL; an unparsable one becomes a path nothing answers (404). */
function safeUrl(target: string | undefined): URL {
    try {
        return new URL(target ?? "/", "http://kms-local");
    } catch {
        return new URL("http://kms-local/_invalid_request_target");
    }
}

/**
 * Counts open connections and marks those opened while `max` were already open: their requests are refused (a
 * clear answer rather than a reset). Node itself closes, unanswered, any connection beyond twice `max`.
 */
function capConnections(server: Server, max: number): (socket: Socket) => boolean {
    const overCap = new WeakSet<Socket>();
    let open = 0;
    server.maxConnections = 2 * max;
    server.on("connection", (socket: Socket) => {
        if (open >= max) overCap.add(socket);
        open++;
        socket.once("close", () => open--);
    });
    return (socket) => overCap.has(socket);
}

export function createKmsServer(rt: Runtime, control: KmsLocalControl, options: ServerOptions): Server {
    let isOverCap: (socket: Socket) => boolean = () => false;
    const server = createServer(
        { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
        (req, res) => {
            void (async () => {
                const url = safeUrl(req.url);
                const route = routeOf(req, url);
                const foreign = options.hostGuard.refusal({ host: req.headers.host, origin: req.headers.origin });
                if (foreign) {
                    const error = foreign === "Host" ? E.foreignHost() : E.foreignOrigin();
                    refuse(req, res, route, error, rt.switches);
                    return;
                }
                if (isOverCap(req.socket)) {
                    refuse(req, res, route, E.tooManyConnections(options.maxConnections), rt.switches);
                    return;
                }
                const body = await readBody(req, options.bodyLimit);
                if (body === undefined) return;
                if (body === "tooLarge") {
                    refuse(req, res, route, E.tooLarge(options.bodyLimit), rt.switches);
                    return;
                }
                if (route === "control") {
                    const method = req.method ?? "GET";
                    const reply =
                        refuseControlRequest(method, req.headers) ?? handleControl(control, method, url, body);
                    send(res, reply.status, JSON.stringify(reply.body), { "content-type": "application/json" });
                    return;
                }
                if (route === "sts") return handleSts(rt, req, res, body, options.defaultRegion);
                if (req.method !== "POST" || url.pathname !== "/") {
                    send(
                        res,
                        404,
                        JSON.stringify({
                            error: "kms-local serves KMS at POST / and its control surface under /_kms-local/",
                        }),
                        {
                            "content-type": "application/json",
                        },
                    );
                    return;
                }
                const kmsRequest = await parseKmsRequest(rt, req, req.url ?? "/", body, options.defaultRegion);
                // A client that closed its end (or whose socket died) is gone: a held request may outlive it.
                kmsRequest.connection = { alive: () => !req.socket.destroyed && !req.socket.readableEnded };
                const reply = await rt.handle(kmsRequest);
                if (reply.drop) {
                    req.socket.destroy();
                    return;
                }
                // Like AWS, every response carries the server's time: kms-local's clock (which tests move), so clients
                // judge expiry by KMS's time, as they must with the real service.
                send(res, reply.status, toAwsJson(reply.body), {
                    "x-amzn-RequestId": reply.requestId,
                    date: new Date(rt.clock.now()).toUTCString(),
                });
            })().catch(() => {
                // Last line of defence: nothing a client sends may crash the process.
                send(res, 500, toAwsJson({ __type: "KMSInternalException", message: "kms-local internal error" }), {});
            });
        },
    );
    isOverCap = capConnections(server, options.maxConnections);
    server.on("clientError", (_err, socket) => socket.destroy());
    return server;
}
