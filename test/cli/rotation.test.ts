import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { ImportedKeyMaterial } from "../../provider";
import { assertKeyUnusable, assertKeyUsable } from "../support/assertions";
import { assertStateKeepsSecrets, ok } from "../support/cli/assertions";
import type { CliStack } from "../support/cli/cliStack";
import { useCliWorld } from "../support/cli/cliWorld";
import { TestKey } from "../support/cli/testKey";
import { randomMaterial } from "../support/materials";

/**
 * Rotation of imported material through the official Pulumi CLI: examples/rotation's program (with the
 * EXTERNAL key a test resource), and the rules around several materials in one key.
 */
describe("real CLI: rotation of imported material", function () {
    this.timeout(180_000);
    const world = useCliWorld();

    const outputs = async (stack: CliStack, name: string) => (await stack.resource(name))!.outputs;

    /** examples/rotation: a key, its first material and, with `nextKeyMaterial`, a second one rotated in on demand. */
    function rotationProgram(options: { second?: boolean; rotate?: boolean; first?: boolean } = {}): PulumiFn {
        return async () => {
            const config = new pulumi.Config();
            const key = new TestKey("rotating", { endpoint: world().kms.url });
            const first =
                options.first === false
                    ? undefined
                    : new ImportedKeyMaterial("material-1", {
                          keyId: key.arn,
                          keyMaterial: config.requireSecret("keyMaterial"),
                          keyMaterialDescription: "material 1",
                      });
            if (options.second) {
                new ImportedKeyMaterial(
                    "material-2",
                    {
                        keyId: key.arn,
                        keyMaterial: config.requireSecret("nextKeyMaterial"),
                        importType: "NEW_KEY_MATERIAL",
                        keyMaterialDescription: "material 2",
                        rotateOnDemand: options.rotate ?? true,
                    },
                    { dependsOn: first ? [first] : [] },
                );
            }
        };
    }

    async function newRotationStack(name: string) {
        const [first, second] = [randomMaterial(), randomMaterial()];
        const stack = await world().newStack(name, rotationProgram(), {
            keyMaterial: { secret: first.toString("base64") },
            nextKeyMaterial: { secret: second.toString("base64") },
        });
        return { stack, first, second };
    }

    it(
        "rotates to a second material; old ciphertexts still decrypt; refresh shows each " +
            "state; nothing left to do",
        async () => {
            const { stack, second } = await newRotationStack("rotation-example");
            ok(await stack.up());
            const keyArn = String((await outputs(stack, "material-1"))["keyArn"]);
            assert.equal((await outputs(stack, "material-1"))["keyMaterialState"], "CURRENT");
            const oldCiphertext = await assertKeyUsable(world().client, keyArn);

            stack.setProgram(rotationProgram({ second: true }));
            const preview = ok(await stack.preview());
            assert.equal(preview.step("material-2")?.op, "create");
            ok(await stack.up());
            const material2 = await outputs(stack, "material-2");
            assert.equal(material2["keyMaterialState"], "CURRENT");
            assert.equal((await world().describeKey(keyArn)).CurrentKeyMaterialId, material2["keyMaterialId"]);

            const refresh = ok(await stack.refresh());
            assert.equal(refresh.step("material-1", "refresh")?.op, "refresh");
            const material1 = await outputs(stack, "material-1");
            assert.equal(material1["keyMaterialState"], "NON_CURRENT");
            assert.equal(material1["deletionImpact"], "KEY_BECOMES_PENDING_IMPORT");
            await assertKeyUsable(world().client, keyArn, oldCiphertext);
            ok(await stack.preview({ expectNoChanges: true }));
            await assertStateKeepsSecrets(stack, second, "material-2");
        },
    );

    it("removing a PENDING_ROTATION material deletes only it: the key stays usable, and the log says so", async () => {
        const { stack } = await newRotationStack("remove-pending");
        stack.setProgram(rotationProgram({ second: true, rotate: false }));
        ok(await stack.up());
        const keyArn = String((await outputs(stack, "material-1"))["keyArn"]);
        const material2 = await outputs(stack, "material-2");
        assert.equal(material2["keyMaterialState"], "PENDING_ROTATION");
        assert.equal(material2["deletionImpact"], "KEY_STAYS_USABLE");
        world().kms.control.resetCounters();
        stack.setProgram(rotationProgram());
        const up = ok(await stack.up());
        assert.equal(up.step("material-2")?.op, "delete");
        const deletes = world()
            .kms.control.requests()
            .filter((r) => r.operation === "DeleteImportedKeyMaterial");
        assert.deepEqual(
            deletes.map((r) => r.keyMaterialId),
            [material2["keyMaterialId"]],
        );
        assert.ok(
            up.messages().some((m) => /material [0-9a-f]{12}…: deleted; key is Enabled$/m.test(m)),
            up.messages().join("\n"),
        );
        assert.equal((await world().describeKey(keyArn)).KeyState, "Enabled");
        assert.equal((await world().materials(keyArn)).length, 1);
    });

    it("removing a permanently associated material makes the key PendingImport, and says so", async () => {
        const { stack } = await newRotationStack("remove-permanent");
        stack.setProgram(rotationProgram({ second: true }));
        ok(await stack.up());
        ok(await stack.refresh());
        const keyArn = String((await outputs(stack, "material-1"))["keyArn"]);
        assert.equal((await outputs(stack, "material-1"))["deletionImpact"], "KEY_BECOMES_PENDING_IMPORT");
        stack.setProgram(rotationProgram({ first: false, second: true }));
        const up = ok(await stack.up());
        assert.ok(
            up
                .messages()
                .some((m) =>
                    /material [0-9a-f]{12}…: deleted; key is now PendingImport: unusable until reimported/.test(m),
                ),
            up.messages().join("\n"),
        );
        assert.equal((await world().describeKey(keyArn)).KeyState, "PendingImport");
        await assertKeyUnusable(world().client, keyArn, "KMSInvalidStateException");
        ok(await stack.refresh());
        assert.equal((await outputs(stack, "material-2"))["keyState"], "PendingImport");
    });

    for (const stage of ["import", "rotation"] as const) {
        it(
            `a result lost after the ${stage} (state rolled back) converges on the next up: no second ` +
                `material, no second rotation`,
            async () => {
                const { stack } = await newRotationStack(`lost-${stage}`);
                ok(await stack.up());
                const keyArn = String((await outputs(stack, "material-1"))["keyArn"]);
                const before = (await stack.exportState()).text;
                world().kms.control.resetCounters();
                stack.setProgram(rotationProgram({ second: true, rotate: stage === "rotation" }));
                ok(await stack.up());
                await stack.importState(before); // the result never reached the state
                const rerun = ok(await stack.up());
                assert.equal(rerun.step("material-2")?.op, "create");
                const materials = await world().materials(keyArn);
                assert.equal(materials.length, 2, "exactly the intended materials");
                assert.equal(
                    materials.filter((m) => m.KeyMaterialState?.startsWith("PENDING_")).length,
                    stage === "rotation" ? 0 : 1,
                );
                const rotations = world()
                    .kms.control.requests()
                    .filter((r) => r.operation === "RotateKeyOnDemand" && r.status === 200);
                assert.equal(rotations.length, stage === "rotation" ? 1 : 0);
                const stored = await outputs(stack, "material-2");
                const entry = materials.find((m) => m.KeyMaterialId === stored["keyMaterialId"]);
                assert.equal(stored["keyMaterialState"], entry?.KeyMaterialState, "stored state matches KMS");
                await assertKeyUsable(world().client, keyArn);
            },
        );
    }
});
