// The records kms-local keeps. Everything here is JSON-serialisable (material as base64) so the state file
// is a plain dump of these records. Times are epoch milliseconds on the kms-local clock.

export type KeyState =
    | "Creating"
    | "Enabled"
    | "Disabled"
    | "PendingDeletion"
    | "PendingReplicaDeletion"
    | "PendingImport"
    | "Unavailable"
    | "Updating";

export const KEY_STATES: readonly KeyState[] = [
    "Creating",
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingReplicaDeletion",
    "PendingImport",
    "Unavailable",
    "Updating",
];

export type MaterialState = "CURRENT" | "NON_CURRENT" | "PENDING_ROTATION" | "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";
export type ExpirationModel = "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";

export interface MaterialRecord {
    /** KeyMaterialId, 64 hex. */
    id: string;
    /**
     * The material, base64; absent while not imported (deleted, expired, or a replica that has not imported it yet).
     */
    bytes?: string;
    state: MaterialState;
    /** Why `bytes` is absent after having been present. */
    lost?: "deleted" | "expired";
    /** S6 variant B: a deleted pending material keeps the key in PendingImport until reimported. */
    required?: boolean;
    description?: string;
    expirationModel?: ExpirationModel;
    validTo?: number;
    rotationDate?: number;
    rotationType?: "AUTOMATIC" | "ON_DEMAND";
}

export interface KeyRecord {
    keyId: string;
    region: string;
    creationDate: number;
    description: string;
    keyUsage: string;
    keySpec: string;
    origin: "AWS_KMS" | "EXTERNAL";
    multiRegion: boolean;
    /** Multi-Region role; the primary's Region for replicas. */
    mrk?: { type: "PRIMARY" | "REPLICA"; primaryRegion: string };
    /** Active keys derive Enabled/Disabled/PendingImport from `enabled` and their materials. */
    lifecycle: "Active" | "PendingDeletion" | "PendingReplicaDeletion";
    /** The owner's wish: Enabled (true) or Disabled (false) once all materials are present. */
    enabled: boolean;
    /** S21 variant B: Disabled although material is missing (after CancelKeyDeletion). */
    disabledWithoutMaterial?: boolean;
    /** Test hook: a state kms-local cannot reach by itself (Unavailable, Updating). */
    forcedState?: KeyState;
    deletionDate?: number;
    pendingWindowInDays?: number;
    /** Replicas: Creating until this time. */
    creatingUntil?: number;
    /** S28: NotFoundException until this time. */
    visibleAt?: number;
    /** S29: DescribeKey shows `staleMetadata` until this time. */
    staleUntil?: number;
    staleMetadata?: Record<string, unknown>;
    materials: MaterialRecord[];
    onDemandRotations: number;
    rotationStartedAt?: number;
    rotationCompletesAt?: number;
    tags: { TagKey: string; TagValue: string }[];
    policy: string;
}

export interface AliasRecord {
    name: string;
    targetKeyId: string;
    creationDate: number;
    lastUpdatedDate: number;
}

export interface TokenRecord {
    region: string;
    keyId: string;
    wrappingKeyId: string;
    algorithm: string;
    wrappingKeySpec: string;
    issuedAt: number;
    used: boolean;
}

export interface RegionData {
    keys: Map<string, KeyRecord>;
    aliases: Map<string, AliasRecord>;
}
