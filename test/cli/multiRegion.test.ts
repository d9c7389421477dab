import assert from "node:assert/strict";
import { DecryptCommand, EncryptCommand } from "@aws-sdk/client-kms";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { ImportedKeyMaterial, KeyMaterialRotation } from "../../provider";
import { assertStateKeepsSecrets, ok } from "../support/cli/assertions";
import type { CliStack } from "../support/cli/cliStack";
import { useCliWorld } from "../support/cli/cliWorld";
import { TestKey } from "../support/cli/testKey";
import { randomMaterial } from "../support/materials";

/**
 * examples/multi-region through the official Pulumi CLI (its keys test resources): a primary in us-east-1,
 * replicas in eu-west-1 and ap-southeast-2, the same material imported into each, then a rotation of the family.
 */
describe("real CLI: multi-Region keys (primary and two replicas)", function () {
    this.timeout(240_000);
    const world = useCliWorld();
    const REPLICAS = ["eu-west-1", "ap-southeast-2"] as const;
    const REGIONS = ["us-east-1", ...REPLICAS] as const;
    const NAMES = (n: number) => [`material-${n}`, ...REPLICAS.map((r) => `material-${n}-${r}`)];

    interface Shape {
        second?: boolean;
        /** A third material in the primary only (pending), and optionally in eu-west-1. */
        third?: "primary" | "primary+replica" | "replica-only";
    }

    /** The example's program, the EXTERNAL keys test resources. */
    function program(shape: Shape = {}): PulumiFn {
        return async () => {
            const config = new pulumi.Config();
            const endpoint = world().kms.url;
            const primary = new TestKey("mrk", { endpoint, multiRegion: true });
            const firstInPrimary = new ImportedKeyMaterial("material-1", {
                keyId: primary.arn,
                keyMaterial: config.requireSecret("keyMaterial"),
                keyMaterialDescription: "material-1",
            });
            const replicas = REPLICAS.map(
                (region) =>
                    new TestKey(
                        `mrk-${region}`,
                        { endpoint, region, primaryKeyArn: primary.arn },
                        { dependsOn: [firstInPrimary] },
                    ),
            );
            const everywhere = (
                name: string,
                keyMaterial: pulumi.Output<string>,
                dependsOn: pulumi.Resource[],
                inPrimaryAlready?: ImportedKeyMaterial,
            ) => {
                const inPrimary =
                    inPrimaryAlready ??
                    new ImportedKeyMaterial(
                        name,
                        {
                            keyId: primary.arn,
                            keyMaterial,
                            keyMaterialDescription: name,
                            importType: "NEW_KEY_MATERIAL",
                        },
                        { dependsOn },
                    );
                const inReplicas = replicas.map(
                    (replica, i) =>
                        new ImportedKeyMaterial(
                            `${name}-${REPLICAS[i]}`,
                            { keyId: replica.arn, keyMaterial },
                            { dependsOn: [inPrimary] },
                        ),
                );
                return { inPrimary, inReplicas };
            };
            const first = everywhere("material-1", config.requireSecret("keyMaterial"), [], firstInPrimary);
            if (shape.second) {
                const next = everywhere("material-2", config.requireSecret("nextKeyMaterial"), first.inReplicas);
                new KeyMaterialRotation(
                    "rotate-to-material-2",
                    { keyId: primary.arn, keyMaterialId: next.inPrimary.keyMaterialId },
                    { dependsOn: next.inReplicas },
                );
            }
            if (shape.third) {
                const third = config.requireSecret("thirdKeyMaterial");
                const inPrimary =
                    shape.third === "replica-only"
                        ? undefined
                        : new ImportedKeyMaterial("material-3", {
                              keyId: primary.arn,
                              keyMaterial: third,
                              importType: "NEW_KEY_MATERIAL",
                          });
                if (shape.third !== "primary") {
                    new ImportedKeyMaterial(
                        "material-3-eu-west-1",
                        { keyId: replicas[0].arn, keyMaterial: third },
                        { dependsOn: inPrimary ? [inPrimary] : [] },
                    );
                }
            }
        };
    }

    const outputs = async (stack: CliStack, name: string) => (await stack.resource(name))!.outputs;
    const [first, second, third] = [randomMaterial(), randomMaterial(), randomMaterial()];
    let stack: CliStack;
    let keyId = "";
    let ciphertextFromPrimary: Uint8Array | undefined;

    before(async () => {
        stack = await world().newStack("multi-region", program(), {
            keyMaterial: { secret: first.toString("base64") },
            nextKeyMaterial: { secret: second.toString("base64") },
            thirdKeyMaterial: { secret: third.toString("base64") },
        });
    });

    it(
        "imports the same material into the primary and each " + "replica: every key Enabled, one KeyMaterialId",
        async () => {
            ok(await stack.up());
            keyId = String((await stack.resource("mrk"))!.id);
            assert.match(keyId, /^mrk-[0-9a-f]{32}$/);
            const ids = new Set<unknown>();
            for (const [i, name] of NAMES(1).entries()) {
                const out = await outputs(stack, name);
                assert.equal(out["region"], REGIONS[i]);
                assert.equal(out["keyState"], "Enabled", name);
                assert.equal(out["multiRegionKeyType"], i === 0 ? "PRIMARY" : "REPLICA");
                ids.add(out["keyMaterialId"]);
                assert.equal((await world().describeKey(keyId, REGIONS[i])).KeyState, "Enabled");
            }
            assert.equal(ids.size, 1, "related multi-Region keys share the KeyMaterialId");
            ({ CiphertextBlob: ciphertextFromPrimary } = await world().client.send(
                new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("across regions") }),
            ));
        },
    );

    it(
        "rotates the family: new material in the primary, then every replica, then " +
            "RotateKeyOnDemand on the primary",
        async () => {
            stack.setProgram(program({ second: true }));
            world().kms.control.resetCounters();
            ok(await stack.up());
            const order = world()
                .kms.control.requests()
                .filter(
                    (r) =>
                        (r.operation === "ImportKeyMaterial" || r.operation === "RotateKeyOnDemand") &&
                        r.status === 200,
                )
                .map((r) => `${r.operation}@${r.region}`);
            assert.deepEqual(order.slice(0, 1), ["ImportKeyMaterial@us-east-1"], "the primary first");
            assert.deepEqual(order.slice(1, 3).sort(), [
                "ImportKeyMaterial@ap-southeast-2",
                "ImportKeyMaterial@eu-west-1",
            ]);
            assert.deepEqual(order.slice(3), ["RotateKeyOnDemand@us-east-1"], "the rotation last, on the primary only");
            const newId = (await outputs(stack, "material-2"))["keyMaterialId"];
            for (const region of REGIONS)
                assert.equal(
                    (await world().describeKey(keyId, region)).CurrentKeyMaterialId,
                    newId,
                    `CURRENT in ${region}`,
                );
            const rotation = await outputs(stack, "rotate-to-material-2");
            assert.equal(rotation["keyMaterialState"], "CURRENT");
            assert.equal(rotation["currentKeyMaterialId"], newId);
        },
    );

    it(
        "refresh shows the first material NON_CURRENT in every Region; old ciphertexts decrypt in a " +
            "replica; nothing left to do",
        async () => {
            ok(await stack.refresh());
            for (const name of NAMES(1))
                assert.equal((await outputs(stack, name))["keyMaterialState"], "NON_CURRENT", name);
            for (const name of NAMES(2))
                assert.equal((await outputs(stack, name))["keyMaterialState"], "CURRENT", name);
            const decrypted = await world()
                .clientIn("eu-west-1")
                .send(new DecryptCommand({ CiphertextBlob: ciphertextFromPrimary }));
            assert.equal(Buffer.from(decrypted.Plaintext!).toString(), "across regions");
            ok(await stack.preview({ expectNoChanges: true }));
            await assertStateKeepsSecrets(stack, second, "material-2-eu-west-1");
        },
    );

    it(
        "a primary's pending material waits for the replicas; deleting it removes it from the " +
            "replicas (seen on refresh)",
        async () => {
            stack.setProgram(program({ second: true, third: "primary" }));
            ok(await stack.up());
            assert.equal(
                (await outputs(stack, "material-3"))["keyMaterialState"],
                "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
            );
            stack.setProgram(program({ second: true, third: "primary+replica" }));
            ok(await stack.up());
            assert.equal(
                (await outputs(stack, "material-3-eu-west-1"))["keyMaterialState"],
                "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
            );
            // Remove the primary's material-3 (the replica's resource stays): KMS removes it from the replicas too.
            stack.setProgram(program({ second: true, third: "replica-only" }));
            ok(await stack.up());
            ok(await stack.refresh());
            assert.equal((await outputs(stack, "material-3-eu-west-1"))["materialCondition"], "NOT_ASSOCIATED");
            assert.equal(
                (await world().describeKey(keyId, "eu-west-1")).KeyState,
                "Enabled",
                "pending material: the replica stays usable",
            );
        },
    );

    it("destroy deletes every material by id in its own Region and schedules every key's deletion", async () => {
        world().kms.control.resetCounters();
        ok(await stack.destroy());
        const deletes = world()
            .kms.control.requests()
            .filter((r) => r.operation === "DeleteImportedKeyMaterial");
        assert.ok(
            deletes.every((r) => /^[0-9a-f]{64}$/.test(r.keyMaterialId ?? "")),
            "always with a KeyMaterialId",
        );
        assert.deepEqual(new Set(deletes.map((r) => r.region)), new Set(REGIONS));
        assert.deepEqual((await stack.exportState()).resources, []);
        for (const region of REGIONS)
            assert.match(String((await world().describeKey(keyId, region)).KeyState), /Pending(Replica)?Deletion/);
    });
});
