import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ByokKey } from "../../provider";
import { fresh } from "../support/materials";
import {
    EXAMPLES,
    captureExample,
    capturePulumiProgram,
    isSecretEnvelope,
    type CapturedResource,
    type ExampleName,
} from "../support/mocks";

/**
 * Every program in examples/ run under pulumi.runtime.setMocks, as the language host runs it: what each
 * registers, how the resources are wired, that the material only ever travels as a secret, and that the
 * stack outputs resolve. (No provider code runs under mocks; test/cli runs the same programs' shapes through
 * the real Pulumi CLI, with test resources in place of the @pulumi/aws keys, whose plugin cannot run offline.)
 */
describe("examples/ under pulumi.runtime.setMocks", () => {
    const material = randomBytes(32).toString("base64");
    const CONFIG: Record<ExampleName, Record<string, string>> = {
        basic: { keyMaterial: material, validTo: "2027-06-30T00:00:00Z" },
        rotation: { keyMaterial: material, nextKeyMaterial: randomBytes(32).toString("base64") },
        "multi-region": {
            keyMaterial: material,
            nextKeyMaterial: randomBytes(32).toString("base64"),
            kmsEndpoint: "http://127.0.0.1:4599",
        },
        asymmetric: {
            signingKey: fresh("ECC_NIST_P256").toString("base64"),
            rsaKey: fresh("RSA_2048").toString("base64"),
            macKey: randomBytes(32).toString("base64"),
        },
    };

    const capture = (name: ExampleName) => captureExample(name, CONFIG[name]);
    const materials = (resources: CapturedResource[]) =>
        resources.filter((r) => r.type === "pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial");
    const byName = (resources: CapturedResource[], name: string) => resources.find((r) => r.name === name)!;

    for (const name of EXAMPLES) {
        it(`${name}: every material input is a secret, never in __provider; additionalSecretOutputs set`, async () => {
            const resources = await capture(name);
            assert.ok(materials(resources).length > 0);
            for (const r of materials(resources)) {
                assert.ok(isSecretEnvelope(r.inputs["keyMaterial"]), `${r.name}: keyMaterial is a secret`);
                assert.deepEqual(r.additionalSecretOutputs, ["keyMaterial", "hsmPin", "hsmModuleParameters"]);
                const provider = String(r.inputs["__provider"]);
                assert.ok(provider.length < 4096 && provider.includes("pulumi-kms-byok/dist/provider/dynamic/runtime"));
                for (const value of Object.values(CONFIG[name]))
                    assert.ok(!provider.includes(value), `${r.name}: __provider holds no config value`);
            }
        });

        it(`${name}: stack outputs resolve (output properties are not shadowed by class fields)`, async () => {
            await capture(name);
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled example, by path
            const exports = require(resolve(__dirname, "../../examples", name, "index.js")) as Record<string, unknown>;
            assert.ok(Object.keys(exports).length > 0);
            for (const [key, value] of Object.entries(exports)) {
                const values = Array.isArray(value) ? value : [value];
                assert.ok(
                    values.every((v) => pulumi.Output.isInstance(v)),
                    `${name}: export ${key} is an Output`,
                );
            }
            const arn = exports["keyArn"] ?? exports["primaryArn"] ?? exports["signingKeyArn"];
            assert.match(String(await valueOf(arn)), /^__ref__:/, `${name}: the key's ARN flows to the stack outputs`);
        });
    }

    it("basic: the material imports into the ExternalKey's id, with the configured validTo", async () => {
        const resources = await capture("basic");
        assert.deepEqual(
            resources.filter((r) => r.custom).map((r) => `${r.type}/${r.name}`),
            ["aws:kms/externalKey:ExternalKey/byok", "pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial/byok-material"],
        );
        const m = byName(resources, "byok-material");
        assert.equal(m.inputs["keyId"], "__ref__:byok:id");
        assert.equal(m.inputs["validTo"], "2027-06-30T00:00:00Z");
        assert.ok(m.dependencies.some((urn) => urn.endsWith("::byok")));
        assert.deepEqual(byName(resources, "byok").inputs, { deletionWindowInDays: 7, description: "payments BYOK" });
    });

    it("rotation: the second material is NEW_KEY_MATERIAL, rotated on demand, after the first", async () => {
        const resources = await capture("rotation");
        const second = byName(resources, "material-2");
        assert.equal(second.inputs["importType"], "NEW_KEY_MATERIAL");
        assert.equal(second.inputs["rotateOnDemand"], true);
        assert.equal(second.inputs["keyId"], "__ref__:rotating:arn");
        assert.ok(second.dependencies.some((urn) => urn.endsWith("::material-1")));
    });

    it(
        "multi-region: replicas after the primary's material, replica materials after the " +
            "primary's, rotation last",
        async () => {
            const resources = await capture("multi-region");
            const deps = (name: string) =>
                byName(resources, name)
                    .dependencies.map((u) => u.slice(u.lastIndexOf("::") + 2))
                    .sort();
            assert.deepEqual(deps("mrk-eu-west-1"), ["material-1", "mrk"]);
            assert.deepEqual(deps("material-1-eu-west-1"), ["material-1", "mrk-eu-west-1"]);
            assert.deepEqual(deps("material-2"), ["material-1-ap-southeast-2", "material-1-eu-west-1", "mrk"]);
            assert.deepEqual(deps("rotate-to-material-2"), [
                "material-2",
                "material-2-ap-southeast-2",
                "material-2-eu-west-1",
                "mrk",
            ]);
            assert.equal(byName(resources, "material-2-eu-west-1").inputs["keyId"], "__ref__:mrk-eu-west-1:arn");
            assert.equal(
                byName(resources, "material-2-eu-west-1").inputs["importType"],
                undefined,
                "replicas never take NEW_KEY_MATERIAL",
            );
            assert.equal(
                byName(resources, "rotate-to-material-2").inputs["keyMaterialId"],
                "__ref__:material-2:keyMaterialId",
            );
            assert.equal(byName(resources, "mrk").inputs["multiRegion"], true);
            assert.equal(byName(resources, "material-1").inputs["endpoint"], "http://127.0.0.1:4599");
        },
    );

    it("ByokKey: an ExternalKey with the key spec's usage, the material under it as a secret, aliases", async () => {
        const p256 = fresh("ECC_NIST_P256").toString("base64");
        const resources = await capturePulumiProgram(
            () => {
                new ByokKey("sign", {
                    keySpec: "ECC_NIST_P256",
                    keyMaterial: pulumi.secret(p256),
                    aliases: ["alias/signing"],
                    description: "d",
                });
                new ByokKey("mac", {
                    keySpec: "HMAC_384",
                    keyMaterial: pulumi.secret(randomBytes(48).toString("base64")),
                });
                new ByokKey("plain", { keyMaterial: pulumi.secret(material), validTo: "2027-01-01T00:00:00Z" });
            },
            { project: "kms-byok", stack: "component" },
        );
        const key = byName(resources, "sign");
        assert.equal(
            key.type === "aws:kms/externalKey:ExternalKey"
                ? key.inputs["keyUsage"]
                : byName(
                      resources.filter((r) => r.custom),
                      "sign",
                  ).inputs["keyUsage"],
            "SIGN_VERIFY",
        );
        const keys = resources.filter((r) => r.type === "aws:kms/externalKey:ExternalKey");
        assert.deepEqual(keys.map((k) => [k.name, k.inputs["keySpec"], k.inputs["keyUsage"]]).sort(), [
            ["mac", "HMAC_384", "GENERATE_VERIFY_MAC"],
            ["plain", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"],
            ["sign", "ECC_NIST_P256", "SIGN_VERIFY"],
        ]);
        const signMaterial = byName(resources, "sign-material");
        assert.equal(signMaterial.inputs["keyId"], "__ref__:sign:arn");
        assert.ok(isSecretEnvelope(signMaterial.inputs["keyMaterial"]));
        assert.match(signMaterial.parentUrn, /pulumi-kms-byok:index:ByokKey::sign$/);
        assert.equal(byName(resources, "plain-material").inputs["validTo"], "2027-01-01T00:00:00Z");
        const alias = resources.find((r) => r.type === "aws:kms/alias:Alias")!;
        assert.deepEqual([alias.inputs["name"], alias.inputs["targetKeyId"]], ["alias/signing", "__ref__:sign:id"]);
    });
});

function valueOf(value: unknown): Promise<unknown> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<string>);
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}
