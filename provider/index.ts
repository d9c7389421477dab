/**
 * pulumi-kms-byok: AWS KMS imported key material (BYOK) as Pulumi resources. Every type a public signature
 * uses is exported here (test/provider/index.test.ts checks it).
 */
export {
    ImportedKeyMaterial,
    ImportedKeyMaterialArgs,
    AssumeRoleArgs,
    KeyMaterialIdFor,
    IMPORTED_KEY_MATERIAL_TYPE,
} from "./resource/importedKeyMaterial";
export {
    KeyMaterialRotation,
    KeyMaterialRotationArgs,
    KEY_MATERIAL_ROTATION_TYPE,
} from "./resource/keyMaterialRotation";
export { ByokKey, ByokKeyArgs } from "./resource/byokKey";
export { importedKeyMaterialProvider, keyMaterialRotationProvider } from "./engine/storedProvider";
export type {
    ExpirationModel,
    ImportState,
    ImportType,
    KeyMaterialState,
    KeyState,
    MaterialInputs,
    MaterialOutputs,
    MultiRegionKeyType,
} from "./material/properties";
export type { RotationInputs, RotationOutputs } from "./rotation/lifecycle";
export type { DeletionImpact, MaterialCondition } from "./kms/status";
export type { KeySpec, KeyUsage } from "./wrapping/keySpecs";
export type { WrappingAlgorithm, WrappingKeySpec } from "./wrapping/algorithms";
export { CONFIG_KEYS } from "./client/stackConfig";
export type { AssumeRoleSettings } from "./client/credentialSettings";
