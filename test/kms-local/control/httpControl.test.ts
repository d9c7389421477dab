import * as assert from "node:assert/strict";
import { CreateKeyCommand, DescribeKeyCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { expectKmsError, useKmsLocal } from "../fixture.js";
import { rawRequest } from "../wire/raw.js";

describe("kms-local HTTP control surface (/_kms-local)", () => {
    const f = useKmsLocal();
    const get = async (path: string) => {
        const r = await rawRequest(f().kms.url, { method: "GET", path: `/_kms-local${path}` });
        return { status: r.status, json: JSON.parse(r.text) as Record<string, unknown> & unknown[] };
    };
    const post = async (path: string, body: unknown = {}) => {
        const r = await rawRequest(f().kms.url, {
            method: "POST",
            path: `/_kms-local${path}`,
            body: JSON.stringify(body),
            headers: { "content-type": "application/json" },
        });
        return { status: r.status, json: JSON.parse(r.text) as Record<string, unknown> };
    };

    it("lists its routes", async () => {
        const r = await get("");
        assert.equal(r.status, 200);
        assert.ok((r.json.routes as string[]).includes("/switches"));
    });

    it("reads and sets switches, refusing unknown names and values", async () => {
        assert.equal((await get("/switches")).json.deleteOnPendingDeletion, "succeed");
        const set = await post("/switches", { deleteOnPendingDeletion: "reject", rotationDelayMs: 10 });
        assert.equal(set.status, 200);
        assert.equal(f().kms.control.switches.deleteOnPendingDeletion, "reject");
        assert.equal(f().kms.control.switches.rotationDelayMs, 10);
        assert.equal((await post("/switches", { nope: 1 })).status, 400);
        assert.match(String((await post("/switches", { errorStatuses: "teapot" })).json.error), /wire, smithy/);
        await post("/switches/reset");
        assert.equal(f().kms.control.switches.deleteOnPendingDeletion, "succeed");
    });

    it("moves the clock", async () => {
        const before = (await get("/clock")).json.now as number;
        const r = await post("/clock/advance", { ms: 60_000 });
        assert.ok((r.json.now as number) - before >= 60_000);
        assert.equal((await post("/clock/advance", { ms: "soon" })).status, 400);
    });

    it("sets quotas, faults and consistency, and exposes counters, requests, events and keys", async () => {
        await post("/quotas", { enabled: true, rps: { ListKeys: 1 } });
        await f().client.send(new ListKeysCommand({}));
        await expectKmsError(f().client.send(new ListKeysCommand({})), "ThrottlingException");
        await post("/quotas", { enabled: false });
        assert.equal((await get("/quotas")).json.enabled, false);

        await post("/faults", { rate: 1, kinds: ["DependencyTimeoutException"], operations: ["DescribeKey"] });
        await expectKmsError(f().client.send(new DescribeKeyCommand({ KeyId: "x" })), "DependencyTimeoutException");
        await post("/faults/clear");
        assert.equal((await get("/faults")).json.rate, 0);

        await post("/consistency", { newKeyInvisibleMs: 1000 });
        const keyId = (await f().client.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
        await expectKmsError(f().client.send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException");
        await post("/consistency", { newKeyInvisibleMs: 0 });

        const counters = (await get("/counters")).json as Record<
            string,
            { calls: number; throttled: number; faults: number }
        >;
        assert.equal(counters.ListKeys?.throttled, 1);
        assert.equal(counters.DescribeKey?.faults, 1);
        assert.ok(((await get("/requests")).json as unknown as unknown[]).length >= 4);
        const keys = (await get("/keys?region=us-east-1")).json as unknown as { keyId: string; keyState: string }[];
        assert.ok(keys.some((k) => k.keyId === keyId && k.keyState === "Enabled"));
        assert.ok(Array.isArray((await get("/events")).json));

        await post("/keys/force-state", { region: "us-east-1", keyId, state: "Updating" });
        assert.equal(
            f()
                .kms.control.keys()
                .find((k) => k.keyId === keyId)?.keyState,
            "Updating",
        );
        await post("/keys/force-state", { region: "us-east-1", keyId });

        await post("/reset");
        assert.deepEqual((await get("/counters")).json, {});
        await post("/reset-state");
        assert.deepEqual((await get("/keys")).json, []);
    });

    it(
        "answers only a loopback Host, no foreign Origin, and JSON bodies (no DNS " + "rebinding, no cross-site form)",
        async () => {
            const port = new URL(f().kms.url).port;
            const attempt = (headers: Record<string, string>, method = "POST") =>
                rawRequest(f().kms.url, {
                    method,
                    path: "/_kms-local/switches",
                    body: method === "GET" ? undefined : JSON.stringify({ tokenReuse: "accept" }),
                    headers,
                });
            const json = { "content-type": "application/json" };
            for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `10.0.0.1:${port}`]) {
                const r = await attempt({ ...json, host });
                assert.equal(r.status, 403, host);
                assert.match(
                    String(r.json?.error),
                    /only requests addressed to a loopback or configured host; this request's Host header is missing or names neither/,
                );
                assert.equal((await attempt({ host }, "GET")).status, 403, `GET with Host ${host}`);
            }
            for (const origin of ["https://evil.example", "null", "http://192.168.1.2:8080"]) {
                const r = await attempt({ ...json, origin });
                assert.equal(r.status, 403, origin);
                assert.match(String(r.json?.error), /refuses requests from web pages: this request's Origin/);
            }
            for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
                const r = await attempt({ "content-type": type });
                assert.equal(r.status, 415, type);
            }
            assert.equal((await attempt({})).status, 415, "no Content-Type");
            assert.equal(f().kms.control.switches.tokenReuse, "reject", "no refused request changed anything");
            // What a local test sends is accepted: localhost, [::1], loopback Origin, a charset parameter.
            assert.equal(
                (await attempt({ ...json, host: `localhost:${port}`, origin: `http://localhost:${port}` })).status,
                200,
            );
            assert.equal(
                (await attempt({ "content-type": "application/json; charset=utf-8", host: `[::1]:${port}` })).status,
                200,
            );
            assert.equal(f().kms.control.switches.tokenReuse, "accept");
            f().kms.control.resetSwitches();
        },
    );

    it("bounds the clock and resets it with reset-state", async () => {
        const tooFar = await post("/clock/advance", { ms: 3651 * 86_400_000 });
        assert.equal(tooFar.status, 400);
        assert.match(String(tooFar.json.error), /limit is 3650 days/);
        const moved = await post("/clock/advance", { ms: 86_400_000 });
        assert.ok((moved.json.offsetMs as number) >= 86_400_000);
        await post("/reset-state");
        assert.equal((await get("/clock")).json.offsetMs, 0);
    });

    it("answers unknown routes with 404 and wrong methods with 405", async () => {
        assert.equal((await get("/nope")).status, 404);
        assert.equal((await get("/clock/advance")).status, 405);
    });
});
