import * as assert from "node:assert/strict";
import {
    CreateAliasCommand,
    CreateKeyCommand,
    DecryptCommand,
    DeleteImportedKeyMaterialCommand,
    EncryptCommand,
    ListKeyRotationsCommand,
    RotateKeyOnDemandCommand,
    ScheduleKeyDeletionCommand,
    type KeySpec,
    type KeyUsageType,
} from "@aws-sdk/client-kms";
import {
    arnOf,
    asymmetricMaterial,
    expectKmsError,
    importMaterial,
    symmetricMaterial,
    useKmsLocal,
} from "../fixture.js";

describe("kms-local DeleteImportedKeyMaterial", () => {
    const f = useKmsLocal({ rotationDelayMs: 0 });
    const newKey = (spec: KeySpec = "SYMMETRIC_DEFAULT", usage?: KeyUsageType) =>
        f().createKey({ KeySpec: spec, KeyUsage: usage });
    const state = (keyId: string) => f().describe(keyId);
    const del = (keyId: string, keyMaterialId?: string) =>
        f().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: keyMaterialId }));

    it(
        "deletes the current material by default: PendingImport, " + "model removed, Encrypt pending import, id kept",
        async () => {
            const keyId = await newKey();
            const material = symmetricMaterial();
            const imported = await importMaterial(f().client, keyId, material);
            const ct = await f().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("old") }));
            const r = await del(keyId);
            assert.equal(r.KeyId, arnOf(keyId));
            assert.equal(r.KeyMaterialId, imported.KeyMaterialId);
            const m = await state(keyId);
            assert.equal(m?.KeyState, "PendingImport");
            assert.equal(m?.ExpirationModel, undefined);
            assert.equal(m?.CurrentKeyMaterialId, imported.KeyMaterialId);
            await expectKmsError(
                f().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
                "KMSInvalidStateException",
                `${arnOf(keyId)} is pending import.`,
            );
            await expectKmsError(
                f().client.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob })),
                "KMSInvalidStateException",
                `${arnOf(keyId)} is pending import.`,
            );
            await importMaterial(f().client, keyId, material);
            const back = await f().client.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
            assert.equal(Buffer.from(back.Plaintext as Uint8Array).toString(), "old");
        },
    );

    it("succeeds with no effect on a PendingImport key (S2 default), also one that never had material", async () => {
        const fresh = await newKey();
        const r = await del(fresh);
        assert.equal(r.KeyId, arnOf(fresh));
        assert.equal(r.KeyMaterialId, undefined);
        assert.equal((await state(fresh))?.KeyState, "PendingImport");
        const keyId = await newKey();
        await importMaterial(f().client, keyId, symmetricMaterial());
        await del(keyId);
        await del(keyId);
        assert.equal((await state(keyId))?.KeyState, "PendingImport");
    });

    it("succeeds on a PendingDeletion key and leaves it PendingDeletion (S1 default)", async () => {
        const keyId = await newKey();
        await importMaterial(f().client, keyId, symmetricMaterial());
        await f().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        await del(keyId);
        const m = await state(keyId);
        assert.equal(m?.KeyState, "PendingDeletion");
        assert.equal(m?.ExpirationModel, undefined);
        const [entry] =
            (
                await f().client.send(
                    new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
                )
            ).Rotations ?? [];
        assert.equal(entry?.ImportState, "PENDING_IMPORT");
    });

    it("answers an unknown KeyMaterialId with NotFoundException (S3 default)", async () => {
        const keyId = await newKey();
        await importMaterial(f().client, keyId, symmetricMaterial());
        await expectKmsError(del(keyId, "0".repeat(64)), "NotFoundException", /is not associated/);
        assert.equal((await state(keyId))?.KeyState, "Enabled");
    });

    it("refuses AWS_KMS keys with the origin message (S4 default) and aliases (S7 default)", async () => {
        const arn = (await f().client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
        await expectKmsError(
            del(arn),
            "UnsupportedOperationException",
            `${arn} origin is AWS_KMS which is not valid for this operation.`,
        );
        const keyId = await newKey();
        await f().client.send(new CreateAliasCommand({ AliasName: "alias/del", TargetKeyId: keyId }));
        await expectKmsError(del("alias/del"), "NotFoundException", "Invalid keyId 'alias/del'");
    });

    it(
        "deleting pending material keeps the key usable (S6 " + "default) and frees the slot for other material",
        async () => {
            const keyId = await newKey();
            const first = await importMaterial(f().client, keyId, symmetricMaterial());
            const pending = await importMaterial(f().client, keyId, symmetricMaterial(), {
                ImportType: "NEW_KEY_MATERIAL",
            });
            const r = await del(keyId, pending.KeyMaterialId);
            assert.equal(r.KeyMaterialId, pending.KeyMaterialId);
            const m = await state(keyId);
            assert.equal(m?.KeyState, "Enabled");
            assert.equal(m?.CurrentKeyMaterialId, first.KeyMaterialId);
            const list =
                (
                    await f().client.send(
                        new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
                    )
                ).Rotations ?? [];
            assert.deepEqual(
                list.map((e) => e.KeyMaterialId),
                [first.KeyMaterialId],
            );
            await importMaterial(f().client, keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        },
    );

    it("deleting NON_CURRENT (permanently associated) material makes the key PendingImport", async () => {
        const keyId = await newKey();
        const first = await importMaterial(f().client, keyId, symmetricMaterial());
        await importMaterial(f().client, keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await f().client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
        await state(keyId);
        await del(keyId, first.KeyMaterialId);
        assert.equal((await state(keyId))?.KeyState, "PendingImport");
    });

    it("returns an empty KeyMaterialId for asymmetric keys (S5 default)", async () => {
        const keyId = await newKey("ECC_NIST_P256", "SIGN_VERIFY");
        await importMaterial(f().client, keyId, asymmetricMaterial("ECC_NIST_P256"), {
            algorithm: "RSAES_OAEP_SHA_256",
        });
        const r = await del(keyId);
        assert.equal(r.KeyMaterialId, "");
        const m = await state(keyId);
        assert.equal(m?.KeyState, "PendingImport");
        assert.equal(m?.ExpirationModel, undefined);
    });
});
