import * as assert from "node:assert/strict";
import { CreateKeyCommand, type KeySpec, type KeyUsageType } from "@aws-sdk/client-kms";
import { expectKmsError, useKmsLocal } from "../fixture.js";

describe("kms-local CreateKey", () => {
    const f = useKmsLocal();

    it("creates an EXTERNAL symmetric key in PendingImport with the recorded field set", async () => {
        const { KeyMetadata: m } = await f().client.send(
            new CreateKeyCommand({ Origin: "EXTERNAL", Description: "d" }),
        );
        assert.ok(m);
        assert.match(m.KeyId ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(m.Arn, `arn:aws:kms:us-east-1:111122223333:key/${m.KeyId}`);
        assert.equal(m.KeyState, "PendingImport");
        assert.equal(m.Enabled, false);
        assert.equal(m.Origin, "EXTERNAL");
        assert.equal(m.KeyManager, "CUSTOMER");
        assert.equal(m.MultiRegion, false);
        assert.equal(m.Description, "d");
        assert.deepEqual(m.EncryptionAlgorithms, ["SYMMETRIC_DEFAULT"]);
        assert.equal(m.ExpirationModel, undefined);
        assert.equal(m.ValidTo, undefined);
        assert.equal(m.CurrentKeyMaterialId, undefined);
        assert.equal(m.DeletionDate, undefined);
        assert.ok(
            m.CreationDate instanceof Date && Math.abs(m.CreationDate.getTime() - f().kms.control.clock.now()) < 5000,
        );
    });

    it("creates an AWS_KMS symmetric key Enabled with a CurrentKeyMaterialId", async () => {
        const { KeyMetadata: m } = await f().client.send(new CreateKeyCommand({}));
        assert.equal(m?.KeyState, "Enabled");
        assert.equal(m?.Enabled, true);
        assert.equal(m?.Origin, "AWS_KMS");
        assert.match(m?.CurrentKeyMaterialId ?? "", /^[0-9a-f]{64}$/);
    });

    const cases: [KeySpec, KeyUsageType, Record<string, string[]>][] = [
        ["HMAC_224", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_224"] }],
        ["HMAC_256", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_256"] }],
        ["HMAC_384", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_384"] }],
        ["HMAC_512", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_512"] }],
        ["RSA_2048", "ENCRYPT_DECRYPT", { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] }],
        [
            "RSA_3072",
            "SIGN_VERIFY",
            {
                SigningAlgorithms: [
                    "RSASSA_PKCS1_V1_5_SHA_256",
                    "RSASSA_PKCS1_V1_5_SHA_384",
                    "RSASSA_PKCS1_V1_5_SHA_512",
                    "RSASSA_PSS_SHA_256",
                    "RSASSA_PSS_SHA_384",
                    "RSASSA_PSS_SHA_512",
                ],
            },
        ],
        ["RSA_4096", "ENCRYPT_DECRYPT", { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] }],
        ["ECC_NIST_P256", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_256"] }],
        ["ECC_NIST_P384", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_384"] }],
        ["ECC_NIST_P521", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_512"] }],
        ["ECC_SECG_P256K1", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_256"] }],
        ["ECC_NIST_P256", "KEY_AGREEMENT", { KeyAgreementAlgorithms: ["ECDH"] }],
    ];
    for (const [spec, usage, lists] of cases) {
        it(`creates an EXTERNAL ${spec} ${usage} key with its algorithm list`, async () => {
            const { KeyMetadata: m } = await f().client.send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: usage }),
            );
            assert.equal(m?.KeyState, "PendingImport");
            assert.equal(m?.KeySpec, spec);
            // eslint-disable-next-line @typescript-eslint/no-deprecated -- AWS still uses it
            assert.equal(m?.CustomerMasterKeySpec, spec);
            for (const [member, value] of Object.entries(lists))
                assert.deepEqual((m as unknown as Record<string, unknown>)[member], value);
            assert.equal(m?.CurrentKeyMaterialId, undefined);
        });
    }

    it("reports no CustomerMasterKeySpec for a spec newer than it (ECC_NIST_EDWARDS25519)", async () => {
        const { KeyMetadata: m } = await f().client.send(
            new CreateKeyCommand({ KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: "SIGN_VERIFY" }),
        );
        assert.equal(m?.KeySpec, "ECC_NIST_EDWARDS25519");
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- AWS still uses it
        assert.equal(m?.CustomerMasterKeySpec, undefined);
    });

    it("creates AWS_KMS asymmetric and HMAC keys (material generated)", async () => {
        for (const [spec, usage] of [
            ["ECC_NIST_P384", "SIGN_VERIFY"],
            ["HMAC_512", "GENERATE_VERIFY_MAC"],
            ["RSA_2048", "ENCRYPT_DECRYPT"],
        ] as const) {
            const { KeyMetadata: m } = await f().client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage }));
            assert.equal(m?.KeyState, "Enabled", spec);
            assert.equal(m?.CurrentKeyMaterialId, undefined, spec);
        }
    });

    it("requires a KeyUsage for every key but symmetric encryption keys (recorded message)", async () => {
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeySpec: "RSA_2048", Origin: "EXTERNAL" })),
            "ValidationException",
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        );
    });

    it("rejects a KeyUsage the spec does not support", async () => {
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "ENCRYPT_DECRYPT" })),
            "ValidationException",
            "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_256.",
        );
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeyUsage: "SIGN_VERIFY" })),
            "ValidationException",
            /not compatible with KeySpec SYMMETRIC_DEFAULT/,
        );
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeySpec: "ECC_SECG_P256K1", KeyUsage: "KEY_AGREEMENT" })),
            "ValidationException",
        );
    });

    it("rejects an unknown KeyUsage with the recorded enum wording", async () => {
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeyUsage: "RANDOM" as KeyUsageType })),
            "ValidationException",
            "1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: " +
                "Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, " +
                "GENERATE_VERIFY_MAC, KEY_AGREEMENT]",
        );
    });

    it("creates multi-Region keys with mrk- ids and a PRIMARY configuration", async () => {
        const { KeyMetadata: m } = await f().client.send(
            new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true }),
        );
        assert.match(m?.KeyId ?? "", /^mrk-[0-9a-f]{32}$/);
        assert.equal(m?.MultiRegion, true);
        assert.deepEqual(m?.MultiRegionConfiguration, {
            MultiRegionKeyType: "PRIMARY",
            PrimaryKey: { Arn: m?.Arn, Region: "us-east-1" },
            ReplicaKeys: [],
        });
    });

    it("refuses what it does not emulate: custom key stores, SM2, ML-DSA generation", async () => {
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM", CustomKeyStoreId: "cks-1" })),
            "CustomKeyStoreNotFoundException",
        );
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL_KEY_STORE" })),
            "CustomKeyStoreNotFoundException",
        );
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeySpec: "SM2", KeyUsage: "SIGN_VERIFY" })),
            "UnsupportedOperationException",
        );
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ KeySpec: "ML_DSA_44", KeyUsage: "SIGN_VERIFY" })),
            "UnsupportedOperationException",
        );
    });

    it("checks tags and the KeySpec/CustomerMasterKeySpec pair", async () => {
        await expectKmsError(
            f().client.send(new CreateKeyCommand({ Tags: [{ TagKey: "aws:x", TagValue: "v" }] })),
            "TagException",
            "Tags beginning with aws: are reserved",
        );
        const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: "v" }));
        await expectKmsError(f().client.send(new CreateKeyCommand({ Tags: many })), "TagException", "Too many tags");
        await expectKmsError(
            f().client.send(
                new CreateKeyCommand({
                    KeySpec: "HMAC_256",
                    // eslint-disable-next-line @typescript-eslint/no-deprecated -- AWS still uses it
                    CustomerMasterKeySpec: "HMAC_256",
                    KeyUsage: "GENERATE_VERIFY_MAC",
                }),
            ),
            "ValidationException",
        );
        const { KeyMetadata: m } = await f().client.send(
            new CreateKeyCommand({
                // eslint-disable-next-line @typescript-eslint/no-deprecated -- AWS still uses it
                CustomerMasterKeySpec: "HMAC_384",
                KeyUsage: "GENERATE_VERIFY_MAC",
                Origin: "EXTERNAL",
            }),
        );
        assert.equal(m?.KeySpec, "HMAC_384");
    });
});
