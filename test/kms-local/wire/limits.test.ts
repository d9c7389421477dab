// What one client can make kms-local hold: connections (capped, a clear 503 beyond the cap), request bodies (what
// KMS requests need, 413 beyond), and Regions (only AWS Region names, never stored or persisted otherwise).

import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand, KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal } from "../../../kms-local/index.js";
import { DEFAULT_BODY_LIMIT } from "../../../kms-local/wire/server.js";
import { TEST_DEFAULTS, expectKmsError, makeClient, useKmsLocal } from "../fixture.js";
import { fakeAuth, kmsCall, rawRequest } from "./raw.js";

/** Opens a TCP connection to kms-local and resolves once connected; records whether the server closed it. */
function openIdle(url: string): Promise<{ socket: Socket; closed: Promise<void> }> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => resolve({ socket, closed }));
        const closed = new Promise<void>((done) => socket.on("close", () => done()));
        socket.on("error", reject);
        socket.resume();
    });
}

/** A ListKeys on a connection of its own (never a pooled keep-alive one). */
const listKeysOnNewConnection = (url: string) =>
    rawRequest(url, {
        headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "TrentService.ListKeys",
            authorization: fakeAuth(),
        },
        body: "{}",
        newConnection: true,
    });

describe("kms-local wire: connection cap", () => {
    const MAX = 4;
    let kms: KmsLocal;
    const sockets: Socket[] = [];
    // A fresh kms-local per test: connections of the previous test are not all gone from the server's count yet.
    beforeEach(async () => {
        kms = await startKmsLocal({ ...TEST_DEFAULTS, prewarm: false, maxConnections: MAX });
    });
    afterEach(async () => {
        for (const s of sockets.splice(0)) s.destroy();
        await kms.stop();
    });

    it(
        "serves at most maxConnections at once: one more is answered " + "503 ServiceUnavailableException and closed",
        async () => {
            const idle = await Promise.all(Array.from({ length: MAX }, () => openIdle(kms.url)));
            sockets.push(...idle.map((c) => c.socket));
            const refused = await listKeysOnNewConnection(kms.url);
            assert.equal(refused.status, 503);
            assert.equal(refused.json?.__type, "ServiceUnavailableException");
            assert.match(
                String(refused.json?.message),
                new RegExp(`at most ${MAX} connections at once \\(maxConnections\\)`),
            );
            assert.equal(refused.headers.connection, "close");
            assert.equal(kms.control.requests().length, 0, "the refused request never reached KMS");
            // The SDK retries a 503 (transient); with the idle connections gone, it is served.
            for (const c of idle) c.socket.destroy();
            await Promise.all(idle.map((c) => c.closed));
            let served = await listKeysOnNewConnection(kms.url);
            // The server sees the closes a moment after the client: a bounded number of tries, no timing.
            for (let i = 0; i < 50 && served.status === 503; i++) served = await listKeysOnNewConnection(kms.url);
            assert.equal(served.status, 200);
        },
    );

    it("closes, unanswered, connections beyond twice the cap, so idle connections stay bounded", async () => {
        const opened = await Promise.all(Array.from({ length: 3 * MAX }, () => openIdle(kms.url)));
        sockets.push(...opened.map((c) => c.socket));
        // The server accepts in order: the last MAX are beyond 2 × MAX and are closed by it, without a byte sent.
        await Promise.all(opened.slice(2 * MAX).map((c) => c.closed));
        for (const c of opened.slice(0, 2 * MAX))
            assert.equal(c.socket.destroyed, false, "within 2 × maxConnections: still open");
    });

    it("refuses a bad maxConnections at start", async () => {
        for (const maxConnections of [0, -1, 1.5, Number.NaN]) {
            await assert.rejects(
                startKmsLocal({ ...TEST_DEFAULTS, maxConnections }),
                /maxConnections must be a positive integer/,
            );
        }
    });
});

describe("kms-local wire: body limit", () => {
    const f = useKmsLocal();

    it(
        "is 64 KiB: larger bodies get 413 RequestEntityTooLargeException, declared or streamed, and the " +
            "server keeps serving",
        async () => {
            assert.equal(DEFAULT_BODY_LIMIT, 64 * 1024);
            const big = JSON.stringify({ KeyId: "x".repeat(DEFAULT_BODY_LIMIT) });
            const declared = await kmsCall(f().kms.url, "TrentService.DescribeKey", big);
            assert.equal(declared.status, 413);
            assert.equal(declared.json?.__type, "RequestEntityTooLargeException");
            assert.match(String(declared.json?.message), /limit of 65536 bytes/);
            // Without Content-Length (chunked): refused once more than the limit has arrived.
            const streamed = await rawRequest(f().kms.url, {
                headers: {
                    "content-type": "application/x-amz-json-1.1",
                    "x-amz-target": "TrentService.DescribeKey",
                    authorization: fakeAuth(),
                    "transfer-encoding": "chunked",
                },
                body: big,
            });
            assert.equal(streamed.status, 413);
            const sts = await rawRequest(f().kms.url, {
                headers: { "content-type": "application/x-www-form-urlencoded", authorization: fakeAuth() },
                body: `Action=GetCallerIdentity&Pad=${"x".repeat(DEFAULT_BODY_LIMIT)}`,
            });
            assert.equal(sts.status, 413);
            assert.match(sts.text, /<Code>RequestEntityTooLarge<\/Code>/, "in STS's XML shape");
            assert.equal((await kmsCall(f().kms.url, "TrentService.ListKeys", "{}")).status, 200);
        },
    );

    it(
        "still takes the largest requests KMS accepts: a maximal ImportKeyMaterial, a CreateKey " +
            "with a 32 KiB policy",
        async () => {
            // Every member at its model maximum (docs/kms-behaviour.md#importkeymaterial): reaches the operation (a
            // token error), not 413.
            const maximal = JSON.stringify({
                KeyId: `arn:aws:kms:us-east-1:111122223333:key/${"a".repeat(2048 - 44)}`,
                ImportToken: randomBytes(6144).toString("base64"),
                EncryptedKeyMaterial: randomBytes(6144).toString("base64"),
                ValidTo: 1767323045.678,
                ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                ImportType: "EXISTING_KEY_MATERIAL",
                KeyMaterialDescription: "\u000b".repeat(256),
                KeyMaterialId: "a".repeat(64),
            });
            assert.ok(maximal.length > 20_000);
            const r = await kmsCall(f().kms.url, "TrentService.ImportKeyMaterial", maximal);
            assert.notEqual(r.status, 413);
            assert.ok(
                r.json?.__type !== undefined && r.json.__type !== "RequestEntityTooLargeException",
                r.text.slice(0, 200),
            );
            // A key policy at AWS's 32 KiB quota, quotes escaped in the JSON body.
            const statement = {
                Sid: "x",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::111122223333:root" },
                Action: "kms:*",
                Resource: "*",
            };
            const statements = [];
            while (JSON.stringify({ Version: "2012-10-17", Statement: [...statements, statement] }).length <= 32 * 1024)
                statements.push({ ...statement, Sid: `s${statements.length}` });
            const policy = JSON.stringify({ Version: "2012-10-17", Statement: statements });
            const created = await f().client.send(
                new CreateKeyCommand({ Policy: policy, Description: "d".repeat(8192) }),
            );
            assert.equal(created.$metadata.httpStatusCode, 200);
        },
    );
});

describe("kms-local wire: Regions", () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-local-regions-"));
    const stateFile = join(dir, "state.json");
    const f = useKmsLocal({ stateFile });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const BAD = [
        "__proto__",
        "constructor",
        "x".repeat(5000),
        "US-EAST-1",
        "us-east-1x",
        "us_east_1",
        "useast1",
        "us-east-",
        "a-b-c-d-e-1",
        `${"a".repeat(30)}-b-1`,
        "..",
        "%2e%2e",
    ];

    it(
        "refuses a credential scope whose Region is not an AWS Region name, as AWS words it, and " +
            "records nothing under it",
        async () => {
            await f().client.send(new CreateKeyCommand({}));
            for (const region of BAD) {
                const r = await kmsCall(f().kms.url, "TrentService.CreateKey", "{}", {
                    authorization: fakeAuth(region),
                });
                assert.equal(r.status, 400, region.slice(0, 40));
                assert.equal(r.json?.__type, "InvalidSignatureException");
                assert.match(
                    String(r.json?.message),
                    /^Credential should be scoped to a valid region, not '.{1,65}'\.$/,
                );
                const sts = await rawRequest(f().kms.url, {
                    headers: { "content-type": "application/x-www-form-urlencoded", authorization: fakeAuth(region) },
                    body: "Action=GetCallerIdentity",
                });
                assert.equal(sts.status, 403);
                assert.match(
                    sts.text,
                    /<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to a valid region/,
                );
            }
            const regions = new Set(
                f()
                    .kms.control.requests()
                    .map((r) => r.region),
            );
            assert.deepEqual(
                [...regions].sort(),
                ["us-east-1"],
                "refused requests are recorded under the default Region only",
            );
            assert.deepEqual(
                [
                    ...new Set(
                        f()
                            .kms.control.keys()
                            .map((k) => k.region),
                    ),
                ],
                ["us-east-1"],
            );
        },
    );

    it(
        "accepts every AWS Region name shape (partitions included) and persists only " + "Regions that hold something",
        async () => {
            for (const region of [
                "eu-west-3",
                "us-gov-west-1",
                "cn-north-1",
                "us-iso-east-1",
                "us-isob-east-1",
                "eu-isoe-west-1",
                "ap-southeast-7",
            ]) {
                const r = await kmsCall(f().kms.url, "TrentService.ListKeys", "{}", {
                    authorization: fakeAuth(region),
                });
                assert.equal(r.status, 200, region);
            }
            const client = makeClient(f().kms, "ap-southeast-2");
            await client.send(new CreateKeyCommand({}));
            await client.send(new ListKeysCommand({}));
            client.destroy();
            const saved = JSON.parse(readFileSync(stateFile, "utf8")) as { regions: Record<string, unknown> };
            assert.deepEqual(Object.keys(saved.regions).sort(), ["ap-southeast-2", "us-east-1"]);
        },
    );

    it(
        "refuses a bad region option at start, and the SDK's own " + "client with a bad Region gets the same error",
        async () => {
            await assert.rejects(
                startKmsLocal({ ...TEST_DEFAULTS, region: "__proto__" }),
                /region "__proto__" is not an AWS Region name/,
            );
            const odd = new KMSClient({
                endpoint: f().kms.url,
                region: "local",
                maxAttempts: 1,
                credentials: { accessKeyId: "AKIAKMSLOCALTEST0000", secretAccessKey: "x" },
            });
            await expectKmsError(odd.send(new ListKeysCommand({})), "InvalidSignatureException", /not 'local'/);
            odd.destroy();
        },
    );
});
