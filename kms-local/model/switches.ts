// Switches: every point where AWS behaviour is not pinned down
// (docs/kms-behaviour.md#behaviours-aws-does-not-pin-down). Default = the most likely behaviour; the README lists the
// evidence for each. All switches are plain strings or numbers so they can be set from the CLI (`--switch name=value`)
// and over HTTP.

export interface Switches {
    /**
     * S1 DeleteImportedKeyMaterial on a PendingDeletion key: succeed (state unchanged) | KMSInvalidStateException "is
     * pending deletion."
     */
    deleteOnPendingDeletion: "succeed" | "reject";
    /**
     * S2 DeleteImportedKeyMaterial on a PendingImport key: succeed with no effect | KMSInvalidStateException "is
     * pending import."
     */
    deleteOnPendingImport: "succeed" | "reject";
    /** S3 error for a well-formed but unknown KeyMaterialId in DeleteImportedKeyMaterial. */
    deleteUnknownMaterialError: "NotFoundException" | "KMSInvalidStateException";
    /** S4 message of UnsupportedOperationException for DeleteImportedKeyMaterial on an AWS_KMS key. */
    deleteOnAwsKmsMessage: "origin" | "empty";
    /** S5 KeyMaterialId in the DeleteImportedKeyMaterial response for asymmetric/HMAC keys. */
    deleteResponseMaterialIdAsymmetric: "empty" | "omit" | "id";
    /** S6 deleting PENDING_ROTATION material: key stays usable | key becomes PendingImport until it is reimported. */
    deletePendingRotationMaterial: "keepUsable" | "pendingImport";
    /** S7 error type for an alias where only key id / key ARN is accepted. */
    aliasKeyIdErrorType:
        "NotFoundException" | "ValidationException" | "InvalidArnException" | "UnsupportedOperationException";
    /** S7 message template for that error; `{keyId}` is replaced by the given identifier. */
    aliasKeyIdMessage: string;
    /** S8 HTTP status of client errors: 400 for all (as seen on the wire) | Smithy model statuses (404/409/412). */
    errorStatuses: "wire" | "smithy";
    /** HTTP status of DependencyTimeoutException: 500 (API reference) | 503 (Smithy model). */
    dependencyTimeoutStatus: "500" | "503";
    /** S9 KeyMaterialId in the ImportKeyMaterial response for asymmetric/HMAC keys. */
    importResponseMaterialIdAsymmetric: "omit" | "id";
    /** S10 response shapes of ImportKeyMaterial / DeleteImportedKeyMaterial: current (2025-06+) | legacy (empty). */
    responseShapes: "current" | "legacy";
    /** S11 where incompatible wrapping combinations are rejected. */
    incompatibleWrapping: "atImport" | "atParameters";
    /** S12 error for RSAES_PKCS1_V1_5 wrapping in GetParametersForImport. */
    pkcs1v15Error: "ValidationException" | "UnsupportedOperationException";
    /** S13 wrapping key pair across GetParametersForImport calls: one shared pair per spec | a fresh pair per call. */
    wrappingKeyPerCall: "shared" | "fresh";
    /** S14 reuse of a consumed import token: InvalidImportTokenException | accepted while valid. */
    tokenReuse: "reject" | "accept";
    /** S15 error for unwrapped material of the wrong size/format. */
    badMaterialError: "IncorrectKeyMaterialException" | "InvalidCiphertextException";
    /** S16 messages of the ValidTo ValidationExceptions (wording unknown on AWS). */
    validToPastMessage: string;
    validToTooLateMessage: string;
    validToWithDoesNotExpireMessage: string;
    /** S17 error for ImportType / KeyMaterialId / KeyMaterialDescription on an asymmetric or HMAC key. */
    importTypeOnAsymmetricError: "UnsupportedOperationException" | "ValidationException";
    /** S18 error for KeyMaterialId together with ImportType NEW_KEY_MATERIAL. */
    materialIdWithNewError: "ValidationException" | "IncorrectKeyMaterialException";
    /** S19 ImportKeyMaterial on a Disabled key: allowed, stays Disabled | rejected | allowed and becomes Enabled. */
    importIntoDisabled: "stayDisabled" | "reject" | "enable";
    /**
     * S20 CreateKey Origin=EXTERNAL with ML_DSA_* / ECC_NIST_EDWARDS25519: reject | accept (ED25519 importable; ML-DSA
     * material is never accepted).
     */
    externalPqAndEdwards: "reject" | "accept";
    /** S21 CancelKeyDeletion on an EXTERNAL key without material: PendingImport | Disabled. */
    cancelDeletionWithoutMaterial: "pendingImport" | "disabled";
    /** S22 ExpirationModel/ValidTo in DescribeKey after expiry: removed as after deletion | kept. */
    metadataAfterExpiry: "remove" | "keep";
    /**
     * S23 KeyMetadata ExpirationModel/ValidTo of a multi-material key: the API reference's reading (EXPIRES, with the
     * earliest ValidTo of any imported material permanently associated with the key) | the CURRENT material's model.
     */
    multiMaterialExpirationModel: "anyExpires" | "current";
    /** S24 expiry of PENDING_ROTATION material: removed | kept as PENDING_IMPORT (no key-state change either way). */
    pendingMaterialExpiry: "remove" | "keepPendingImport";
    /**
     * S25 GetKeyRotationStatus on a symmetric EXTERNAL key: success with KeyRotationEnabled false |
     * UnsupportedOperationException.
     */
    rotationStatusExternal: "succeed" | "unsupported";
    /** S26 ListKeyRotations on asymmetric/HMAC keys. */
    listRotationsAsymmetric: "unsupported" | "emptyList";
    /** S27 KeyMaterialId derivation: hex(HMAC-SHA256(key=keyId, msg=material)) | hex(SHA-256(keyId ‖ material)). */
    keyMaterialIdDerivation: "hmac-sha256" | "sha256";
    /** S28 a new key / replica is invisible (NotFoundException) for this many ms of kms-local clock. */
    newKeyInvisibleMs: number;
    /** S29 DescribeKey shows the previous metadata for this many ms after a state change. */
    stateChangePropagationMs: number;
    /** S30 on-demand rotation completes this many ms (kms-local clock) after RotateKeyOnDemand. */
    rotationDelayMs: number;
    /** Replica keys stay Creating this many ms (kms-local clock) before PendingImport/Enabled. */
    replicaCreatingMs: number;
    /** S31 expiry evaluation: lazily on every access | lazily plus a periodic background sweep. */
    expiryEvaluation: "lazy" | "sweep";
    /** S32 quota figures when quotas are enabled: current AWS figures | 2023 figures. */
    quotaFigures: "current" | "2023";
    /** S32 "hot key" throttling of EnableKey/DisableKey bursts on one key, requests/s per key (0 = off). */
    hotKeyRps: number;
    /** S33 on-demand rotations allowed per key. */
    onDemandRotationLimit: number;
    /** S34 errors that real AWS sends without a message: without | with a message. */
    emptyMessageErrors: "empty" | "withMessage";
    /** S35 SigV4 signatures: ignored | verified against the fixed test secret (`signatureSecret`). */
    signatureCheck: "ignore" | "verify";
    /** S35 secret access key used when signatureCheck = verify. */
    signatureSecret: string;
    /** Requests without an Authorization header: refused (MissingAuthenticationTokenException, 403) | accepted. */
    requireAuth: "require" | "allow";
}

export const DEFAULT_SWITCHES: Readonly<Switches> = Object.freeze({
    deleteOnPendingDeletion: "succeed",
    deleteOnPendingImport: "succeed",
    deleteUnknownMaterialError: "NotFoundException",
    deleteOnAwsKmsMessage: "origin",
    deleteResponseMaterialIdAsymmetric: "empty",
    deletePendingRotationMaterial: "keepUsable",
    aliasKeyIdErrorType: "NotFoundException",
    aliasKeyIdMessage: "Invalid keyId '{keyId}'",
    errorStatuses: "wire",
    dependencyTimeoutStatus: "500",
    importResponseMaterialIdAsymmetric: "omit",
    responseShapes: "current",
    incompatibleWrapping: "atImport",
    pkcs1v15Error: "ValidationException",
    wrappingKeyPerCall: "shared",
    tokenReuse: "reject",
    badMaterialError: "IncorrectKeyMaterialException",
    validToPastMessage:
        "1 validation error detected: Value at 'validTo' failed to satisfy constraint: " +
        "Member must be a date in the future",
    validToTooLateMessage:
        "1 validation error detected: Value at 'validTo' failed to satisfy constraint: " +
        "Member must be a date no more than 365 days in the future",
    validToWithDoesNotExpireMessage:
        "A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
    importTypeOnAsymmetricError: "UnsupportedOperationException",
    materialIdWithNewError: "ValidationException",
    importIntoDisabled: "stayDisabled",
    externalPqAndEdwards: "reject",
    cancelDeletionWithoutMaterial: "pendingImport",
    metadataAfterExpiry: "remove",
    multiMaterialExpirationModel: "anyExpires",
    pendingMaterialExpiry: "remove",
    rotationStatusExternal: "succeed",
    listRotationsAsymmetric: "unsupported",
    keyMaterialIdDerivation: "hmac-sha256",
    newKeyInvisibleMs: 0,
    stateChangePropagationMs: 0,
    rotationDelayMs: 300,
    replicaCreatingMs: 200,
    expiryEvaluation: "lazy",
    quotaFigures: "current",
    hotKeyRps: 0,
    onDemandRotationLimit: 25,
    emptyMessageErrors: "empty",
    signatureCheck: "ignore",
    signatureSecret: "kms-local-test-secret",
    requireAuth: "require",
});

/** Allowed values of every enumerated switch (numbers and free text are absent); used to validate input. */
export const SWITCH_CHOICES: Readonly<Partial<Record<keyof Switches, readonly string[]>>> = {
    deleteOnPendingDeletion: ["succeed", "reject"],
    deleteOnPendingImport: ["succeed", "reject"],
    deleteUnknownMaterialError: ["NotFoundException", "KMSInvalidStateException"],
    deleteOnAwsKmsMessage: ["origin", "empty"],
    deleteResponseMaterialIdAsymmetric: ["empty", "omit", "id"],
    deletePendingRotationMaterial: ["keepUsable", "pendingImport"],
    aliasKeyIdErrorType: [
        "NotFoundException",
        "ValidationException",
        "InvalidArnException",
        "UnsupportedOperationException",
    ],
    errorStatuses: ["wire", "smithy"],
    dependencyTimeoutStatus: ["500", "503"],
    importResponseMaterialIdAsymmetric: ["omit", "id"],
    responseShapes: ["current", "legacy"],
    incompatibleWrapping: ["atImport", "atParameters"],
    pkcs1v15Error: ["ValidationException", "UnsupportedOperationException"],
    wrappingKeyPerCall: ["shared", "fresh"],
    tokenReuse: ["reject", "accept"],
    badMaterialError: ["IncorrectKeyMaterialException", "InvalidCiphertextException"],
    importTypeOnAsymmetricError: ["UnsupportedOperationException", "ValidationException"],
    materialIdWithNewError: ["ValidationException", "IncorrectKeyMaterialException"],
    importIntoDisabled: ["stayDisabled", "reject", "enable"],
    externalPqAndEdwards: ["reject", "accept"],
    cancelDeletionWithoutMaterial: ["pendingImport", "disabled"],
    metadataAfterExpiry: ["remove", "keep"],
    multiMaterialExpirationModel: ["anyExpires", "current"],
    pendingMaterialExpiry: ["remove", "keepPendingImport"],
    rotationStatusExternal: ["succeed", "unsupported"],
    listRotationsAsymmetric: ["unsupported", "emptyList"],
    keyMaterialIdDerivation: ["hmac-sha256", "sha256"],
    expiryEvaluation: ["lazy", "sweep"],
    quotaFigures: ["current", "2023"],
    emptyMessageErrors: ["empty", "withMessage"],
    signatureCheck: ["ignore", "verify"],
    requireAuth: ["require", "allow"],
};

/**
 * Which item of docs/kms-behaviour.md#behaviours-aws-does-not-pin-down each switch implements (or, for a switch the
 * table lists without a number, the section that states the fact); shown by `--help` and the README.
 */
export const SWITCH_REFS: Readonly<Record<keyof Switches, string>> = {
    deleteOnPendingDeletion: "S1",
    deleteOnPendingImport: "S2",
    deleteUnknownMaterialError: "S3",
    deleteOnAwsKmsMessage: "S4",
    deleteResponseMaterialIdAsymmetric: "S5",
    deletePendingRotationMaterial: "S6",
    aliasKeyIdErrorType: "S7",
    aliasKeyIdMessage: "S7",
    errorStatuses: "S8",
    dependencyTimeoutStatus: "S8",
    importResponseMaterialIdAsymmetric: "S9",
    responseShapes: "S10",
    incompatibleWrapping: "S11",
    pkcs1v15Error: "S12",
    wrappingKeyPerCall: "S13",
    tokenReuse: "S14",
    badMaterialError: "S15",
    validToPastMessage: "S16",
    validToTooLateMessage: "S16",
    validToWithDoesNotExpireMessage: "S16",
    importTypeOnAsymmetricError: "S17",
    materialIdWithNewError: "S18",
    importIntoDisabled: "S19",
    externalPqAndEdwards: "S20",
    cancelDeletionWithoutMaterial: "S21",
    metadataAfterExpiry: "S22",
    multiMaterialExpirationModel: "S23",
    pendingMaterialExpiry: "S24",
    rotationStatusExternal: "S25",
    listRotationsAsymmetric: "S26",
    keyMaterialIdDerivation: "S27",
    newKeyInvisibleMs: "S28",
    stateChangePropagationMs: "S29",
    rotationDelayMs: "S30",
    replicaCreatingMs: "#replicatekey",
    expiryEvaluation: "S31",
    quotaFigures: "S32",
    hotKeyRps: "S32",
    onDemandRotationLimit: "S33",
    emptyMessageErrors: "S34",
    signatureCheck: "S35",
    signatureSecret: "S35",
    requireAuth: "#errors-on-the-wire",
};

/**
 * Checks and converts one switch assignment (from CLI text, HTTP JSON or code).
 * Throws an Error with a readable message for an unknown name or a value outside the choices.
 */
export function coerceSwitch(name: string, value: unknown): Partial<Switches> {
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_SWITCHES, name)) throw new Error(`unknown switch '${name}'`);
    const key = name as keyof Switches;
    const def = DEFAULT_SWITCHES[key];
    if (typeof def === "number") {
        const n = typeof value === "number" ? value : Number(value);
        if (!Number.isFinite(n) || n < 0) throw new Error(`switch '${name}' needs a non-negative number`);
        return { [key]: n };
    }
    if (typeof value !== "string") throw new Error(`switch '${name}' needs a string`);
    const choices = SWITCH_CHOICES[key];
    if (choices && !choices.includes(value)) throw new Error(`switch '${name}' must be one of: ${choices.join(", ")}`);
    return { [key]: value };
}

/** Validates a whole partial object of switches; returns the validated copy. */
export function coerceSwitches(input: Record<string, unknown>): Partial<Switches> {
    let out: Partial<Switches> = {};
    for (const [name, value] of Object.entries(input)) out = { ...out, ...coerceSwitch(name, value) };
    return out;
}
