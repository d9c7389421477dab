import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import {
    DeleteImportedKeyMaterialCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    ListKeyRotationsCommand,
} from "@aws-sdk/client-kms";
import { createMaterial, deleteMaterial, readMaterial, updateMaterial } from "../../../provider/material/lifecycle";
import { MaterialInputs } from "../../../provider/material/properties";
import { WRAPPING_ALGORITHMS, WrappingAlgorithm, isKeyWrap } from "../../../provider/wrapping/algorithms";
import { aesCmacCheckValue } from "../../../provider/wrapping/checkValue";
import { parseWrappingKey, wrapKeyMaterial } from "../../../provider/wrapping/wrap";
import { assertKeyUsable, assertNoMaterial } from "../../support/assertions";
import { assertKeySigns, assertKeyUsesMaterial } from "../../support/keyUse";
import { useProviderKms } from "../../support/kms";
import { TokenTraits, describeEachToken, spkiBase64 } from "../../support/tokens";

/**
 * HSM objects imported into kms-local through the provider's operations, wrapped inside each token. Every test
 * object is CKA_SENSITIVE (the tokens refuse CKA_VALUE for it), so an import that succeeds was wrapped by the
 * token. kms-local unwraps each import exactly as AWS does and checks the material against the key spec; then
 * the key is used (Encrypt/Decrypt, GenerateMac, Sign) and the same raw bytes imported as keyMaterial adopt the
 * same KeyMaterialId, which proves the token sent exactly the object's bytes.
 */
describeEachToken("provider/hsm: HSM objects imported (against kms-local)", (token, traits, tokenName) => {
    const fixture = useProviderKms();
    const DAY = 86_400_000;
    const inDays = (days: number) => new Date(fixture().kms.control.clock.now() + days * DAY).toISOString();
    const can = (t: TokenTraits, algorithm: WrappingAlgorithm) => t.oaepSha256 || algorithm.endsWith("SHA_1");

    beforeEach(() => {
        fixture().kms.control.resetCounters();
        fixture().logs.length = 0;
    });

    const hsmInputs = (keyId: string, path: string, extra: Partial<MaterialInputs> = {}): MaterialInputs => ({
        keyId,
        ...token().inputs(path),
        ...extra,
    });
    /**
     * What an operator would do with the raw bytes: GetParametersForImport, wrap with node:crypto, ImportKeyMaterial.
     */
    async function importDirectly(keyId: string, material: Buffer): Promise<void> {
        const wrapping = { algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_4096" } as const;
        const params = await fixture().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: wrapping.algorithm,
                WrappingKeySpec: wrapping.wrappingKeySpec,
            }),
        );
        const blob = wrapKeyMaterial(material, parseWrappingKey(params.PublicKey, wrapping), wrapping);
        await fixture().client.send(
            new ImportKeyMaterialCommand({
                KeyId: keyId,
                ImportToken: params.ImportToken,
                EncryptedKeyMaterial: blob,
                ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            }),
        );
    }
    const rotations = async (keyId: string) =>
        (
            await fixture().client.send(
                new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
            )
        ).Rotations ?? [];
    const noSecrets = (what: unknown, values: Buffer[]) => {
        for (const value of values) assertNoMaterial(what, value, "outputs and logs");
        assert.ok(!JSON.stringify(what).includes(token().pin), "no PIN in outputs or logs");
        if (token().moduleParameters)
            assert.ok(
                !JSON.stringify(what).includes(token().moduleParameters!),
                "no module parameters in outputs or logs",
            );
    };

    describe("symmetric (AES-256)", () => {
        it(
            `imports with the strongest algorithm both can do (${traits.strongest}, RFC 5649 by ` +
                `${traits.keyWrap}); keyCheckValue is the material's; the key works`,
            async () => {
                const value = randomBytes(32);
                token().create((o) => o.aes("payments-2026", value));
                const key = await fixture().createKey();
                const inputs = hsmInputs(key.KeyId!, "object=payments-2026;type=secret-key", { validTo: inDays(90) });
                const { id, outs } = await createMaterial(fixture().context, inputs);
                assert.equal(outs.keySpec, "SYMMETRIC_DEFAULT");
                assert.equal(outs.materialCondition, "IMPORTED");
                assert.equal(
                    outs.wrappingAlgorithm,
                    traits.strongest,
                    "the strongest algorithm is chosen and is an output",
                );
                assert.match(
                    outs.hsmWrappingMechanisms ?? "",
                    new RegExp(
                        `${traits.keyWrap} \\(RFC 5649, self-checked\\), CKM_RSA_PKCS_OAEP ` +
                            `\\(${traits.oaepSha256 ? "SHA-256" : "SHA-1"}`,
                    ),
                );
                assert.equal(
                    outs.keyCheckValue,
                    aesCmacCheckValue(value),
                    "the token's CMAC check value is the material's",
                );
                assert.equal(outs.keyCheckValueAlgorithm, "CMAC");
                assert.equal(outs.hsmKey, inputs.hsmKey);
                assert.equal(id, `${key.Arn}#${outs.keyMaterialId}`);
                await assertKeyUsable(fixture().client, key.KeyId!);

                const raw = await createMaterial(fixture().context, {
                    keyId: key.KeyId!,
                    keyMaterial: value.toString("base64"),
                });
                assert.equal(raw.outs.keyMaterialId, outs.keyMaterialId, "raw bytes adopt the HSM-imported material");
                assert.equal(raw.outs.keyCheckValue, outs.keyCheckValue, "the software check value agrees");
                assert.equal((await rotations(key.KeyId!)).length, 1, "one material");
                noSecrets([outs, fixture().logs], [value]);
            },
        );

        if (!traits.oaepSha256) {
            it("says why the SHA-256 algorithms were passed over (the token refuses OAEP with SHA-256)", async () => {
                token().create((o) => o.aes("k", randomBytes(32)));
                const key = await fixture().createKey();
                await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=k"));
                const line = fixture().logs.find((l) => l.includes(`wrapping with ${traits.strongest}`));
                assert.match(
                    line ?? "",
                    /RSA_AES_KEY_WRAP_SHA_256: the token refused CKM_RSA_PKCS_OAEP with SHA-256 for wrapping \(CKR_ARGUMENTS_BAD\)/,
                );
            });
        }

        for (const [algorithm, wrappingKeySpec] of [
            ...WRAPPING_ALGORITHMS.map((a) => [a, "RSA_4096"] as const),
            ["RSAES_OAEP_SHA_1", "RSA_2048"] as const,
            ["RSA_AES_KEY_WRAP_SHA_1", "RSA_3072"] as const,
        ]) {
            if (can(traits, algorithm)) {
                it(
                    `wraps with ${algorithm} and an ${wrappingKeySpec} wrapping key when asked; the key holds ` +
                        `exactly the object's bytes`,
                    async () => {
                        const value = randomBytes(32);
                        token().create((o) => o.aes("k", value));
                        const key = await fixture().createKey();
                        const { outs } = await createMaterial(
                            fixture().context,
                            hsmInputs(key.KeyId!, "object=k", { wrappingAlgorithm: algorithm, wrappingKeySpec }),
                        );
                        assert.deepEqual(
                            [outs.wrappingAlgorithm, outs.wrappingKeySpec, outs.materialCondition],
                            [algorithm, wrappingKeySpec, "IMPORTED"],
                        );
                        await assertKeyUsable(fixture().client, key.KeyId!);
                        const raw = await createMaterial(fixture().context, {
                            keyId: key.KeyId!,
                            keyMaterial: value.toString("base64"),
                        });
                        assert.equal(raw.outs.keyMaterialId, outs.keyMaterialId);
                    },
                );
            } else if (wrappingKeySpec === "RSA_4096") {
                it(
                    `refuses ${algorithm}, which the token cannot do, with its answer and its own list (no ` +
                        `fallback, no import)`,
                    async () => {
                        token().create((o) => o.aes("k", randomBytes(32)));
                        const key = await fixture().createKey();
                        await assert.rejects(
                            createMaterial(
                                fixture().context,
                                hsmInputs(key.KeyId!, "object=k", { wrappingAlgorithm: algorithm }),
                            ),
                            (error: Error) => {
                                assert.match(
                                    error.message,
                                    new RegExp(
                                        `cannot wrap this object with ${algorithm}: the token refused ` +
                                            `CKM_RSA_PKCS_OAEP with SHA-256 for wrapping \\(CKR_ARGUMENTS_BAD\\)`,
                                    ),
                                );
                                assert.match(
                                    error.message,
                                    /Algorithms it can use for this object: RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_1/,
                                );
                                return true;
                            },
                        );
                        assert.equal(fixture().calls("GetParametersForImport").length, 0, "nothing asked of KMS");
                    },
                );
            }
        }
    });

    describe("HMAC (generic secrets)", () => {
        it(
            `imports a 32-byte generic secret as HMAC_256 with ` + `${traits.strongest}; KMS's MACs are the secret's`,
            async () => {
                const value = randomBytes(32);
                token().create((o) => o.secret("mac", value));
                const key = await fixture().createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
                const { outs } = await createMaterial(
                    fixture().context,
                    hsmInputs(key.KeyId!, "object=mac", { keySpec: "HMAC_256" }),
                );
                assert.deepEqual(
                    [outs.keySpec, outs.materialCondition, outs.wrappingAlgorithm, outs.keyCheckValue],
                    ["HMAC_256", "IMPORTED", traits.strongest, null],
                );
                await assertKeyUsesMaterial(fixture().client, key.Arn!, "HMAC_256", value);
                noSecrets([outs, fixture().logs], [value]);
            },
        );

        const oaep = traits.oaepSha256 ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1";
        it(
            `imports a 64-byte generic secret as HMAC_512 with ${oaep} ` + `when asked; KMS's MACs are the secret's`,
            async () => {
                const value = randomBytes(64);
                token().create((o) => o.secret("mac", value));
                const key = await fixture().createKey({ KeySpec: "HMAC_512", KeyUsage: "GENERATE_VERIFY_MAC" });
                const { outs } = await createMaterial(
                    fixture().context,
                    hsmInputs(key.KeyId!, "object=mac", { keySpec: "HMAC_512", wrappingAlgorithm: oaep }),
                );
                assert.equal(outs.wrappingAlgorithm, oaep);
                await assertKeyUsesMaterial(fixture().client, key.Arn!, "HMAC_512", value);
            },
        );

        it("asks for keySpec when it is not given (HMAC lengths are ambiguous), before any KMS call", async () => {
            token().create((o) => o.secret("mac", randomBytes(48)));
            const key = await fixture().createKey({ KeySpec: "HMAC_384", KeyUsage: "GENERATE_VERIFY_MAC" });
            await assert.rejects(
                createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=mac")),
                /CKK_GENERIC_SECRET secret key of 48 bytes, HMAC material: set keySpec to one of HMAC_224, HMAC_256, HMAC_384/,
            );
            assert.equal(fixture().calls("GetParametersForImport").length, 0);
        });
    });

    describe("RSA and EC private keys", () => {
        it(
            `imports an RSA-2048 private key with ${traits.strongest} in two halves; KMS signs ` +
                `with exactly its bytes`,
            async () => {
                const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
                token().create((o) => o.rsa("signing", privateKey));
                const key = await fixture().createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
                const { outs } = await createMaterial(
                    fixture().context,
                    hsmInputs(key.KeyId!, "object=signing;type=private"),
                );
                assert.deepEqual(
                    [outs.keySpec, outs.wrappingAlgorithm, outs.publicKey],
                    ["RSA_2048", traits.strongest, spkiBase64(privateKey)],
                );
                const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
                await assertKeyUsesMaterial(fixture().client, key.Arn!, "RSA_2048", pkcs8);
                // The key accepts only the bytes it first received: which exact bytes the token sent.
                const padding = (8 - (pkcs8.length % 8)) % 8;
                const asSent = traits.pkcs8ZeroPadded ? Buffer.concat([pkcs8, Buffer.alloc(padding)]) : pkcs8;
                const other = Buffer.concat([pkcs8, Buffer.alloc(padding + 8)]);
                await assert.rejects(
                    importDirectly(key.KeyId!, other),
                    /IncorrectKeyMaterialException|not the same key material/,
                );
                await importDirectly(key.KeyId!, asSent);
            },
        );

        it(`imports an EC P-256 key with its public key object (${traits.strongest}); KMS signs with it`, async () => {
            const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
            token().create((o) => o.ec("ec-signing", privateKey, { publicObject: true }));
            const key = await fixture().createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
            const { outs } = await createMaterial(
                fixture().context,
                hsmInputs(key.KeyId!, "object=ec-signing;type=private"),
            );
            assert.deepEqual(
                [outs.keySpec, outs.wrappingAlgorithm, outs.publicKey],
                ["ECC_NIST_P256", traits.strongest, spkiBase64(privateKey)],
            );
            await assertKeyUsesMaterial(
                fixture().client,
                key.Arn!,
                "ECC_NIST_P256",
                privateKey.export({ type: "pkcs8", format: "der" }),
            );
        });

        for (const [spec, curve] of [
            ["ECC_NIST_P384", "secp384r1"],
            ["ECC_NIST_P521", "secp521r1"],
            ["ECC_SECG_P256K1", "secp256k1"],
        ] as const) {
            if (curve === "secp256k1" && !traits.secp256k1) {
                it(`fails an ${spec} key the token cannot wrap with its answer, and imports nothing`, async () => {
                    token().create((o) =>
                        o.ec("ec", generateKeyPairSync("ec", { namedCurve: curve }).privateKey, {
                            extra: [{ type: 0x108 /* CKA_SIGN */, value: true }],
                        }),
                    );
                    const key = await fixture().createKey({ KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
                    await assert.rejects(
                        createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=ec", { keySpec: spec })),
                        /could not wrap .* \(CKR_[A-Z_]+\)/,
                    );
                    assert.equal(fixture().calls("ImportKeyMaterial").length, 0);
                });
                continue;
            }
            it(
                `imports an ${spec} key without a public key object: the token signs a challenge that ` +
                    `KMS's public key verifies`,
                async () => {
                    const { privateKey } = generateKeyPairSync("ec", { namedCurve: curve });
                    token().create((o) =>
                        o.ec("ec", privateKey, { extra: [{ type: 0x108 /* CKA_SIGN */, value: true }] }),
                    );
                    const key = await fixture().createKey({ KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
                    const { outs } = await createMaterial(
                        fixture().context,
                        hsmInputs(key.KeyId!, "object=ec", { keySpec: spec }),
                    );
                    assert.equal(outs.publicKey, spkiBase64(privateKey));
                    await assertKeySigns(fixture().client, key.Arn!, spec, createPublicKey(privateKey));
                },
            );
        }

        it(
            "refuses an EC key it cannot check afterwards (no public key object, CKA_SIGN " +
                "false) before any KMS call",
            async () => {
                token().create((o) =>
                    o.ec("ec", generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey, {
                        extra: [{ type: 0x108 /* CKA_SIGN */, value: false }],
                    }),
                );
                const key = await fixture().createKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
                await assert.rejects(
                    createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=ec")),
                    /no public key the provider can check KMS's against: give it a public key object with the same CKA_ID/,
                );
                assert.equal(fixture().calls("GetParametersForImport").length, 0);
            },
        );

        it("refuses OAEP for a private key with the token's own list, which holds only RSA_AES_KEY_WRAP", async () => {
            token().create((o) => o.rsa("signing", generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey));
            const key = await fixture().createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
            const usable = WRAPPING_ALGORITHMS.filter((a) => isKeyWrap(a) && can(traits, a));
            await assert.rejects(
                createMaterial(
                    fixture().context,
                    hsmInputs(key.KeyId!, "object=signing", { wrappingAlgorithm: "RSAES_OAEP_SHA_1" }),
                ),
                new RegExp(
                    `CKM_RSA_PKCS_OAEP wraps only secret keys.*Algorithms it can use for this object: ` +
                        `${usable.join(", ")} \\(`,
                ),
            );
        });
    });

    describe("lifecycle: reimports wrap again inside the HSM; delete needs no HSM", () => {
        it("validTo change and drift repair reimport from the HSM; destroy works with the token gone", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const desired = hsmInputs(key.KeyId!, "object=k", { validTo: inDays(30) });
            const { id, outs } = await createMaterial(fixture().context, desired);

            const later = { ...desired, validTo: inDays(60) };
            const updated = await updateMaterial(fixture().context, id, outs, later);
            assert.equal(updated.validTo, later.validTo);
            assert.equal(updated.keyMaterialId, outs.keyMaterialId);
            assert.equal(updated.keyCheckValue, outs.keyCheckValue, "the same material, the same check value");
            await fixture().client.send(
                new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId!, KeyMaterialId: outs.keyMaterialId! }),
            );
            const refreshed = (await readMaterial(fixture().context, id, updated)).props!;
            assert.equal(refreshed.materialCondition, "DELETED");
            const repaired = await updateMaterial(fixture().context, id, refreshed, later);
            assert.equal(repaired.materialCondition, "IMPORTED");
            assert.equal(repaired.keyMaterialId, outs.keyMaterialId);
            await assertKeyUsable(fixture().client, key.KeyId!);

            token().remove();
            await deleteMaterial(fixture().context, repaired);
            assert.equal((await rotations(key.KeyId!)).filter((r) => r.ImportState === "IMPORTED").length, 0);
        });

        it("a reimport needs the HSM: with a wrong PIN it fails and KMS is left as it was", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const desired = hsmInputs(key.KeyId!, "object=k", { validTo: inDays(30) });
            const { id, outs } = await createMaterial(fixture().context, desired);
            await assert.rejects(
                updateMaterial(fixture().context, id, outs, {
                    ...desired,
                    validTo: inDays(40),
                    hsmPin: `wrong-pin-${tokenName.length}000`,
                }),
                /CKR_PIN_INCORRECT/,
            );
            assert.equal(fixture().calls("ImportKeyMaterial").length, 1);
        });
    });

    describe("what the provider refuses, and how it says so", () => {
        async function refusal(
            path: string,
            extra: Partial<MaterialInputs> = {},
            keySpec?: "HMAC_512",
        ): Promise<string> {
            const key = await fixture().createKey(keySpec ? { KeySpec: keySpec, KeyUsage: "GENERATE_VERIFY_MAC" } : {});
            const error = await createMaterial(fixture().context, hsmInputs(key.KeyId!, path, extra)).then(
                () => assert.fail("the import should have been refused"),
                (e: unknown) => {
                    assert.ok(e instanceof Error, String(e));
                    return e;
                },
            );
            assert.equal(fixture().calls("GetParametersForImport").length, 0, "refused before any import call");
            assert.ok(!error.message.includes(token().pin), "the PIN is never in an error");
            return error.message;
        }

        it("wrong PIN: the token's answer and where the PIN came from, never the PIN", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const message = await refusal("object=k", { hsmPin: "not-the-pin-1234" });
            assert.match(
                message,
                new RegExp(
                    `token '${token().label}' \\(serial [0-9a-f]+\\) refused the user PIN from the hsmPin ` +
                        `input \\(CKR_PIN_INCORRECT\\): the PIN is wrong`,
                ),
            );
            assert.ok(!message.includes("not-the-pin-1234"));
        });

        it("the PIN from config, else from PKCS11_PIN; none at all is a clear error", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const withoutPin = { ...hsmInputs(key.KeyId!, "object=k"), hsmPin: undefined };
            const base = fixture().context;
            await createMaterial({ ...base, settings: { ...base.settings, hsmPin: token().pin } }, withoutPin);
            await createMaterial({ ...base, env: { PKCS11_PIN: token().pin } }, withoutPin);
            await assert.rejects(
                createMaterial(base, withoutPin),
                /no PIN for the token: set the secret input hsmPin, the secret config pulumi-kms-byok:hsmPin/,
            );
        });

        it("unknown token: lists the tokens present, never the URI's value", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            const inputs = hsmInputs(key.KeyId!, "object=k");
            inputs.hsmKey = inputs.hsmKey!.replace(/token=[^;]+/, "token=payments");
            await assert.rejects(createMaterial(fixture().context, inputs), (error: Error) => {
                assert.match(error.message, /no token matches hsmKey \(its token=\); tokens present: '/);
                assert.ok(!error.message.includes("payments"), `the message quotes the URI's token=: ${error.message}`);
                return true;
            });
        });

        it("unknown object says what was searched, never the values", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const message = await refusal("object=missing;id=%01%02");
            assert.match(message, /has no secret or private key object matching hsmKey's object= and id= /);
            assert.ok(
                !message.includes("missing") && !message.includes("0102"),
                `the message quotes the URI's values: ${message}`,
            );
        });

        it("an object found by id alone (percent-encoded CKA_ID)", async () => {
            token().create((o) =>
                o.aes("k", randomBytes(32), [{ type: 0x102 /* CKA_ID */, value: Buffer.from([0xa2, 0x01]) }]),
            );
            const key = await fixture().createKey();
            const { outs } = await createMaterial(fixture().context, hsmInputs(key.KeyId!, "id=%a2%01"));
            assert.equal(outs.materialCondition, "IMPORTED");
        });

        it("object too small: names what was found and what the key spec needs", async () => {
            token().create((o) => o.aes("k", randomBytes(16)));
            const message = await refusal("object=k", { keySpec: "SYMMETRIC_DEFAULT" });
            assert.match(
                message,
                /the key object that hsmKey's object= select on token '.*' \(serial [0-9a-f]+\) is a CKK_AES secret key of 16 bytes \(AES-128\): SYMMETRIC_DEFAULT material must be an AES-256 secret key/,
            );
        });

        it("an HMAC_512 key from a 32-byte secret: too small", async () => {
            token().create((o) => o.secret("mac", randomBytes(32)));
            const message = await refusal("object=mac", { keySpec: "HMAC_512" }, "HMAC_512");
            assert.match(
                message,
                /CKK_GENERIC_SECRET secret key of 32 bytes: HMAC_512 material must be a generic secret .* of 64 to 128 bytes/,
            );
        });

        it("a non-extractable object: explains CKA_EXTRACTABLE", async () => {
            token().create((o) => o.aes("k", randomBytes(32), [{ type: 0x162 /* CKA_EXTRACTABLE */, value: false }]));
            const message = await refusal("object=k");
            assert.match(
                message,
                /CKA_EXTRACTABLE false, so the token refuses to wrap it under any key .* never lets CKA_EXTRACTABLE become true again/,
            );
        });

        it(
            "says at each import that any holder of the user PIN can wrap an extractable object out " +
                "(CKA_WRAP_WITH_TRUSTED false)",
            async () => {
                token().create((o) => o.aes("k", randomBytes(32)));
                const key = await fixture().createKey();
                await createMaterial(fixture().context, hsmInputs(key.KeyId!, "object=k"));
                assert.ok(
                    fixture().logs.some((l) =>
                        /is extractable without CKA_WRAP_WITH_TRUSTED: besides the provider, anyone who holds the user PIN can wrap it out/.test(
                            l,
                        ),
                    ),
                    fixture().logs.join("\n"),
                );
            },
        );

        it(
            "finalizes the library after every operation, also after a failure (the test can " + "initialize it again)",
            async () => {
                token().create((o) => o.aes("k", randomBytes(32)));
                await refusal("object=k", { hsmPin: "wrong-pin-5678" });
                token().create((o) => o.aes("k2", randomBytes(32)));
            },
        );
    });
});
