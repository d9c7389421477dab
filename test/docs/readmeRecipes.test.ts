import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetPublicKeyCommand } from "@aws-sdk/client-kms";
import { checkInputs } from "../../provider/dynamic/check";
import { createMaterial } from "../../provider/dynamic/operations";
import { ECC_CURVES, KeySpec, RSA_MODULUS_BITS } from "../../provider/wrapping/keySpecs";
import { assertKeyUsable } from "../support/assertions";
import { useProviderKms } from "../support/kms";
import { leakRegistry } from "../support/leakScan";

/**
 * The README's key material recipes, run as written: the shell blocks marked `<!-- readme-recipe: … -->`
 * are read from README.md (so this test breaks when the README drifts), their openssl commands run with
 * this machine's openssl, and each secret they would set is imported through the provider into kms-local.
 * `pulumi` lines need the CLI: a `config set --secret NAME "$(command)"` runs the command, a
 * `config set --secret NAME < file` reads the file (Pulumi reads multi-line values from standard input).
 */

const README = join(__dirname, "../../../README.md");

function recipe(name: string): string[] {
    const text = readFileSync(README, "utf8");
    const match = new RegExp(`<!-- readme-recipe: ${name}\\b[^>]*-->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(text);
    assert.ok(match, `README.md has no \`readme-recipe: ${name}\` shell block`);
    return match[1]!.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
}

/** Runs a recipe's lines in `dir`; returns the secrets it sets, by config key. */
function run(lines: string[], dir: string): Map<string, string> {
    const bash = (command: string) => execFileSync("bash", ["-euo", "pipefail", "-c", command], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();
    const secrets = new Map<string, string>();
    for (const line of lines) {
        const fromCommand = /^pulumi config set --secret (\S+) "\$\((.+)\)"$/.exec(line);
        const fromFile = /^pulumi config set --secret (\S+) < (\S+)$/.exec(line);
        if (fromCommand) secrets.set(fromCommand[1]!, bash(fromCommand[2]!));
        else if (fromFile) secrets.set(fromFile[1]!, readFileSync(join(dir, fromFile[2]!), "utf8"));
        else if (line.startsWith("pulumi ")) continue; // needs the CLI and a stack; the import below is what `up` does
        else bash(line);
    }
    for (const [name, value] of secrets) leakRegistry.addMaterialText(value, `README recipe ${name}`);
    return secrets;
}

/** The public key as this machine's openssl derives it from the material (PEM, or base64 DER). */
function opensslPublicKey(material: string, dir: string): Buffer {
    const file = join(dir, "material-for-openssl");
    const pem = material.includes("-----BEGIN");
    writeFileSync(file, pem ? material : Buffer.from(material, "base64"));
    return execFileSync("openssl", ["pkey", "-in", file, ...(pem ? [] : ["-inform", "DER"]), "-pubout", "-outform", "DER"]);
}

function keySpecOf(publicKey: Buffer): KeySpec {
    const { asymmetricKeyType, asymmetricKeyDetails: details } = createPublicKey({ key: publicKey, format: "der", type: "spki" });
    const specs = Object.keys({ ...RSA_MODULUS_BITS, ...ECC_CURVES }) as KeySpec[];
    const spec = specs.find((s) =>
        asymmetricKeyType === "rsa"
            ? RSA_MODULUS_BITS[s as keyof typeof RSA_MODULUS_BITS] === details?.modulusLength
            : ECC_CURVES[s as keyof typeof ECC_CURVES] === details?.namedCurve,
    );
    assert.ok(spec, `no KMS key spec for the recipe's ${asymmetricKeyType} key`);
    return spec;
}

describe("README recipes (run with this machine's openssl, imported into kms-local)", function () {
    this.timeout(60_000);
    const fixture = useProviderKms();
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "byok-readme-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("asymmetric: a PEM file set as it is and a base64 PKCS#8 line both import, and GetPublicKey is openssl's public key", async () => {
        const secrets = run(recipe("asymmetric"), dir);
        assert.deepEqual([...secrets.keys()], ["signingKey", "rsaKey"]);
        assert.match(secrets.get("signingKey")!, /^-----BEGIN PRIVATE KEY-----/, "the README shows PEM used directly");
        assert.doesNotMatch(secrets.get("rsaKey")!, /\s/, "one line of base64");
        for (const [name, material] of secrets) {
            const publicKey = opensslPublicKey(material, dir);
            const keySpec = keySpecOf(publicKey);
            assert.deepEqual(checkInputs({}, { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", keyMaterial: material }, new Date()).failures, [], name);
            const key = await fixture().createKey({ KeySpec: keySpec, KeyUsage: "SIGN_VERIFY" });
            const { outs } = await createMaterial(fixture().context, { keyId: key.Arn!, keyMaterial: material });
            assert.equal(outs.keySpec, keySpec, `${name}: the key spec is inferred from the material`);
            assert.deepEqual(Buffer.from(outs.publicKey!, "base64"), publicKey, name);
            const { PublicKey } = await fixture().client.send(new GetPublicKeyCommand({ KeyId: key.Arn }));
            assert.deepEqual(Buffer.from(PublicKey!), publicKey, `${name}: GetPublicKey`);
        }
    });

    it("symmetric: openssl rand -base64 32 imports into a symmetric key that then encrypts and decrypts", async () => {
        const secrets = run(recipe("symmetric"), dir);
        const material = secrets.get("keyMaterial");
        assert.ok(material, "the recipe sets keyMaterial");
        const key = await fixture().createKey();
        const { outs } = await createMaterial(fixture().context, { keyId: key.Arn!, keyMaterial: material });
        assert.equal(outs.keySpec, "SYMMETRIC_DEFAULT");
        assert.match(outs.keyMaterialId!, /^[0-9a-f]{64}$/);
        await assertKeyUsable(fixture().client, key.KeyId!);
    });
});
