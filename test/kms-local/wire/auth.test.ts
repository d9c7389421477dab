// SigV4: JS SDK, boto3-style (content-type;host;x-amz-date;x-amz-target) and S35 signature verification.

import * as assert from "node:assert/strict";
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { ListKeysCommand, KMSClient } from "@aws-sdk/client-kms";
import { SignatureV4 } from "@smithy/signature-v4";
import { expectKmsError, makeClient, useKmsLocal } from "../fixture.js";
import { rawRequest } from "./raw.js";

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof d === "string" ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 expects (constructed with a secret for HMAC). */
class Sha256 {
  private readonly h: Hash | Hmac;
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

/** Signs like boto3: only content-type, host, x-amz-date and x-amz-target, no x-amz-content-sha256. */
async function botoStyle(url: string, secret: string, target: string, body: string): Promise<Record<string, string>> {
  const { host } = new URL(url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: "AKIAKMSLOCALTEST0000", secretAccessKey: secret },
    region: "us-east-1",
    service: "kms",
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: host.split(":")[0] as string,
    port: Number(host.split(":")[1]),
    path: "/",
    headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body,
  });
  return signed.headers as Record<string, string>;
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
    const headers = await botoStyle(f().kms.url, f().kms.env.AWS_SECRET_ACCESS_KEY as string, "TrentService.ListKeys", body);
    assert.match(headers.authorization ?? "", /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
    const r = await rawRequest(f().kms.url, { headers, body });
    assert.equal(r.status, 200, r.text);
    const tampered = await rawRequest(f().kms.url, { headers, body: "{ }" });
    assert.equal(tampered.json?.__type, "InvalidSignatureException");
  });

  it("ignores signatures by default", async () => {
    f().kms.control.setSwitches({ signatureCheck: "ignore" });
    const c = makeClient(f().kms);
    const other = new KMSClient({ endpoint: f().kms.url, region: "us-east-1", maxAttempts: 1, credentials: { accessKeyId: "X", secretAccessKey: "Y" } });
    assert.equal((await other.send(new ListKeysCommand({}))).$metadata.httpStatusCode, 200);
    c.destroy();
    other.destroy();
  });
});
