import * as assert from "node:assert/strict";
import {
    CreateKeyCommand,
    DecryptCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EncryptCommand,
    GetKeyRotationStatusCommand,
    ListKeyRotationsCommand,
    RotateKeyOnDemandCommand,
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

describe("kms-local RotateKeyOnDemand, GetKeyRotationStatus, ListKeyRotations", () => {
    const f = useKmsLocal({ rotationDelayMs: 1000 });
    const c = () => f().client;
    const newKey = () => f().createKey();
    const rotate = (keyId: string) => c().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    /** Imports new material and completes an on-demand rotation into it. */
    const rotateInNewMaterial = async (keyId: string) => {
        await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await rotate(keyId);
        f().kms.control.clock.advance(1000);
    };
    const list = async (keyId: string, all = true) =>
        (
            await c().send(
                new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: all ? "ALL_KEY_MATERIAL" : undefined }),
            )
        ).Rotations ?? [];

    it("rotates asynchronously: start date visible meanwhile, then pending → CURRENT, old → NON_CURRENT", async () => {
        const keyId = await newKey();
        const first = await importMaterial(c(), keyId, symmetricMaterial(), { KeyMaterialDescription: "v1" });
        const old = await c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("before") }));
        const second = await importMaterial(c(), keyId, symmetricMaterial(), {
            ImportType: "NEW_KEY_MATERIAL",
            KeyMaterialDescription: "v2",
        });
        assert.deepEqual(await list(keyId, false), [], "no completed rotation yet");
        const started = f().kms.control.clock.now();
        const r = await rotate(keyId);
        assert.equal(r.KeyId, arnOf(keyId));
        const status = await c().send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
        assert.equal(status.KeyRotationEnabled, false);
        assert.equal(status.KeyId, arnOf(keyId));
        assert.ok(Math.abs((status.OnDemandRotationStartDate?.getTime() ?? 0) - started) < 1000);
        assert.equal(
            (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId,
            first.KeyMaterialId,
        );
        await expectKmsError(rotate(keyId), "ConflictException");

        f().kms.control.clock.advance(1000);
        const done = await c().send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
        assert.equal(done.OnDemandRotationStartDate, undefined);
        assert.equal(
            (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId,
            second.KeyMaterialId,
        );
        const all = await list(keyId);
        assert.deepEqual(
            all.map((e) => [e.KeyMaterialId, e.KeyMaterialState, e.RotationType, e.KeyMaterialDescription]),
            [
                [first.KeyMaterialId, "NON_CURRENT", undefined, "v1"],
                [second.KeyMaterialId, "CURRENT", "ON_DEMAND", "v2"],
            ],
        );
        assert.equal(all[0]?.RotationDate, undefined, "first material has no RotationDate");
        assert.ok(all[1]?.RotationDate instanceof Date);
        const only = await list(keyId, false);
        assert.deepEqual(
            only.map((e) => e.KeyMaterialId),
            [second.KeyMaterialId],
        );
        assert.equal(only[0]?.ImportState, "IMPORTED");
        assert.equal(only[0]?.ExpirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");

        const fresh = await c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("after") }));
        for (const [blob, text, id] of [
            [old.CiphertextBlob, "before", first.KeyMaterialId],
            [fresh.CiphertextBlob, "after", second.KeyMaterialId],
        ] as const) {
            const d = await c().send(new DecryptCommand({ CiphertextBlob: blob }));
            assert.equal(Buffer.from(d.Plaintext as Uint8Array).toString(), text);
            assert.equal(d.KeyMaterialId, id);
        }
    });

    it("needs pending material, in order: state before key spec (recorded errors)", async () => {
        const keyId = await newKey();
        await expectKmsError(rotate(keyId), "KMSInvalidStateException", `${arnOf(keyId)} is pending import.`);
        await importMaterial(c(), keyId, symmetricMaterial());
        await expectKmsError(
            rotate(keyId),
            "KMSInvalidStateException",
            `No available key material pending rotation for the key: ${arnOf(keyId)}.`,
        );
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        await expectKmsError(rotate(keyId), "DisabledException", `${arnOf(keyId)} is disabled.`);

        const rsa = (
            await c().send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }))
        ).KeyMetadata?.KeyId as string;
        await importMaterial(c(), rsa, asymmetricMaterial("RSA_2048"));
        await expectKmsError(rotate(rsa), "UnsupportedOperationException", "UnknownError");
        await c().send(new DisableKeyCommand({ KeyId: rsa }));
        await expectKmsError(rotate(rsa), "DisabledException", `${arnOf(rsa)} is disabled.`);
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: rsa }));
        await expectKmsError(rotate(rsa), "KMSInvalidStateException", `${arnOf(rsa)} is pending deletion.`);
    });

    it("allows 25 on-demand rotations per key, then LimitExceededException (recorded message)", async () => {
        const keyId = await newKey();
        await importMaterial(c(), keyId, symmetricMaterial());
        for (let i = 0; i < 25; i++) await rotateInNewMaterial(keyId);
        assert.equal((await list(keyId, false)).length, 25);
        await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await expectKmsError(
            rotate(keyId),
            "LimitExceededException",
            `The on-demand rotations limit has been reached for the given keyId. No more on-demand ` +
                `rotations can be performed for this key: ${arnOf(keyId)}`,
        );
    });

    it("rotates AWS_KMS keys too (new generated material)", async () => {
        const keyId = (await c().send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
        const before = (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
        assert.equal((await list(keyId)).length, 1);
        await rotate(keyId);
        assert.equal((await list(keyId)).length, 1, "generated pending material is not listed");
        f().kms.control.clock.advance(1000);
        const after = (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
        assert.notEqual(after, before);
        const entries = await list(keyId);
        assert.equal(entries[0]?.ImportState, undefined, "ImportState is for EXTERNAL keys only");
        assert.equal(entries[1]?.RotationType, "ON_DEMAND");
    });

    it("paginates ListKeyRotations with Limit/Marker", async () => {
        const keyId = await newKey();
        await importMaterial(c(), keyId, symmetricMaterial());
        for (let i = 0; i < 3; i++) await rotateInNewMaterial(keyId);
        const p1 = await c().send(
            new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL", Limit: 3 }),
        );
        assert.equal(p1.Rotations?.length, 3);
        assert.equal(p1.Truncated, true);
        const p2 = await c().send(
            new ListKeyRotationsCommand({
                KeyId: keyId,
                IncludeKeyMaterial: "ALL_KEY_MATERIAL",
                Limit: 3,
                Marker: p1.NextMarker,
            }),
        );
        assert.equal(p2.Rotations?.length, 1);
        assert.equal(p2.Truncated, false);
        assert.equal(p2.NextMarker, undefined);
        await expectKmsError(
            c().send(new ListKeyRotationsCommand({ KeyId: keyId, Marker: "bm90IGEgbWFya2Vy" })),
            "InvalidMarkerException",
        );
    });

    it("refuses asymmetric and HMAC keys in ListKeyRotations (S26) and GetKeyRotationStatus", async () => {
        const hmac = (
            await c().send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }),
            )
        ).KeyMetadata?.KeyId as string;
        await expectKmsError(c().send(new ListKeyRotationsCommand({ KeyId: hmac })), "UnsupportedOperationException");
        await expectKmsError(
            c().send(new GetKeyRotationStatusCommand({ KeyId: hmac })),
            "UnsupportedOperationException",
        );
    });

    it("shows ValidTo per material and PENDING_IMPORT for deleted material", async () => {
        const keyId = await newKey();
        const validTo = new Date(Math.floor(f().kms.control.clock.now() / 1000) * 1000 + 86_400_000);
        await importMaterial(c(), keyId, symmetricMaterial(), { ValidTo: validTo });
        const [e] = await list(keyId);
        assert.equal(e?.ExpirationModel, "KEY_MATERIAL_EXPIRES");
        assert.equal(e?.ValidTo?.getTime(), validTo.getTime());
    });
});
