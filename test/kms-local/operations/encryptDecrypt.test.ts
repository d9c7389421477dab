import * as assert from "node:assert/strict";
import {
    CreateAliasCommand,
    CreateKeyCommand,
    DecryptCommand,
    DisableKeyCommand,
    EncryptCommand,
    GetPublicKeyCommand,
    ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import {
    arnOf,
    asymmetricMaterial,
    expectKmsError,
    importMaterial,
    symmetricMaterial,
    useKmsLocal,
} from "../fixture.js";

describe("kms-local Encrypt, Decrypt, GetPublicKey", () => {
    const f = useKmsLocal();
    const c = () => f().client;
    const enabledKey = async (material?: Buffer) => (await f().enabledKey(material)).keyId;
    const text = (p: Uint8Array | undefined) => Buffer.from(p as Uint8Array).toString();

    it("round-trips with encryption context as AAD and returns ARN, algorithm and KeyMaterialId", async () => {
        const keyId = await enabledKey();
        const e = await c().send(
            new EncryptCommand({
                KeyId: keyId,
                Plaintext: Buffer.from("secret"),
                EncryptionContext: { a: "1", b: "2" },
            }),
        );
        assert.equal(e.KeyId, arnOf(keyId));
        assert.equal(e.EncryptionAlgorithm, "SYMMETRIC_DEFAULT");
        const d = await c().send(
            new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { b: "2", a: "1" } }),
        );
        assert.equal(text(d.Plaintext), "secret");
        assert.equal(d.KeyId, arnOf(keyId));
        assert.match(d.KeyMaterialId ?? "", /^[0-9a-f]{64}$/);
        await expectKmsError(
            c().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })),
            "InvalidCiphertextException",
            "UnknownError",
        );
        await expectKmsError(
            c().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { a: "1", b: "3" } })),
            "InvalidCiphertextException",
        );
        const again = await c().send(
            new EncryptCommand({
                KeyId: keyId,
                Plaintext: Buffer.from("secret"),
                EncryptionContext: { a: "1", b: "2" },
            }),
        );
        assert.notDeepEqual(
            Buffer.from(again.CiphertextBlob as Uint8Array),
            Buffer.from(e.CiphertextBlob as Uint8Array),
            "random IV",
        );
    });

    it("answers corrupted ciphertext with InvalidCiphertextException (no message)", async () => {
        const keyId = await enabledKey();
        const e = await c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
        const blob = Buffer.from(e.CiphertextBlob as Uint8Array);
        for (const i of [blob.length - 1, blob.length - 20, 60]) {
            const bad = Buffer.from(blob);
            bad[i] = bad[i] ^ 1;
            await expectKmsError(
                c().send(new DecryptCommand({ CiphertextBlob: bad })),
                "InvalidCiphertextException",
                "UnknownError",
            );
        }
        await expectKmsError(
            c().send(new DecryptCommand({ CiphertextBlob: Buffer.from("not a ciphertext") })),
            "InvalidCiphertextException",
        );
    });

    it(
        "does not decrypt under another key holding the same " + "material; KeyId mismatch is IncorrectKeyException",
        async () => {
            const material = symmetricMaterial();
            const a = await enabledKey(material);
            const b = await enabledKey(material);
            const e = await c().send(new EncryptCommand({ KeyId: a, Plaintext: Buffer.from("x") }));
            await expectKmsError(
                c().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: b })),
                "IncorrectKeyException",
            );
            const ok = await c().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: arnOf(a) }));
            assert.equal(text(ok.Plaintext), "x");
        },
    );

    it("works through aliases", async () => {
        const keyId = await enabledKey();
        await c().send(new CreateAliasCommand({ AliasName: "alias/crypto", TargetKeyId: keyId }));
        const e = await c().send(new EncryptCommand({ KeyId: "alias/crypto", Plaintext: Buffer.from("via alias") }));
        const d = await c().send(
            new DecryptCommand({
                CiphertextBlob: e.CiphertextBlob,
                KeyId: "arn:aws:kms:us-east-1:111122223333:alias/crypto",
            }),
        );
        assert.equal(text(d.Plaintext), "via alias");
    });

    it("enforces state: Disabled → DisabledException, PendingDeletion → KMSInvalidStateException", async () => {
        const keyId = await enabledKey();
        const e = await c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        await expectKmsError(
            c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
            "DisabledException",
            `${arnOf(keyId)} is disabled.`,
        );
        await expectKmsError(
            c().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })),
            "DisabledException",
            `${arnOf(keyId)} is disabled.`,
        );
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
        await expectKmsError(
            c().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is pending deletion.`,
        );
    });

    it("checks key usage and algorithms", async () => {
        const hmac = (await c().send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" })))
            .KeyMetadata?.KeyId as string;
        await expectKmsError(
            c().send(new EncryptCommand({ KeyId: hmac, Plaintext: Buffer.from("x") })),
            "InvalidKeyUsageException",
            `${arnOf(hmac)} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`,
        );
        const sym = await enabledKey();
        await expectKmsError(
            c().send(
                new EncryptCommand({
                    KeyId: sym,
                    Plaintext: Buffer.from("x"),
                    EncryptionAlgorithm: "RSAES_OAEP_SHA_256",
                }),
            ),
            "InvalidKeyUsageException",
            "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.",
        );
        await expectKmsError(
            c().send(new EncryptCommand({ KeyId: sym, Plaintext: Buffer.from("x"), DryRun: true })),
            "DryRunOperationException",
        );
        await expectKmsError(c().send(new DecryptCommand({})), "ValidationException", /ciphertextBlob/);
    });

    it("encrypts and decrypts with an imported RSA key (RSAES-OAEP) and serves its public key", async () => {
        const keyId = (
            await c().send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }),
            )
        ).KeyMetadata?.KeyId as string;
        await importMaterial(c(), keyId, asymmetricMaterial("RSA_2048"));
        for (const alg of ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] as const) {
            const e = await c().send(
                new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("rsa"), EncryptionAlgorithm: alg }),
            );
            assert.equal(e.CiphertextBlob?.length, 256);
            const d = await c().send(
                new DecryptCommand({ KeyId: keyId, CiphertextBlob: e.CiphertextBlob, EncryptionAlgorithm: alg }),
            );
            assert.equal(text(d.Plaintext), "rsa");
        }
        await expectKmsError(
            c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
            "InvalidKeyUsageException",
            /SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048/,
        );
        const pub = await c().send(new GetPublicKeyCommand({ KeyId: keyId }));
        assert.equal(pub.KeyId, arnOf(keyId));
        assert.equal(pub.KeySpec, "RSA_2048");
        assert.equal(pub.KeyUsage, "ENCRYPT_DECRYPT");
        assert.deepEqual(pub.EncryptionAlgorithms, ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    });

    it("GetPublicKey refuses symmetric keys and keys without material", async () => {
        const sym = await enabledKey();
        await expectKmsError(c().send(new GetPublicKeyCommand({ KeyId: sym })), "UnsupportedOperationException");
        const ecc = (
            await c().send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }),
            )
        ).KeyMetadata?.KeyId as string;
        await expectKmsError(
            c().send(new GetPublicKeyCommand({ KeyId: ecc })),
            "KMSInvalidStateException",
            `${arnOf(ecc)} is pending import.`,
        );
        const generated = (await c().send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" })))
            .KeyMetadata?.KeyId as string;
        const pub = await c().send(new GetPublicKeyCommand({ KeyId: generated }));
        assert.deepEqual(pub.SigningAlgorithms, ["ECDSA_SHA_256"]);
    });
});
