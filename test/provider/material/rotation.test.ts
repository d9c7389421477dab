import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DescribeKeyCommand, ListKeyRotationsCommand } from "@aws-sdk/client-kms";
import { createMaterial, deleteMaterial, readMaterial, updateMaterial } from "../../../provider/material/lifecycle";
import { MaterialInputs } from "../../../provider/material/properties";
import { assertKeyUnusable, assertKeyUsable } from "../../support/assertions";
import { shortLabel } from "../../../provider/kms/status";
import { useProviderKms } from "../../support/kms";

/** Several materials in one symmetric key: import as NEW_KEY_MATERIAL, rotate on demand, delete safely. */
describe("provider/material: several materials, rotation (against kms-local)", () => {
    const fixture = useProviderKms();
    beforeEach(() => fixture().kms.control.resetCounters());

    const inputs = (keyId: string, material: Buffer, extra: Partial<MaterialInputs> = {}): MaterialInputs => ({
        keyId,
        keyMaterial: material.toString("base64"),
        ...extra,
    });
    const rotations = async (keyId: string) =>
        (
            await fixture().client.send(
                new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
            )
        ).Rotations!;

    async function create(keyId: string, extra: Partial<MaterialInputs> = {}) {
        const material = randomBytes(32);
        return { ...(await createMaterial(fixture().context, inputs(keyId, material, extra))), material };
    }

    async function keyWithFirstMaterial() {
        const key = await fixture().createKey();
        const first = await createMaterial(fixture().context, inputs(key.KeyId!, randomBytes(32)));
        return { key, first };
    }

    it(
        "a second material waits in PENDING_ROTATION; rotateOnDemand makes it CURRENT; old " +
            "ciphertexts still decrypt",
        async () => {
            const { key, first } = await keyWithFirstMaterial();
            const oldCiphertext = await assertKeyUsable(fixture().client, key.KeyId!);
            const desired = { importType: "NEW_KEY_MATERIAL", keyMaterialDescription: "rotation 1" } as const;
            const second = await create(key.KeyId!, desired);
            assert.equal(second.outs.keyMaterialState, "PENDING_ROTATION");
            assert.equal(second.outs.keyMaterialDescription, "rotation 1");
            assert.equal(second.outs.deletionImpact, "KEY_STAYS_USABLE");
            assert.notEqual(second.outs.keyMaterialId, first.outs.keyMaterialId);

            const rotated = await updateMaterial(
                fixture().context,
                second.id,
                second.outs,
                inputs(key.KeyId!, second.material, { ...desired, rotateOnDemand: true }),
            );
            assert.equal(rotated.keyMaterialState, "CURRENT");
            assert.equal(
                (await fixture().client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!
                    .CurrentKeyMaterialId,
                second.outs.keyMaterialId,
            );
            const refreshedFirst = (await readMaterial(fixture().context, first.id, first.outs)).props!;
            assert.equal(refreshedFirst.keyMaterialState, "NON_CURRENT");
            assert.equal(refreshedFirst.deletionImpact, "KEY_BECOMES_PENDING_IMPORT");
            await assertKeyUsable(fixture().client, key.KeyId!, oldCiphertext);
            assert.equal(fixture().calls("RotateKeyOnDemand").length, 1);
            assert.equal(fixture().calls("ImportKeyMaterial").length, 2, "the rotation needed no reimport");
        },
    );

    it("creates and rotates in one step with rotateOnDemand, waiting for the asynchronous rotation", async () => {
        const { key } = await keyWithFirstMaterial();
        const second = await create(key.KeyId!, { importType: "NEW_KEY_MATERIAL", rotateOnDemand: true });
        assert.equal(second.outs.keyMaterialState, "CURRENT");
        const entries = await rotations(key.KeyId!);
        assert.deepEqual(entries.map((r) => r.KeyMaterialState).sort(), ["CURRENT", "NON_CURRENT"]);
        assert.equal(entries.find((r) => r.KeyMaterialState === "CURRENT")!.RotationType, "ON_DEMAND");
    });

    it(
        "deleting a PENDING_ROTATION material leaves the key usable; deleting a NON_CURRENT one " +
            "makes it PendingImport",
        async () => {
            const { key, first } = await keyWithFirstMaterial();
            const pending = await create(key.KeyId!, { importType: "NEW_KEY_MATERIAL" });
            await deleteMaterial(fixture().context, pending.outs);
            assert.equal(fixture().calls("DeleteImportedKeyMaterial")[0].keyMaterialId, pending.outs.keyMaterialId);
            await assertKeyUsable(fixture().client, key.KeyId!);
            assert.ok(
                fixture().logs.includes(`${shortLabel(pending.outs)}: deleted; key is Enabled`),
                fixture().logs.join("\n"),
            );

            const next = await create(key.KeyId!, { importType: "NEW_KEY_MATERIAL", rotateOnDemand: true });
            const firstNow = (await readMaterial(fixture().context, first.id, first.outs)).props!;
            assert.equal(firstNow.keyMaterialState, "NON_CURRENT");
            await deleteMaterial(fixture().context, firstNow);
            await assertKeyUnusable(fixture().client, key.KeyId!, "KMSInvalidStateException");
            assert.ok(
                fixture().logs.includes(
                    `${shortLabel(firstNow)}: deleted; key is now PendingImport: unusable until reimported`,
                ),
                fixture().logs.join("\n"),
            );
            const currentNow = (await readMaterial(fixture().context, next.id, next.outs)).props!;
            assert.equal(currentNow.materialCondition, "IMPORTED", "only the resource's own material was deleted");
            assert.equal(currentNow.keyState, "PendingImport");
        },
    );

    it(
        "crash after a NEW_KEY_MATERIAL import (result never stored): the rerun adopts it, no " +
            "second pending material",
        async () => {
            const { key } = await keyWithFirstMaterial();
            const material = randomBytes(32);
            const desired = inputs(key.KeyId!, material, { importType: "NEW_KEY_MATERIAL" });
            const lost = await createMaterial(fixture().context, desired);
            const rerun = await createMaterial(
                fixture().context,
                inputs(key.KeyId!, material, { importType: "NEW_KEY_MATERIAL" }),
            );
            assert.equal(rerun.outs.keyMaterialId, lost.outs.keyMaterialId);
            assert.equal((await rotations(key.KeyId!)).length, 2);
        },
    );

    it(
        "crash after a rotation (result never stored): the rerun finds the material CURRENT and " +
            "does not rotate again",
        async () => {
            const { key } = await keyWithFirstMaterial();
            const material = randomBytes(32);
            const desired = inputs(key.KeyId!, material, { importType: "NEW_KEY_MATERIAL", rotateOnDemand: true });
            await createMaterial(fixture().context, desired);
            const rerun = await createMaterial(
                fixture().context,
                inputs(key.KeyId!, material, { importType: "NEW_KEY_MATERIAL", rotateOnDemand: true }),
            );
            assert.equal(rerun.outs.keyMaterialState, "CURRENT");
            assert.equal(fixture().calls("RotateKeyOnDemand").length, 1);
            assert.equal((await rotations(key.KeyId!)).length, 2);
        },
    );

    it("refuses a second pending material, saying which one blocks it", async () => {
        const { key } = await keyWithFirstMaterial();
        await create(key.KeyId!, { importType: "NEW_KEY_MATERIAL" });
        await assert.rejects(
            createMaterial(fixture().context, inputs(key.KeyId!, randomBytes(32), { importType: "NEW_KEY_MATERIAL" })),
            /at most one material pending rotation; rotate it in \(rotateOnDemand\) or delete that material first/,
        );
        assert.equal((await rotations(key.KeyId!)).length, 2);
    });

    it("EXISTING_KEY_MATERIAL only adopts: unknown bytes are refused", async () => {
        const { key } = await keyWithFirstMaterial();
        await assert.rejects(
            createMaterial(
                fixture().context,
                inputs(key.KeyId!, randomBytes(32), { importType: "EXISTING_KEY_MATERIAL" }),
            ),
            /IncorrectKeyMaterialException/,
        );
    });

    it("the 26th rotation is refused with AWS's limit explained", async () => {
        fixture().kms.control.setSwitches({ onDemandRotationLimit: 1 });
        try {
            const { key } = await keyWithFirstMaterial();
            await create(key.KeyId!, { importType: "NEW_KEY_MATERIAL", rotateOnDemand: true });
            await assert.rejects(
                create(key.KeyId!, { importType: "NEW_KEY_MATERIAL", rotateOnDemand: true }),
                (error: Error & { id?: string; properties?: { keyMaterialState?: string } }) => {
                    assert.match(error.message, /was imported, but .*all 25 on-demand rotations AWS allows/);
                    assert.match(
                        error.id!,
                        /#[0-9a-f]{64}$/,
                        "a partial failure: the engine keeps the imported material in state",
                    );
                    assert.equal(error.properties!.keyMaterialState, "PENDING_ROTATION");
                    return true;
                },
            );
        } finally {
            fixture().kms.control.resetSwitches();
        }
    });
});
