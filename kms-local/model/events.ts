// Things kms-local did by itself (CloudTrail-like): the store records them as it settles, the control surface
// lists them. Non-secret facts only.

/** Things kms-local did by itself (CloudTrail-like), e.g. DeleteExpiredKeyMaterial. */
export interface EventRecord {
    time: number;
    event: "DeleteExpiredKeyMaterial" | "RotationCompleted" | "DeleteKey" | "ReplicaCreated";
    region: string;
    keyId: string;
    keyMaterialId?: string;
}
