import * as assert from "node:assert/strict";
import { request } from "node:http";
import {
    CreateAliasCommand,
    type CreateKeyCommandInput,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    RotateKeyOnDemandCommand,
    ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import {
    asymmetricMaterial,
    DAY_MS,
    expectKmsError,
    importMaterial,
    inFuture,
    symmetricMaterial,
    useKmsLocal,
} from "../fixture.js";

describe("kms-local DescribeKey", () => {
    const f = useKmsLocal();
    const newKey = (input?: CreateKeyCommandInput) => f().createKey(input);
    const describe = (keyId: string) => f().describe(keyId);

    it("accepts key ID, key ARN, alias name and alias ARN", async () => {
        const keyId = await newKey();
        const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
        await f().client.send(new CreateAliasCommand({ AliasName: "alias/describe-me", TargetKeyId: keyId }));
        for (const id of [keyId, arn, "alias/describe-me", "arn:aws:kms:us-east-1:111122223333:alias/describe-me"]) {
            assert.equal((await describe(id))?.KeyId, keyId, id);
        }
    });

    it("follows the field-presence rules through import, expiry model, deletion and PendingDeletion", async () => {
        const keyId = await newKey();
        const validTo = inFuture(f().kms, 10 * DAY_MS);
        await importMaterial(f().client, keyId, symmetricMaterial(), {
            ExpirationModel: "KEY_MATERIAL_EXPIRES",
            ValidTo: validTo,
        });
        const enabled = await describe(keyId);
        assert.equal(enabled?.KeyState, "Enabled");
        assert.equal(enabled?.Enabled, true);
        assert.equal(enabled?.ExpirationModel, "KEY_MATERIAL_EXPIRES");
        assert.equal(enabled?.ValidTo?.getTime(), validTo.getTime());
        const materialId = enabled?.CurrentKeyMaterialId;
        assert.match(materialId ?? "", /^[0-9a-f]{64}$/);

        await f().client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
        const deleted = await describe(keyId);
        assert.equal(deleted?.KeyState, "PendingImport");
        assert.equal(deleted?.Enabled, false);
        assert.equal(deleted?.ExpirationModel, undefined);
        assert.equal(deleted?.ValidTo, undefined);
        assert.equal(deleted?.CurrentKeyMaterialId, materialId, "CurrentKeyMaterialId stays after deletion");

        await f().client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        const pd = await describe(keyId);
        assert.equal(pd?.KeyState, "PendingDeletion");
        assert.ok(pd?.DeletionDate instanceof Date);
        assert.equal(pd?.PendingDeletionWindowInDays, undefined);
    });

    it("shows DOES_NOT_EXPIRE without ValidTo, and no CurrentKeyMaterialId for asymmetric and HMAC keys", async () => {
        const sym = await newKey();
        await importMaterial(f().client, sym, symmetricMaterial());
        const s = await describe(sym);
        assert.equal(s?.ExpirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");
        assert.equal(s?.ValidTo, undefined);
        const ecc = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
        await importMaterial(f().client, ecc, asymmetricMaterial("ECC_NIST_P256"), { algorithm: "RSAES_OAEP_SHA_1" });
        const e = await describe(ecc);
        assert.equal(e?.KeyState, "Enabled");
        assert.equal(e?.ExpirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");
        assert.equal(e?.CurrentKeyMaterialId, undefined);
    });

    it(
        "reports ValidTo as the earliest expiry of any permanently associated material (API reference), " +
            "pending ones excluded",
        async () => {
            const keyId = await newKey();
            const rotate = async () => {
                await f().client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
                f().kms.control.clock.advance(f().kms.control.switches.rotationDelayMs);
            };
            const first = inFuture(f().kms, 200 * DAY_MS);
            await importMaterial(f().client, keyId, symmetricMaterial(), { ValidTo: first });
            // A pending material with an earlier ValidTo is not permanently associated yet: it does not count.
            const second = inFuture(f().kms, 100 * DAY_MS);
            await importMaterial(f().client, keyId, symmetricMaterial(), {
                ImportType: "NEW_KEY_MATERIAL",
                ValidTo: second,
            });
            assert.equal((await describe(keyId))?.ValidTo?.getTime(), first.getTime());
            await rotate();
            assert.equal(
                (await describe(keyId))?.ValidTo?.getTime(),
                second.getTime(),
                "earliest of the two, now both permanent",
            );
            // A CURRENT material that never expires does not hide a NON_CURRENT one that does.
            await importMaterial(f().client, keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
            await rotate();
            const m = await describe(keyId);
            assert.equal(m?.ExpirationModel, "KEY_MATERIAL_EXPIRES");
            assert.equal(m?.ValidTo?.getTime(), second.getTime());
        },
    );

    it("answers bad identifiers exactly as recorded from AWS", async () => {
        const c = f().client;
        for (const bad of ["fake-key-id", "134f2428cec14b25a1ae9048164dba47", "mrk-fake-key-id"]) {
            await expectKmsError(
                c.send(new DescribeKeyCommand({ KeyId: bad })),
                "NotFoundException",
                `Invalid keyId '${bad}'`,
            );
        }
        const unknown = "0b1f3d5e-1111-4222-8333-944455556666";
        await expectKmsError(
            c.send(new DescribeKeyCommand({ KeyId: unknown })),
            "NotFoundException",
            `Key 'arn:aws:kms:us-east-1:111122223333:key/${unknown}' does not exist`,
        );
        await expectKmsError(
            c.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:111122223333:key/${unknown}` })),
            "NotFoundException",
            `Key 'arn:aws:kms:us-east-1:111122223333:key/${unknown}' does not exist`,
        );
        const keyId = await newKey();
        await expectKmsError(
            c.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-west-2:111122223333:key/${keyId}` })),
            "NotFoundException",
            "Invalid arn us-west-2",
        );
        // A bare ID that exists only in another Region: the message shows the caller's Region.
        const west = f().clientIn("us-west-2");
        await expectKmsError(
            west.send(new DescribeKeyCommand({ KeyId: keyId })),
            "NotFoundException",
            `Key 'arn:aws:kms:us-west-2:111122223333:key/${keyId}' does not exist`,
        );
        await expectKmsError(
            c.send(new DescribeKeyCommand({ KeyId: "alias/none" })),
            "NotFoundException",
            "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.",
        );
    });

    it("emits timestamps as floats with millisecond precision", async () => {
        const keyId = await newKey();
        const body = await new Promise<string>((resolve, reject) => {
            const req = request(
                `${f().kms.url}/`,
                {
                    method: "POST",
                    headers: {
                        "x-amz-target": "TrentService.DescribeKey",
                        "content-type": "application/x-amz-json-1.1",
                        authorization:
                            "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/kms/aws4_request, " +
                            "SignedHeaders=host, Signature=00",
                    },
                },
                (res) => {
                    let text = "";
                    res.on("data", (c: Buffer) => (text += c.toString()));
                    res.on("end", () => resolve(text));
                },
            );
            req.on("error", reject);
            req.end(JSON.stringify({ KeyId: keyId }));
        });
        assert.match(body, /"CreationDate":\d{10}\.\d{1,3}[,}]/);
    });
});
