import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import { ECC_CURVES, KeySpec, RSA_MODULUS_BITS } from "../../provider/wrapping/keySpecs";
import { assertKeyUsable } from "../support/assertions";
import { ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { materialsProgram } from "../support/cli/programs";

/**
 * The key material recipes of the README and the guides, run as written through the official Pulumi CLI: the
 * shell blocks marked `<!-- recipe: … -->` are read from the page that shows them (so this test breaks when the
 * page drifts) and every line runs in the stack's workspace with this machine's openssl and the real
 * `pulumi config set` (a PEM file piped in on standard input, a base64 line from `$(…)`). Only `pulumi up` is
 * the Automation API's, with a program declaring an ImportedKeyMaterial per secret; kms-local is the KMS.
 */

const ROOT = join(__dirname, "../../..");
/** Where each recipe is shown to users. */
const RECIPE_PAGES = { symmetric: "README.md", asymmetric: "docs/guides/asymmetric-and-hmac.md" } as const;

function recipe(name: keyof typeof RECIPE_PAGES): string[] {
    const page = RECIPE_PAGES[name];
    const text = readFileSync(join(ROOT, page), "utf8");
    const match = new RegExp(`<!-- recipe: ${name}\\b[^>]*-->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(text);
    assert.ok(match, `${page} has no \`recipe: ${name}\` shell block`);
    return match[1].split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
}

/** The secret config keys the recipe sets, in order. */
const secretsSetBy = (lines: string[]) =>
    lines.flatMap((line) => /^pulumi config set --secret (\S+)/.exec(line)?.[1] ?? []);

/** The public key as this machine's openssl derives it from the material (PEM, or base64 DER). */
function opensslPublicKey(material: string): Buffer {
    const pem = material.includes("-----BEGIN");
    const args = ["pkey", "-pubout", "-outform", "DER", ...(pem ? [] : ["-inform", "DER"])];
    return execFileSync("openssl", args, { input: pem ? material : Buffer.from(material, "base64") });
}

function keySpecOf(publicKey: Buffer): KeySpec {
    const { asymmetricKeyType, asymmetricKeyDetails: details } = createPublicKey({
        key: publicKey,
        format: "der",
        type: "spki",
    });
    const rsa = (Object.keys(RSA_MODULUS_BITS) as (keyof typeof RSA_MODULUS_BITS)[]).find(
        (s) => RSA_MODULUS_BITS[s] === details?.modulusLength,
    );
    const ecc = (Object.keys(ECC_CURVES) as (keyof typeof ECC_CURVES)[]).find(
        (s) => ECC_CURVES[s] === details?.namedCurve,
    );
    const spec = asymmetricKeyType === "rsa" ? rsa : ecc;
    assert.ok(spec, `no KMS key spec for the recipe's ${asymmetricKeyType} key`);
    return spec;
}

describe("real CLI: the key material recipes of the README and the guides, run as written", function () {
    this.timeout(300_000);
    const world = useCliWorld();

    async function runRecipe(name: keyof typeof RECIPE_PAGES) {
        const lines = recipe(name);
        const secrets = secretsSetBy(lines);
        const program = materialsProgram(
            ...secrets.map((secret) => ({ name: secret, keyId: `${secret}.keyId`, materialConfig: secret })),
        );
        const stack = await world().newStack(`readme-${name}`, program);
        for (const line of lines) if (!/^pulumi (up|preview|destroy)\b/.test(line)) await stack.shell(line);
        const materials = new Map<string, string>();
        for (const secret of secrets) materials.set(secret, await stack.configValue(secret));
        // The key files the recipe wrote are the user's to keep safe, not the stack's: not left for the leak scan.
        const keyFiles = lines.flatMap((line) => [...line.matchAll(/ -out (\S+)/g)].map((m) => m[1]));
        if (keyFiles.length > 0) await stack.shell(`rm -- ${keyFiles.join(" ")}`);
        return { stack, materials };
    }

    it(
        "asymmetric: a PEM file piped into pulumi config set and a base64 PKCS#8 line both import; " +
            "GetPublicKey is openssl's public key",
        async () => {
            const { stack, materials } = await runRecipe("asymmetric");
            assert.deepEqual([...materials.keys()], ["signingKey", "rsaKey"]);
            assert.match(
                materials.get("signingKey")!,
                /^-----BEGIN PRIVATE KEY-----/,
                "the guide shows PEM used directly",
            );
            assert.doesNotMatch(materials.get("rsaKey")!, /\s/, "one line of base64");
            const expected = new Map<string, { keySpec: KeySpec; publicKey: Buffer }>();
            for (const [secret, material] of materials) {
                const publicKey = opensslPublicKey(material);
                const keySpec = keySpecOf(publicKey);
                const key = await world().createKey({ KeySpec: keySpec, KeyUsage: "SIGN_VERIFY" });
                await stack.setConfig({ [`${secret}.keyId`]: key.Arn! });
                expected.set(secret, { keySpec, publicKey });
            }
            ok(await stack.up());
            for (const [secret, { keySpec, publicKey }] of expected) {
                const out = (await stack.resource(secret))!.outputs;
                assert.equal(out["keySpec"], keySpec, `${secret}: the key spec inferred from the material`);
                assert.equal(
                    out["publicKey"],
                    publicKey.toString("base64"),
                    `${secret}: the provider's public key is openssl's`,
                );
                const { PublicKey } = await world().client.send(
                    new GetPublicKeyCommand({ KeyId: String(out["keyArn"]) }),
                );
                assert.deepEqual(Buffer.from(PublicKey!), publicKey, `${secret}: GetPublicKey`);
            }
            ok(await stack.destroy());
        },
    );

    it(
        "symmetric: openssl rand -base64 32 set as a secret imports " + "into a key that then encrypts and decrypts",
        async () => {
            const { stack, materials } = await runRecipe("symmetric");
            assert.deepEqual([...materials.keys()], ["keyMaterial"]);
            const key = await world().createKey();
            await stack.setConfig({ "keyMaterial.keyId": key.Arn! });
            ok(await stack.up());
            const out = (await stack.resource("keyMaterial"))!.outputs;
            assert.equal(out["keySpec"], "SYMMETRIC_DEFAULT");
            assert.match(String(out["keyMaterialId"]), /^[0-9a-f]{64}$/);
            await assertKeyUsable(world().client, key.KeyId!);
            ok(await stack.destroy());
        },
    );
});
