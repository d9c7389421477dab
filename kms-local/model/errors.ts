// The error catalogue: every error type kms-local emits, its HTTP status, and every message template.
// Keeping all wording here means a message recorded from real AWS (docs/kms-behaviour.md#key-identifiers,
// docs/kms-behaviour.md#error-messages-recorded-from-aws) is changed in one place. Tags in comments: [R] recorded from
// AWS, [D] documented, [I]/[U] our inference / guess (see README).

export interface StatusModes {
    /** S8: 400 for every client error (as seen on the wire) | the Smithy model's statuses. */
    errorStatuses: "wire" | "smithy";
    /** DependencyTimeoutException: 500 (API reference, "HTTP Status Code: 500") | 503 (Smithy model). */
    dependencyTimeoutStatus: "500" | "503";
}

/**
 * Smithy-model statuses that differ from the 400 seen on the wire (docs/kms-behaviour.md#errors-on-the-wire, switch
 * S8).
 */
const SMITHY_STATUS: Readonly<Record<string, number>> = {
    NotFoundException: 404,
    KMSInvalidStateException: 409,
    DisabledException: 409,
    AlreadyExistsException: 409,
    ConflictException: 409,
    DryRunOperationException: 412,
};

/** Statuses that are the same in both modes (server errors, auth, transport). */
const FIXED_STATUS: Readonly<Partial<Record<string, number>>> = {
    KMSInternalException: 500,
    KeyUnavailableException: 500,
    MissingAuthenticationTokenException: 403,
    RequestEntityTooLargeException: 413,
    // kms-local's own refusals before a request reaches an operation (wire/server.ts). kms-local emulates no IAM,
    // so AccessDeniedException means only "foreign Host or Origin" here; AWS sends its IAM denials with 400.
    AccessDeniedException: 403,
    ServiceUnavailableException: 503,
};

export function statusOf(type: string, modes: StatusModes): number {
    // The API reference lists DependencyTimeoutException with HTTP 500; the Smithy model says 503.
    if (type === "DependencyTimeoutException") return Number(modes.dependencyTimeoutStatus);
    const fixed = FIXED_STATUS[type];
    if (fixed !== undefined) return fixed;
    if (modes.errorStatuses === "smithy") return SMITHY_STATUS[type] ?? 400;
    return 400;
}

/** A KMS error as it goes on the wire; `message` undefined means the body has no message member. */
export class KmsError extends Error {
    constructor(
        readonly type: string,
        readonly wireMessage: string | undefined,
    ) {
        super(wireMessage ?? type);
    }
}

const err = (type: string, message?: string) => new KmsError(type, message);

/** Every message template, named by situation. `arn` is always the key ARN (AWS shows the ARN even for a bare id). */
export const E = {
    // --- identifiers (docs/kms-behaviour.md#key-identifiers) [R]
    invalidKeyId: (id: string) => err("NotFoundException", `Invalid keyId '${id}'`),
    keyNotFound: (arn: string) => err("NotFoundException", `Key '${arn}' does not exist`),
    invalidArnRegion: (region: string) => err("NotFoundException", `Invalid arn ${region}`),
    aliasNotFound: (aliasArn: string) => err("NotFoundException", `Alias ${aliasArn} is not found.`),
    // --- key state (docs/kms-behaviour.md#key-state-table) [R]/[D-2023]
    disabled: (arn: string) => err("DisabledException", `${arn} is disabled.`),
    pendingDeletion: (arn: string) => err("KMSInvalidStateException", `${arn} is pending deletion.`),
    pendingReplicaDeletion: (arn: string) => err("KMSInvalidStateException", `${arn} is pending replica deletion.`),
    pendingImport: (arn: string) => err("KMSInvalidStateException", `${arn} is pending import.`),
    creating: (arn: string) => err("KMSInvalidStateException", `${arn} is creating.`),
    updating: (arn: string) => err("KMSInvalidStateException", `${arn} is updating.`),
    unavailable: (arn: string) => err("KMSInvalidStateException", `${arn} is unavailable.`),
    notPendingDeletion: (arn: string) => err("KMSInvalidStateException", `${arn} is not pending deletion.`),
    disabledInvalidState: (arn: string) => err("KMSInvalidStateException", `${arn} is disabled.`),
    // --- origin / key type
    originNotValid: (arn: string, origin: string, withMessage = true) =>
        err(
            "UnsupportedOperationException",
            withMessage ? `${arn} origin is ${origin} which is not valid for this operation.` : undefined,
        ),
    keySpecNotValid: (arn: string, spec: string) =>
        err("UnsupportedOperationException", `${arn} key spec ${spec} is not valid for this operation.`),
    unsupportedEmpty: () => err("UnsupportedOperationException"),
    keyUsageNotValid: (arn: string, usage: string, op: string) =>
        err("InvalidKeyUsageException", `${arn} key usage is ${usage} which is not valid for ${op}.`),
    algorithmIncompatible: (alg: string, spec: string) =>
        err("InvalidKeyUsageException", `Algorithm ${alg} is incompatible with key spec ${spec}.`),
    // --- import (docs/kms-behaviour.md#importkeymaterial)
    validToRequired: () =>
        err("ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES"),
    validation: (message: string) => err("ValidationException", message),
    pendingRotationExists: (newId: string, arn: string, pendingId: string) =>
        err(
            "KMSInvalidStateException",
            `New key material (id: ${newId}) cannot be imported into KMS key ${arn}, because another key ` +
                `material (id: ${pendingId}) is pending rotation.`,
        ),
    notSameMaterial: () =>
        err(
            "IncorrectKeyMaterialException",
            "The key material being imported is not the same key material that was previously " +
                "imported into this KMS key.",
        ),
    alreadyAssociated: () =>
        err(
            "IncorrectKeyMaterialException",
            "KMS expected new key material but the key material being imported is already " +
                "associated with this KMS key.",
        ),
    materialIdMismatch: () =>
        err("IncorrectKeyMaterialException", "The KeyMaterialId does not match the key material being imported."),
    badMaterial: (type: string, keySpec: string) =>
        err(type, `The key material is invalid or does not meet the requirements of key spec ${keySpec}.`),
    invalidCiphertext: () => err("InvalidCiphertextException"),
    tokenInvalid: () =>
        err("InvalidImportTokenException", "The import token is invalid or is associated with a different KMS key."),
    tokenUsed: () =>
        err(
            "InvalidImportTokenException",
            "The import token has already been used. Call GetParametersForImport for a new one.",
        ),
    tokenExpired: () =>
        err("ExpiredImportTokenException", "The import token has expired. Call GetParametersForImport for a new one."),
    replicaNewMaterial: (arn: string) =>
        err(
            "UnsupportedOperationException",
            `${arn} is a multi-Region replica key. New key material can only be imported into the primary key.`,
        ),
    // --- DeleteImportedKeyMaterial (docs/kms-behaviour.md#deleteimportedkeymaterial, S3)
    materialNotFound: (type: string, id: string, arn: string) =>
        err(type, `Key material with id ${id} is not associated with KMS key ${arn}.`),
    // --- rotation (docs/kms-behaviour.md#rotatekeyondemand) [R]
    noPendingRotation: (arn: string) =>
        err("KMSInvalidStateException", `No available key material pending rotation for the key: ${arn}.`),
    rotationLimit: (arn: string) =>
        err(
            "LimitExceededException",
            `The on-demand rotations limit has been reached for the given keyId. No more on-demand ` +
                `rotations can be performed for this key: ${arn}`,
        ),
    rotationInProgress: (arn: string) => err("ConflictException", `${arn} has an on-demand rotation in progress.`),
    replicaRotation: (arn: string) =>
        err("UnsupportedOperationException", `${arn} is a multi-Region replica key. Rotate the primary key instead.`),
    // --- CreateKey / ReplicateKey / aliases
    keyUsageRequired: () =>
        err(
            "ValidationException",
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        ),
    keyUsageIncompatible: (usage: string, spec: string) =>
        err("ValidationException", `KeyUsage ${usage} is not compatible with KeySpec ${spec}.`),
    bothKeySpecs: () => err("ValidationException", "You cannot specify both CustomerMasterKeySpec and KeySpec."),
    notEmulated: (what: string) => err("UnsupportedOperationException", `${what} is not supported by kms-local.`),
    customKeyStore: () => err("CustomKeyStoreNotFoundException", "Custom key stores are not emulated by kms-local."),
    tooManyTags: () => err("TagException", "Too many tags"),
    reservedTag: () => err("TagException", "Tags beginning with aws: are reserved"),
    notMultiRegion: (arn: string) => err("UnsupportedOperationException", `${arn} is not a multi-Region primary key.`),
    replicaExists: (arn: string) => err("AlreadyExistsException", `${arn} already exists.`),
    sameRegion: (region: string) =>
        err("ValidationException", `The replica region ${region} must be different from the primary key's region.`),
    aliasExists: (aliasArn: string) =>
        err("AlreadyExistsException", `An alias with the name ${aliasArn} already exists`),
    aliasPrefix: () =>
        err(
            "ValidationException",
            'Alias must start with the prefix "alias/". Please see ' +
                "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html",
        ),
    aliasReserved: () =>
        err("NotAuthorizedException", "Alias names beginning with alias/aws/ are reserved for AWS managed keys."),
    // --- crypto
    // "Digest is invalid length for algorithm ECDSA_SHA_256." is what AWS answers a DIGEST of the wrong size
    // (quoted from real responses in aws-sdk-rust discussion #571 and in public KMS client code).
    digestLength: (alg: string) => err("ValidationException", `Digest is invalid length for algorithm ${alg}.`),
    messageTypeIncompatible: (type: string, alg: string) =>
        err("ValidationException", `Message type ${type} is incompatible with algorithm ${alg}.`),
    // Sent without a message, as InvalidCiphertextException is (S34; LocalStack: "AWS itself raises this exception
    // without any additional message").
    signatureVerificationFailed: () => err("KMSInvalidSignatureException"),
    macVerificationFailed: () => err("KMSInvalidMacException"),
    incorrectKey: () =>
        err(
            "IncorrectKeyException",
            "The key ID in the request does not identify a KMS key that can perform this operation.",
        ),
    dryRun: () => err("DryRunOperationException", "The request would have succeeded, but the DryRun option is set."),
    // --- pagination
    invalidMarker: () => err("InvalidMarkerException", "The marker is invalid or does not belong to this request."),
    // --- wire / transport (docs/kms-behaviour.md#errors-on-the-wire; our choices documented in README)
    unknownOperation: () => err("UnknownOperationException"),
    serialization: (message: string) => err("SerializationException", message),
    throttling: () =>
        err(
            "ThrottlingException",
            "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
        ),
    missingAuth: () => err("MissingAuthenticationTokenException", "Missing Authentication Token"),
    incompleteSignature: (message: string) => err("IncompleteSignatureException", message),
    invalidSignature: () =>
        err(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS " +
                "Secret Access Key and signing method. Consult the service documentation for details.",
        ),
    signatureOutsideWindow: (message: string) => err("InvalidSignatureException", message),
    tooLarge: (limit: number) =>
        err("RequestEntityTooLargeException", `Request body exceeds the kms-local limit of ${limit} bytes.`),
    // The wording AWS uses for a credential scope naming no Region (SigV4 errors quoted in SDK issues, e.g.
    // aws-sdk-java #1097); the echo is cut short, since the scope is whatever the client sent.
    invalidRegionScope: (region: string) =>
        err(
            "InvalidSignatureException",
            `Credential should be scoped to a valid region, not ` +
                `'${region.length > 64 ? `${region.slice(0, 64)}…` : region}'.`,
        ),
    // The refused header's value is not quoted: it is whatever the (possibly hostile) page or client chose.
    foreignHost: () =>
        err(
            "AccessDeniedException",
            "kms-local answers only requests addressed to a loopback or configured host; this request's Host " +
                "header is missing or names neither (DNS rebinding?). " +
                "Use http://127.0.0.1:<port>, or list the name with allowedHosts (CLI: --allowed-host).",
        ),
    foreignOrigin: () =>
        err(
            "AccessDeniedException",
            "kms-local refuses requests from web pages: this request's Origin is not a loopback or configured host.",
        ),
    tooManyConnections: (max: number) =>
        err(
            "ServiceUnavailableException",
            `kms-local serves at most ${max} connections at once (maxConnections); close idle ` +
                `connections or retry later.`,
        ),
    internal: () => err("KMSInternalException", "An internal error occurred (injected by kms-local)."),
    dependencyTimeout: () => err("DependencyTimeoutException", "The request timed out (injected by kms-local)."),
};

/** S20: EXTERNAL origin for key specs whose import support is unknown. */
export const externalNotSupported = (spec: string) =>
    new KmsError("UnsupportedOperationException", `KeySpec ${spec} does not support the EXTERNAL origin.`);

/** S11 variant B, S12, S17, S18: request combinations AWS refuses with unrecorded wording. */
export const refused = (type: string, message: string) => new KmsError(type, message);
