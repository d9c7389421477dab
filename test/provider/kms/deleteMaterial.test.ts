import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { CreateKeyCommand, ListKeyRotationsCommand } from "@aws-sdk/client-kms";
import { createMaterial, deleteMaterial } from "../../../provider/material/lifecycle";
import type { MaterialOutputs } from "../../../provider/material/properties";
import { assertKeyUsable } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";
import { materialFor } from "../../support/materials";

/**
 * Delete fails closed. A state whose keySpec is missing or unknown (written by hand, by an old version, or
 * damaged) must not lead to a DeleteImportedKeyMaterial without a KeyMaterialId for a key that can hold
 * several materials: that deletes whichever material is current, possibly another resource's.
 */
describe("provider/kms: delete with a missing or unknown keySpec in the state", () => {
    const fixture = useProviderKms();
    beforeEach(() => fixture().kms.control.resetCounters());

    const damaged = (outs: MaterialOutputs, changes: Record<string, unknown>) => ({ ...outs, ...changes });

    it("symmetric key, no keySpec, no KeyMaterialId: reads the key, refuses, deletes nothing", async () => {
        const key = await fixture().createKey();
        const { outs } = await createMaterial(fixture().context, {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
        });
        fixture().kms.control.resetCounters();
        for (const keySpec of [undefined, "SYMMETRIC"]) {
            await assert.rejects(
                deleteMaterial(fixture().context, damaged(outs, { keySpec, keyMaterialId: null })),
                /refusing to delete key material of .* without its KeyMaterialId: the key is SYMMETRIC_DEFAULT, which can hold several materials/,
            );
        }
        assert.equal(fixture().calls("DescribeKey").length, 2, "the key was read first");
        assert.equal(fixture().calls("DeleteImportedKeyMaterial").length, 0);
        await assertKeyUsable(fixture().client, key.KeyId!);
    });

    it(
        "symmetric key, no keySpec, but its KeyMaterialId: reads " + "the key, then deletes exactly that material",
        async () => {
            const key = await fixture().createKey();
            const first = await createMaterial(fixture().context, {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
            });
            const second = await createMaterial(fixture().context, {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
                importType: "NEW_KEY_MATERIAL",
            });
            fixture().kms.control.resetCounters();
            await deleteMaterial(fixture().context, damaged(second.outs, { keySpec: undefined }));
            const [deleted] = fixture().calls("DeleteImportedKeyMaterial");
            assert.equal(deleted.keyMaterialId, second.outs.keyMaterialId);
            const { Rotations } = await fixture().client.send(
                new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
            );
            assert.deepEqual(
                Rotations!.map((r) => [r.KeyMaterialId, r.ImportState]),
                [[first.outs.keyMaterialId, "IMPORTED"]],
            );
        },
    );

    it(
        "an HMAC key (one material for life) with no keySpec: KMS " + "says HMAC, so a delete without an id is safe",
        async () => {
            const { KeyMetadata: key } = await fixture().client.send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }),
            );
            const { outs } = await createMaterial(fixture().context, {
                keyId: key!.KeyId!,
                keyMaterial: materialFor("HMAC_256").toString("base64"),
                keySpec: "HMAC_256",
            });
            await deleteMaterial(fixture().context, damaged(outs, { keySpec: undefined, keyMaterialId: null }));
            assert.equal(fixture().calls("DeleteImportedKeyMaterial").length, 1);
        },
    );

    it(
        "a symmetric key's state edited to a single-material key spec without an id: KMS's spec " +
            "decides, nothing is deleted",
        async () => {
            const key = await fixture().createKey();
            const { id, outs } = await createMaterial(fixture().context, {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
            });
            fixture().kms.control.resetCounters();
            await assert.rejects(
                deleteMaterial(
                    fixture().context,
                    damaged(outs, { keySpec: "RSA_2048", keyMaterialId: null }),
                    outs.keyArn,
                ),
                /the state says its key spec is RSA_2048, but KMS says SYMMETRIC_DEFAULT, so the state was edited or damaged\. Nothing was deleted/,
            );
            assert.equal(fixture().calls("DeleteImportedKeyMaterial").length, 0);
            await assertKeyUsable(fixture().client, key.KeyId!);
            // The state that disagrees with itself is refused before any request.
            fixture().kms.control.resetCounters();
            for (const [changes, problem] of [
                [{ keyMaterialId: "b".repeat(64) }, /the resource ID is not keyArn#keyMaterialId/],
                [
                    { keyArn: outs.keyArn.replace(/key\/.*/, "key/1234abcd-12ab-34cd-56ef-1234567890ab") },
                    /keyId names another key than keyArn/,
                ],
                [{ region: "eu-west-3" }, /region is not keyArn's Region/],
                [{ keyMaterialId: "not-an-id" }, /keyMaterialId is not a KMS KeyMaterialId/],
            ] as const) {
                await assert.rejects(deleteMaterial(fixture().context, damaged(outs, changes), id), problem);
            }
            assert.deepEqual(fixture().kms.control.counters(), {}, "a request was sent");
        },
    );
});
