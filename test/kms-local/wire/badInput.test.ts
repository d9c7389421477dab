import * as assert from "node:assert/strict";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { useKmsLocal } from "../fixture.js";
import { fakeAuth, kmsCall, rawRequest } from "./raw.js";

describe("kms-local wire: bad input", () => {
    const f = useKmsLocal();
    const url = () => f().kms.url;

    it("answers an unknown or missing target with UnknownOperationException (no message)", async () => {
        for (const target of ["TrentService.Nope", "TrentService.", "Other.DescribeKey", undefined]) {
            const r = await kmsCall(url(), target, "{}");
            assert.equal(r.status, 400);
            assert.deepEqual(r.json, { __type: "UnknownOperationException" });
            assert.match(String(r.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
        }
    });

    it("reads X-Amz-Target in any header casing", async () => {
        const r = await kmsCall(url(), undefined, "{}", { "X-AMZ-TARGET": "TrentService.ListKeys" });
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, { Keys: [], Truncated: false });
        assert.equal(r.headers["content-type"], "application/x-amz-json-1.1");
    });

    it("answers malformed JSON, non-objects and wrong member types with SerializationException", async () => {
        for (const body of ["{", "[]", "null", '"x"', "42", '{"Limit":"10"}', '{"Limit":{}}', "\u00ff\u00fe"]) {
            const r = await kmsCall(url(), "TrentService.ListKeys", body);
            assert.equal(r.status, 400, body);
            assert.equal(r.json?.__type, "SerializationException", body);
        }
        const ts = await kmsCall(
            url(),
            "TrentService.ImportKeyMaterial",
            JSON.stringify({ KeyId: "k", ImportToken: "AA==", EncryptedKeyMaterial: "AA==", ValidTo: "tomorrow" }),
        );
        assert.equal(ts.json?.__type, "SerializationException");
        const b64 = await kmsCall(url(), "TrentService.Encrypt", JSON.stringify({ KeyId: "k", Plaintext: "***" }));
        assert.equal(b64.json?.__type, "SerializationException");
    });

    it("treats an empty body as {}", async () => {
        const r = await kmsCall(url(), "TrentService.ListKeys", "");
        assert.equal(r.status, 200);
    });

    it(
        "refuses bodies over the body limit (64 KiB) with 413 " + "RequestEntityTooLargeException and keeps serving",
        async () => {
            const big = JSON.stringify({ KeyId: "x".repeat(64 * 1024 + 10) });
            const r = await kmsCall(url(), "TrentService.DescribeKey", big);
            assert.equal(r.status, 413);
            assert.equal(r.json?.__type, "RequestEntityTooLargeException");
            assert.match(String(r.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
            assert.equal((await kmsCall(url(), "TrentService.ListKeys", "{}")).status, 200);
        },
    );

    it(
        "refuses requests without Authorization (403 MissingAuthenticationTokenException) or " + "with a malformed one",
        async () => {
            const none = await rawRequest(url(), { headers: { "x-amz-target": "TrentService.ListKeys" }, body: "{}" });
            assert.equal(none.status, 403);
            assert.deepEqual(none.json, {
                __type: "MissingAuthenticationTokenException",
                message: "Missing Authentication Token",
            });
            for (const auth of [
                "Bearer abc",
                "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00",
                "AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1, SignedHeaders=host, Signature=00",
            ]) {
                const r = await kmsCall(url(), "TrentService.ListKeys", "{}", { authorization: auth });
                assert.equal(r.status, 400, auth);
                assert.equal(r.json?.__type, "IncompleteSignatureException", auth);
            }
        },
    );

    it("takes the Region from the SigV4 credential scope", async () => {
        const r = await kmsCall(url(), "TrentService.CreateKey", "{}", { authorization: fakeAuth("eu-central-1") });
        assert.equal(r.status, 200);
        const arn = (r.json?.KeyMetadata as Record<string, string>).Arn;
        assert.match(arn, /^arn:aws:kms:eu-central-1:111122223333:key\//);
        const east = await kmsCall(url(), "TrentService.ListKeys", "{}");
        assert.equal((east.json?.Keys as unknown[]).length, 0);
    });

    it("is not KMS outside POST /: 404 JSON, and x-amzn-RequestId on every KMS response", async () => {
        assert.equal((await rawRequest(url(), { method: "GET" })).status, 404);
        assert.equal((await rawRequest(url(), { path: "/other", body: "{}" })).status, 404);
        const ok = await f().client.send(new CreateKeyCommand({}));
        assert.match(ok.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
    });

    it("ignores prototype keys in bodies", async () => {
        const r = await kmsCall(url(), "TrentService.DescribeKey", '{"__proto__":{"KeyId":"x"},"constructor":1}');
        assert.equal(r.json?.__type, "ValidationException");
        assert.equal(({} as Record<string, unknown>).KeyId, undefined);
    });
});
