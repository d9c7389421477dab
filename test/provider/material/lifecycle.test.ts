import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    ListKeyRotationsCommand,
    ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import {
    createMaterial,
    deleteMaterial,
    diffMaterial,
    readMaterial,
    updateMaterial,
} from "../../../provider/material/lifecycle";
import { MaterialInputs, MaterialOutputs } from "../../../provider/material/properties";
import { assertKeyUnusable, assertKeyUsable, assertNoMaterial } from "../../support/assertions";
import { shortLabel } from "../../../provider/kms/status";
import { useProviderKms } from "../../support/kms";

/**
 * The resource's lifecycle, operation by operation, through the real SDK over HTTP to kms-local, with AWS-like
 * timing: keys the operator creates are invisible for a while, state changes reach DescribeKey late, every
 * GetParametersForImport has its own wrapping key pair; the provider waits all of it out by itself. The
 * operator's client plays whoever changes the key behind Pulumi's back; `later()` lets KMS settle after such a
 * change before the next observation, as time passes between an operator's change and the next `pulumi refresh`.
 */
describe("provider/material/lifecycle (against kms-local)", () => {
    const fixture = useProviderKms({ timing: "aws" });
    const DAY = 86_400_000;
    const later = () => {
        const { newKeyInvisibleMs, stateChangePropagationMs } = fixture().kms.control.switches;
        fixture().kms.control.clock.advance(Math.max(newKeyInvisibleMs, stateChangePropagationMs));
    };
    const inDays = (days: number) => new Date(fixture().kms.control.clock.now() + days * DAY).toISOString();

    function inputs(keyId: string, material: Buffer, extra: Partial<MaterialInputs> = {}): MaterialInputs {
        return { keyId, keyMaterial: material.toString("base64"), ...extra };
    }

    async function created(extra: Partial<MaterialInputs> = {}) {
        const key = await fixture().createKey();
        const material = randomBytes(32);
        const desired = inputs(key.KeyId!, material, { validTo: inDays(180), ...extra });
        const { id, outs } = await createMaterial(fixture().context, desired);
        return { key, material, desired, id, outs };
    }

    const describe_ = async (keyId: string) =>
        (await fixture().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    /** How log lines name a material: short ids (the full ARN and id stay in the outputs). */
    const short = (outs: MaterialOutputs) => shortLabel(outs);

    beforeEach(() => fixture().kms.control.resetCounters());
    afterEach(() => fixture().kms.control.resetSwitches());

    describe("create", () => {
        it("imports the material: key Enabled, usable, outputs report it and carry no material", async () => {
            const { key, material, id, outs } = await created();
            assert.match(outs.keyMaterialId!, /^[0-9a-f]{64}$/);
            assert.equal(id, `${key.Arn}#${outs.keyMaterialId}`);
            assert.equal(outs.keyState, "Enabled");
            assert.equal(outs.importState, "IMPORTED");
            assert.equal(outs.keyMaterialState, "CURRENT");
            assert.equal(outs.materialCondition, "IMPORTED");
            assert.equal(outs.expirationModel, "KEY_MATERIAL_EXPIRES");
            assert.equal(outs.wrappingAlgorithm, "RSAES_OAEP_SHA_256");
            assert.equal(outs.wrappingKeySpec, "RSA_4096");
            assert.equal(outs.deletionImpact, "KEY_BECOMES_PENDING_IMPORT");
            assert.equal((await describe_(key.KeyId!)).CurrentKeyMaterialId, outs.keyMaterialId);
            await assertKeyUsable(fixture().client, key.KeyId!);
            assertNoMaterial(outs, material, "outputs");
            assertNoMaterial(fixture().logs, material, "logs");
            assert.deepEqual(JSON.parse(JSON.stringify(outs)), outs, "outputs are plain JSON");
        });

        it("uses a fresh GetParametersForImport for each import and never keeps token or public key", async () => {
            const { outs } = await created();
            assert.equal(fixture().calls("GetParametersForImport").length, 1);
            assert.equal(fixture().calls("ImportKeyMaterial").length, 1);
            const text = JSON.stringify(outs);
            assert.ok(!/ImportToken|PublicKey|MII/.test(text));
        });

        it("adopts material the key already holds (the way to bring existing material under management)", async () => {
            const { key, material, outs } = await created({ validTo: undefined });
            const adopted = await createMaterial(fixture().context, inputs(key.Arn!, material));
            assert.equal(adopted.outs.keyMaterialId, outs.keyMaterialId);
            const { Rotations } = await fixture().client.send(
                new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
            );
            assert.equal(Rotations!.length, 1, "no second material");
        });

        it("refuses other bytes for a key that already has material, explaining how to rotate instead", async () => {
            const { key } = await created();
            await assert.rejects(
                createMaterial(fixture().context, inputs(key.KeyId!, randomBytes(32))),
                /already has key material.*importType: NEW_KEY_MATERIAL/s,
            );
            assert.equal((await describe_(key.KeyId!)).KeyState, "Enabled", "the key is untouched");
        });

        it("reimports into a Disabled key, which stays Disabled", async () => {
            const { key, desired, id, outs } = await created();
            await fixture().client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
            later();
            const refreshed = (await readMaterial(fixture().context, id, outs)).props!;
            assert.equal(refreshed.keyState, "Disabled");
            assert.equal(refreshed.materialCondition, "IMPORTED");
            const updated = await updateMaterial(fixture().context, id, refreshed, { ...desired, validTo: inDays(90) });
            assert.equal(updated.keyState, "Disabled");
            assert.equal(
                fixture()
                    .calls("ImportKeyMaterial")
                    .filter((r) => r.status === 200).length,
                2,
                "create and the reimport",
            );
        });

        it("explains keys it cannot import into: AWS_KMS origin, another key spec, pending deletion", async () => {
            const awsKms = await fixture().createKey({ Origin: "AWS_KMS" });
            await assert.rejects(
                createMaterial(fixture().context, inputs(awsKms.KeyId!, randomBytes(32))),
                /Origin AWS_KMS.*Origin EXTERNAL/,
            );
            const hmac = await fixture().createKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
            await assert.rejects(
                createMaterial(fixture().context, inputs(hmac.KeyId!, randomBytes(32))),
                /is a HMAC_256 key, but keyMaterial is SYMMETRIC_DEFAULT/,
            );
            const doomed = await fixture().createKey();
            later();
            await fixture().client.send(
                new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }),
            );
            later();
            await assert.rejects(
                createMaterial(fixture().context, inputs(doomed.KeyId!, randomBytes(32))),
                /PendingDeletion.*cancel the key deletion/,
            );
            assert.equal(fixture().calls("ImportKeyMaterial").length, 0, "nothing was attempted");
        });

        it(
            "waits out eventual consistency: a key created a moment " + "ago answers NotFound, the import shows late",
            async () => {
                const key = await fixture().createKey();
                const { outs } = await createMaterial(fixture().context, inputs(key.KeyId!, randomBytes(32)));
                assert.equal(
                    outs.keyState,
                    "Enabled",
                    "not the PendingImport DescribeKey still showed right after the import",
                );
                assert.ok(
                    fixture()
                        .calls("DescribeKey")
                        .some((r) => r.errorType === "NotFoundException"),
                    "NotFound was seen and retried",
                );
                const reads = fixture()
                    .calls("DescribeKey")
                    .filter((r) => r.status === 200);
                assert.ok(
                    reads.length >= 3,
                    `DescribeKey polled until the import showed (${reads.length} successful reads)`,
                );
            },
        );

        it(
            "converges when the ImportKeyMaterial response is lost " + "after KMS applied it (token already used)",
            async () => {
                fixture().kms.control.faults.set({
                    rate: 1,
                    kinds: ["DroppedConnection"],
                    timing: "after",
                    operations: ["ImportKeyMaterial"],
                    count: 1,
                });
                const key = await fixture().createKey();
                const material = randomBytes(32);
                const { outs } = await createMaterial(fixture().context, inputs(key.KeyId!, material));
                fixture().kms.control.faults.clear();
                assert.equal(outs.materialCondition, "IMPORTED");
                const imports = fixture().calls("ImportKeyMaterial");
                assert.ok(
                    imports.some((r) => r.fault),
                    "the fault happened",
                );
                assert.ok(
                    imports.some((r) => r.errorType === "InvalidImportTokenException"),
                    "the SDK's retry reused the spent token",
                );
                const { Rotations } = await fixture().client.send(
                    new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
                );
                assert.equal(Rotations!.length, 1);
            },
        );
    });

    describe("read (refresh)", () => {
        it("reports material deleted out of band; update reimports it and old ciphertexts decrypt again", async () => {
            const { key, desired, id, outs } = await created();
            const before = await assertKeyUsable(fixture().client, key.KeyId!);
            await fixture().client.send(
                new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: outs.keyMaterialId! }),
            );
            later();
            const refreshed = (await readMaterial(fixture().context, id, outs)).props!;
            assert.equal(refreshed.materialCondition, "DELETED");
            assert.equal(refreshed.keyState, "PendingImport");
            assert.equal(refreshed.importState, "PENDING_IMPORT");
            assert.ok(fixture().logs.some((l) => /is now DELETED \(was IMPORTED\)/.test(l)));
            assert.deepEqual(diffMaterial(fixture().context, refreshed, desired, false), {
                changes: true,
                replaces: [],
                deleteBeforeReplace: false,
            });
            const repaired = await updateMaterial(fixture().context, id, refreshed, desired);
            assert.equal(repaired.materialCondition, "IMPORTED");
            assert.equal(repaired.keyMaterialId, outs.keyMaterialId);
            await assertKeyUsable(fixture().client, key.KeyId!, before);
        });

        it(
            "reports material that expired (kms-local clock moved past validTo); update " +
                "reimports with a new validTo",
            async () => {
                const { key, desired, id, outs } = await created({ validTo: undefined, expirationModel: undefined });
                const shortLived = { ...desired, validTo: inDays(2) };
                const withExpiry = await updateMaterial(fixture().context, id, outs, shortLived);
                assert.equal(withExpiry.expirationModel, "KEY_MATERIAL_EXPIRES");
                fixture().kms.control.clock.advance(3 * DAY);
                const refreshed = (await readMaterial(fixture().context, id, withExpiry)).props!;
                assert.equal(refreshed.materialCondition, "EXPIRED");
                assert.equal(refreshed.keyState, "PendingImport");
                const validTo = inDays(30);
                const renewed = await updateMaterial(fixture().context, id, refreshed, { ...desired, validTo });
                assert.equal(renewed.materialCondition, "IMPORTED");
                assert.equal(Math.floor(Date.parse(renewed.validTo!) / 1000), Math.floor(Date.parse(validTo) / 1000));
                await assertKeyUsable(fixture().client, key.KeyId!);
            },
        );

        it("reports a key pending deletion, and a deleted key as gone (empty id)", async () => {
            const { key, id, outs } = await created();
            await fixture().client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
            later();
            const pending = (await readMaterial(fixture().context, id, outs)).props!;
            assert.equal(pending.keyState, "PendingDeletion");
            fixture().kms.control.clock.advance(8 * DAY);
            assert.deepEqual(await readMaterial(fixture().context, id, pending), { id: "" });
        });
    });

    describe("update", () => {
        it("changes validTo in place: same material, no delete, the key never unusable", async () => {
            const { key, desired, id, outs } = await created();
            const next = { ...desired, validTo: inDays(200) };
            const diff = diffMaterial(fixture().context, outs, next, false);
            assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
            const updated = await updateMaterial(fixture().context, id, outs, next);
            assert.equal(updated.keyMaterialId, outs.keyMaterialId);
            assert.equal(Math.floor(Date.parse(updated.validTo!) / 1000), Math.floor(Date.parse(next.validTo) / 1000));
            assert.equal(fixture().calls("DeleteImportedKeyMaterial").length, 0);
            assert.equal((await describe_(key.KeyId!)).KeyState, "Enabled");
        });

        it("switches to material that never expires, and back", async () => {
            const { desired, id, outs } = await created();
            const forever = await updateMaterial(fixture().context, id, outs, { ...desired, validTo: undefined });
            assert.equal(forever.expirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");
            assert.equal(forever.validTo, null);
            const again = await updateMaterial(fixture().context, id, forever, desired);
            assert.equal(again.expirationModel, "KEY_MATERIAL_EXPIRES");
        });

        it("a different keyId is a replacement, never an update", async () => {
            const { desired, outs } = await created();
            const other = await fixture().createKey();
            assert.deepEqual(
                diffMaterial(fixture().context, outs, { ...desired, keyId: other.KeyId! }, false).replaces,
                ["keyId"],
            );
            assert.ok(
                fixture().logs.some((l) =>
                    /keyId changed: this material is replaced; deleting it here: key would become PendingImport \(unusable\)$/.test(
                        l,
                    ),
                ),
            );
        });

        it("no changes when nothing drifted; a provider-code change is recorded without KMS calls", async () => {
            const { desired, id, outs } = await created();
            assert.equal(diffMaterial(fixture().context, outs, desired, false).changes, false);
            assert.equal(diffMaterial(fixture().context, outs, desired, true).changes, true);
            fixture().kms.control.resetCounters();
            const recorded = await updateMaterial(fixture().context, id, outs, desired);
            assert.deepEqual(recorded, outs);
            assert.equal(
                fixture().calls("ImportKeyMaterial").length + fixture().calls("GetParametersForImport").length,
                0,
            );
        });
    });

    describe("delete (destroy)", () => {
        it("deletes exactly this material by KeyMaterialId; the key becomes PendingImport", async () => {
            const { key, outs } = await created();
            await deleteMaterial(fixture().context, outs);
            const deletes = fixture().calls("DeleteImportedKeyMaterial");
            assert.equal(deletes.length, 1);
            assert.equal(deletes[0].keyMaterialId, outs.keyMaterialId);
            later();
            assert.equal((await describe_(key.KeyId!)).KeyState, "PendingImport");
            await assertKeyUnusable(fixture().client, key.KeyId!, "KMSInvalidStateException");
            const lines = fixture().logs.filter((l) => l.includes(short(outs)));
            assert.deepEqual(
                lines,
                [`${short(outs)}: deleted; key is now PendingImport: unusable until reimported`],
                "one line, after KMS answered",
            );
        });

        it("succeeds twice: the second delete of the same material is a no-op", async () => {
            const { key, outs } = await created();
            await deleteMaterial(fixture().context, outs);
            fixture().kms.control.resetCounters();
            await deleteMaterial(fixture().context, outs);
            const [second] = fixture().calls("DeleteImportedKeyMaterial");
            assert.equal(second.keyMaterialId, outs.keyMaterialId, "still only by this material's id");
            later();
            assert.equal((await describe_(key.KeyId!)).KeyState, "PendingImport");
            assert.equal(
                (
                    await fixture().client.send(
                        new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
                    )
                ).Rotations!.length,
                1,
            );
        });

        it(
            "costs two KMS calls: DeleteImportedKeyMaterial by id, then DescribeKey for the " +
                "key's state it reports",
            async () => {
                const { outs } = await created();
                fixture().kms.control.resetCounters();
                await deleteMaterial(fixture().context, outs);
                assert.deepEqual(Object.keys(fixture().kms.control.counters()).sort(), [
                    "DeleteImportedKeyMaterial",
                    "DescribeKey",
                ]);
                assert.equal(fixture().calls("DescribeKey").length, 1);
            },
        );

        it("a refusal it cannot read from the answer (key PendingImport, S2 reject) is settled by a read", async () => {
            fixture().kms.control.setSwitches({ deleteOnPendingImport: "reject" });
            const { outs } = await created();
            await deleteMaterial(fixture().context, outs);
            await deleteMaterial(fixture().context, outs);
            assert.ok(
                fixture().logs.includes(
                    `${short(outs)}: nothing to delete: already deleted or expired; key is now ` +
                        `PendingImport: unusable until reimported`,
                ),
                fixture().logs.join("\n"),
            );
        });

        for (const behaviour of ["succeed", "reject"] as const) {
            it(
                `succeeds on a key pending deletion when KMS ` +
                    (behaviour === "succeed" ? "deletes the material" : "refuses (is pending deletion)"),
                async () => {
                    fixture().kms.control.setSwitches({ deleteOnPendingDeletion: behaviour });
                    const { key, outs } = await created();
                    await fixture().client.send(
                        new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }),
                    );
                    // the schedule has propagated (the demo's operator reads PendingDeletion before the destroy)
                    later();
                    const logged = fixture().logs.length;
                    // No refresh since the key was scheduled for deletion: the state still says Enabled.
                    await deleteMaterial(fixture().context, outs);
                    const [call] = fixture().calls("DeleteImportedKeyMaterial");
                    assert.equal(call.keyMaterialId, outs.keyMaterialId);
                    assert.equal(call.errorType, behaviour === "reject" ? "KMSInvalidStateException" : undefined);
                    later();
                    assert.equal((await describe_(key.KeyId!)).KeyState, "PendingDeletion");
                    // One line, after KMS answered, in the key's real state (the state still said Enabled): never a
                    // prediction.
                    const lines = fixture()
                        .logs.slice(logged)
                        .filter((l) => l.includes(short(outs)));
                    assert.deepEqual(lines, [
                        behaviour === "reject"
                            ? `${short(outs)}: key was PendingDeletion: KMS refused the delete; the material ` +
                              `goes with the key; nothing else to do`
                            : `${short(outs)}: deleted; key was PendingDeletion and stays so; nothing else to do`,
                    ]);
                    assert.ok(
                        !fixture()
                            .logs.slice(logged)
                            .some((l) => /unusable|PendingImport/.test(l)),
                        "no prediction the answer contradicts",
                    );
                },
            );
        }

        it("succeeds when the key is gone", async () => {
            const { key, outs } = await created();
            await fixture().client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
            fixture().kms.control.clock.advance(8 * DAY);
            await deleteMaterial(fixture().context, outs);
            assert.equal(fixture().calls("DeleteImportedKeyMaterial")[0].errorType, "NotFoundException");
            assert.ok(
                fixture().logs.includes(`${short(outs)}: nothing to delete: the key no longer exists`),
                fixture().logs.join("\n"),
            );
        });

        it("fails with an actionable message on other errors, without deleting anything", async () => {
            const { key, outs } = await created();
            await fixture().client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
            fixture().kms.control.faults.set({
                rate: 1,
                kinds: ["KMSInternalException"],
                timing: "before",
                operations: ["DeleteImportedKeyMaterial"],
            });
            const failing: MaterialOutputs = outs;
            await assert.rejects(
                deleteMaterial(
                    { ...fixture().context, settings: { ...fixture().context.settings, maxAttempts: 2 } },
                    failing,
                ),
                /KMSInternalException.*run `pulumi destroy` again/s,
            );
            fixture().kms.control.faults.clear();
            later();
            assert.equal((await describe_(key.KeyId!)).KeyState, "Disabled");
        });
    });
});
