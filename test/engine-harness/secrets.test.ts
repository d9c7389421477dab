// Secrets as the engine handles them for a provider with acceptSecrets=false.

import * as assert from "node:assert/strict";
import { SECRET_SIG, SIG_KEY, isSecret, unwrapSecret, secret, serializeProvider, SerializedProvider, Stack, type Program } from "../../engine-harness";
import * as pulumi from "@pulumi/pulumi";
import { stackPerTest, THING, calls, makeProvider, providerV1 } from "./fixtures";

const PLAIN = "correct-horse-battery-staple";

describe("engine-harness: secrets", function () {
    const t = stackPerTest();

    it("a secret input reaches the provider in plaintext, is encrypted in state, and its same-named output becomes secret", async function () {
        const program: Program = [
            { name: "a", type: THING, provider: providerV1, inputs: { size: 1, pw: secret(PLAIN) }, options: { additionalSecretOutputs: ["serial"] } },
        ];
        const r = await t.stack.up(program);
        assert.ok(r.ok, JSON.stringify(r.errors));

        const create = calls(t.storePath).find((c) => c.method === "create")!;
        assert.equal((create.inputs as Record<string, unknown>).pw, PLAIN, "envelopes are stripped on the way to the provider");
        const sent = JSON.stringify(calls(t.storePath), (k, v) => (k === "__provider" ? undefined : v));
        assert.ok(!sent.includes(SIG_KEY), "no request carried a secret envelope");

        const a = (await t.stack.resource("a"))!;
        assert.ok(isSecret(a.inputs.pw), "input keeps its secret bit");
        assert.ok(isSecret(a.outputs.pw), "same-named output made secret (annotateSecrets)");
        assert.ok(isSecret(a.outputs.serial), "additionalSecretOutputs");
        assert.ok(!isSecret(a.outputs.pwCopy), "an output under another name stays plaintext: the engine cannot know");
        assert.equal(a.outputs.pwCopy, PLAIN);

        const raw = t.stack.rawStateText()!;
        const stored = JSON.parse(raw).checkpoint.latest.resources[0];
        assert.equal(stored.inputs.pw[SIG_KEY], SECRET_SIG);
        assert.match(stored.inputs.pw.ciphertext, /^v1:/);
        assert.equal(stored.outputs.pwCopy, PLAIN, "…which is exactly the leak a leak scan must find");
        delete stored.outputs.pwCopy;
        assert.ok(!JSON.stringify(stored).includes(PLAIN), "nowhere else in plaintext");
    });

    it("an output the provider returns as a secret envelope is stored as a secret", async function () {
        await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1, sealOut: true } }]);
        const a = (await t.stack.resource("a"))!;
        assert.ok(isSecret(a.outputs.sealed));
        assert.equal(unwrapSecret(a.outputs.sealed), "sealed-value");
        assert.ok(!t.stack.rawStateText()!.includes("sealed-value"));
    });

    it("additionalSecretOutputs refuses `id` with the engine's warning", async function () {
        const r = await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1 }, options: { additionalSecretOutputs: ["id"] } }]);
        assert.ok(r.ok);
        assert.equal(r.diagnostics[0].message, "The 'id' property cannot be made secret. See pulumi/pulumi#2717 for more details.");
    });

    it("__provider is secret only when the closure captured a secret Output", async function () {
        const plain = await serializeProvider(providerV1);
        assert.equal(plain.containsSecrets, false);
        await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1 } }]);
        assert.ok(!isSecret((await t.stack.resource("a"))!.inputs.__provider), "plain provider code is stored in plaintext");

        const capturedSecret = pulumi.secret("captured-token");
        const leaky = { ...makeProvider("v1"), token: capturedSecret };
        const r = await t.stack.up([{ name: "a", type: THING, provider: leaky, inputs: { size: 1 } }]);
        assert.ok(r.ok, JSON.stringify(r.errors));
        assert.equal(t.stack.serializedProviders().a.containsSecrets, true);
        const a = (await t.stack.resource("a"))!;
        assert.ok(isSecret(a.inputs.__provider));
        assert.ok(!t.stack.rawStateText()!.includes("logCall"), "the provider code is encrypted in the inputs");
        // SameStep kept the OLD outputs (old code), but the step executor marks them secret
        // because the same-named input is secret now.
        assert.ok(isSecret(a.outputs.__provider));
        assert.equal(unwrapSecret(a.outputs.__provider), plain.text);

        // Given as ready text flagged secret, a create stores both copies secret.
        await t.stack.destroy();
        await t.stack.up([{ name: "b", type: THING, provider: new SerializedProvider(plain.text, true), inputs: { size: 1 } }]);
        const b = (await t.stack.resource("b"))!;
        assert.ok(isSecret(b.outputs.__provider), "the output copy follows the input (annotateSecrets)");
    });

    it("a wrong passphrase cannot open the state", async function () {
        await t.stack.up([{ name: "a", type: THING, provider: providerV1, inputs: { size: 1, pw: secret(PLAIN) } }]);
        const other = new Stack({ project: "proj", stack: "dev", dir: t.stack.stateFile.split("/stacks/")[0], passphrase: "wrong" });
        await assert.rejects(other.state(), /incorrect passphrase/);
    });
});
