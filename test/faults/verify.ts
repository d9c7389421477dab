import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
    DecryptCommand,
    DescribeKeyCommand,
    EncryptCommand,
    GetKeyRotationStatusCommand,
    ListKeyRotationsCommand,
    type RotationsListEntry,
} from "@aws-sdk/client-kms";
import { isSecret, type ResourceState } from "../../engine-harness";
import type { RecordedStack } from "../support/recordedStack";
import { programOf, type Account, type MaterialIntent } from "./world";
import { expectOk as ok } from "../support/expectOk";

/**
 * What "converged" means, checked against kms-local through the real SDK and against the stored state:
 * no pending operation; the key Enabled and usable; exactly the intended materials in KMS (ids computed
 * independently from key and bytes), each IMPORTED, none pending unless intended, no rotation in progress;
 * stored ids, expiry and status matching what KMS reports.
 */

/** kms-local's KeyMaterialId (S27, as AWS documents its shape): hex(HMAC-SHA256(key = key ID, message = material)). */
export function expectedMaterialId(keyId: string, material: Buffer): string {
    return createHmac("sha256", keyId).update(material).digest("hex");
}

export { ok };

/** The state each intended material must be in. */
function intendedStates(materials: MaterialIntent[]): Map<string, string> {
    const rotated = materials.filter((m) => m.additional?.rotate).map((m) => m.name);
    const current = rotated[rotated.length - 1] ?? materials[0]?.name;
    const states = new Map<string, string>();
    for (const m of materials) {
        if (m.name === current) states.set(m.name, "CURRENT");
        else if (m.additional && !m.additional.rotate) states.set(m.name, "PENDING_ROTATION");
        else states.set(m.name, "NON_CURRENT");
    }
    return states;
}

const sameSecond = (a: string | Date | null | undefined, b: string | Date | null | undefined): boolean =>
    a !== null && a !== undefined && b !== null && b !== undefined && Math.floor(new Date(a).getTime() / 1000) === Math.floor(new Date(b).getTime() / 1000);

async function kmsView(account: Account, keyId: string) {
    const key = (await account.client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    const entries = (await account.client.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }))).Rotations ?? [];
    return { key, entries };
}

/**
 * Stored state ↔ KMS for every material resource. `fresh`: resources whose every status field must match
 * (those the last operation wrote); for the others only what cannot go stale without a refresh (ids, expiry,
 * import state) — another material's rotation legitimately turns a stored CURRENT into NON_CURRENT.
 */
export async function assertStateMatchesKms(account: Account, stack: RecordedStack, materials: MaterialIntent[], fresh: "all" | string[], context: string): Promise<void> {
    const state = await stack.state();
    const keyId = state.resources.find((r) => r.urn.endsWith("::key"))!.id;
    const { key, entries } = await kmsView(account, keyId);
    for (const m of materials) {
        const stored = state.resources.find((r) => r.urn.endsWith(`::${m.name}`))!;
        const entry = entries.find((e) => e.KeyMaterialId === stored.outputs["keyMaterialId"]);
        const where = `${context}: ${m.name}`;
        assert.ok(entry, `${where}: stored keyMaterialId ${String(stored.outputs["keyMaterialId"])} is not a material of the key`);
        assert.equal(stored.outputs["importState"], entry.ImportState, `${where}: importState`);
        assert.ok(sameSecond(stored.outputs["validTo"] as string, entry.ValidTo), `${where}: stored validTo ${String(stored.outputs["validTo"])} vs KMS ${entry.ValidTo?.toISOString()}`);
        assert.equal(stored.outputs["expirationModel"], entry.ExpirationModel, `${where}: expirationModel`);
        if (fresh === "all" || fresh.includes(m.name)) {
            assert.equal(stored.outputs["keyMaterialState"], entry.KeyMaterialState, `${where}: keyMaterialState`);
            assert.equal(stored.outputs["keyState"], key.KeyState, `${where}: keyState`);
            assert.equal(stored.outputs["materialCondition"], "IMPORTED", `${where}: materialCondition`);
        }
    }
}

export interface ConvergeOptions {
    context: string;
    /** Resources the last operation wrote (their stored status must match KMS exactly). */
    fresh?: string[];
    /** Also refresh, and require the refreshed state to match KMS and `fresh` resources to show no drift. */
    refresh?: boolean;
}

/** The stack holds the key and exactly `materials`, as intended, in KMS and in state. Returns the key ID. */
export async function assertConverged(account: Account, stack: RecordedStack, materials: MaterialIntent[], options: ConvergeOptions): Promise<string> {
    const { context } = options;
    const state = await stack.state();
    assert.deepEqual(state.pendingOperations.map((p) => `${p.type} ${p.resource.urn}`), [], `${context}: pending operations left in state`);
    const names = state.resources.map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2)).sort();
    assert.deepEqual(names, ["key", ...materials.map((m) => m.name)].sort(), `${context}: resources in state`);
    for (const r of state.resources) {
        assert.ok(!r.delete && !r.pendingReplacement && !(r.initErrors?.length), `${context}: ${r.urn} is not settled: ${JSON.stringify(r.initErrors)}`);
    }
    const keyResource = state.resources.find((r) => r.urn.endsWith("::key"))!;
    const keyId = keyResource.id;
    const { key, entries } = await kmsView(account, keyId);
    const intended = intendedStates(materials);

    // KMS: exactly the intended materials, each imported, in the intended state, nothing else pending.
    const expectedIds = new Map(materials.map((m) => [expectedMaterialId(keyId, m.material), m]));
    assert.deepEqual(
        entries.map((e) => e.KeyMaterialId).sort(),
        [...expectedIds.keys()].sort(),
        `${context}: KMS must hold exactly the intended materials (${materials.map((m) => m.name).join(", ")})`,
    );
    for (const entry of entries) {
        const m = expectedIds.get(entry.KeyMaterialId!)!;
        assertEntry(entry, m, intended.get(m.name)!, `${context}: KMS material ${m.name}`);
    }
    assert.equal(key.KeyState, "Enabled", `${context}: key state`);
    const current = materials.find((m) => intended.get(m.name) === "CURRENT")!;
    assert.equal(key.CurrentKeyMaterialId, expectedMaterialId(keyId, current.material), `${context}: current material`);
    const rotation = await account.client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    assert.equal(rotation.OnDemandRotationStartDate, undefined, `${context}: an on-demand rotation is still in progress`);
    await assertUsable(account, keyId, context);

    // State: the same materials under their ids, the material a secret.
    for (const m of materials) {
        const stored = state.resources.find((r) => r.urn.endsWith(`::${m.name}`))!;
        const id = expectedMaterialId(keyId, m.material);
        assert.equal(stored.outputs["keyMaterialId"], id, `${context}: ${m.name} stored keyMaterialId`);
        assert.equal(stored.id, `${key.Arn}#${id}`, `${context}: ${m.name} resource id`);
        assert.ok(isSecret(stored.inputs["keyMaterial"]), `${context}: ${m.name} keyMaterial stored as a secret`);
        assertOutputsPlain(stored, `${context}: ${m.name}`);
    }
    await assertStateMatchesKms(account, stack, materials, options.fresh ?? [], context);

    if (options.refresh) {
        const refresh = ok(await stack.refresh(programOf(account, materials)), `${context}: refresh`);
        for (const name of options.fresh ?? []) {
            const step = refresh.steps.find((s) => s.name === name && s.op === "refresh");
            assert.equal(step?.refresh?.result, "same", `${context}: refresh found drift in ${name}: ${JSON.stringify(step?.refresh?.outputChanges)}`);
        }
        await assertStateMatchesKms(account, stack, materials, "all", `${context} (after refresh)`);
    }
    return keyId;
}

function assertEntry(entry: RotationsListEntry, m: MaterialIntent, state: string, where: string): void {
    assert.equal(entry.ImportState, "IMPORTED", `${where}: import state`);
    assert.equal(entry.KeyMaterialState, state, `${where}: material state`);
    assert.ok(sameSecond(entry.ValidTo, m.validTo), `${where}: ValidTo ${entry.ValidTo?.toISOString()}, intended ${m.validTo}`);
}

function assertOutputsPlain(r: ResourceState, where: string): void {
    assert.ok(!("keyMaterial" in r.outputs) || isSecret(r.outputs["keyMaterial"]), `${where}: keyMaterial output not secret`);
}

/** Encrypt, then decrypt: the key works. */
export async function assertUsable(account: Account, keyId: string, context: string): Promise<void> {
    const plaintext = Buffer.from(`probe ${context}`);
    const { CiphertextBlob } = await account.client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const { Plaintext } = await account.client.send(new DecryptCommand({ CiphertextBlob }));
    assert.deepEqual(Buffer.from(Plaintext!), plaintext, `${context}: decrypt round trip`);
}

/** After destroy: nothing in state, the key pending deletion (or gone) and none of its materials imported. */
export async function assertDestroyed(account: Account, stack: RecordedStack, keyId: string, context: string): Promise<void> {
    const state = await stack.state();
    assert.deepEqual(state.resources.map((r) => r.urn), [], `${context}: resources left in state`);
    assert.deepEqual(state.pendingOperations.map((p) => `${p.type} ${p.resource.urn}`), [], `${context}: pending operations left in state`);
    const summary = account.kms.control.keys().find((k) => k.keyId === keyId);
    if (!summary) return; // deleted at the end of its window (the kms-local clock moved)
    assert.equal(summary.keyState, "PendingDeletion", `${context}: key state after destroy`);
    const imported = summary.materials.filter((m) => m.imported).map((m) => `${m.keyMaterialId} ${m.state}`);
    assert.deepEqual(imported, [], `${context}: materials still imported after destroy`);
}

/**
 * At the end of an account: every key is either one of ours, destroyed (pending deletion or deleted, no
 * material), or an orphan left by a faulted CreateKey whose lost response the stand-in retried — never
 * holding material.
 */
export function assertNothingLeftBehind(account: Account, ourKeys: Set<string>, context: string): void {
    const keys = account.kms.control.keys();
    const faultedCreates = account.kms.control.requests().filter((r) => r.operation === "CreateKey" && r.fault !== undefined).length;
    const orphans = keys.filter((k) => !ourKeys.has(k.keyId));
    for (const k of keys) {
        const imported = k.materials.filter((m) => m.imported);
        assert.deepEqual(imported.map((m) => m.keyMaterialId), [], `${context}: key ${k.keyId} (${k.keyState}) still holds material`);
        if (ourKeys.has(k.keyId)) assert.equal(k.keyState, "PendingDeletion", `${context}: key ${k.keyId}`);
    }
    assert.ok(orphans.length <= faultedCreates, `${context}: ${orphans.length} keys nobody created (${faultedCreates} faulted CreateKey calls)`);
}
