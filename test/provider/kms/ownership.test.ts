import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ListKeyRotationsCommand } from "@aws-sdk/client-kms";
import { createMaterial } from "../../../provider/material/lifecycle";
import { assertKeyUsable } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";
import { KmsProxy, startKmsProxy } from "../../support/kmsProxy";

/**
 * One key, one owner. Two stacks (or two resources) import different material into the same fresh key: both
 * see a key without material and ask for its first one; KMS makes the second import a PENDING_ROTATION
 * material. The loser must not silently own a second material: it deletes its own (by its KeyMaterialId)
 * and fails, saying how to add a material on purpose. The race is made certain by a loopback endpoint that
 * lets the other stack import just before this stack's ImportKeyMaterial reaches KMS.
 */
describe("provider/kms: one key, one owner (a concurrent first import)", () => {
    const fixture = useProviderKms();
    let proxy: KmsProxy;
    before(async () => (proxy = await startKmsProxy(fixture().kms.url)));
    after(() => proxy.stop());

    const throughProxy = () => ({
        ...fixture().context,
        settings: { ...fixture().context.settings, endpoint: proxy.url },
    });

    /** The other stack imports `winner` into the key right before this stack's ImportKeyMaterial lands. */
    function otherStackImportsFirst(keyId: string, winner: Buffer) {
        let done = false;
        proxy.hooks.before = async (operation) => {
            if (operation !== "ImportKeyMaterial" || done) return;
            done = true;
            await createMaterial(fixture().context, { keyId, keyMaterial: winner.toString("base64") });
        };
    }

    const materialsOf = async (keyId: string) =>
        (
            await fixture().client.send(
                new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
            )
        ).Rotations ?? [];

    afterEach(() => (proxy.hooks = {}));

    it(
        "the loser deletes its PENDING_ROTATION material again, by its id, and fails explaining " +
            "importType NEW_KEY_MATERIAL",
        async () => {
            const key = await fixture().createKey();
            const winner = randomBytes(32);
            otherStackImportsFirst(key.KeyId!, winner);
            fixture().kms.control.resetCounters();
            await assert.rejects(
                createMaterial(throughProxy(), {
                    keyId: key.KeyId!,
                    keyMaterial: randomBytes(32).toString("base64"),
                    rotateOnDemand: true,
                }),
                /already had another key material.*PENDING_ROTATION.*deleted again.*importType: "NEW_KEY_MATERIAL"/s,
            );
            const materials = await materialsOf(key.KeyId!);
            assert.equal(materials.length, 1, "only the winner's material is left");
            assert.equal(materials[0].KeyMaterialState, "CURRENT");
            const deletes = fixture().calls("DeleteImportedKeyMaterial");
            assert.equal(deletes.length, 1);
            assert.match(deletes[0].keyMaterialId ?? "", /^[0-9a-f]{64}$/, "deleted by KeyMaterialId");
            assert.notEqual(deletes[0].keyMaterialId, materials[0].KeyMaterialId, "not the winner's");
            assert.equal(
                fixture().calls("RotateKeyOnDemand").length,
                0,
                "the loser never rotated the key to its material",
            );
            await assertKeyUsable(fixture().client, key.KeyId!);
        },
    );

    it(
        "with importType NEW_KEY_MATERIAL the same race is a " + "rotation on purpose: the material stays, pending",
        async () => {
            const key = await fixture().createKey();
            otherStackImportsFirst(key.KeyId!, randomBytes(32));
            const { outs } = await createMaterial(throughProxy(), {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
                importType: "NEW_KEY_MATERIAL",
            });
            assert.equal(outs.keyMaterialState, "PENDING_ROTATION");
            assert.equal((await materialsOf(key.KeyId!)).length, 2);
        },
    );
});
