// The programmatic API: startKmsLocal options, env, stop().

import * as assert from "node:assert/strict";
import { CreateKeyCommand, GetParametersForImportCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { startKmsLocal } from "../../kms-local/index.js";
import { makeClient } from "./fixture.js";

describe("kms-local programmatic API", () => {
    it("starts on an ephemeral loopback port with dummy credentials in env", async () => {
        const kms = await startKmsLocal({ quotas: { enabled: false }, region: "eu-west-3" });
        try {
            assert.match(kms.url, /^http:\/\/127\.0\.0\.1:\d+$/);
            assert.deepEqual(Object.keys(kms.env).sort(), [
                "AWS_ACCESS_KEY_ID",
                "AWS_DEFAULT_REGION",
                "AWS_ENDPOINT_URL_KMS",
                "AWS_REGION",
                "AWS_SECRET_ACCESS_KEY",
            ]);
            assert.equal(kms.env.AWS_ENDPOINT_URL_KMS, kms.url);
            assert.equal(kms.env.AWS_REGION, "eu-west-3");
        } finally {
            await kms.stop();
        }
    });

    it("maps consistency and rotationDelayMs options onto switches, and logs one line per request", async () => {
        const lines: string[] = [];
        const kms = await startKmsLocal({
            quotas: { enabled: false },
            consistency: { newKeyInvisibleMs: 123 },
            rotationDelayMs: 77,
            log: (l) => lines.push(l),
        });
        try {
            assert.equal(kms.control.switches.newKeyInvisibleMs, 123);
            assert.equal(kms.control.switches.rotationDelayMs, 77);
            const c = makeClient(kms);
            await c.send(new ListKeysCommand({}));
            c.destroy();
            assert.equal(lines.length, 1);
            assert.match(lines[0] ?? "", /us-east-1 ListKeys 200/);
        } finally {
            await kms.stop();
        }
    });

    it("stops with keep-alive connections open (it closes them), and stop() is idempotent", async () => {
        const kms = await startKmsLocal({ quotas: { enabled: false } });
        const c = makeClient(kms);
        await c.send(new CreateKeyCommand({}));
        // Without closing them, stop() would wait for the client's idle sockets: mocha's timeout is the bound.
        await Promise.all([kms.stop(), kms.stop()]);
        await assert.rejects(c.send(new ListKeysCommand({})));
        c.destroy();
    });

    it("shares the wrapping-key pool between instances in one process", async () => {
        const a = await startKmsLocal({ quotas: { enabled: false } });
        const b = await startKmsLocal({ quotas: { enabled: false } });
        const ca = makeClient(a);
        const cb = makeClient(b);
        try {
            const params = async (c: typeof ca) => {
                const keyId = (await c.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
                return Buffer.from(
                    (
                        await c.send(
                            new GetParametersForImportCommand({
                                KeyId: keyId,
                                WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
                                WrappingKeySpec: "RSA_3072",
                            }),
                        )
                    ).PublicKey as Uint8Array,
                );
            };
            assert.deepEqual(await params(ca), await params(cb));
        } finally {
            ca.destroy();
            cb.destroy();
            await a.stop();
            await b.stop();
        }
    });

    it("refuses a non-loopback listen address unless allowNonLoopback is set, and then warns", async () => {
        await assert.rejects(
            startKmsLocal({ host: "0.0.0.0" }),
            /refuses to listen on 0\.0\.0\.0: .*allowNonLoopback: true \(CLI: --allow-non-loopback\)/,
        );
        for (const host of ["localhost", "::1", "127.0.0.2"]) {
            const k = await startKmsLocal({ host, quotas: { enabled: false } });
            await k.stop();
        }
        const lines: string[] = [];
        const open = await startKmsLocal({ host: "0.0.0.0", allowNonLoopback: true, log: (l) => lines.push(l) });
        try {
            assert.match(lines[0] ?? "", /WARNING: listening on non-loopback address 0\.0\.0\.0/);
        } finally {
            await open.stop();
        }
    });

    it("refuses a port in use", async () => {
        const a = await startKmsLocal({ quotas: { enabled: false } });
        try {
            await assert.rejects(startKmsLocal({ port: Number(new URL(a.url).port) }), /EADDRINUSE/);
        } finally {
            await a.stop();
        }
    });
});
