/**
 * pulumi-kms-byok: AWS KMS imported key material (BYOK) as Pulumi resources.
 */
export { ImportedKeyMaterial, ImportedKeyMaterialArgs, IMPORTED_KEY_MATERIAL_TYPE } from "./resource/importedKeyMaterial";
export { importedKeyMaterialProvider } from "./dynamic/shim";
export type { ExpirationModel, ImportType, MaterialOutputs } from "./dynamic/properties";
export type { MaterialCondition } from "./kms/status";
export type { KeySpec } from "./wrapping/keySpecs";
export type { WrappingAlgorithm, WrappingKeySpec } from "./wrapping/algorithms";
export { CONFIG_KEYS } from "./client/settings";
