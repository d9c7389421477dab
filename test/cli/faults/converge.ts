import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
    DecryptCommand,
    DescribeKeyCommand,
    EncryptCommand,
    GetKeyRotationStatusCommand,
    ListKeyRotationsCommand,
    type KMSClient,
    type RotationsListEntry,
} from "@aws-sdk/client-kms";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import type { KmsLocal } from "../../../kms-local";
import { ImportedKeyMaterial } from "../../../provider";
import { TestKey } from "../../support/cli/testKey";
import { isEncryptedSecret } from "../../support/cli/assertions";
import type { CliStack, StateExport, StateResource } from "../../support/cli/cliStack";

/**
 * What "converged" means for a stack of units (each unit: an EXTERNAL key and its materials), checked
 * against kms-local through the real SDK and against `pulumi stack export`: no pending operation, nothing
 * half-done in state; every key Enabled and usable; exactly the intended materials in KMS (ids computed
 * independently from key and bytes), each imported and in its intended state, no rotation in progress;
 * the stored ids, expiry and status matching what KMS reports.
 */

export interface MaterialIntent {
    /** Resource name, e.g. "m1-0". */
    name: string;
    material: Buffer;
    validTo: string;
    /** A further material (NEW_KEY_MATERIAL), rotated in when `rotate`. */
    additional?: { rotate: boolean };
}

export interface Unit {
    /** The TestKey resource's name, e.g. "key-0". */
    key: string;
    materials: MaterialIntent[];
}

/**
 * kms-local's KeyMaterialId (its S27, shaped as AWS documents it): hex(HMAC-SHA256(key = key ID, message = material)).
 */
export function expectedMaterialId(keyId: string, material: Buffer): string {
    return createHmac("sha256", keyId).update(material).digest("hex");
}

const sameSecond = (a: string | Date | null | undefined, b: string | Date | null | undefined): boolean =>
    a !== null &&
    a !== undefined &&
    b !== null &&
    b !== undefined &&
    Math.floor(new Date(a).getTime() / 1000) === Math.floor(new Date(b).getTime() / 1000);

function intendedStates(materials: MaterialIntent[]): Map<string, string> {
    const rotated = materials.filter((m) => m.additional?.rotate).map((m) => m.name);
    const current = rotated[rotated.length - 1] ?? materials[0]?.name;
    return new Map(
        materials.map((m) => [
            m.name,
            m.name === current ? "CURRENT" : m.additional && !m.additional.rotate ? "PENDING_ROTATION" : "NON_CURRENT",
        ]),
    );
}

async function kmsView(client: KMSClient, keyId: string) {
    const key = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    const entries =
        (await client.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))
            .Rotations ?? [];
    return { key, entries };
}

const byName = (state: StateExport, name: string): StateResource => {
    const found = state.resources.find((r) => r.name === name);
    assert.ok(found, `no ${name} in state`);
    return found;
};

/**
 * Stored state ↔ KMS for every material. `fresh`: materials whose every status field must match (those the
 * last operation wrote); for the others only what cannot go stale without a refresh (ids, expiry, import
 * state): another material's rotation legitimately turns a stored CURRENT into NON_CURRENT.
 */
export async function assertStateMatchesKms(
    client: KMSClient,
    state: StateExport,
    units: Unit[],
    fresh: "all" | string[],
    context: string,
): Promise<void> {
    for (const unit of units) {
        const { key, entries } = await kmsView(client, String(byName(state, unit.key).id));
        for (const m of unit.materials) {
            const stored = byName(state, m.name);
            const entry = entries.find((e) => e.KeyMaterialId === stored.outputs["keyMaterialId"]);
            const where = `${context}: ${m.name}`;
            assert.ok(
                entry,
                `${where}: stored keyMaterialId ${String(stored.outputs["keyMaterialId"])} is not ` +
                    `a material of the key`,
            );
            assert.equal(stored.outputs["importState"], entry.ImportState, `${where}: importState`);
            assert.ok(
                sameSecond(stored.outputs["validTo"] as string, entry.ValidTo),
                `${where}: stored validTo ${String(stored.outputs["validTo"])} vs KMS ${entry.ValidTo?.toISOString()}`,
            );
            assert.equal(stored.outputs["expirationModel"], entry.ExpirationModel, `${where}: expirationModel`);
            if (fresh === "all" || fresh.includes(m.name)) {
                assert.equal(stored.outputs["keyMaterialState"], entry.KeyMaterialState, `${where}: keyMaterialState`);
                assert.equal(stored.outputs["keyState"], key.KeyState, `${where}: keyState`);
                assert.equal(stored.outputs["materialCondition"], "IMPORTED", `${where}: materialCondition`);
            }
        }
    }
}

/** The stack holds exactly its units' keys and materials, as intended, in KMS and in state. */
export async function assertConverged(
    client: KMSClient,
    stack: CliStack,
    units: Unit[],
    fresh: string[],
    context: string,
): Promise<StateExport> {
    const state = await stack.exportState();
    assert.deepEqual(
        state.pendingOperations.map((p) => `${p.type} ${p.resource.urn}`),
        [],
        `${context}: pending operations left in state`,
    );
    const expectedNames = units.flatMap((u) => [u.key, ...u.materials.map((m) => m.name)]).sort();
    assert.deepEqual(state.resources.map((r) => r.name).sort(), expectedNames, `${context}: resources in state`);
    for (const r of state.resources)
        assert.ok(!r.initErrors?.length, `${context}: ${r.name} is not settled: ${JSON.stringify(r.initErrors)}`);
    for (const unit of units) await assertUnit(client, state, unit, `${context}: ${unit.key}`);
    await assertStateMatchesKms(client, state, units, fresh, context);
    return state;
}

async function assertUnit(client: KMSClient, state: StateExport, unit: Unit, context: string): Promise<void> {
    const keyId = String(byName(state, unit.key).id);
    const { key, entries } = await kmsView(client, keyId);
    const intended = intendedStates(unit.materials);
    const expectedIds = new Map(unit.materials.map((m) => [expectedMaterialId(keyId, m.material), m]));
    assert.deepEqual(
        entries.map((e) => e.KeyMaterialId).sort(),
        [...expectedIds.keys()].sort(),
        `${context}: KMS must hold exactly the intended materials`,
    );
    for (const entry of entries) assertEntry(entry, expectedIds.get(entry.KeyMaterialId!)!, intended, context);
    assert.equal(key.KeyState, "Enabled", `${context}: key state`);
    const current = unit.materials.find((m) => intended.get(m.name) === "CURRENT")!;
    assert.equal(key.CurrentKeyMaterialId, expectedMaterialId(keyId, current.material), `${context}: current material`);
    const rotation = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.equal(
        rotation.OnDemandRotationStartDate,
        undefined,
        `${context}: an on-demand rotation is still in progress`,
    );
    await assertUsable(client, keyId, context);
    for (const m of unit.materials) {
        const stored = byName(state, m.name);
        const id = expectedMaterialId(keyId, m.material);
        assert.equal(stored.outputs["keyMaterialId"], id, `${context}: ${m.name} stored keyMaterialId`);
        assert.equal(stored.id, `${key.Arn}#${id}`, `${context}: ${m.name} resource id`);
        assert.ok(
            isEncryptedSecret(stored.inputs["keyMaterial"]),
            `${context}: ${m.name} keyMaterial stored as a secret`,
        );
    }
}

function assertEntry(
    entry: RotationsListEntry,
    m: MaterialIntent,
    intended: Map<string, string>,
    context: string,
): void {
    const where = `${context}: KMS material ${m.name}`;
    assert.equal(entry.ImportState, "IMPORTED", `${where}: import state`);
    assert.equal(entry.KeyMaterialState, intended.get(m.name), `${where}: material state`);
    assert.ok(
        sameSecond(entry.ValidTo, m.validTo),
        `${where}: ValidTo ${entry.ValidTo?.toISOString()}, intended ${m.validTo}`,
    );
}

/** Encrypt, then decrypt: the key works. */
export async function assertUsable(client: KMSClient, keyId: string, context: string): Promise<void> {
    const plaintext = Buffer.from(`probe ${context}`);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob }));
    assert.deepEqual(Buffer.from(Plaintext!), plaintext, `${context}: decrypt round trip`);
}

/** After destroy: nothing in state; each key pending deletion (or gone), none of its materials imported. */
export async function assertDestroyed(
    kms: KmsLocal,
    stack: CliStack,
    keyIds: string[],
    context: string,
): Promise<void> {
    const state = await stack.exportState();
    assert.deepEqual(
        state.resources.map((r) => r.name),
        [],
        `${context}: resources left in state`,
    );
    assert.deepEqual(state.pendingOperations.length, 0, `${context}: pending operations left in state`);
    for (const keyId of keyIds) {
        const summary = kms.control.keys().find((k) => k.keyId === keyId);
        if (!summary) continue; // deleted at the end of its window (the kms-local clock moved)
        assert.equal(summary.keyState, "PendingDeletion", `${context}: key ${keyId} after destroy`);
        assert.deepEqual(
            summary.materials.filter((m) => m.imported).map((m) => `${m.keyMaterialId} ${m.state}`),
            [],
            `${context}: materials still imported`,
        );
    }
}

/**
 * At the end of a world: every key is one of ours (destroyed: pending deletion, no material) or an orphan of
 * a CreateKey whose lost response the test key's client retried — never holding material.
 */
export function assertNothingLeftBehind(kms: KmsLocal, ourKeys: Set<string>, context: string): void {
    const keys = kms.control.keys();
    const faultedCreates = kms.control
        .requests()
        .filter((r) => r.operation === "CreateKey" && r.fault !== undefined).length;
    for (const k of keys) {
        assert.deepEqual(
            k.materials.filter((m) => m.imported).map((m) => m.keyMaterialId),
            [],
            `${context}: key ${k.keyId} (${k.keyState}) still holds material`,
        );
        if (ourKeys.has(k.keyId)) assert.equal(k.keyState, "PendingDeletion", `${context}: key ${k.keyId}`);
    }
    const orphans = keys.filter((k) => !ourKeys.has(k.keyId));
    assert.ok(
        orphans.length <= faultedCreates,
        `${context}: ${orphans.length} keys nobody created (${faultedCreates} faulted CreateKey calls)`,
    );
}

/** Units as a program: each an EXTERNAL test key and its materials, in order (a further material after the first). */
export function unitsProgram(kmsUrl: string, units: Unit[]): PulumiFn {
    return async () => {
        const config = new pulumi.Config();
        for (const unit of units) {
            const key = new TestKey(unit.key, { endpoint: kmsUrl });
            let previous: ImportedKeyMaterial | undefined;
            for (const m of unit.materials) {
                const further = m.additional
                    ? { importType: "NEW_KEY_MATERIAL" as const, rotateOnDemand: m.additional.rotate }
                    : {};
                previous = new ImportedKeyMaterial(
                    m.name,
                    { keyId: key.id, keyMaterial: config.requireSecret(m.name), validTo: m.validTo, ...further },
                    { dependsOn: previous ? [previous] : [] },
                );
            }
        }
    };
}
