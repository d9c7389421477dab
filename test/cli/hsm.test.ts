import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DeleteImportedKeyMaterialCommand } from "@aws-sdk/client-kms";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial } from "../../provider";
import { assertKeyUsable, assertNoMaterial } from "../support/assertions";
import { type CliRun } from "../support/cli/cliStack";
import { isEncryptedSecret, failed, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { leakRegistry } from "../support/leakScan";
import { createSoftHsmToken } from "../support/softhsm";

/**
 * A stack whose material lives in SoftHSM2, through the official Pulumi CLI: up, the material deleted out of
 * band, `up --refresh` repairing it by wrapping again inside the token, destroy with the token gone. Two
 * resources: one takes the PIN from the secret config pulumi-kms-byok:hsmPin, one from its hsmPin input. Nothing
 * of the objects' values or the PIN may appear in the state, any output, log or error (checked here, and by
 * the leak scan over everything the CLI left).
 */
describe("real CLI: material in an HSM (SoftHSM2)", function () {
    this.timeout(240_000);
    const world = useCliWorld();

    it("up → out-of-band delete → up --refresh repairs from the HSM → destroy without the HSM; no value or PIN anywhere", async () => {
        const token = createSoftHsmToken();
        const values = { a: randomBytes(32), b: randomBytes(32) };
        token.create((o) => {
            o.aes("payments-a", values.a);
            o.aes("payments-b", values.b);
        });
        const keys = { a: (await world().createKey()).KeyId!, b: (await world().createKey()).KeyId! };
        const program = async () => {
            const config = new pulumi.Config();
            const a = new ImportedKeyMaterial("hsm-a", { keyId: config.require("keyA"), hsmKey: config.require("hsmKeyA") });
            const b = new ImportedKeyMaterial("hsm-b", { keyId: config.require("keyB"), hsmKey: config.require("hsmKeyB"), hsmPin: config.requireSecret("pinB") });
            return { a: a.keyMaterialId, b: b.keyMaterialId, algorithm: a.wrappingAlgorithm };
        };
        const stack = await world().newStack(
            "hsm",
            program,
            {
                keyA: keys.a,
                keyB: keys.b,
                hsmKeyA: token.uri("object=payments-a;type=secret-key"),
                hsmKeyB: token.uri("object=payments-b;type=secret-key"),
                "pulumi-kms-byok:hsmPin": { secret: token.pin },
                pinB: { secret: token.pin },
            },
            { SOFTHSM2_CONF: token.conf },
        );
        const clean = async (run: CliRun) => {
            for (const value of Object.values(values)) {
                assertNoMaterial(run.output, value, `the output of pulumi ${run.command}`);
                assertNoMaterial(JSON.stringify(run.events), value, `the events of pulumi ${run.command}`);
            }
            assert.ok(!run.output.includes(token.pin) && !JSON.stringify(run.events).includes(token.pin), `no PIN in pulumi ${run.command}`);
            const state = await stack.exportState();
            for (const value of Object.values(values)) assertNoMaterial(state.text, value, "pulumi stack export");
            assert.ok(!state.text.includes(token.pin), "no PIN in the state");
            return state;
        };

        const up = ok(await stack.up());
        const state = await clean(up);
        const a = state.resources.find((r) => r.name === "hsm-a")!;
        const b = state.resources.find((r) => r.name === "hsm-b")!;
        assert.equal(a.outputs["materialCondition"], "IMPORTED");
        assert.equal(a.outputs["hsmKey"], token.uri("object=payments-a;type=secret-key"), "the state holds the URI");
        assert.equal(a.outputs["wrappingAlgorithm"], "RSAES_OAEP_SHA_1", "SoftHSM 2.6.1 can do OAEP with SHA-1 only");
        assert.ok(isEncryptedSecret(b.inputs["hsmPin"]), "hsmPin is stored as an encrypted secret input");
        assert.ok(!("hsmPin" in b.outputs) || isEncryptedSecret(b.outputs["hsmPin"]), "no plaintext hsmPin output");
        assert.ok(!("keyMaterial" in a.inputs), "no keyMaterial at all");
        const ciphertext = await assertKeyUsable(world().client, keys.a);

        await world().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keys.a, KeyMaterialId: String(a.outputs["keyMaterialId"]) }));
        const preview = failed(await stack.preview({ refresh: true, expectNoChanges: true }));
        assert.equal(preview.step("hsm-a")?.op, "update");
        await clean(preview);
        const repair = ok(await stack.up({ refresh: true }));
        assert.equal(repair.step("hsm-a")?.op, "update");
        await clean(repair);
        assert.equal((await world().describeKey(keys.a)).KeyState, "Enabled");
        await assertKeyUsable(world().client, keys.a, ciphertext);
        assert.equal((await stack.resource("hsm-a"))!.outputs["keyMaterialId"], a.outputs["keyMaterialId"], "the same material");
        ok(await stack.preview({ refresh: true, expectNoChanges: true }));

        token.remove();
        const destroy = ok(await stack.destroy());
        await clean(destroy);
        for (const key of Object.values(keys)) assert.equal((await world().describeKey(key)).KeyState, "PendingImport", "destroy deleted the material, with no HSM");
    });

    it("a wrong PIN fails the up with the token's answer and where the PIN came from, never the PIN", async () => {
        const token = createSoftHsmToken();
        token.create((o) => o.aes("k", randomBytes(32)));
        const key = (await world().createKey()).KeyId!;
        const wrong = `wrong-${randomBytes(8).toString("hex")}`;
        leakRegistry.addMaterial(Buffer.from(wrong), "a wrong PIN of the CLI HSM test");
        const program = async () => {
            new ImportedKeyMaterial("hsm", { keyId: new pulumi.Config().require("keyId"), hsmKey: new pulumi.Config().require("hsmKey") });
        };
        const stack = await world().newStack("hsm-wrong-pin", program, { keyId: key, hsmKey: token.uri("object=k"), "pulumi-kms-byok:hsmPin": { secret: wrong } }, { SOFTHSM2_CONF: token.conf });
        const up = failed(await stack.up());
        assert.match(up.output, /refused the user PIN from the config pulumi-kms-byok:hsmPin \(CKR_PIN_INCORRECT\)/);
        assert.ok(!up.output.includes(wrong) && !up.output.includes(token.pin));
        assert.equal((await world().describeKey(key)).KeyState, "PendingImport");
        token.remove();
    });
});
