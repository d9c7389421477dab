import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { DeleteImportedKeyMaterialCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, ListKeyRotationsCommand } from "@aws-sdk/client-kms";
import { createMaterial, deleteMaterial, readMaterial, updateMaterial } from "../../../provider/dynamic/operations";
import { MaterialInputs } from "../../../provider/dynamic/properties";
import { parseWrappingKey, wrapKeyMaterial } from "../../../provider/wrapping/wrap";
import { assertKeyUsable, assertNoMaterial } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";
import { SoftHsmToken, createSoftHsmToken, spkiBase64 } from "../../support/softhsm";

/**
 * HSM objects imported into kms-local through the provider's operations, wrapped inside SoftHSM2 2.6.1. Every
 * test object is CKA_SENSITIVE (SoftHSM refuses CKA_VALUE for it), so an import that succeeds was wrapped by
 * the token. kms-local unwraps each import and checks the material against the key spec; the same raw bytes
 * imported as keyMaterial adopt the same KeyMaterialId, which proves the HSM sent exactly the object's bytes.
 */
describe("provider/hsm: HSM objects imported through SoftHSM2 (against kms-local)", () => {
    const fixture = useProviderKms();
    let token: SoftHsmToken;
    const DAY = 86_400_000;
    const inDays = (days: number) => new Date(fixture().kms.control.clock.now() + days * DAY).toISOString();

    beforeEach(() => {
        token = createSoftHsmToken();
        fixture().kms.control.resetCounters();
        fixture().logs.length = 0;
    });
    afterEach(() => token.remove());

    const hsmInputs = (keyId: string, path: string, extra: Partial<MaterialInputs> = {}): MaterialInputs => ({
        keyId,
        hsmKey: token.uri(path),
        hsmPin: token.pin,
        ...extra,
    });
    /** What an operator would do with the raw bytes: GetParametersForImport, wrap with node:crypto, ImportKeyMaterial. */
    async function importDirectly(keyId: string, material: Buffer): Promise<void> {
        const wrapping = { algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_4096" } as const;
        const params = await fixture().client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: wrapping.algorithm, WrappingKeySpec: wrapping.wrappingKeySpec }));
        const blob = wrapKeyMaterial(material, parseWrappingKey(params.PublicKey!, wrapping), wrapping);
        await fixture().client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: blob, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
    }
    const rotations = async (keyId: string) =>
        (await fixture().client.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }))).Rotations ?? [];

    describe("symmetric (AES-256)", () => {
        it("imports the object wrapped inside the token; the same raw bytes adopt the same KeyMaterialId", async () => {
            const value = randomBytes(32);
            token.create((o) => o.aes("payments-2026", value));
            const key = await fixture().createKey();
            const { id, outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=payments-2026;type=secret-key", { validTo: inDays(90) }));
            assert.equal(outs.keySpec, "SYMMETRIC_DEFAULT");
            assert.equal(outs.materialCondition, "IMPORTED");
            assert.equal(outs.keyState, "Enabled");
            assert.equal(outs.hsmKey, token.uri("object=payments-2026;type=secret-key"));
            assert.match(outs.keyMaterialId!, /^[0-9a-f]{64}$/);
            assert.equal(id, `${key.Arn}#${outs.keyMaterialId}`);
            await assertKeyUsable(fixture().client, key.KeyId!);

            const raw = await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: value.toString("base64") });
            assert.equal(raw.outs.keyMaterialId, outs.keyMaterialId, "raw bytes adopt the HSM-imported material");
            assert.equal((await rotations(key.KeyId!)).length, 1, "one material");
            assertNoMaterial([outs, fixture().logs], value, "outputs and logs");
            assert.ok(!JSON.stringify([outs, fixture().logs]).includes(token.pin), "no PIN in outputs or logs");
        });

        it("the reverse: material imported as raw bytes is adopted from the HSM object holding the same bytes", async () => {
            const value = randomBytes(32);
            token.create((o) => o.aes("migrated", value));
            const key = await fixture().createKey();
            const raw = await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: value.toString("base64") });
            const hsm = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=migrated"));
            assert.equal(hsm.outs.keyMaterialId, raw.outs.keyMaterialId);
            const other = randomBytes(32);
            token.create((o) => o.aes("other", other));
            await assert.rejects(createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=other")), /already has key material and the key object that hsmKey's object= select/);
        });

        it("chooses the best algorithm the token can do and says why: SoftHSM 2.6.1 refuses OAEP with SHA-256", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=k"));
            assert.equal(outs.wrappingAlgorithm, "RSAES_OAEP_SHA_1");
            assert.equal(outs.wrappingKeySpec, "RSA_4096");
            const line = fixture().logs.find((l) => l.includes("wrapping with RSAES_OAEP_SHA_1"));
            assert.match(line ?? "", /RSAES_OAEP_SHA_256: the token refused CKM_RSA_PKCS_OAEP with SHA-256 for wrapping \(CKR_ARGUMENTS_BAD\)/);
        });

        for (const [algorithm, wrappingKeySpec] of [
            ["RSAES_OAEP_SHA_1", "RSA_2048"],
            ["RSAES_OAEP_SHA_1", "RSA_3072"],
            ["RSA_AES_KEY_WRAP_SHA_1", "RSA_4096"],
            ["RSA_AES_KEY_WRAP_SHA_1", "RSA_2048"],
        ] as const) {
            it(`wraps with ${algorithm} and a ${wrappingKeySpec} wrapping key when asked`, async () => {
                const value = randomBytes(32);
                token.create((o) => o.aes("k", value));
                const key = await fixture().createKey();
                const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=k", { wrappingAlgorithm: algorithm, wrappingKeySpec }));
                assert.equal(outs.wrappingAlgorithm, algorithm);
                assert.equal(outs.wrappingKeySpec, wrappingKeySpec);
                assert.equal(outs.materialCondition, "IMPORTED");
                const raw = await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: value.toString("base64") });
                assert.equal(raw.outs.keyMaterialId, outs.keyMaterialId);
            });
        }

        for (const algorithm of ["RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_256"] as const) {
            it(`refuses ${algorithm}, which the token cannot do, with its answer and the algorithms that would work (no fallback, no import)`, async () => {
                token.create((o) => o.aes("k", randomBytes(32)));
                const key = await fixture().createKey();
                await assert.rejects(
                    createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=k", { wrappingAlgorithm: algorithm })),
                    (error: Error) => {
                        assert.match(error.message, new RegExp(`cannot wrap this object with ${algorithm}: the token refused CKM_RSA_PKCS_OAEP with SHA-256 for wrapping \\(CKR_ARGUMENTS_BAD\\)`));
                        assert.match(error.message, /Algorithms it can use for this object: RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_1/);
                        return true;
                    },
                );
                assert.equal(fixture().calls("GetParametersForImport").length, 0, "nothing asked of KMS");
            });
        }
    });

    describe("HMAC (generic secrets)", () => {
        it("imports a 32-byte generic secret as HMAC_256; other bytes are refused by the key, the same raw bytes accepted", async () => {
            const value = randomBytes(32);
            token.create((o) => o.secret("mac", value));
            const key = await fixture().createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
            const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=mac", { keySpec: "HMAC_256" }));
            assert.equal(outs.keySpec, "HMAC_256");
            assert.equal(outs.materialCondition, "IMPORTED");
            await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: value.toString("base64"), keySpec: "HMAC_256" });
            await assert.rejects(
                createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: randomBytes(32).toString("base64"), keySpec: "HMAC_256" }),
                /IncorrectKeyMaterialException/,
            );
        });

        it("asks for keySpec when it is not given (HMAC lengths are ambiguous), before any KMS call", async () => {
            token.create((o) => o.secret("mac", randomBytes(48)));
            const key = await fixture().createKey({ KeySpec: "HMAC_384", KeyUsage: "GENERATE_VERIFY_MAC" });
            await assert.rejects(createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=mac")), /CKK_GENERIC_SECRET secret key of 48 bytes, HMAC material: set keySpec to one of HMAC_224, HMAC_256, HMAC_384/);
            assert.equal(fixture().calls("GetParametersForImport").length, 0);
        });
    });

    describe("RSA and EC private keys", () => {
        it("imports an RSA-2048 private key with RSA_AES_KEY_WRAP_SHA_1 in two halves; KMS received exactly its PKCS#8 (as SoftHSM pads it)", async () => {
            const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
            token.create((o) => o.rsa("signing", privateKey));
            const key = await fixture().createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
            const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=signing;type=private"));
            assert.equal(outs.keySpec, "RSA_2048");
            assert.equal(outs.wrappingAlgorithm, "RSA_AES_KEY_WRAP_SHA_1");
            assert.equal(outs.publicKey, spkiBase64(privateKey));
            // SoftHSM 2.6.1 zero-pads the PKCS#8 to a multiple of 8 bytes before CKM_AES_KEY_WRAP_PAD (its fix for
            // CKM_AES_KEY_WRAP). The key accepts only the bytes it first received: exactly these, nothing else.
            // (The provider refuses padded DER as keyMaterial, so the operator imports these bytes directly.)
            const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
            const asSent = Buffer.concat([pkcs8, Buffer.alloc((8 - (pkcs8.length % 8)) % 8)]);
            const other = Buffer.concat([pkcs8, Buffer.alloc(8 + ((8 - (pkcs8.length % 8)) % 8))]);
            await assert.rejects(importDirectly(key.KeyId!, other), /IncorrectKeyMaterialException|not the same key material/);
            await importDirectly(key.KeyId!, asSent);
        });

        it("imports an EC P-256 key with its public key object; the public key output is the object's", async () => {
            const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
            token.create((o) => o.ec("ec-signing", privateKey, { publicObject: true }));
            const key = await fixture().createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
            const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=ec-signing;type=private"));
            assert.equal(outs.keySpec, "ECC_NIST_P256");
            assert.equal(outs.publicKey, spkiBase64(privateKey));
        });

        for (const [spec, curve] of [["ECC_NIST_P384", "secp384r1"], ["ECC_NIST_P521", "secp521r1"], ["ECC_SECG_P256K1", "secp256k1"]] as const) {
            it(`imports an ${spec} key without a public key object: the token signs a challenge that KMS's public key verifies`, async () => {
                const { privateKey } = generateKeyPairSync("ec", { namedCurve: curve });
                token.create((o) => o.ec("ec", privateKey, { extra: [{ type: 0x108 /* CKA_SIGN */, value: true }] }));
                const key = await fixture().createKey({ KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
                const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=ec", { keySpec: spec }));
                assert.equal(outs.publicKey, spkiBase64(privateKey));
            });
        }

        it("refuses an EC key it cannot check afterwards (no public key object, CKA_SIGN false) before any KMS call", async () => {
            token.create((o) => o.ec("ec", generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey, { extra: [{ type: 0x108 /* CKA_SIGN */, value: false }] }));
            const key = await fixture().createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
            await assert.rejects(createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=ec")), /no public key the provider can check KMS's against: give it a public key object with the same CKA_ID/);
            assert.equal(fixture().calls("GetParametersForImport").length, 0);
        });

        it("refuses RSA_AES_KEY_WRAP_SHA_256 for a private key with the token's answer, and lists RSA_AES_KEY_WRAP_SHA_1 only", async () => {
            token.create((o) => o.rsa("signing", generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey));
            const key = await fixture().createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
            await assert.rejects(
                createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=signing", { wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" })),
                /CKR_ARGUMENTS_BAD\)\. Algorithms it can use for this object: RSA_AES_KEY_WRAP_SHA_1 \(/,
            );
        });
    });

    describe("lifecycle: reimports wrap again inside the HSM; delete needs no HSM", () => {
        it("validTo change and drift repair reimport from the HSM; destroy works with the token gone", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const desired = hsmInputs(key.KeyId!, "object=k", { validTo: inDays(30) });
            const { id, outs } = await createMaterial(fixture().context, desired);

            const later = { ...desired, validTo: inDays(60) };
            const updated = await updateMaterial(fixture().context, id, outs, later);
            assert.equal(updated.validTo, later.validTo);
            assert.equal(updated.keyMaterialId, outs.keyMaterialId);
            assert.equal(fixture().calls("ImportKeyMaterial").length, 2);

            await fixture().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId!, KeyMaterialId: outs.keyMaterialId! }));
            const refreshed = (await readMaterial(fixture().context, id, updated)).props!;
            assert.equal(refreshed.materialCondition, "DELETED");
            const repaired = await updateMaterial(fixture().context, id, refreshed, later);
            assert.equal(repaired.materialCondition, "IMPORTED");
            assert.equal(repaired.keyMaterialId, outs.keyMaterialId);
            await assertKeyUsable(fixture().client, key.KeyId!);

            token.remove();
            await deleteMaterial(fixture().context, repaired);
            assert.equal((await rotations(key.KeyId!)).filter((r) => r.ImportState === "IMPORTED").length, 0);
        });

        it("a reimport needs the HSM: with a wrong PIN it fails and KMS is left as it was", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const desired = hsmInputs(key.KeyId!, "object=k", { validTo: inDays(30) });
            const { id, outs } = await createMaterial(fixture().context, desired);
            await assert.rejects(updateMaterial(fixture().context, id, outs, { ...desired, validTo: inDays(40), hsmPin: "wrong-pin-0000" }), /CKR_PIN_INCORRECT/);
            assert.equal(fixture().calls("ImportKeyMaterial").length, 1);
        });
    });

    describe("what the provider refuses, and how it says so", () => {
        async function refusal(path: string, extra: Partial<MaterialInputs> = {}, keySpec?: "HMAC_512"): Promise<string> {
            const key = await fixture().createKey(keySpec ? { KeySpec: keySpec, KeyUsage: "GENERATE_VERIFY_MAC" } : {});
            const error = await createMaterial(fixture().context, hsmInputs(key.KeyId!, path, extra)).then(
                () => assert.fail("the import should have been refused"),
                (e: Error) => e,
            );
            assert.equal(fixture().calls("GetParametersForImport").length, 0, "refused before any import call");
            assert.ok(!error.message.includes(token.pin), "the PIN is never in an error");
            return error.message;
        }

        it("wrong PIN: the token's answer and where the PIN came from, never the PIN", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const message = await refusal("object=k", { hsmPin: "not-the-pin-1234" });
            assert.match(message, /token 'byok' \(serial [0-9a-f]+\) refused the user PIN from the hsmPin input \(CKR_PIN_INCORRECT\): the PIN is wrong/);
            assert.ok(!message.includes("not-the-pin-1234"));
        });

        it("the PIN from config, else from PKCS11_PIN; none at all is a clear error", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const withoutPin = { ...hsmInputs(key.KeyId!, "object=k"), hsmPin: undefined };
            const base = fixture().context;
            await createMaterial({ ...base, settings: { ...base.settings, hsmPin: token.pin } }, withoutPin);
            await createMaterial({ ...base, env: { PKCS11_PIN: token.pin } }, withoutPin);
            await assert.rejects(createMaterial(base, withoutPin), /no PIN for the token: set the secret input hsmPin, the secret config pulumi-kms-byok:hsmPin/);
        });

        it("unknown token: lists the tokens present", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const uri = token.uri("object=k").replace("token=byok", "token=payments");
            await assert.rejects(createMaterial(fixture().context, { keyId: key.KeyId!, hsmKey: uri, hsmPin: token.pin }), (error: Error) => {
                assert.match(error.message, /no token matches hsmKey \(its token=\); tokens present: 'byok' \(serial/);
                assert.ok(!error.message.includes("payments"), `the message quotes the URI's token=: ${error.message}`);
                return true;
            });
        });

        it("a token chosen by serial works; unknown object says what was searched", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const bySerial = `pkcs11:serial=${token.serial};object=k?module-path=/usr/lib/softhsm/libsofthsm2.so`;
            await createMaterial(fixture().context, { keyId: key.KeyId!, hsmKey: bySerial, hsmPin: token.pin });
            fixture().kms.control.resetCounters();
            const message = await refusal("object=missing;id=%01%02");
            assert.match(message, /has no secret or private key object matching hsmKey's object= and id= /);
            assert.ok(!message.includes("missing") && !message.includes("0102"), `the message quotes the URI's values: ${message}`);
        });

        it("an object found by id alone (percent-encoded CKA_ID)", async () => {
            token.create((o) => o.aes("k", randomBytes(32), [{ type: 0x102 /* CKA_ID */, value: Buffer.from([0xa2, 0x01]) }]));
            const key = await fixture().createKey();
            const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "id=%a2%01"));
            assert.equal(outs.materialCondition, "IMPORTED");
        });

        it("object too small: names what was found and what the key spec needs", async () => {
            token.create((o) => o.aes("k", randomBytes(16)));
            const message = await refusal("object=k", { keySpec: "SYMMETRIC_DEFAULT" });
            assert.match(message, /the key object that hsmKey's object= select on token 'byok' .* is a CKK_AES secret key of 16 bytes \(AES-128\): SYMMETRIC_DEFAULT material must be an AES-256 secret key/);
        });

        it("an HMAC_512 key from a 32-byte secret: too small", async () => {
            token.create((o) => o.secret("mac", randomBytes(32)));
            const message = await refusal("object=mac", { keySpec: "HMAC_512" }, "HMAC_512");
            assert.match(message, /CKK_GENERIC_SECRET secret key of 32 bytes: HMAC_512 material must be a generic secret .* of 64 to 128 bytes/);
        });

        it("a non-extractable object: explains CKA_EXTRACTABLE", async () => {
            token.create((o) => o.aes("k", randomBytes(32), [{ type: 0x162 /* CKA_EXTRACTABLE */, value: false }]));
            const message = await refusal("object=k");
            assert.match(message, /CKA_EXTRACTABLE false, so the token refuses to wrap it under any key .* never lets CKA_EXTRACTABLE become true again/);
        });

        it("an object only trusted keys may wrap: explains CKA_WRAP_WITH_TRUSTED", async () => {
            token.create((o) => o.aes("k", randomBytes(32), [{ type: 0x210 /* CKA_WRAP_WITH_TRUSTED */, value: true }]));
            assert.match(await refusal("object=k"), /CKA_WRAP_WITH_TRUSTED true, so the token wraps it only under keys with CKA_TRUSTED true/);
        });

        it("a library path that does not exist", async () => {
            const key = await fixture().createKey();
            const uri = "pkcs11:token=byok;object=k?module-path=/opt/nowhere/libvendor-pkcs11.so";
            await assert.rejects(createMaterial(fixture().context, { keyId: key.KeyId!, hsmKey: uri, hsmPin: token.pin }), (error: Error) => {
                assert.match(error.message, /the PKCS#11 library named by hsmKey's module-path .* does not exist on this machine/);
                assert.ok(!error.message.includes("nowhere"), `the message quotes the path: ${error.message}`);
                return true;
            });
        });

        it("a file that is not a PKCS#11 library", async () => {
            const key = await fixture().createKey();
            const uri = `pkcs11:token=byok;object=k?module-path=${token.conf}`;
            await assert.rejects(createMaterial(fixture().context, { keyId: key.KeyId!, hsmKey: uri, hsmPin: token.pin }), /cannot be loaded/);
        });

        it("finalizes the library after every operation, also after a failure (the test can initialize it again)", async () => {
            token.create((o) => o.aes("k", randomBytes(32)));
            await refusal("object=k", { hsmPin: "wrong-pin-5678" });
            token.create((o) => o.aes("k2", randomBytes(32)));
        });
    });
});
