// KeyMetadata as DescribeKey (and CreateKey, ReplicateKey, ...) return it, with the field-presence rules of
// docs/kms-behaviour.md#createkey-describekey-and-listkeys: Enabled only true in Enabled; DeletionDate only in
// PendingDeletion; PendingDeletionWindowInDays only in PendingReplicaDeletion; ExpirationModel/ValidTo only while the
// material is imported (S22 for expiry), and for a key with several materials as the API reference defines ValidTo
// (S23); CurrentKeyMaterialId for symmetric keys, kept after deletion.

import { algorithmLists, isSymmetric } from "../crypto/keySpecs.js";
import { ts, type Output } from "../model/context.js";
import { customerMasterKeySpecOf } from "../model/keySpecs.js";
import type { Switches } from "../model/switches.js";
import { currentMaterial, isPermanent, keyState } from "../store/keyState.js";
import type { Store } from "../store/store.js";
import type { KeyRecord, MaterialRecord } from "../store/types.js";

/** Is this material's import in force for metadata purposes (imported, or expired with S22 = keep)? */
function counts(m: MaterialRecord, switches: Switches): boolean {
    return m.bytes !== undefined || (m.lost === "expired" && switches.metadataAfterExpiry === "keep");
}

function expiry(k: KeyRecord, switches: Switches): Output {
    if (k.origin !== "EXTERNAL") return {};
    const model = isSymmetric(k.keySpec) ? currentMaterial(k) : k.materials[0];
    if (!model || !counts(model, switches) || model.expirationModel === undefined) return {};
    const permanent = k.materials.filter((m) => isPermanent(m) && counts(m, switches));
    const expiring = permanent.filter((m) => m.expirationModel === "KEY_MATERIAL_EXPIRES" && m.validTo !== undefined);
    // S23 default: ValidTo is "the earliest time at which any imported key material permanently associated with this
    // KMS key expires" and is present only with KEY_MATERIAL_EXPIRES, so one expiring material makes the key EXPIRES.
    const expirationModel =
        switches.multiMaterialExpirationModel === "anyExpires" && expiring.length > 0
            ? "KEY_MATERIAL_EXPIRES"
            : model.expirationModel;
    if (expirationModel !== "KEY_MATERIAL_EXPIRES") return { ExpirationModel: expirationModel };
    const validTo = Math.min(...expiring.map((m) => m.validTo as number));
    return { ExpirationModel: expirationModel, ValidTo: Number.isFinite(validTo) ? ts(validTo) : undefined };
}

function multiRegionConfiguration(store: Store, k: KeyRecord): Output | undefined {
    if (!k.multiRegion || !k.mrk) return undefined;
    const primaryRegion = k.mrk.primaryRegion;
    return {
        MultiRegionKeyType: k.mrk.type,
        PrimaryKey: { Arn: store.arn({ region: primaryRegion, keyId: k.keyId }), Region: primaryRegion },
        ReplicaKeys: store.replicasOf(k).map((r) => ({ Arn: store.arn(r), Region: r.region })),
    };
}

export function keyMetadata(
    store: Store,
    k: KeyRecord,
    switches: Switches,
    options: { omitCurrentMaterialId?: boolean } = {},
): Output {
    const state = keyState(k);
    const current = currentMaterial(k);
    return {
        AWSAccountId: store.account,
        KeyId: k.keyId,
        Arn: store.arn(k),
        CreationDate: ts(k.creationDate),
        Enabled: state === "Enabled",
        Description: k.description,
        KeyUsage: k.keyUsage,
        KeyState: state,
        DeletionDate: state === "PendingDeletion" ? ts(k.deletionDate) : undefined,
        Origin: k.origin,
        ...expiry(k, switches),
        KeyManager: "CUSTOMER",
        CustomerMasterKeySpec: customerMasterKeySpecOf(k.keySpec),
        KeySpec: k.keySpec,
        ...algorithmLists(k.keySpec, k.keyUsage),
        MultiRegion: k.multiRegion,
        MultiRegionConfiguration: multiRegionConfiguration(store, k),
        PendingDeletionWindowInDays: state === "PendingReplicaDeletion" ? k.pendingWindowInDays : undefined,
        CurrentKeyMaterialId:
            isSymmetric(k.keySpec) && current && !options.omitCurrentMaterialId ? current.id : undefined,
    };
}
