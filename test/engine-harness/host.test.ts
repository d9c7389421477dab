// The host process and its gRPC client, driven directly (no engine logic).

import * as assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ProviderHost, serializeProvider, type SerializedProvider } from "../../engine-harness";
import { calls, makeProvider, workspace } from "./fixtures";

const URN = "urn:pulumi:dev::proj::pulumi-nodejs:dynamic/test:Thing::a";

describe("engine-harness: host process", function () {
    let host: ProviderHost;
    let sp: SerializedProvider;
    let storePath: string;
    let dir: string;

    before(async function () {
        ({ storePath, dir } = workspace());
        sp = await serializeProvider(makeProvider("v1"));
        // Set in the parent: the harness must not pass it on (pulumi.log would try to use it).
        process.env.PULUMI_NODEJS_ENGINE = "127.0.0.1:1";
        try {
            host = await ProviderHost.start({ project: "proj", env: { EXTRA_FOR_TEST: "yes" } });
        } finally {
            delete process.env.PULUMI_NODEJS_ENGINE;
        }
    });

    after(async function () {
        await host?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it("reports the SDK version and the capabilities the engine reads from Configure", async function () {
        assert.equal((await host.getPluginInfo()).version, "3.270.0");
        assert.equal(await host.handshake(process.cwd()), false, "Handshake is UNIMPLEMENTED in the dynamic host");
        const caps = await host.configure({ args: { "aws:region": "eu-west-1", "proj:storePath": storePath } });
        assert.deepEqual(caps, {
            acceptSecrets: false,
            supportsPreview: false,
            acceptResources: false,
            acceptOutputs: false,
            supportsAutonamingConfiguration: false,
        });
    });

    it("decodes a plain create error and an ErrorResourceInitFailed partial failure", async function () {
        await assert.rejects(host.create({ urn: URN, properties: { failCreate: true, __provider: sp.text } }), (e: Error & { code?: number; initFailure?: unknown }) => {
            assert.equal(e.code, 2);
            assert.equal(e.message, "create refused by the fake provider");
            assert.equal(e.initFailure, undefined);
            return true;
        });
        await assert.rejects(host.create({ urn: URN, properties: { partial: true, size: 1, __provider: sp.text } }), (e: Error & { initFailure?: { id: string; properties: Record<string, unknown>; reasons: string[] } }) => {
            assert.ok(e.initFailure);
            assert.match(e.initFailure.id, /^res-\d+$/);
            assert.equal(e.initFailure.properties.health, "bad");
            assert.deepEqual(e.initFailure.reasons, ["health check failed", "second reason"]);
            return true;
        });
    });

    it("captures the host's stdout lines and runs in an engine-like environment", async function () {
        const before = host.logs().length;
        await host.create({ urn: URN, properties: { size: 7, color: "red", __provider: sp.text } });
        const lines = host.logs().slice(before).map((l) => l.text);
        assert.ok(lines.includes("[fake] creating 7/red"), lines.join("\n"));
        const cfg = calls(storePath).find((c) => c.method === "configure");
        assert.ok(cfg, "configure ran");
        assert.equal(cfg.region, "eu-west-1");
        assert.equal(cfg.projectKey, storePath, "a key without namespace is read as <project>:key (PULUMI_NODEJS_PROJECT)");
        assert.equal(cfg.engineEnv, null, "PULUMI_NODEJS_ENGINE is not passed to the host");
        assert.equal(cfg.projectEnv, "proj");
        assert.equal(cfg.extraEnv, "yes");
    });

    it("SIGKILL ends the process and fails a call in flight", async function () {
        const victim = await ProviderHost.start({ project: "proj" });
        await victim.configure({ args: { "proj:storePath": storePath } });
        const inflight = victim.create({ urn: URN, properties: { slowMs: 5000, __provider: sp.text } });
        await new Promise((r) => setTimeout(r, 300));
        victim.kill("SIGKILL");
        await assert.rejects(inflight);
        const exit = await victim.exited;
        assert.equal(exit.signal, "SIGKILL");
        assert.equal(victim.alive, false);
    });
});
