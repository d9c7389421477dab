import * as assert from "node:assert/strict";
import { createHmac, createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import {
    CreateKeyCommand,
    DeleteImportedKeyMaterialCommand,
    DisableKeyCommand,
    GetParametersForImportCommand,
    GetPublicKeyCommand,
    ImportKeyMaterialCommand,
    ListKeyRotationsCommand,
    RotateKeyOnDemandCommand,
    type AlgorithmSpec,
    type KeySpec,
    type KeyUsageType,
} from "@aws-sdk/client-kms";
import {
    asymmetricMaterial,
    DAY_MS,
    expectKmsError,
    importMaterial,
    inFuture,
    symmetricMaterial,
    useKmsLocal,
    wrapMaterial,
} from "../fixture.js";

const materialId = (keyId: string, material: Buffer) => createHmac("sha256", keyId).update(material).digest("hex");

describe("kms-local ImportKeyMaterial", () => {
    const f = useKmsLocal();
    const newKey = (spec: KeySpec = "SYMMETRIC_DEFAULT", usage?: KeyUsageType) =>
        f().createKey({ KeySpec: spec, KeyUsage: usage });
    const state = (keyId: string) => f().describe(keyId);
    const rotations = async (keyId: string) =>
        (await f().client.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))
            .Rotations ?? [];

    for (const algorithm of [
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256",
    ] as AlgorithmSpec[]) {
        it(
            `unwraps ${algorithm}; first import is CURRENT, Enabled, KeyMaterialId = ` + `HMAC-SHA256(keyId, material)`,
            async () => {
                const keyId = await newKey();
                const material = symmetricMaterial();
                const r = await importMaterial(f().client, keyId, material, { algorithm, wrappingKeySpec: "RSA_3072" });
                assert.equal(r.KeyId, `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
                assert.equal(r.KeyMaterialId, materialId(keyId, material));
                const m = await state(keyId);
                assert.equal(m?.KeyState, "Enabled");
                assert.equal(m?.CurrentKeyMaterialId, r.KeyMaterialId);
                const [entry] = await rotations(keyId);
                assert.equal(entry?.KeyMaterialState, "CURRENT");
                assert.equal(entry?.ImportState, "IMPORTED");
            },
        );
    }

    it("defaults ExpirationModel to KEY_MATERIAL_EXPIRES and then needs ValidTo (recorded message)", async () => {
        const keyId = await newKey();
        const p = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        await expectKmsError(
            f().client.send(
                new ImportKeyMaterialCommand({
                    KeyId: keyId,
                    ImportToken: p.ImportToken,
                    EncryptedKeyMaterial: wrapMaterial(
                        p.PublicKey as Uint8Array,
                        "RSAES_OAEP_SHA_256",
                        symmetricMaterial(),
                    ),
                }),
            ),
            "ValidationException",
            "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES",
        );
    });

    it("checks ValidTo: future, at most 365 days, not with DOES_NOT_EXPIRE; keeps ms precision", async () => {
        const keyId = await newKey();
        const c = f().client;
        await expectKmsError(
            importMaterial(c, keyId, symmetricMaterial(), {
                ValidTo: inFuture(f().kms, -1000),
                ExpirationModel: "KEY_MATERIAL_EXPIRES",
            }),
            "ValidationException",
            /future/,
        );
        await expectKmsError(
            importMaterial(c, keyId, symmetricMaterial(), {
                ValidTo: inFuture(f().kms, 366 * DAY_MS),
                ExpirationModel: "KEY_MATERIAL_EXPIRES",
            }),
            "ValidationException",
            /365 days/,
        );
        await expectKmsError(
            importMaterial(c, keyId, symmetricMaterial(), {
                ValidTo: inFuture(f().kms, DAY_MS),
                ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            }),
            "ValidationException",
            /must not be set/,
        );
        const validTo = new Date(Math.floor(f().kms.control.clock.now() / 1000) * 1000 + 364 * DAY_MS + 123);
        await importMaterial(c, keyId, symmetricMaterial(), { ValidTo: validTo });
        assert.equal((await state(keyId))?.ValidTo?.getTime(), validTo.getTime());
    });

    it("rejects symmetric material that is not 32 bytes (IncorrectKeyMaterialException)", async () => {
        const keyId = await newKey();
        await expectKmsError(importMaterial(f().client, keyId, randomBytes(16)), "IncorrectKeyMaterialException");
        await expectKmsError(importMaterial(f().client, keyId, randomBytes(33)), "IncorrectKeyMaterialException");
        assert.equal((await state(keyId))?.KeyState, "PendingImport");
    });

    const hmac: [KeySpec, number, number][] = [
        ["HMAC_224", 28, 64],
        ["HMAC_256", 32, 64],
        ["HMAC_384", 48, 128],
        ["HMAC_512", 64, 128],
    ];
    for (const [spec, min, max] of hmac) {
        it(`accepts ${spec} material of ${min}..${max} bytes only`, async () => {
            for (const bad of [min - 1, max + 1]) {
                const k = await newKey(spec, "GENERATE_VERIFY_MAC");
                await expectKmsError(
                    importMaterial(f().client, k, randomBytes(bad)),
                    "IncorrectKeyMaterialException",
                    undefined,
                );
            }
            for (const good of [min, max]) {
                const k = await newKey(spec, "GENERATE_VERIFY_MAC");
                const r = await importMaterial(f().client, k, randomBytes(good));
                assert.equal(r.KeyMaterialId, undefined, "no KeyMaterialId for HMAC keys by default (S9)");
                assert.equal((await state(k))?.KeyState, "Enabled");
            }
        });
    }

    const asym: [KeySpec, KeyUsageType, AlgorithmSpec, "RSA_2048" | "RSA_4096"][] = [
        ["ECC_NIST_P256", "SIGN_VERIFY", "RSAES_OAEP_SHA_1", "RSA_2048"],
        ["ECC_NIST_P384", "SIGN_VERIFY", "RSAES_OAEP_SHA_256", "RSA_2048"],
        ["ECC_NIST_P521", "SIGN_VERIFY", "RSAES_OAEP_SHA_256", "RSA_4096"],
        ["ECC_SECG_P256K1", "SIGN_VERIFY", "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"],
        ["RSA_2048", "SIGN_VERIFY", "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"],
        ["RSA_3072", "ENCRYPT_DECRYPT", "RSA_AES_KEY_WRAP_SHA_1", "RSA_4096"],
    ];
    for (const [spec, usage, algorithm, wrappingKeySpec] of asym) {
        it(`imports a ${spec} PKCS#8 private key; GetPublicKey returns the matching SPKI`, async () => {
            const keyId = await newKey(spec, usage);
            const material = asymmetricMaterial(spec);
            await importMaterial(f().client, keyId, material, { algorithm, wrappingKeySpec });
            assert.equal((await state(keyId))?.KeyState, "Enabled");
            const pub = await f().client.send(new GetPublicKeyCommand({ KeyId: keyId }));
            const expected = createPublicKey(createPrivateKey({ key: material, format: "der", type: "pkcs8" })).export({
                type: "spki",
                format: "der",
            });
            assert.deepEqual(Buffer.from(pub.PublicKey as Uint8Array), expected);
        });
    }

    it("rejects PKCS#8 of the wrong curve, modulus or algorithm (IncorrectKeyMaterialException)", async () => {
        const p256 = await newKey("ECC_NIST_P256", "SIGN_VERIFY");
        await expectKmsError(
            importMaterial(f().client, p256, asymmetricMaterial("ECC_SECG_P256K1")),
            "IncorrectKeyMaterialException",
        );
        await expectKmsError(
            importMaterial(f().client, p256, asymmetricMaterial("ECC_NIST_P384")),
            "IncorrectKeyMaterialException",
        );
        await expectKmsError(importMaterial(f().client, p256, randomBytes(138)), "IncorrectKeyMaterialException");
        const rsa = await newKey("RSA_3072", "SIGN_VERIFY");
        await expectKmsError(
            importMaterial(f().client, rsa, asymmetricMaterial("RSA_2048")),
            "IncorrectKeyMaterialException",
        );
        await expectKmsError(
            importMaterial(f().client, rsa, asymmetricMaterial("ECC_NIST_P256")),
            "IncorrectKeyMaterialException",
        );
    });

    it(
        "refuses RSA private keys wrapped with plain OAEP (S11 " + "default: at import, InvalidCiphertextException)",
        async () => {
            const rsa = await newKey("RSA_2048", "SIGN_VERIFY");
            const p = await f().client.send(
                new GetParametersForImportCommand({
                    KeyId: rsa,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_4096",
                }),
            );
            await expectKmsError(
                f().client.send(
                    new ImportKeyMaterialCommand({
                        KeyId: rsa,
                        ImportToken: p.ImportToken,
                        EncryptedKeyMaterial: randomBytes(512),
                        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                    }),
                ),
                "InvalidCiphertextException",
                "UnknownError",
            );
        },
    );

    it("reimports the same material (EXISTING by default) and restores the key; rejects other material", async () => {
        const keyId = await newKey();
        const material = symmetricMaterial();
        const first = await importMaterial(f().client, keyId, material, { KeyMaterialDescription: "first one" });
        await f().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
        assert.equal((await state(keyId))?.KeyState, "PendingImport");
        await expectKmsError(importMaterial(f().client, keyId, symmetricMaterial()), "IncorrectKeyMaterialException");
        const again = await importMaterial(f().client, keyId, material, { ValidTo: inFuture(f().kms, DAY_MS) });
        assert.equal(again.KeyMaterialId, first.KeyMaterialId);
        const m = await state(keyId);
        assert.equal(m?.KeyState, "Enabled");
        assert.equal(m?.ExpirationModel, "KEY_MATERIAL_EXPIRES", "a reimport changes the expiration model");
        const [entry] = await rotations(keyId);
        assert.equal(entry?.KeyMaterialDescription, "first one", "description kept when omitted on reimport");
        // Reimport while Enabled is allowed too (changes ValidTo).
        await importMaterial(f().client, keyId, material, {
            ImportType: "EXISTING_KEY_MATERIAL",
            KeyMaterialId: first.KeyMaterialId,
            KeyMaterialDescription: "renamed",
        });
        assert.equal((await rotations(keyId))[0]?.KeyMaterialDescription, "renamed");
        assert.equal((await state(keyId))?.ExpirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");
    });

    it(
        "NEW_KEY_MATERIAL on a key with material is PENDING_ROTATION; only one pending at a " +
            "time (recorded message)",
        async () => {
            const keyId = await newKey();
            const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
            const first = await importMaterial(f().client, keyId, symmetricMaterial());
            const second = await importMaterial(f().client, keyId, symmetricMaterial(), {
                ImportType: "NEW_KEY_MATERIAL",
            });
            const m = await state(keyId);
            assert.equal(m?.KeyState, "Enabled");
            assert.equal(m?.CurrentKeyMaterialId, first.KeyMaterialId);
            const entries = await rotations(keyId);
            assert.deepEqual(
                entries.map((e) => e.KeyMaterialState),
                ["CURRENT", "PENDING_ROTATION"],
            );
            assert.equal(entries[1]?.RotationDate, undefined);
            assert.equal(entries[1]?.RotationType, undefined);
            const third = symmetricMaterial();
            await expectKmsError(
                importMaterial(f().client, keyId, third, { ImportType: "NEW_KEY_MATERIAL" }),
                "KMSInvalidStateException",
                `New key material (id: ${materialId(keyId, third)}) cannot be imported into KMS key ${arn}, ` +
                    `because another key material (id: ${second.KeyMaterialId}) is pending rotation.`,
            );
        },
    );

    it(
        "NEW_KEY_MATERIAL with already associated material is " + "IncorrectKeyMaterialException; KeyMaterialId rules",
        async () => {
            const keyId = await newKey();
            const material = symmetricMaterial();
            const first = await importMaterial(f().client, keyId, material);
            await expectKmsError(
                importMaterial(f().client, keyId, material, { ImportType: "NEW_KEY_MATERIAL" }),
                "IncorrectKeyMaterialException",
                /already associated/,
            );
            await expectKmsError(
                importMaterial(f().client, keyId, symmetricMaterial(), {
                    ImportType: "NEW_KEY_MATERIAL",
                    KeyMaterialId: first.KeyMaterialId,
                }),
                "ValidationException",
                /KeyMaterialId/,
            );
            await expectKmsError(
                importMaterial(f().client, keyId, material, { KeyMaterialId: "ab".repeat(32) }),
                "IncorrectKeyMaterialException",
            );
        },
    );

    it("binds the token to its key, uses it once, and expires it after 24 hours", async () => {
        const a = await newKey();
        const b = await newKey();
        const material = symmetricMaterial();
        const p = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: a,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        const req = {
            ImportToken: p.ImportToken,
            EncryptedKeyMaterial: wrapMaterial(p.PublicKey as Uint8Array, "RSAES_OAEP_SHA_256", material),
            ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" as const,
        };
        await expectKmsError(
            f().client.send(new ImportKeyMaterialCommand({ KeyId: b, ...req })),
            "InvalidImportTokenException",
        );
        await expectKmsError(
            f().client.send(new ImportKeyMaterialCommand({ KeyId: a, ...req, ImportToken: randomBytes(64) })),
            "InvalidImportTokenException",
        );
        await f().client.send(new ImportKeyMaterialCommand({ KeyId: a, ...req }));
        await expectKmsError(
            f().client.send(new ImportKeyMaterialCommand({ KeyId: a, ...req })),
            "InvalidImportTokenException",
            /already been used/,
        );

        const q = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: b,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        f().kms.control.clock.advance(DAY_MS + 1);
        await expectKmsError(
            f().client.send(
                new ImportKeyMaterialCommand({
                    KeyId: b,
                    ImportToken: q.ImportToken,
                    EncryptedKeyMaterial: wrapMaterial(q.PublicKey as Uint8Array, "RSAES_OAEP_SHA_256", material),
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                }),
            ),
            "ExpiredImportTokenException",
        );
    });

    it("answers unwrap failures with InvalidCiphertextException without a message", async () => {
        const keyId = await newKey();
        const p = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        const good = wrapMaterial(p.PublicKey as Uint8Array, "RSA_AES_KEY_WRAP_SHA_256", symmetricMaterial());
        const tampered = Buffer.from(good);
        tampered[tampered.length - 3] = tampered[tampered.length - 3] ^ 0xff;
        const wrongAlg = wrapMaterial(p.PublicKey as Uint8Array, "RSA_AES_KEY_WRAP_SHA_1", symmetricMaterial());
        const otherKey = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
                WrappingKeySpec: "RSA_3072",
            }),
        );
        const wrongPub = wrapMaterial(
            otherKey.PublicKey as Uint8Array,
            "RSA_AES_KEY_WRAP_SHA_256",
            symmetricMaterial(),
        );
        for (const blob of [tampered, wrongAlg, wrongPub, good.subarray(0, 100)]) {
            const e = await expectKmsError(
                f().client.send(
                    new ImportKeyMaterialCommand({
                        KeyId: keyId,
                        ImportToken: p.ImportToken,
                        EncryptedKeyMaterial: blob,
                        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                    }),
                ),
                "InvalidCiphertextException",
                "UnknownError",
            );
            assert.equal(e.$metadata?.httpStatusCode, 400);
        }
        // A failed unwrap does not consume the token.
        await f().client.send(
            new ImportKeyMaterialCommand({
                KeyId: keyId,
                ImportToken: p.ImportToken,
                EncryptedKeyMaterial: good,
                ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            }),
        );
    });

    it("asymmetric/HMAC keys: ImportType etc. refused (S17), only the first material ever", async () => {
        const keyId = await newKey("HMAC_256", "GENERATE_VERIFY_MAC");
        await expectKmsError(
            importMaterial(f().client, keyId, randomBytes(32), { ImportType: "NEW_KEY_MATERIAL" }),
            "UnsupportedOperationException",
            /ImportType/,
        );
        await expectKmsError(
            importMaterial(f().client, keyId, randomBytes(32), { KeyMaterialDescription: "x" }),
            "UnsupportedOperationException",
        );
        const material = randomBytes(40);
        await importMaterial(f().client, keyId, material);
        await expectKmsError(
            importMaterial(f().client, keyId, randomBytes(40)),
            "IncorrectKeyMaterialException",
            /not the same key material/,
        );
        await importMaterial(f().client, keyId, material);
    });

    it("refuses AWS_KMS keys", async () => {
        const arn = (await f().client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
        await expectKmsError(
            f().client.send(
                new ImportKeyMaterialCommand({
                    KeyId: arn,
                    ImportToken: randomBytes(8),
                    EncryptedKeyMaterial: randomBytes(8),
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                }),
            ),
            "UnsupportedOperationException",
            `${arn} origin is AWS_KMS which is not valid for this operation.`,
        );
    });

    it("leaves a Disabled key Disabled (S19 default)", async () => {
        const keyId = await newKey();
        const material = symmetricMaterial();
        await importMaterial(f().client, keyId, material);
        await f().client.send(new DisableKeyCommand({ KeyId: keyId }));
        await importMaterial(f().client, keyId, material, { ValidTo: inFuture(f().kms, DAY_MS) });
        assert.equal((await state(keyId))?.KeyState, "Disabled");
    });

    it("makes the key Enabled only when every permanently associated material is imported again", async () => {
        const keyId = await newKey();
        const first = symmetricMaterial();
        const second = symmetricMaterial();
        await importMaterial(f().client, keyId, first);
        await importMaterial(f().client, keyId, second, { ImportType: "NEW_KEY_MATERIAL" });
        f().kms.control.setSwitches({ rotationDelayMs: 0 });
        await f().client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
        f().kms.control.resetSwitches();
        for (const id of (await rotations(keyId)).map((r) => r.KeyMaterialId)) {
            await f().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: id }));
        }
        assert.deepEqual(
            (await rotations(keyId)).map((r) => [r.KeyMaterialState, r.ImportState]),
            [
                ["NON_CURRENT", "PENDING_IMPORT"],
                ["CURRENT", "PENDING_IMPORT"],
            ],
        );
        await importMaterial(f().client, keyId, second);
        assert.equal((await state(keyId))?.KeyState, "PendingImport", "the NON_CURRENT material is still missing");
        await importMaterial(f().client, keyId, first);
        assert.equal((await state(keyId))?.KeyState, "Enabled");
    });

    it(
        "expires material at ValidTo on the kms-local clock (lazily): PendingImport, model " +
            "removed (S22), event logged",
        async () => {
            const keyId = await newKey();
            const material = symmetricMaterial();
            const r = await importMaterial(f().client, keyId, material, { ValidTo: inFuture(f().kms, 3_600_000) });
            f().kms.control.clock.advance(3_600_000 - 5_000);
            assert.equal((await state(keyId))?.KeyState, "Enabled");
            f().kms.control.clock.advance(5_000);
            const m = await state(keyId);
            assert.equal(m?.KeyState, "PendingImport");
            assert.equal(m?.ExpirationModel, undefined);
            assert.equal(m?.ValidTo, undefined);
            assert.equal(m?.CurrentKeyMaterialId, r.KeyMaterialId);
            assert.equal((await rotations(keyId))[0]?.ImportState, "PENDING_IMPORT");
            assert.ok(
                f()
                    .kms.control.events()
                    .some(
                        (e) =>
                            e.event === "DeleteExpiredKeyMaterial" &&
                            e.keyId === keyId &&
                            e.keyMaterialId === r.KeyMaterialId,
                    ),
            );
            await importMaterial(f().client, keyId, material);
            assert.equal((await state(keyId))?.KeyState, "Enabled");
        },
    );
});
