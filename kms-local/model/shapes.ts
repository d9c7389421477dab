// Request shapes of every emulated operation, transcribed from the KMS service model (botocore service-2.json; the
// "model" of docs/kms-behaviour.md#how-sure-each-fact-is). Member order follows the model: ValidationException lists
// failures in this order.

import { CUSTOMER_MASTER_KEY_SPECS, KEY_SPECS } from "./keySpecs.js";

export type Shape =
    | { kind: "string"; min?: number; max?: number; pattern?: string; enum?: readonly string[]; sensitive?: boolean }
    | { kind: "blob"; min?: number; max?: number }
    | { kind: "integer"; min?: number; max?: number }
    | { kind: "boolean" }
    | { kind: "timestamp" }
    | { kind: "list"; member: Shape; min?: number; max?: number }
    | { kind: "map"; value: Shape }
    | { kind: "structure"; members: Readonly<Record<string, Member>> };

export interface Member {
    shape: Shape;
    required?: boolean;
}

const str = (min?: number, max?: number, pattern?: string): Shape => ({ kind: "string", min, max, pattern });
const en = (...values: string[]): Shape => ({ kind: "string", enum: values });
const req = (shape: Shape): Member => ({ shape, required: true });
const opt = (shape: Shape): Member => ({ shape });

export const KeyIdType = str(1, 2048);
const ArnlessDescription = str(0, 8192);
const PolicyType = str(1, 131072, "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");
const CiphertextType: Shape = { kind: "blob", min: 1, max: 6144 };
const PlaintextType: Shape = { kind: "blob", min: 1, max: 4096 };
const LimitType: Shape = { kind: "integer", min: 1, max: 1000 };
const MarkerType = str(1, 1024, "[\\u0020-\\u00FF]*");
/** The model's RegionType (ReplicaRegion); kms-local holds the credential scope's Region to it too. */
export const RegionType = { min: 1, max: 32, pattern: "^([a-z]+-){2,3}\\d+$" } as const;
const BackingKeyIdType = str(64, 64, "^[a-f0-9]+$");
const GrantTokenList: Shape = { kind: "list", member: str(1, 8192), min: 0, max: 10 };
const TagList: Shape = {
    kind: "list",
    member: { kind: "structure", members: { TagKey: req(str(1, 128)), TagValue: req(str(0, 256)) } },
};
const EncryptionContextType: Shape = { kind: "map", value: { kind: "string" } };
const EncryptionAlgorithmSpec = en("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE");
const keyIdOnly = { KeyId: req(KeyIdType) };
const MessageType = en("RAW", "DIGEST", "EXTERNAL_MU");
const SigningAlgorithmSpec = en(
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ECDSA_SHA_512",
    "SM2DSA",
    "ML_DSA_SHAKE_256",
    "ED25519_SHA_512",
    "ED25519_PH_SHA_512",
);
const MacAlgorithmSpec = en("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512");

const struct = (members: Record<string, Member>): Shape => ({ kind: "structure", members });

/** Input shape of every operation kms-local serves. */
export const OPERATION_INPUTS: Readonly<Record<string, Shape>> = {
    CreateKey: struct({
        Policy: opt(PolicyType),
        Description: opt(ArnlessDescription),
        KeyUsage: opt(en("SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT")),
        CustomerMasterKeySpec: opt(en(...CUSTOMER_MASTER_KEY_SPECS)),
        KeySpec: opt(en(...KEY_SPECS)),
        Origin: opt(en("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")),
        CustomKeyStoreId: opt(str(1, 64)),
        BypassPolicyLockoutSafetyCheck: opt({ kind: "boolean" }),
        Tags: opt(TagList),
        MultiRegion: opt({ kind: "boolean" }),
        XksKeyId: opt(str(1, 128, "^[a-zA-Z0-9-_.]+$")),
    }),
    DescribeKey: struct({ KeyId: req(KeyIdType), GrantTokens: opt(GrantTokenList) }),
    ListKeys: struct({ Limit: opt(LimitType), Marker: opt(MarkerType) }),
    GetParametersForImport: struct({
        KeyId: req(KeyIdType),
        WrappingAlgorithm: req(
            en(
                "RSAES_PKCS1_V1_5",
                "RSAES_OAEP_SHA_1",
                "RSAES_OAEP_SHA_256",
                "RSA_AES_KEY_WRAP_SHA_1",
                "RSA_AES_KEY_WRAP_SHA_256",
                "SM2PKE",
            ),
        ),
        WrappingKeySpec: req(en("RSA_2048", "RSA_3072", "RSA_4096", "SM2")),
    }),
    ImportKeyMaterial: struct({
        KeyId: req(KeyIdType),
        ImportToken: req(CiphertextType),
        EncryptedKeyMaterial: req(CiphertextType),
        ValidTo: opt({ kind: "timestamp" }),
        ExpirationModel: opt(en("KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE")),
        ImportType: opt(en("NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL")),
        KeyMaterialDescription: opt(str(0, 256, "^[a-zA-Z0-9:/_\\s.-]+$")),
        KeyMaterialId: opt(BackingKeyIdType),
    }),
    DeleteImportedKeyMaterial: struct({ KeyId: req(KeyIdType), KeyMaterialId: opt(BackingKeyIdType) }),
    ListKeyRotations: struct({
        KeyId: req(KeyIdType),
        IncludeKeyMaterial: opt(en("ALL_KEY_MATERIAL", "ROTATIONS_ONLY")),
        Limit: opt(LimitType),
        Marker: opt(MarkerType),
    }),
    RotateKeyOnDemand: struct(keyIdOnly),
    GetKeyRotationStatus: struct(keyIdOnly),
    ScheduleKeyDeletion: struct({
        KeyId: req(KeyIdType),
        PendingWindowInDays: opt({ kind: "integer", min: 1, max: 365 }),
    }),
    CancelKeyDeletion: struct(keyIdOnly),
    EnableKey: struct(keyIdOnly),
    DisableKey: struct(keyIdOnly),
    Encrypt: struct({
        KeyId: req(KeyIdType),
        Plaintext: req(PlaintextType),
        EncryptionContext: opt(EncryptionContextType),
        GrantTokens: opt(GrantTokenList),
        EncryptionAlgorithm: opt(EncryptionAlgorithmSpec),
        DryRun: opt({ kind: "boolean" }),
    }),
    Decrypt: struct({
        CiphertextBlob: opt(CiphertextType),
        EncryptionContext: opt(EncryptionContextType),
        GrantTokens: opt(GrantTokenList),
        KeyId: opt(KeyIdType),
        EncryptionAlgorithm: opt(EncryptionAlgorithmSpec),
        Recipient: opt(
            struct({
                KeyEncryptionAlgorithm: opt(en("RSAES_OAEP_SHA_256")),
                AttestationDocument: opt({ kind: "blob", min: 1, max: 262144 }),
            }),
        ),
        DryRun: opt({ kind: "boolean" }),
        DryRunModifiers: opt({ kind: "list", member: en("IGNORE_CIPHERTEXT") }),
    }),
    GetPublicKey: struct({ KeyId: req(KeyIdType), GrantTokens: opt(GrantTokenList) }),
    Sign: struct({
        KeyId: req(KeyIdType),
        Message: req(PlaintextType),
        MessageType: opt(MessageType),
        GrantTokens: opt(GrantTokenList),
        SigningAlgorithm: req(SigningAlgorithmSpec),
        DryRun: opt({ kind: "boolean" }),
    }),
    Verify: struct({
        KeyId: req(KeyIdType),
        Message: req(PlaintextType),
        MessageType: opt(MessageType),
        Signature: req(CiphertextType),
        SigningAlgorithm: req(SigningAlgorithmSpec),
        GrantTokens: opt(GrantTokenList),
        DryRun: opt({ kind: "boolean" }),
    }),
    GenerateMac: struct({
        Message: req(PlaintextType),
        KeyId: req(KeyIdType),
        MacAlgorithm: req(MacAlgorithmSpec),
        GrantTokens: opt(GrantTokenList),
        DryRun: opt({ kind: "boolean" }),
    }),
    VerifyMac: struct({
        Message: req(PlaintextType),
        KeyId: req(KeyIdType),
        MacAlgorithm: req(MacAlgorithmSpec),
        Mac: req(CiphertextType),
        GrantTokens: opt(GrantTokenList),
        DryRun: opt({ kind: "boolean" }),
    }),
    ReplicateKey: struct({
        KeyId: req(KeyIdType),
        ReplicaRegion: req(str(RegionType.min, RegionType.max, RegionType.pattern)),
        Policy: opt(PolicyType),
        BypassPolicyLockoutSafetyCheck: opt({ kind: "boolean" }),
        Description: opt(ArnlessDescription),
        Tags: opt(TagList),
    }),
    CreateAlias: struct({ AliasName: req(str(1, 256, "^[a-zA-Z0-9:/_-]+$")), TargetKeyId: req(KeyIdType) }),
    ListAliases: struct({ KeyId: opt(KeyIdType), Limit: opt(LimitType), Marker: opt(MarkerType) }),
};

/** Members whose values must never be echoed in an error message (model `sensitive` or secret by nature). */
export const NEVER_ECHO = new Set([
    "Plaintext",
    "ImportToken",
    "EncryptedKeyMaterial",
    "CiphertextBlob",
    "Policy",
    "Message",
    "Signature",
    "Mac",
]);
