import * as assert from "node:assert/strict";
import {
    CreateKeyCommand,
    DecryptCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    EncryptCommand,
    ListKeyRotationsCommand,
    ReplicateKeyCommand,
    RotateKeyOnDemandCommand,
    ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { DAY_MS, expectKmsError, importMaterial, symmetricMaterial, useKmsLocal } from "../fixture.js";

describe("kms-local ReplicateKey and multi-Region imported material", () => {
    const f = useKmsLocal({ switches: { replicaCreatingMs: 500 }, rotationDelayMs: 100 });
    const east = () => f().client;
    const west = () => f().clientIn("us-west-2");
    const arn = (region: string, keyId: string) => `arn:aws:kms:${region}:111122223333:key/${keyId}`;
    const describe = async (c: ReturnType<typeof east>, keyId: string) =>
        (await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    const materials = async (c: ReturnType<typeof east>, keyId: string) =>
        (
            (await c.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))
                .Rotations ?? []
        ).map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState]);

    async function primaryWithReplica() {
        const keyId = (await east().send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true }))).KeyMetadata
            ?.KeyId as string;
        const material = symmetricMaterial();
        const first = await importMaterial(east(), keyId, material);
        const r = await east().send(
            new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-2", Description: "replica" }),
        );
        return { keyId, material, first, r };
    }

    it("creates an EXTERNAL replica without material: Creating, then PendingImport; same material works", async () => {
        const { keyId, material, first, r } = await primaryWithReplica();
        const m = r.ReplicaKeyMetadata;
        assert.equal(m?.Arn, arn("us-west-2", keyId));
        assert.equal(m?.KeyState, "Creating");
        assert.equal(m?.CurrentKeyMaterialId, undefined, "ReplicateKey omits CurrentKeyMaterialId");
        assert.equal(m?.MultiRegionConfiguration?.MultiRegionKeyType, "REPLICA");
        assert.deepEqual(m?.MultiRegionConfiguration?.PrimaryKey, {
            Arn: arn("us-east-1", keyId),
            Region: "us-east-1",
        });
        assert.deepEqual((await describe(east(), keyId))?.MultiRegionConfiguration?.ReplicaKeys, [
            { Arn: arn("us-west-2", keyId), Region: "us-west-2" },
        ]);
        await expectKmsError(
            importMaterial(west(), keyId, material),
            "KMSInvalidStateException",
            `${arn("us-west-2", keyId)} is creating.`,
        );
        f().kms.control.clock.advance(500);
        assert.equal((await describe(west(), keyId))?.KeyState, "PendingImport");
        await expectKmsError(importMaterial(west(), keyId, symmetricMaterial()), "IncorrectKeyMaterialException");
        const imported = await importMaterial(west(), keyId, material);
        assert.equal(imported.KeyMaterialId, first.KeyMaterialId, "related multi-Region keys share KeyMaterialIds");
        assert.equal((await describe(west(), keyId))?.KeyState, "Enabled");
        // Ciphertext from the primary decrypts in the replica Region.
        const e = await east().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("mrk") }));
        const d = await west().send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob }));
        assert.equal(Buffer.from(d.Plaintext as Uint8Array).toString(), "mrk");
        await expectKmsError(
            east().send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-2" })),
            "AlreadyExistsException",
        );
        await expectKmsError(
            east().send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-east-1" })),
            "ValidationException",
        );
    });

    it(
        "new material only into the primary; PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica " +
            "has it; family rotation",
        async () => {
            const { keyId, material } = await primaryWithReplica();
            f().kms.control.clock.advance(500);
            await importMaterial(west(), keyId, material);
            await expectKmsError(
                importMaterial(west(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" }),
                "UnsupportedOperationException",
            );
            const next = symmetricMaterial();
            const pending = await importMaterial(east(), keyId, next, { ImportType: "NEW_KEY_MATERIAL" });
            assert.deepEqual((await materials(east(), keyId))[1], [
                pending.KeyMaterialId,
                "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
                "IMPORTED",
            ]);
            assert.deepEqual((await materials(west(), keyId))[1], [
                pending.KeyMaterialId,
                "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
                "PENDING_IMPORT",
            ]);
            await expectKmsError(
                east().send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
                "KMSInvalidStateException",
                /No available key material pending rotation/,
            );
            await importMaterial(west(), keyId, next, { ImportType: "EXISTING_KEY_MATERIAL" });
            assert.equal((await materials(east(), keyId))[1]?.[1], "PENDING_ROTATION");
            assert.equal((await materials(west(), keyId))[1]?.[1], "PENDING_ROTATION");
            await expectKmsError(
                west().send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
                "UnsupportedOperationException",
            );
            await east().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
            f().kms.control.clock.advance(100);
            assert.equal((await describe(east(), keyId))?.CurrentKeyMaterialId, pending.KeyMaterialId);
            assert.equal((await describe(west(), keyId))?.CurrentKeyMaterialId, pending.KeyMaterialId);
        },
    );

    it("deleting a primary's pending material removes it from the replicas; other deletions stay local", async () => {
        const { keyId, material } = await primaryWithReplica();
        f().kms.control.clock.advance(500);
        await importMaterial(west(), keyId, material);
        const pending = await importMaterial(east(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await east().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pending.KeyMaterialId }));
        assert.equal((await materials(west(), keyId)).length, 1);
        await west().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
        assert.equal((await describe(west(), keyId))?.KeyState, "PendingImport");
        assert.equal(
            (await describe(east(), keyId))?.KeyState,
            "Enabled",
            "key states of related keys are independent",
        );
    });

    it("schedules a primary with replicas as PendingReplicaDeletion until the last replica is gone", async () => {
        const { keyId } = await primaryWithReplica();
        f().kms.control.clock.advance(500);
        const r = await east().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        assert.equal(r.KeyState, "PendingReplicaDeletion");
        assert.equal(r.DeletionDate, undefined);
        const m = await describe(east(), keyId);
        assert.equal(m?.KeyState, "PendingReplicaDeletion");
        assert.equal(m?.PendingDeletionWindowInDays, 7);
        assert.equal(m?.DeletionDate, undefined);
        await west().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        f().kms.control.clock.advance(7 * DAY_MS);
        await expectKmsError(west().send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException");
        const after = await describe(east(), keyId);
        assert.equal(after?.KeyState, "PendingDeletion");
        assert.ok(after?.DeletionDate instanceof Date);
        f().kms.control.clock.advance(7 * DAY_MS);
        await expectKmsError(east().send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException");
    });

    it("refuses single-Region keys and keys without material", async () => {
        const single = (await east().send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
        await expectKmsError(
            east().send(new ReplicateKeyCommand({ KeyId: single, ReplicaRegion: "eu-west-1" })),
            "UnsupportedOperationException",
        );
        const bare = (await east().send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true }))).KeyMetadata
            ?.KeyId as string;
        await expectKmsError(
            east().send(new ReplicateKeyCommand({ KeyId: bare, ReplicaRegion: "eu-west-1" })),
            "KMSInvalidStateException",
            `${arn("us-east-1", bare)} is pending import.`,
        );
    });

    it("replicates AWS_KMS multi-Region keys with their material (Enabled after Creating)", async () => {
        const keyId = (await east().send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId as string;
        await east().send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-2" }));
        f().kms.control.clock.advance(500);
        assert.equal((await describe(west(), keyId))?.KeyState, "Enabled");
    });
});
