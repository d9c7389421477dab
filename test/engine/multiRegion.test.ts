import assert from "node:assert/strict";
import { expectOk as ok } from "../support/expectOk";
import { randomBytes } from "node:crypto";
import { DecryptCommand, EncryptCommand } from "@aws-sdk/client-kms";
import { ref, type Program, type Stack } from "../../engine-harness";
import { materialDeclaration } from "../../engine-harness/byok/basic";
import { assertStateKeepsSecrets, useByokWorld } from "../support/byokStack";

/**
 * examples/multi-region through the real provider host: a primary in us-east-1 and replicas in eu-west-1
 * and ap-southeast-2, the same material imported into each, then a rotation of the whole family.
 */
describe("engine: multi-Region keys (primary and two replicas)", () => {
    const world = useByokWorld();
    const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"] as const;
    const MATERIAL_NAMES = (n: number) => [`material-${n}`, `material-${n}-eu-west-1`, `material-${n}-ap-southeast-2`];

    const outputs = async (stack: Stack, name: string) => (await stack.resource(name))!.outputs;

    let stack: Stack;
    let keyId = "";
    const first = randomBytes(32).toString("base64");
    const second = randomBytes(32).toString("base64");
    let ciphertextFromPrimary: Uint8Array | undefined;

    before(async () => {
        stack = world().newStack("multi-region");
    });

    it("imports the same material into the primary and each replica: every key Enabled, one KeyMaterialId", async () => {
        ok(await stack.up(await world().example("multi-region", { keyMaterial: first })));
        keyId = String((await stack.resource("mrk"))!.id);
        assert.match(keyId, /^mrk-[0-9a-f]{32}$/);
        const ids = new Set<unknown>();
        for (const [i, name] of MATERIAL_NAMES(1).entries()) {
            const out = await outputs(stack, name);
            assert.equal(out["region"], REGIONS[i]);
            assert.equal(out["keyState"], "Enabled", name);
            assert.equal(out["multiRegionKeyType"], i === 0 ? "PRIMARY" : "REPLICA");
            ids.add(out["keyMaterialId"]);
            assert.equal((await world().describeKey(keyId, REGIONS[i])).KeyState, "Enabled");
        }
        assert.equal(ids.size, 1, "related multi-Region keys share the KeyMaterialId");
        ({ CiphertextBlob: ciphertextFromPrimary } = await world().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("across regions") })));
    });

    it("rotates the family: new material in the primary, then every replica, then RotateKeyOnDemand on the primary", async () => {
        const program = await world().example("multi-region", { keyMaterial: first, nextKeyMaterial: second });
        world().kms.control.resetCounters();
        ok(await stack.up(program));
        const order = world().kms.control.requests()
            .filter((r) => (r.operation === "ImportKeyMaterial" || r.operation === "RotateKeyOnDemand") && r.status === 200)
            .map((r) => `${r.operation}@${r.region}`);
        assert.deepEqual(order.slice(0, 1), ["ImportKeyMaterial@us-east-1"], "the primary first");
        assert.deepEqual(order.slice(1, 3).sort(), ["ImportKeyMaterial@ap-southeast-2", "ImportKeyMaterial@eu-west-1"]);
        assert.deepEqual(order.slice(3), ["RotateKeyOnDemand@us-east-1"], "the rotation last, on the primary only");
        const newId = (await outputs(stack, "material-2"))["keyMaterialId"];
        for (const region of REGIONS) {
            assert.equal((await world().describeKey(keyId, region)).CurrentKeyMaterialId, newId, `CURRENT in ${region}`);
        }
        const rotation = await outputs(stack, "rotate-to-material-2");
        assert.equal(rotation["keyMaterialState"], "CURRENT");
        assert.equal(rotation["currentKeyMaterialId"], newId);
    });

    it("refresh shows the first material NON_CURRENT in every Region; old ciphertexts decrypt in a replica", async () => {
        const program = await world().example("multi-region", { keyMaterial: first, nextKeyMaterial: second });
        ok(await stack.refresh(program));
        for (const name of MATERIAL_NAMES(1)) assert.equal((await outputs(stack, name))["keyMaterialState"], "NON_CURRENT", name);
        for (const name of MATERIAL_NAMES(2)) assert.equal((await outputs(stack, name))["keyMaterialState"], "CURRENT", name);
        const decrypted = await world().clientIn("eu-west-1").send(new DecryptCommand({ CiphertextBlob: ciphertextFromPrimary }));
        assert.equal(Buffer.from(decrypted.Plaintext!).toString(), "across regions");
        assert.equal(ok(await stack.preview(program)).summary.update, 0);
        await assertStateKeepsSecrets(stack, Buffer.from(second, "base64"), "material-2-eu-west-1");
    });

    it("a primary's pending material waits for the replicas; deleting it removes it from the replicas (seen on refresh)", async () => {
        const program = await world().example("multi-region", { keyMaterial: first, nextKeyMaterial: second });
        const third = randomBytes(32).toString("base64");
        const primaryOnly = [...program, pendingMaterial("material-3", third)];
        ok(await stack.up(primaryOnly));
        assert.equal((await outputs(stack, "material-3"))["keyMaterialState"], "PENDING_MULTI_REGION_IMPORT_AND_ROTATION");
        const withReplica = [...primaryOnly, replicaMaterial("material-3-eu-west-1", third, "material-3")];
        ok(await stack.up(withReplica));
        assert.equal((await outputs(stack, "material-3-eu-west-1"))["keyMaterialState"], "PENDING_MULTI_REGION_IMPORT_AND_ROTATION");
        // Remove the primary's material-3 (the replica's resource stays): KMS removes it from the replicas too.
        const withoutPrimary = withReplica
            .filter((d) => d.name !== "material-3")
            .map((d) => (d.name === "material-3-eu-west-1" ? { ...d, options: { ...d.options, dependsOn: [] } } : d));
        ok(await stack.up(withoutPrimary));
        const refresh = ok(await stack.refresh(withoutPrimary));
        const replica = refresh.steps.find((s) => s.name === "material-3-eu-west-1");
        assert.deepEqual(replica?.refresh?.outputChanges["materialCondition"], { old: "IMPORTED", new: "NOT_ASSOCIATED" });
        assert.equal((await world().describeKey(keyId, "eu-west-1")).KeyState, "Enabled", "pending material: the replica stays usable");
    });

    it("destroy deletes every material by id in its own Region and schedules every key's deletion", async () => {
        const program = await world().example("multi-region", { keyMaterial: first, nextKeyMaterial: second });
        world().kms.control.resetCounters();
        ok(await stack.destroy(program));
        const deletes = world().kms.control.requests().filter((r) => r.operation === "DeleteImportedKeyMaterial");
        assert.ok(deletes.every((r) => /^[0-9a-f]{64}$/.test(r.keyMaterialId ?? "")), "always with a KeyMaterialId");
        assert.deepEqual(new Set(deletes.map((r) => r.region)), new Set(REGIONS));
        assert.deepEqual((await stack.state()).resources, []);
    });

    /** A material for the primary only, pending (not rotated). */
    function pendingMaterial(name: string, material: string): Program[number] {
        return { ...materialFor(name, "mrk", material), inputs: { ...materialFor(name, "mrk", material).inputs, importType: "NEW_KEY_MATERIAL" } };
    }
    function replicaMaterial(name: string, material: string, after: string): Program[number] {
        const declaration = materialFor(name, "mrk-eu-west-1", material);
        return { ...declaration, options: { ...declaration.options, dependsOn: [after] } };
    }
    /** An ImportedKeyMaterial keyed by its key's ARN, as the example declares them. */
    function materialFor(name: string, key: string, material: string) {
        const declaration = materialDeclaration({ name, key, material });
        return { ...declaration, inputs: { ...declaration.inputs, keyId: ref(key, "arn") } };
    }
});
