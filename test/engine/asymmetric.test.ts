import assert from "node:assert/strict";
import { expectOk as ok } from "../support/expectOk";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import * as pulumi from "@pulumi/pulumi";
import { ByokKey } from "../../provider";
import { KEY_SPECS, type KeySpec } from "../../provider/wrapping/keySpecs";
import { capturePulumiProgram, toProgram } from "../../engine-harness/capture";
import { awsStandIns } from "../../engine-harness/byok/externalKey";
import type { Program } from "../../engine-harness";
import { fresh } from "../support/materials";
import { assertStateKeepsSecrets, useByokWorld } from "../support/byokStack";

/**
 * Every key spec that takes imported material, each as a ByokKey (the component: an EXTERNAL key and its
 * ImportedKeyMaterial), through the real provider host: RSA private keys wrapped with RSA_AES_KEY_WRAP,
 * the public key KMS publishes checked against the imported private key, no ImportType ever sent.
 */
describe("engine: asymmetric and HMAC material, through the ByokKey component", () => {
    const world = useByokWorld();
    const materials = new Map<KeySpec, Buffer>(KEY_SPECS.filter((s) => s !== "SYMMETRIC_DEFAULT").map((s) => [s, fresh(s)]));


    /** The program a user writes: one line per key. */
    async function program(): Promise<Program> {
        const captured = await capturePulumiProgram(
            () => {
                for (const [spec, material] of materials) {
                    new ByokKey(spec.toLowerCase().replace(/_/g, "-"), { keySpec: spec, keyMaterial: pulumi.secret(material.toString("base64")), endpoint: world().kms.url });
                }
            },
            { project: "kms-byok", stack: "asymmetric" },
        );
        return toProgram(captured, awsStandIns(world().endpoint));
    }

    for (const materialIdInResponse of ["omit", "id"] as const) {
        it(`imports ${materials.size} key specs, verifies public keys, and destroys by the right call (S9 KeyMaterialId: ${materialIdInResponse})`, async () => {
            world().kms.control.setSwitches({ importResponseMaterialIdAsymmetric: materialIdInResponse });
            try {
                const stack = world().newStack(`asymmetric-${materialIdInResponse}`);
                world().kms.control.resetCounters();
                const declared = await program();
                ok(await stack.up(declared));
                for (const [spec, material] of materials) {
                    const resource = (await stack.resource(`${spec.toLowerCase().replace(/_/g, "-")}-material`))!;
                    const out = resource.outputs;
                    assert.equal(out["keyState"], "Enabled", spec);
                    assert.equal(out["keySpec"], spec);
                    assert.equal(out["materialCondition"], "IMPORTED");
                    if (spec.startsWith("HMAC")) {
                        assert.equal(out["publicKey"], null);
                    } else {
                        const expected = createPublicKey(createPrivateKey({ key: material, format: "der", type: "pkcs8" })).export({ type: "spki", format: "der" });
                        assert.equal(out["publicKey"], expected.toString("base64"), `${spec}: publicKey is the imported key's`);
                        const published = await world().client.send(new GetPublicKeyCommand({ KeyId: String(out["keyArn"]) }));
                        assert.deepEqual(Buffer.from(published.PublicKey!), expected);
                        assert.equal(out["wrappingAlgorithm"], spec.startsWith("RSA") ? "RSA_AES_KEY_WRAP_SHA_256" : "RSAES_OAEP_SHA_256");
                    }
                    assert.equal(out["keyMaterialId"] === null, materialIdInResponse === "omit", `${spec}: keyMaterialId as KMS reported it`);
                    await assertStateKeepsSecrets(stack, material, `${spec.toLowerCase().replace(/_/g, "-")}-material`);
                }
                const imports = world().kms.control.requests().filter((r) => r.operation === "ImportKeyMaterial");
                assert.equal(imports.filter((r) => r.status === 200).length, materials.size);
                assert.ok(imports.every((r) => r.importType === undefined), "no ImportType for asymmetric or HMAC keys");

                world().kms.control.resetCounters();
                ok(await stack.destroy(declared));
                const deletes = world().kms.control.requests().filter((r) => r.operation === "DeleteImportedKeyMaterial");
                assert.equal(deletes.filter((r) => r.status === 200).length, materials.size);
                if (materialIdInResponse === "id") assert.ok(deletes.every((r) => /^[0-9a-f]{64}$/.test(r.keyMaterialId ?? "")), "the id KMS gave is used");
            } finally {
                world().kms.control.resetSwitches();
            }
        });
    }

    it("examples/asymmetric (ByokKey for P-256, RSA-3072 and HMAC-256) comes up and goes away", async () => {
        const config = {
            signingKey: materials.get("ECC_NIST_P256")!.toString("base64"),
            rsaKey: materials.get("RSA_3072")!.toString("base64"),
            macKey: materials.get("HMAC_256")!.toString("base64"),
        };
        const stack = world().newStack("asymmetric-example");
        const declared = await world().example("asymmetric", config);
        ok(await stack.up(declared));
        for (const name of ["signing-material", "rsa-encryption-material", "mac-material"]) {
            assert.equal((await stack.resource(name))!.outputs["keyState"], "Enabled", name);
        }
        ok(await stack.destroy(declared));
    });
});
