import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteImportedKeyMaterialCommand } from "@aws-sdk/client-kms";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial } from "../../provider";
import * as C from "../../provider/hsm/constants";
import { aesCmacCheckValue } from "../../provider/wrapping/checkValue";
import { assertKeyUsable, assertNoMaterial } from "../support/assertions";
import { type CliRun } from "../support/cli/cliStack";
import { failed, isEncryptedSecret, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { assertKeyUsesMaterial } from "../support/keyUse";
import { leakRegistry } from "../support/leakScan";
import { loginsLogged, pkcs11Shim, shimEnv } from "../support/pkcs11Shim";
import { TOKEN_NAMES, TRAITS, TestToken, tokenKind, wrapOutSecret } from "../support/tokens";

/**
 * Stacks whose material lives in a PKCS#11 token, through the official Pulumi CLI, one stack per token
 * (SoftHSM2 and NSS softokn): known AES, HMAC, RSA and EC objects and an AES key generated in the token by the
 * stack, imported with the strongest algorithm each token can do and then used; an unchanged second run; the
 * material deleted out of band and repaired by wrapping again inside the token; destroy with the token
 * unreachable, which leaves the generated object in the token. PINs come from the secret config and from
 * inputs; NSS's module parameters from the secret config and from an input. Nothing of the objects' values, the
 * PIN or the module parameters may appear in the state, any output, log or error (checked here, and by the leak
 * scan over everything the CLI left).
 */
describe("real CLI: material in an HSM", function () {
    this.timeout(300_000);
    const world = useCliWorld();

    for (const name of TOKEN_NAMES) {
        const traits = TRAITS[name];
        // SoftHSM2 runs behind the test shim, which counts the C_Login calls that reach it: its stack also goes
        // through a repair with a wrong PIN (issue #17 M2). NSS takes its PIN and module parameters from inputs too.
        const lockout = name === "SoftHSM2";
        it(
            `on ${name}: up (${traits.strongest}, generated material, keyCheckValue) → no changes → ` +
                (lockout ? "six materials deleted, a wrong PIN: up --refresh makes one C_Login → " : "") +
                "up --refresh repairs → destroy without the token keeps the generated object",
            async () => {
                const token = tokenKind(name).create();
                try {
                    await hsmStack(token, lockout);
                } finally {
                    token.remove();
                }
            },
        );
    }

    async function hsmStack(token: TestToken, lockout: boolean): Promise<void> {
        const traits = token.kind.traits;
        const aes = randomBytes(32);
        const aes2 = randomBytes(32);
        const mac = randomBytes(32);
        const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
        const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
        token.create((o) => {
            o.aes("payments", aes);
            o.aes("payments-2", aes2);
            o.secret("mac", mac);
            o.rsa("signing-rsa", rsa);
            o.ec("signing-ec", ec, { publicObject: true });
        });
        const keys = {
            aes: await world().createKey(),
            aes2: await world().createKey(),
            mac: await world().createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }),
            rsa: await world().createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }),
            ec: await world().createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }),
            gen: await world().createKey(),
        };
        const log = join(mkdtempSync(join(tmpdir(), "shim-log-")), "calls");
        const uri = (path: string) => token.uri(path, lockout ? pkcs11Shim() : undefined);
        const program = async () => {
            const config = new pulumi.Config();
            const fromInputs = lockout
                ? {}
                : { hsmPin: config.requireSecret("pin"), hsmModuleParameters: config.getSecret("parameters") };
            new ImportedKeyMaterial("hsm-aes", {
                keyId: keys.aes.KeyId!,
                hsmKey: uri("object=payments;type=secret-key"),
            });
            new ImportedKeyMaterial("hsm-aes2", { keyId: keys.aes2.KeyId!, hsmKey: uri("object=payments-2") });
            new ImportedKeyMaterial("hsm-mac", {
                keyId: keys.mac.KeyId!,
                hsmKey: uri("object=mac"),
                keySpec: "HMAC_256",
                ...fromInputs,
            });
            new ImportedKeyMaterial("hsm-rsa", {
                keyId: keys.rsa.KeyId!,
                hsmKey: uri("object=signing-rsa;type=private"),
            });
            new ImportedKeyMaterial("hsm-ec", { keyId: keys.ec.KeyId!, hsmKey: uri("object=signing-ec;type=private") });
            new ImportedKeyMaterial("hsm-gen", {
                keyId: keys.gen.KeyId!,
                hsmKey: uri("object=born-in-the-token"),
                keySpec: "SYMMETRIC_DEFAULT",
                hsmGenerate: true,
            });
        };
        const parameters = token.moduleParameters;
        const stack = await world().newStack(
            `hsm-${token.kind.name.split(" ")[0].toLowerCase()}`,
            program,
            {
                "pulumi-kms-byok:hsmPin": { secret: token.pin },
                pin: { secret: token.pin },
                ...(parameters
                    ? {
                          "pulumi-kms-byok:hsmModuleParameters": { secret: parameters },
                          parameters: { secret: parameters },
                      }
                    : {}),
            },
            { ...token.env, ...(lockout ? shimEnv({ module: token.kind.modulePath, log }) : {}) },
        );
        const wrong = `wrong-${randomBytes(8).toString("hex")}`;
        leakRegistry.addMaterial(Buffer.from(wrong), "a wrong PIN of the CLI HSM test");
        const secrets = [token.pin, wrong, ...(parameters ? [parameters] : [])];
        const clean = async (run: CliRun) => {
            for (const value of [aes, aes2, mac]) {
                assertNoMaterial(run.output, value, `the output of pulumi ${run.command}`);
                assertNoMaterial(JSON.stringify(run.events), value, `the events of pulumi ${run.command}`);
            }
            const state = await stack.exportState();
            for (const value of [aes, aes2, mac]) assertNoMaterial(state.text, value, "pulumi stack export");
            for (const secret of secrets) {
                assert.ok(
                    !run.output.includes(secret) && !JSON.stringify(run.events).includes(secret),
                    `no PIN or module parameters in pulumi ${run.command}`,
                );
                assert.ok(!state.text.includes(secret), "no PIN or module parameters in the state");
            }
            return state;
        };
        const generatedObjects = () => objectsLabelled(token, "born-in-the-token");

        const up = ok(await stack.up());
        const state = await clean(up);
        const outputs = (resource: string) => state.resources.find((r) => r.name === resource)!.outputs;
        const names = Object.keys(keys).map((k) => `hsm-${k}`);
        for (const resource of names) {
            assert.equal(outputs(resource)["materialCondition"], "IMPORTED", resource);
            assert.equal(
                outputs(resource)["wrappingAlgorithm"],
                traits.strongest,
                `${resource}: the strongest algorithm ${token.kind.name} can do`,
            );
            assert.match(String(outputs(resource)["hsmWrappingMechanisms"]), new RegExp(traits.keyWrap), resource);
        }
        assert.equal(outputs("hsm-aes")["keyCheckValue"], aesCmacCheckValue(aes));
        assert.equal(outputs("hsm-aes")["keyCheckValueAlgorithm"], "CMAC");
        assert.equal(outputs("hsm-gen")["hsmGenerate"], true);
        const mine = state.resources.find((r) => r.name === "hsm-mac")!;
        if (!lockout)
            assert.ok(isEncryptedSecret(mine.inputs["hsmPin"]), "hsmPin is stored as an encrypted secret input");
        if (parameters)
            assert.ok(
                isEncryptedSecret(mine.inputs["hsmModuleParameters"]),
                "hsmModuleParameters is stored as an encrypted secret input",
            );
        assert.ok(!("hsmModuleParameters" in mine.outputs) || isEncryptedSecret(mine.outputs["hsmModuleParameters"]));

        const ciphertext = await assertKeyUsable(world().client, keys.aes.KeyId!);
        await assertKeyUsable(world().client, keys.aes2.KeyId!);
        await assertKeyUsesMaterial(world().client, keys.mac.Arn!, "HMAC_256", mac);
        await assertKeyUsesMaterial(
            world().client,
            keys.rsa.Arn!,
            "RSA_2048",
            rsa.export({ type: "pkcs8", format: "der" }),
        );
        await assertKeyUsesMaterial(
            world().client,
            keys.ec.Arn!,
            "ECC_NIST_P256",
            ec.export({ type: "pkcs8", format: "der" }),
        );
        await assertKeyUsable(world().client, keys.gen.KeyId!);
        // Any holder of the user PIN can wrap the generated key out (no Security Officer here): how the test learns its
        // bytes.
        assert.equal(
            outputs("hsm-gen")["keyCheckValue"],
            aesCmacCheckValue(wrapOutSecret(token, "born-in-the-token")),
            "the generated key's check value",
        );
        assert.equal(generatedObjects(), 1);

        ok(await stack.preview({ expectNoChanges: true }));
        assert.equal(generatedObjects(), 1, "the second run found the same object");

        const deleteOutOfBand = async (which: string[]) => {
            for (const k of which) {
                const keyId = keys[k as keyof typeof keys].KeyId!;
                const id = outputs(`hsm-${k}`)["keyMaterialId"];
                await world().client.send(
                    new DeleteImportedKeyMaterialCommand({
                        KeyId: keyId,
                        ...(typeof id === "string" ? { KeyMaterialId: id } : {}),
                    }),
                );
            }
        };
        if (lockout) {
            // The PIN changed on the token but not in the stack: six reimports at once in one provider host.
            await deleteOutOfBand(Object.keys(keys));
            await stack.setConfig({ "pulumi-kms-byok:hsmPin": { secret: wrong } });
            const before = loginsLogged(log).length;
            const refused = failed(await stack.up({ refresh: true, continueOnError: true }));
            await clean(refused);
            const logins = loginsLogged(log).slice(before);
            assert.deepEqual(
                logins.map((l) => [l.userType, l.rv]),
                [["1", "0xa0"]],
                "one C_Login reached the token, refused with CKR_PIN_INCORRECT",
            );
            const said = names.map((resource) => refused.messages(resource).join("\n"));
            const tried = said.filter((m) =>
                /refused the user PIN from the config pulumi-kms-byok:hsmPin \(CKR_PIN_INCORRECT\): the PIN is wrong/.test(
                    m,
                ),
            );
            const notTried = said.filter((m) =>
                /refused the user PIN from the config pulumi-kms-byok:hsmPin earlier in this run \(CKR_PIN_INCORRECT\); it is not tried again/.test(
                    m,
                ),
            );
            assert.deepEqual(
                [tried.length, notTried.length],
                [1, 5],
                `one resource tried the PIN, five did not: ${said.join("\n")}`,
            );
            await stack.setConfig({ "pulumi-kms-byok:hsmPin": { secret: token.pin } });
        } else {
            await deleteOutOfBand(["aes"]);
        }
        const repair = ok(await stack.up({ refresh: true }));
        assert.equal(repair.step("hsm-aes")?.op, "update");
        await clean(repair);
        await assertKeyUsable(world().client, keys.aes.KeyId!, ciphertext);
        assert.equal(
            (await stack.resource("hsm-aes"))!.outputs["keyMaterialId"],
            outputs("hsm-aes")["keyMaterialId"],
            "the same material",
        );
        if (lockout) await assertKeyUsesMaterial(world().client, keys.mac.Arn!, "HMAC_256", mac);

        const destroy = await token.offline(async () => ok(await stack.destroy()));
        await clean(destroy);
        for (const key of Object.values(keys))
            assert.equal(
                (await world().describeKey(key.KeyId!)).KeyState,
                "PendingImport",
                "destroy deleted the material, with no HSM",
            );
        assert.equal(generatedObjects(), 1, "destroy left the generated object in the token");
    }
});

function objectsLabelled(token: TestToken, label: string): number {
    return token.session((p11, session) => {
        p11.C_FindObjectsInit(session, [{ type: C.CKA_LABEL, value: Buffer.from(label) }]);
        const found = p11.C_FindObjects(session, 8);
        p11.C_FindObjectsFinal(session);
        return found.length;
    });
}
