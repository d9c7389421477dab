// Host and Origin on every route (KMS, STS, control): what a web page using DNS rebinding or a cross-site request
// would send is refused with 403 before anything is read or done; what a local client sends is answered.

import * as assert from "node:assert/strict";
import { CreateKeyCommand, DescribeKeyCommand } from "@aws-sdk/client-kms";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import { startKmsLocal } from "../../../kms-local/index.js";
import { createHostGuard } from "../../../kms-local/wire/hostGuard.js";
import { TEST_DEFAULTS, useKmsLocal } from "../fixture.js";
import { fakeAuth, rawRequest, type RawResponse } from "./raw.js";

const STS_FORM = "Action=GetCallerIdentity&Version=2011-06-15";

/** One request per route, with the given extra headers. */
function routes(url: string, extra: Record<string, string>): Record<string, () => Promise<RawResponse>> {
    const kms = {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "TrentService.ListKeys",
        authorization: fakeAuth(),
    };
    const sts = { "content-type": "application/x-www-form-urlencoded", authorization: fakeAuth() };
    return {
        kms: () => rawRequest(url, { headers: { ...kms, ...extra }, body: "{}" }),
        sts: () => rawRequest(url, { headers: { ...sts, ...extra }, body: STS_FORM }),
        control: () => rawRequest(url, { method: "GET", path: "/_kms-local/keys", headers: extra }),
    };
}

/**
 * Signs a KMS request for `host` with the given secret, as a page that knows kms-local's published test secret could.
 */
async function signedFor(host: string, secret: string, target: string, body: string): Promise<Record<string, string>> {
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
        hostname: host.split(":")[0],
        path: "/",
        headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
        body,
    });
    return signed.headers;
}

describe("kms-local wire: Host and Origin (DNS rebinding)", () => {
    const f = useKmsLocal();
    const port = () => new URL(f().kms.url).port;

    it("answers a foreign Host with 403 on every route, each in its protocol's shape", async () => {
        for (const host of [
            `attacker.example:${port()}`,
            "attacker.example",
            `127.0.0.1.nip.io:${port()}`,
            `10.0.0.1:${port()}`,
            `0.0.0.0:${port()}`,
        ]) {
            const r = routes(f().kms.url, { host });
            const kms = await r.kms();
            assert.equal(kms.status, 403, host);
            assert.equal(kms.json?.__type, "AccessDeniedException", host);
            assert.match(
                String(kms.json?.message),
                /only requests addressed to a loopback or configured host; this request's Host header is missing or names neither/,
            );
            assert.ok(!String(kms.json?.message).includes(host.split(":")[0]), "the refused value is not quoted");
            assert.match(String(kms.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
            const sts = await r.sts();
            assert.equal(sts.status, 403, host);
            assert.match(sts.text, /<Code>AccessDenied<\/Code>/);
            const control = await r.control();
            assert.equal(control.status, 403, host);
            assert.match(String(control.json?.error), /Host/);
        }
        assert.deepEqual(f().kms.control.requests(), [], "no refused request reached KMS or STS");
    });

    it("answers a foreign Origin with 403 on every route, even with a loopback Host", async () => {
        for (const origin of [
            "https://attacker.example",
            `http://attacker.example:${port()}`,
            "null",
            "http://192.168.1.2:8080",
            "file://",
        ]) {
            const r = routes(f().kms.url, { origin });
            const kms = await r.kms();
            assert.equal(kms.status, 403, origin);
            assert.equal(kms.json?.__type, "AccessDeniedException");
            assert.match(String(kms.json?.message), /refuses requests from web pages: this request's Origin/);
            assert.equal((await r.sts()).status, 403, origin);
            assert.equal((await r.control()).status, 403, origin);
        }
        assert.deepEqual(f().kms.control.requests(), []);
    });

    it(
        "a DNS-rebinding page cannot list keys, schedule a deletion or decrypt, even signing with the " +
            "published test secret",
        async () => {
            const { KeyMetadata: key } = await f().client.send(new CreateKeyCommand({}));
            const secret = f().kms.env.AWS_SECRET_ACCESS_KEY;
            const host = `attacker.example:${port()}`;
            const origin = `http://${host}`;
            const attempts: [string, string][] = [
                ["TrentService.ListKeys", "{}"],
                ["TrentService.ScheduleKeyDeletion", JSON.stringify({ KeyId: key!.KeyId, PendingWindowInDays: 7 })],
                ["TrentService.Decrypt", JSON.stringify({ CiphertextBlob: "AAAA" })],
                ["TrentService.DisableKey", JSON.stringify({ KeyId: key!.KeyId })],
            ];
            for (const [target, body] of attempts) {
                // The browser sends the page's own name as Host, and (same-origin after rebinding) its Origin on a
                // POST.
                for (const headers of [
                    await signedFor(host, secret, target, body),
                    { ...(await signedFor(host, secret, target, body)), origin },
                ]) {
                    const r = await rawRequest(f().kms.url, { headers, body });
                    assert.equal(r.status, 403, target);
                    assert.equal(r.json?.__type, "AccessDeniedException", target);
                    assert.ok(!r.text.includes(key!.KeyId!), "no key ID in the answer");
                }
            }
            const after = await f().client.send(new DescribeKeyCommand({ KeyId: key!.KeyId }));
            assert.equal(after.KeyMetadata?.KeyState, "Enabled", "neither scheduled for deletion nor disabled");
            assert.deepEqual(
                f()
                    .kms.control.requests()
                    .map((r) => r.operation),
                ["CreateKey", "DescribeKey"],
                "only the test's own calls reached KMS",
            );
            // The same signed request with kms-local's own Host is answered: the Host made the difference.
            const local = await rawRequest(f().kms.url, {
                headers: await signedFor(`127.0.0.1:${port()}`, secret, "TrentService.ListKeys", "{}"),
                body: "{}",
            });
            assert.equal(local.status, 200);
            assert.ok(local.text.includes(key!.KeyId!));
        },
    );

    it("answers loopback Hosts with any port or none, and loopback Origins", async () => {
        for (const host of [
            `127.0.0.1:${port()}`,
            `localhost:${port()}`,
            "localhost",
            `LOCALHOST.:${port()}`,
            `127.3.4.5:${port()}`,
            `[::1]:${port()}`,
            "[::1]",
            "127.0.0.1:1",
        ]) {
            const r = routes(f().kms.url, { host, origin: `http://localhost:3000` });
            assert.equal((await r.kms()).status, 200, host);
            assert.equal((await r.sts()).status, 200, host);
            assert.equal((await r.control()).status, 200, host);
        }
    });

    it("refuses a request without a Host header (HTTP/1.0)", async () => {
        const { connect } = await import("node:net");
        const answer = await new Promise<string>((resolve, reject) => {
            const socket = connect(Number(port()), "127.0.0.1", () => {
                socket.end(
                    `POST / HTTP/1.0\r\ncontent-type: application/x-amz-json-1.1\r\nx-amz-target: ` +
                        `TrentService.ListKeys\r\nauthorization: ${fakeAuth()}\r\ncontent-length: 2\r\n\r\n{}`,
                );
            });
            const chunks: Buffer[] = [];
            socket.on("data", (c: Buffer) => chunks.push(c));
            socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
            socket.on("error", reject);
        });
        assert.match(answer, /^HTTP\/1\.1 403 /);
        assert.match(answer, /"__type":"AccessDeniedException"/);
        assert.match(answer, /Host header is missing or names neither/);
    });
});

describe("kms-local wire: the Host names an operator allows", () => {
    it("allowedHosts adds names (e.g. a container's service name), nothing else", async () => {
        const kms = await startKmsLocal({
            ...TEST_DEFAULTS,
            allowedHosts: ["kms-local.internal", "KMS.Example.", "10.1.2.3"],
        });
        try {
            const port = new URL(kms.url).port;
            for (const host of [
                `kms-local.internal:${port}`,
                `kms.example:${port}`,
                `10.1.2.3:${port}`,
                `localhost:${port}`,
            ]) {
                assert.equal((await routes(kms.url, { host }).kms()).status, 200, host);
            }
            assert.equal(
                (
                    await routes(kms.url, {
                        host: `kms-local.internal:${port}`,
                        origin: "http://kms-local.internal:8080",
                    }).kms()
                ).status,
                200,
            );
            for (const host of [
                `evil.kms-local.internal:${port}`,
                `kms-local.internal.attacker.example:${port}`,
                `10.1.2.4:${port}`,
            ]) {
                assert.equal((await routes(kms.url, { host }).kms()).status, 403, host);
            }
            // The control surface stays loopback-only: an allowed name reaches KMS and STS, never the switches.
            assert.equal((await routes(kms.url, { host: `kms-local.internal:${port}` }).control()).status, 403);
        } finally {
            await kms.stop();
        }
    });

    it("refuses allowedHosts entries that are not bare names, before listening", async () => {
        for (const entry of [
            "*",
            "*.example.com",
            "http://kms.example",
            "kms.example:4599",
            "",
            "a b",
            "kms.example/path",
        ]) {
            await assert.rejects(
                startKmsLocal({ ...TEST_DEFAULTS, allowedHosts: [entry] }),
                /allowedHosts: .* is not a hostname or IP address/,
                entry,
            );
        }
    });

    it("a non-loopback bind adds its own address; a wildcard bind adds this machine's interface addresses", () => {
        const ip = createHostGuard("10.9.8.7");
        assert.equal(ip.refusal({ host: "10.9.8.7:4599" }), undefined);
        assert.equal(ip.refusal({ host: "127.0.0.1:4599" }), undefined);
        assert.equal(ip.refusal({ host: "attacker.example:4599" }), "Host");
        assert.equal(ip.refusal({ host: "10.9.8.6" }), "Host");
        const wildcard = createHostGuard("0.0.0.0");
        assert.equal(wildcard.refusal({ host: "0.0.0.0:4599" }), undefined);
        for (const address of wildcard.extraHosts)
            assert.equal(
                wildcard.refusal({ host: address.includes(":") ? `[${address}]:1` : `${address}:1` }),
                undefined,
                address,
            );
        assert.equal(wildcard.refusal({ host: "attacker.example" }), "Host");
        assert.deepEqual(createHostGuard("127.0.0.1").extraHosts, [], "a loopback bind answers loopback names only");
    });
});
