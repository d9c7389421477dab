// The HTTP server: POST / with X-Amz-Target is KMS (awsJson1.1); a form-encoded POST / is STS (stsQuery.ts);
// /_kms-local/* is the control surface; anything else is 404. Reads at most `bodyLimit` bytes (default 1 MiB: KMS's largest members are a few KiB), answers an
// oversized body with 413 RequestEntityTooLargeException and closes the connection.

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { KmsLocalControl } from "../control/control.js";
import type { KmsRequest, Runtime } from "../control/runtime.js";
import { E, KmsError, statusOf, type StatusModes } from "../model/errors.js";
import { OPERATIONS } from "../operations/index.js";
import { CONTROL_PREFIX, handleControl, refuseControlRequest } from "./controlHttp.js";
import { toAwsJson } from "./json.js";
import { authenticate } from "./principals.js";
import { checkSigningWindow, parseAuthorization, signatureMatches, signingTime } from "./sigv4.js";
import { handleSts, isStsRequest } from "./stsQuery.js";

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
const JSON_TYPE = "application/x-amz-json-1.1";

export interface ServerOptions {
  bodyLimit: number;
  /** Region used when a request has no (parsable) credential scope and auth is not required. */
  defaultRegion: string;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Reads the body up to `limit` bytes; resolves undefined (after answering 413) when it is larger. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, modes: StatusModes): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const tooLarge = () => {
      const e = E.tooLarge(limit);
      send(res, statusOf(e.type, modes), toAwsJson({ __type: e.type, message: e.wireMessage }), {
        connection: "close",
        "x-amzn-RequestId": randomUUID(),
      });
      res.on("finish", () => req.socket.destroy());
      resolve(undefined);
    };
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        tooLarge();
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
async function parseKmsRequest(rt: Runtime, req: IncomingMessage, path: string, body: Buffer, defaultRegion: string): Promise<KmsRequest> {
  const target = req.headers["x-amz-target"];
  const operation = typeof target === "string" && target.startsWith("TrentService.") ? target.slice("TrentService.".length) : undefined;
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
        if (!temporary && !(await signatureMatches(auth, req.headers, path, body, rt.switches.signatureSecret))) throw E.invalidSignature();
      }
      out.principal = (await authenticate(rt.sts, auth, req.headers, path, body, rt.clock.now())).principal;
    }
    if (operation === undefined || !Object.prototype.hasOwnProperty.call(OPERATIONS, operation)) throw E.unknownOperation();
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

export function createKmsServer(rt: Runtime, control: KmsLocalControl, options: ServerOptions): Server {
  const server = createServer((req, res) => {
    void (async () => {
      const url = safeUrl(req.url);
      const body = await readBody(req, res, options.bodyLimit, rt.switches);
      if (body === undefined) return;
      if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
        const method = req.method ?? "GET";
        const reply = refuseControlRequest(method, req.headers) ?? handleControl(control, method, url, body);
        send(res, reply.status, JSON.stringify(reply.body), { "content-type": "application/json" });
        return;
      }
      if (isStsRequest(req, url.pathname)) return handleSts(rt, req, res, body, options.defaultRegion);
      if (req.method !== "POST" || url.pathname !== "/") {
        send(res, 404, JSON.stringify({ error: "kms-local serves KMS at POST / and its control surface under /_kms-local/" }), {
          "content-type": "application/json",
        });
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
      send(res, reply.status, toAwsJson(reply.body), { "x-amzn-RequestId": reply.requestId, date: new Date(rt.clock.now()).toUTCString() });
    })().catch(() => {
      // Last line of defence: nothing a client sends may crash the process.
      send(res, 500, toAwsJson({ __type: "KMSInternalException", message: "kms-local internal error" }), {});
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  return server;
}
