/**
 * pulumi-kms-byok: AWS KMS imported key material (BYOK) as Pulumi resources.
 */
export { ImportedKeyMaterial, ImportedKeyMaterialArgs, IMPORTED_KEY_MATERIAL_TYPE } from "./resource/importedKeyMaterial";
export { KeyMaterialRotation, KeyMaterialRotationArgs, KEY_MATERIAL_ROTATION_TYPE } from "./resource/keyMaterialRotation";
export { ByokKey, ByokKeyArgs } from "./resource/byokKey";
export { importedKeyMaterialProvider, keyMaterialRotationProvider } from "./dynamic/shim";
export type { ExpirationModel, ImportType, MaterialOutputs } from "./dynamic/properties";
export type { RotationOutputs } from "./dynamic/rotation";
export type { MaterialCondition } from "./kms/status";
export type { KeySpec } from "./wrapping/keySpecs";
export type { WrappingAlgorithm, WrappingKeySpec } from "./wrapping/algorithms";
export { CONFIG_KEYS } from "./client/settings";
