// SigV4: JS SDK, boto3-style (content-type;host;x-amz-date;x-amz-target) and S35 signature verification.

import * as assert from "node:assert/strict";
import { createHash, createHmac, type Hash } from "node:crypto";
import { ListKeysCommand, KMSClient } from "@aws-sdk/client-kms";
import { SignatureV4 } from "@smithy/signature-v4";
import { expectKmsError, makeClient, useKmsLocal } from "../fixture.js";
import { rawRequest } from "./raw.js";

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
    typeof d === "string"
        ? d
        : ArrayBuffer.isView(d)
          ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
          : Buffer.from(d);

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 expects (constructed with a secret for HMAC). */
class Sha256 {
    private readonly h: Hash | ReturnType<typeof createHmac>;
    constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
    }
    update(data: string | ArrayBuffer | ArrayBufferView): void {
        this.h.update(bytes(data));
    }
    digest(): Promise<Uint8Array> {
        return Promise.resolve(new Uint8Array(this.h.digest()));
    }
    reset(): void {
        throw new Error("not needed");
    }
}

/** Signs like boto3: only content-type, host, x-amz-date and x-amz-target, no x-amz-content-sha256 (unless given). */
async function botoStyle(
    url: string,
    secret: string,
    target: string,
    body: string,
    options: { signingDate?: Date; extraHeaders?: Record<string, string> } = {},
): Promise<Record<string, string>> {
    const { host } = new URL(url);
    const signer = new SignatureV4({
        credentials: { accessKeyId: "AKIAKMSLOCALTEST0000", secretAccessKey: secret },
        region: "us-east-1",
        service: "kms",
        sha256: Sha256,
        applyChecksum: false,
    });
    const signed = await signer.sign(
        {
            method: "POST",
            protocol: "http:",
            hostname: host.split(":")[0],
            port: Number(host.split(":")[1]),
            path: "/",
            headers: {
                host,
                "content-type": "application/x-amz-json-1.1",
                "x-amz-target": target,
                ...options.extraHeaders,
            },
            body,
        },
        options.signingDate ? { signingDate: options.signingDate } : {},
    );
    return signed.headers;
}

describe("kms-local wire: SigV4", () => {
    const f = useKmsLocal({ switches: { signatureCheck: "verify" } });

    it("accepts the JS SDK signed with the test secret and refuses another secret (S35 verify)", async () => {
        const ok = await f().client.send(new ListKeysCommand({}));
        assert.equal(ok.$metadata.httpStatusCode, 200);
        const wrong = new KMSClient({
            endpoint: f().kms.url,
            region: "us-east-1",
            maxAttempts: 1,
            credentials: { accessKeyId: "AKIAKMSLOCALTEST0000", secretAccessKey: "not-the-secret" },
        });
        await expectKmsError(wrong.send(new ListKeysCommand({})), "InvalidSignatureException");
        wrong.destroy();
    });

    it("accepts a boto3-style signed-header set", async () => {
        const body = "{}";
        const headers = await botoStyle(f().kms.url, f().kms.env.AWS_SECRET_ACCESS_KEY, "TrentService.ListKeys", body);
        assert.match(headers.authorization ?? "", /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
        const r = await rawRequest(f().kms.url, { headers, body });
        assert.equal(r.status, 200, r.text);
        const tampered = await rawRequest(f().kms.url, { headers, body: "{ }" });
        assert.equal(tampered.json?.__type, "InvalidSignatureException");
    });

    it(
        "refuses a request signed more than 15 minutes from kms-local's clock, in AWS's wording; the SDK " +
            "corrects its clock and retries",
        async () => {
            const secret = f().kms.env.AWS_SECRET_ACCESS_KEY;
            const stale = await botoStyle(f().kms.url, secret, "TrentService.ListKeys", "{}", {
                signingDate: new Date(f().kms.control.clock.now() - 16 * 60_000),
            });
            const r1 = await rawRequest(f().kms.url, { headers: stale, body: "{}" });
            assert.equal(r1.json?.__type, "InvalidSignatureException");
            assert.match(
                String(r1.json?.message),
                /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
            );
            const early = await botoStyle(f().kms.url, secret, "TrentService.ListKeys", "{}", {
                signingDate: new Date(f().kms.control.clock.now() + 16 * 60_000),
            });
            const r2 = await rawRequest(f().kms.url, { headers: early, body: "{}" });
            assert.match(
                String(r2.json?.message),
                /^Signature not yet current: \S+ is still later than \S+ \(\S+ \+ 15 min\.\)$/,
            );
            const inside = await botoStyle(f().kms.url, secret, "TrentService.ListKeys", "{}", {
                signingDate: new Date(f().kms.control.clock.now() - 14 * 60_000),
            });
            assert.equal(
                (await rawRequest(f().kms.url, { headers: inside, body: "{}" })).status,
                200,
                "inside the window",
            );

            // Against kms-local's clock, not the machine's: moved 20 minutes ahead, a fresh signature is "expired".
            f().kms.control.clock.advance(20 * 60_000);
            try {
                await expectKmsError(
                    f().client.send(new ListKeysCommand({})),
                    "InvalidSignatureException",
                    /^Signature expired/,
                );
                // The SDK reads kms-local's Date header, corrects its clock offset and retries, as it does against AWS.
                const retrying = makeClient(f().kms, "us-east-1", 3);
                assert.equal((await retrying.send(new ListKeysCommand({}))).$metadata.httpStatusCode, 200);
                retrying.destroy();
            } finally {
                f().kms.control.resetState();
            }
        },
    );

    it("verifies the hash of the body received, not the x-amz-content-sha256 header the client claims", async () => {
        const secret = f().kms.env.AWS_SECRET_ACCESS_KEY;
        const signedBody = "{}";
        const claimed = createHash("sha256").update(signedBody).digest("hex");
        const headers = await botoStyle(f().kms.url, secret, "TrentService.ListKeys", signedBody, {
            extraHeaders: { "x-amz-content-sha256": claimed },
        });
        assert.match(headers.authorization ?? "", /SignedHeaders=[^,]*x-amz-content-sha256/);
        assert.equal((await rawRequest(f().kms.url, { headers, body: signedBody })).status, 200, "honest request");
        // Same headers (the claimed hash included), another body: the signature covered the claim, not these bytes.
        const swapped = await rawRequest(f().kms.url, { headers, body: '{"Limit":1}' });
        assert.equal(swapped.json?.__type, "InvalidSignatureException");
    });

    it("ignores signatures by default", async () => {
        f().kms.control.setSwitches({ signatureCheck: "ignore" });
        const c = makeClient(f().kms);
        const other = new KMSClient({
            endpoint: f().kms.url,
            region: "us-east-1",
            maxAttempts: 1,
            credentials: { accessKeyId: "X", secretAccessKey: "Y" },
        });
        assert.equal((await other.send(new ListKeysCommand({}))).$metadata.httpStatusCode, 200);
        c.destroy();
        other.destroy();
    });
});
