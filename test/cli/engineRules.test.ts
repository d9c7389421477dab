import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { startKmsLocal, type KmsLocal } from "../../kms-local";
import { importedKeyMaterialProvider } from "../../provider";
import { providerText } from "../../provider/engine/storedProvider";
import { IMPORTED_KEY_MATERIAL_TYPE } from "../../provider/resource/importedKeyMaterial";
import { assertKeyUsable } from "../support/assertions";
import { assertStateKeepsSecrets, failed, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { basicProgram } from "../support/cli/programs";
import { randomMaterial } from "../support/materials";
import { PREVIOUS_RELEASE_PROVIDER } from "./engineRules/previousReleaseProvider";

/**
 * What the real engine does around the provider, and what the provider must make of it: a partially failed
 * update is stored with the OLD inputs and the new outputs; refresh and destroy run the provider and the stack
 * config stored at the last `up`; a provider upgrade is recorded by the next `up`.
 */
describe("real CLI: the engine's rules for state, config and provider versions", function () {
    this.timeout(180_000);
    const world = useCliWorld();
    const DAY = 86_400_000;
    const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

    async function upBasic(name: string, config: Record<string, string> = {}) {
        const key = await world().createKey();
        const material = randomMaterial();
        const validTo = inDays(100);
        const stack = await world().newStack(name, basicProgram({ validTo }), {
            keyId: key.KeyId!,
            keyMaterial: { secret: material.toString("base64") },
            ...config,
        });
        ok(await stack.up());
        return { stack, material, keyId: key.KeyId!, validTo };
    }

    it(
        "a partial failure on update (imported, then the read-back failed) is stored with the old inputs; " +
            "the next up converges",
        async () => {
            const { stack, material, keyId, validTo } = await upBasic("partial-failure", {
                "pulumi-kms-byok:maxAttempts": "1",
            });
            const newValidTo = inDays(200);
            stack.setProgram(basicProgram({ validTo: newValidTo }));
            world().kms.control.faults.set({
                rate: 1,
                operations: ["ListKeyRotations"],
                kinds: ["KMSInternalException"],
                count: 2,
            });
            try {
                const up = failed(await stack.up());
                assert.match(up.output, /was imported, but/);
            } finally {
                world().kms.control.faults.clear();
            }
            const afterFailure = (await stack.resource("byok-material"))!;
            // check stores validTo in KMS's spelling (toISOString), so the inputs hold the same instant, canonical.
            const canonical = (time: string) => new Date(time).toISOString();
            assert.equal(afterFailure.inputs["validTo"], canonical(validTo), "the engine kept the old inputs");
            assert.ok(afterFailure.initErrors?.length, "recorded as a partial failure");
            const kmsValidTo = (await world().materials(keyId))[0].ValidTo!;
            assert.equal(kmsValidTo.getTime(), Date.parse(newValidTo), "KMS has the new expiry");

            const preview = ok(await stack.preview());
            assert.equal(preview.step("byok-material")?.op, "update", "the next up finishes the job");
            ok(await stack.up());
            const converged = (await stack.resource("byok-material"))!;
            assert.equal(converged.inputs["validTo"], canonical(newValidTo));
            assert.equal(Date.parse(String(converged.outputs["validTo"])), Date.parse(newValidTo));
            assert.equal(converged.initErrors, undefined);
            assert.equal((await stack.exportState()).pendingOperations.length, 0);
            assert.equal((await world().materials(keyId)).length, 1, "exactly one material");
            await assertKeyUsable(world().client, keyId);
            ok(await stack.preview({ expectNoChanges: true }));
            await assertStateKeepsSecrets(stack, material);
        },
    );

    describe("the stack config a destroy runs with", () => {
        let other: KmsLocal;
        before(async () => {
            other = await startKmsLocal({ quotas: { enabled: false } });
        });
        after(async () => other.stop());

        it(
            "a config change after the last up does not reach refresh or destroy: they delete " +
                "where the material is",
            async () => {
                const { stack, keyId } = await upBasic("config-change");
                await stack.setConfig({ "pulumi-kms-byok:endpoint": other.url });
                ok(await stack.refresh({ expectNoChanges: true }));
                world().kms.control.resetCounters();
                ok(await stack.destroy());
                assert.equal(
                    world()
                        .kms.control.requests()
                        .filter((r) => r.operation === "DeleteImportedKeyMaterial").length,
                    1,
                    "the delete went to the endpoint of the last up",
                );
                assert.equal(other.control.requests().length, 0, "nothing went to the new endpoint");
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
            },
        );

        it(
            "an up after the endpoint moved to a KMS without the key fails and changes nothing; destroy still " +
                "deletes where the material is",
            async () => {
                const { stack, keyId } = await upBasic("config-change-up");
                await stack.setConfig({ "pulumi-kms-byok:endpoint": other.url });
                const preview = ok(await stack.preview());
                assert.equal(preview.step("byok-material")?.op, "update");
                assert.ok(
                    preview.messages().some((m) => m.includes(`the KMS endpoint is now ${other.url}`)),
                    preview.messages().join("\n"),
                );
                const up = failed(await stack.up());
                assert.match(
                    up.output,
                    /does not know arn:aws:kms:[^ ]+, whose material was imported through http:\/\/127\.0\.0\.1:\d+/,
                );
                assert.equal(
                    (await stack.resource("byok-material"))!.outputs["kmsEndpoint"],
                    world().kms.url,
                    "the recorded endpoint stays",
                );
                world().kms.control.resetCounters();
                ok(await stack.destroy());
                assert.equal(
                    world()
                        .kms.control.requests()
                        .filter((r) => r.operation === "DeleteImportedKeyMaterial").length,
                    1,
                    "the delete went where the material is",
                );
                assert.equal(
                    other.control.requests().filter((r) => r.operation === "DeleteImportedKeyMaterial").length,
                    0,
                );
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
            },
        );

        it(
            "an up after the endpoint moved to another URL of the same " + "KMS records it; destroy then goes there",
            async () => {
                const { stack, keyId } = await upBasic("config-change-same-kms");
                const alias = world().kms.url.replace("127.0.0.1", "localhost");
                await stack.setConfig({ "pulumi-kms-byok:endpoint": alias });
                world().kms.control.resetCounters();
                ok(await stack.up());
                assert.equal(
                    world().kms.control.counters()["ImportKeyMaterial"],
                    undefined,
                    "recording the endpoint imports nothing",
                );
                assert.equal((await stack.resource("byok-material"))!.outputs["kmsEndpoint"], alias);
                ok(await stack.preview({ expectNoChanges: true }));
                ok(await stack.destroy());
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
            },
        );
    });

    describe("provider upgrades", () => {
        /** "Version 2" of the provider: the same implementation behind a shim whose code (so `__provider`) differs. */
        const v1 = importedKeyMaterialProvider;
        const upgraded: pulumi.dynamic.ResourceProvider = {
            configure: (req) => v1.configure!(req),
            check: (olds, news) => v1.check!(olds, news),
            diff: (id, olds, news) => v1.diff!(id, olds, news),
            create: (inputs) => v1.create(inputs),
            read: (id, props) => v1.read!(id, props),
            update: (id, olds, news) => v1.update!(id, olds, news),
            delete: (id, props) => {
                console.error("provider v2 delete");
                return v1.delete!(id, props);
            },
        };
        /**
         * A program declaring the material as a dynamic.Resource of `provider`, which dynamic.Resource serializes
         * into `__provider` (a closure of about 2.5 KB), as the previous release's ImportedKeyMaterial did.
         */
        class DynamicMaterial extends pulumi.dynamic.Resource {
            constructor(provider: pulumi.dynamic.ResourceProvider, props: Record<string, unknown>) {
                const opts = { additionalSecretOutputs: ["keyMaterial"] };
                super(provider, "byok-material", props, opts, "aws-kms", "ImportedKeyMaterial");
            }
        }
        /** The material's inputs from the stack's config, as the basic program reads them. */
        const configuredInputs = (validTo: string) => {
            const config = new pulumi.Config();
            return { keyId: config.require("keyId"), keyMaterial: config.requireSecret("keyMaterial"), validTo };
        };
        const dynamicResourceProgram =
            (provider: pulumi.dynamic.ResourceProvider) =>
            (validTo: string): PulumiFn =>
            async () => {
                new DynamicMaterial(provider, configuredInputs(validTo));
            };
        const upgradedProgram = dynamicResourceProgram(upgraded);
        /**
         * The previous release's program: the same dynamic type with the `__provider` that release stored, pinned
         * byte for byte (not rebuilt from today's shim, which serializes differently).
         */
        class PreviousReleaseMaterial extends pulumi.CustomResource {}
        const previousReleaseProgram =
            (validTo: string): PulumiFn =>
            async () => {
                const props = { ...configuredInputs(validTo), __provider: PREVIOUS_RELEASE_PROVIDER };
                const opts = { additionalSecretOutputs: ["keyMaterial"] };
                new PreviousReleaseMaterial(IMPORTED_KEY_MATERIAL_TYPE, "byok-material", props, opts);
            };
        async function upWithPreviousRelease(name: string) {
            const key = await world().createKey();
            const validTo = inDays(100);
            const stack = await world().newStack(name, previousReleaseProgram(validTo), {
                keyId: key.KeyId!,
                keyMaterial: { secret: randomMaterial().toString("base64") },
            });
            ok(await stack.up());
            const stored = (await stack.resource("byok-material"))!;
            assert.equal(stored.inputs["__provider"], PREVIOUS_RELEASE_PROVIDER, "the previous release's closure");
            assert.equal(stored.outputs["__provider"], PREVIOUS_RELEASE_PROVIDER);
            stack.setProgram(basicProgram({ validTo }));
            return { stack, keyId: key.KeyId!, validTo };
        }

        it(
            "a stack the previous release wrote (its serialized closure in __provider) refreshes, drift-checks " +
                "and destroys with the current package",
            async () => {
                const { stack, keyId } = await upWithPreviousRelease("previous-release-as-is");
                world().kms.control.resetCounters();
                ok(await stack.refresh());
                const drift = ok(await stack.preview({ refresh: true }));
                assert.equal(
                    drift.step("byok-material")?.op,
                    "update",
                    "the next up would record the new __provider text",
                );
                assert.equal(world().kms.control.counters()["ImportKeyMaterial"], undefined, "nothing imported");
                ok(await stack.destroy());
                assert.equal(
                    world()
                        .kms.control.requests()
                        .filter((r) => r.operation === "DeleteImportedKeyMaterial" && r.status === 200).length,
                    1,
                );
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
            },
        );

        it(
            "a stack the previous release wrote: the next up records the compact __provider (no import), later " +
                "updates and destroy run it",
            async () => {
                const { stack, keyId } = await upWithPreviousRelease("previous-release-upgraded");
                world().kms.control.resetCounters();
                const up = ok(await stack.up());
                assert.equal(up.step("byok-material")?.op, "update");
                assert.equal(
                    world().kms.control.counters()["ImportKeyMaterial"],
                    undefined,
                    "recording the new text needs no import",
                );
                const stored = (await stack.resource("byok-material"))!;
                assert.equal(stored.inputs["__provider"], providerText("ImportedKeyMaterial"));
                assert.equal(stored.outputs["__provider"], providerText("ImportedKeyMaterial"));
                ok(await stack.preview({ expectNoChanges: true }));
                stack.setProgram(basicProgram({ validTo: inDays(200) }));
                ok(await stack.up());
                assert.equal(
                    world()
                        .kms.control.requests()
                        .filter((r) => r.operation === "ImportKeyMaterial" && r.status === 200).length,
                    1,
                    "the validTo change reimported",
                );
                ok(await stack.destroy());
                assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
            },
        );

        it("destroy after an upgrade that was never applied runs the provider stored at the last up", async () => {
            const { stack, validTo } = await upBasic("upgrade-not-applied");
            stack.setProgram(upgradedProgram(validTo));
            world().kms.control.resetCounters();
            // --run-program: the upgraded program is loaded (and registers v2), yet the delete is the stored v1's.
            const destroy = ok(await stack.destroy({ runProgram: true }));
            assert.ok(!destroy.output.includes("provider v2"), "the stored (v1) provider ran delete");
            assert.equal(
                world()
                    .kms.control.requests()
                    .filter((r) => r.operation === "DeleteImportedKeyMaterial" && r.status === 200).length,
                1,
                "exactly one material deleted",
            );
            assert.deepEqual((await stack.exportState()).resources, []);
        });

        it("an up after an upgrade records the new provider without any import; destroy then runs it", async () => {
            const { stack, validTo, keyId } = await upBasic("upgrade-applied");
            stack.setProgram(upgradedProgram(validTo));
            world().kms.control.resetCounters();
            const up = ok(await stack.up());
            assert.equal(up.step("byok-material")?.op, "update");
            assert.equal(
                world().kms.control.counters()["ImportKeyMaterial"],
                undefined,
                "recording the new code needs no import",
            );
            const destroy = ok(await stack.destroy());
            assert.ok(destroy.output.includes("provider v2 delete"), "the recorded (v2) provider ran delete");
            assert.equal((await world().describeKey(keyId)).KeyState, "PendingImport");
        });
    });
});
