import { randomInt } from "node:crypto";
import { createServer } from "node:https";
import { selfSignedCertificate } from "./certificates";

/**
 * An attacker's KMS for an AWS KMS host name: https on port 443 of a loopback address of its own, with a
 * self-signed certificate for that name (what a spoofed DNS answer, spoofDns.ts, sends a client to). It
 * records every operation that reaches it and refuses each (AccessDeniedException), so nothing proceeds.
 * Port 443 needs root (CI runs as root); each fake takes a random 127.x.y.z so parallel runs do not collide.
 */

export interface FakeKms {
    /** The AWS host name it impersonates, and the https URL with it. */
    host: string;
    url: string;
    /** Where the spoofed name must resolve. */
    address: string;
    /** Its certificate (PEM file): as aws:customCaBundle, the one way a client may trust it. */
    certificateFile: string;
    /** X-Amz-Target operations received (a request that reached HTTP), in order. */
    operations: string[];
    stop(): Promise<void>;
}

export async function startFakeKms(host = "kms.us-east-1.amazonaws.com"): Promise<FakeKms> {
    const certificate = selfSignedCertificate(`DNS:${host}`);
    const operations: string[] = [];
    const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
        operations.push(String(req.headers["x-amz-target"] ?? "").replace("TrentService.", ""));
        req.resume();
        req.on("end", () => {
            res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
            res.end(JSON.stringify({ __type: "AccessDeniedException", message: "the fake KMS refuses everything" }));
        });
    });
    const address = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(443, address, resolve);
    });
    return {
        host,
        url: `https://${host}`,
        address,
        certificateFile: certificate.certFile,
        operations,
        stop: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
                certificate.remove();
            }),
    };
}
