import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import { KEY_SPECS, type KeySpec } from "../../provider/wrapping/keySpecs";
import { assertRunKeepsSecrets, assertStateKeepsSecrets, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { materialsProgram } from "../support/cli/programs";
import { assertKeyUsesMaterial } from "../support/keyUse";
import { fresh } from "../support/materials";

/**
 * Every key spec that takes imported material except SYMMETRIC_DEFAULT, through the official Pulumi CLI: RSA
 * private keys wrapped with RSA_AES_KEY_WRAP, the public key KMS publishes checked against the imported private
 * key, the imported keys signing and MACing with exactly the imported bytes, no ImportType ever sent, destroy by
 * the right call whether or not KMS reports a KeyMaterialId.
 */
describe("real CLI: asymmetric and HMAC material", function () {
    this.timeout(300_000);
    const world = useCliWorld();
    const specs = KEY_SPECS.filter((s) => s !== "SYMMETRIC_DEFAULT");
    const materials = new Map<KeySpec, Buffer>(specs.map((s) => [s, fresh(s)]));
    const nameOf = (spec: KeySpec) => spec.toLowerCase().replace(/_/g, "-");

    for (const materialIdInResponse of ["omit", "id"] as const) {
        it(
            `imports ${specs.length} key specs, verifies public keys, signs and MACs with the imported bytes, ` +
                `destroys by the right call (KeyMaterialId in responses: ${materialIdInResponse})`,
            async () => {
                world().kms.control.setSwitches({ importResponseMaterialIdAsymmetric: materialIdInResponse });
                try {
                    const config: Record<string, string | { secret: string }> = {};
                    for (const spec of specs) {
                        // RSA keys for signing (their default is ENCRYPT_DECRYPT): every key is then checked by signing
                        // or MACing.
                        const key = await world().createKey({
                            KeySpec: spec,
                            KeyUsage: spec.startsWith("HMAC") ? "GENERATE_VERIFY_MAC" : "SIGN_VERIFY",
                        });
                        config[`${nameOf(spec)}.keyId`] = key.KeyId!;
                        config[`${nameOf(spec)}.material`] = { secret: materials.get(spec)!.toString("base64") };
                    }
                    const program = materialsProgram(
                        ...specs.map((spec) => ({
                            name: nameOf(spec),
                            keyId: `${nameOf(spec)}.keyId`,
                            materialConfig: `${nameOf(spec)}.material`,
                            args: { keySpec: spec },
                        })),
                    );
                    const stack = await world().newStack(`asymmetric-${materialIdInResponse}`, program, config);
                    world().kms.control.resetCounters();
                    const up = ok(await stack.up());
                    for (const [spec, material] of materials) {
                        assertRunKeepsSecrets(up, material);
                        const out = (await stack.resource(nameOf(spec)))!.outputs;
                        assert.equal(out["keyState"], "Enabled", spec);
                        assert.equal(out["keySpec"], spec);
                        assert.equal(out["materialCondition"], "IMPORTED");
                        if (spec.startsWith("HMAC")) {
                            assert.equal(out["publicKey"], null);
                        } else {
                            const expected = createPublicKey(
                                createPrivateKey({ key: material, format: "der", type: "pkcs8" }),
                            ).export({ type: "spki", format: "der" });
                            assert.equal(
                                out["publicKey"],
                                expected.toString("base64"),
                                `${spec}: publicKey is the imported key's`,
                            );
                            const published = await world().client.send(
                                new GetPublicKeyCommand({ KeyId: String(out["keyArn"]) }),
                            );
                            assert.deepEqual(Buffer.from(published.PublicKey!), expected);
                            assert.equal(
                                out["wrappingAlgorithm"],
                                spec.startsWith("RSA") ? "RSA_AES_KEY_WRAP_SHA_256" : "RSAES_OAEP_SHA_256",
                            );
                        }
                        assert.equal(
                            out["keyMaterialId"] === null,
                            materialIdInResponse === "omit",
                            `${spec}: keyMaterialId as KMS reported it`,
                        );
                        await assertStateKeepsSecrets(stack, material, nameOf(spec));
                    }
                    const imports = world()
                        .kms.control.requests()
                        .filter((r) => r.operation === "ImportKeyMaterial");
                    assert.equal(imports.filter((r) => r.status === 200).length, materials.size);
                    assert.ok(
                        imports.every((r) => r.importType === undefined),
                        "no ImportType for asymmetric or HMAC keys",
                    );
                    ok(await stack.refresh({ expectNoChanges: true }));
                    for (const [spec, material] of materials)
                        await assertKeyUsesMaterial(
                            world().client,
                            String((await stack.resource(nameOf(spec)))!.outputs["keyArn"]),
                            spec,
                            material,
                        );

                    world().kms.control.resetCounters();
                    ok(await stack.destroy());
                    const deletes = world()
                        .kms.control.requests()
                        .filter((r) => r.operation === "DeleteImportedKeyMaterial");
                    assert.equal(deletes.filter((r) => r.status === 200).length, materials.size);
                    if (materialIdInResponse === "id")
                        assert.ok(
                            deletes.every((r) => /^[0-9a-f]{64}$/.test(r.keyMaterialId ?? "")),
                            "the id KMS gave is used",
                        );
                } finally {
                    world().kms.control.resetSwitches();
                }
            },
        );
    }
});
