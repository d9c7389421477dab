import * as pulumi from "@pulumi/pulumi";
import { importedKeyMaterialProvider } from "../dynamic/shim";
import { redactFromSdkLogs } from "./debugLogRedaction";
import type { ExpirationModel, ImportState, ImportType, KeyMaterialState, KeyState, MultiRegionKeyType } from "../dynamic/properties";
import type { MaterialCondition } from "../kms/status";
import type { WrappingAlgorithm, WrappingKeySpec } from "../wrapping/algorithms";
import type { KeySpec } from "../wrapping/keySpecs";

/** What a program writes. Every property is checked during preview, before any AWS call. */
export interface ImportedKeyMaterialArgs {
    /** ID or ARN of a KMS key with Origin EXTERNAL (not an alias). A different key replaces the resource. */
    keyId: pulumi.Input<string>;
    /** The plaintext key material, base64. Always stored as a secret. It can never change for the same key. */
    keyMaterial: pulumi.Input<string>;
    /** The key's spec. Default: inferred (PKCS#8 → its RSA/ECC spec; 32 raw bytes → SYMMETRIC_DEFAULT). Required for HMAC. */
    keySpec?: pulumi.Input<KeySpec>;
    /** Default: KEY_MATERIAL_EXPIRES when validTo is set, else KEY_MATERIAL_DOES_NOT_EXPIRE. Changes reimport in place. */
    expirationModel?: pulumi.Input<ExpirationModel>;
    /** ISO 8601 time at which KMS deletes the material; in the future, at most 365 days ahead. Changes reimport in place. */
    validTo?: pulumi.Input<string>;
    /**
     * Omit for the key's first material (or to adopt the same bytes already imported). NEW_KEY_MATERIAL adds a
     * further material to a symmetric key for rotation; EXISTING_KEY_MATERIAL only adopts material the key holds.
     */
    importType?: pulumi.Input<ImportType>;
    /** Symmetric keys only: a description KMS keeps with this material. Changes reimport in place. */
    keyMaterialDescription?: pulumi.Input<string>;
    /** Symmetric keys only: once imported, make this material CURRENT (RotateKeyOnDemand) and wait for it. */
    rotateOnDemand?: pulumi.Input<boolean>;
    /** Default: RSAES_OAEP_SHA_256, or RSA_AES_KEY_WRAP_SHA_256 for RSA private keys. */
    wrappingAlgorithm?: pulumi.Input<WrappingAlgorithm>;
    /** Default: RSA_4096. */
    wrappingKeySpec?: pulumi.Input<WrappingKeySpec>;
    /** Default: the key ARN's Region, else `aws:region`, else AWS_REGION. A different Region replaces the resource. */
    region?: pulumi.Input<string>;
    /** KMS endpoint override. Default: `pulumi-kms-byok:endpoint`, `aws:endpoints` (kms), AWS_ENDPOINT_URL_KMS. */
    endpoint?: pulumi.Input<string>;
    /** Named AWS profile for credentials. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile?: pulumi.Input<string>;
}

export const IMPORTED_KEY_MATERIAL_TYPE = "pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial";

/**
 * The key material of a KMS key with Origin EXTERNAL, as a resource of its own: create imports it, update
 * reimports the same bytes in place, refresh reports what KMS really holds, destroy deletes exactly this
 * material (by its KeyMaterialId).
 */
export class ImportedKeyMaterial extends pulumi.dynamic.Resource {
    // `declare`: the outputs are defined by the Resource constructor; a class field (ES2022 semantics) would
    // overwrite them with undefined after super() returns.
    declare public readonly keyId: pulumi.Output<string>;
    declare public readonly keyArn: pulumi.Output<string>;
    declare public readonly region: pulumi.Output<string>;
    declare public readonly keySpec: pulumi.Output<KeySpec>;
    /**
     * 64 hex characters. Always set for symmetric keys; for asymmetric and HMAC keys (one material for life)
     * only if KMS reports one, else null.
     */
    declare public readonly keyMaterialId: pulumi.Output<string | null>;
    declare public readonly keyState: pulumi.Output<KeyState>;
    declare public readonly importState: pulumi.Output<ImportState | null>;
    declare public readonly keyMaterialState: pulumi.Output<KeyMaterialState | null>;
    declare public readonly materialCondition: pulumi.Output<MaterialCondition>;
    declare public readonly expirationModel: pulumi.Output<ExpirationModel | null>;
    declare public readonly validTo: pulumi.Output<string | null>;
    declare public readonly keyMaterialDescription: pulumi.Output<string | null>;
    declare public readonly multiRegionKeyType: pulumi.Output<MultiRegionKeyType | null>;
    declare public readonly importType: pulumi.Output<ImportType | null>;
    declare public readonly rotateOnDemand: pulumi.Output<boolean>;
    declare public readonly wrappingAlgorithm: pulumi.Output<WrappingAlgorithm>;
    declare public readonly wrappingKeySpec: pulumi.Output<WrappingKeySpec>;
    /** DER SubjectPublicKeyInfo (base64) of an imported asymmetric key, as verified with GetPublicKey. */
    declare public readonly publicKey: pulumi.Output<string | null>;
    /** What `pulumi destroy` will do to the key. */
    declare public readonly deletionImpact: pulumi.Output<string>;
    declare public readonly endpoint: pulumi.Output<string | null>;
    declare public readonly profile: pulumi.Output<string | null>;

    constructor(name: string, args: ImportedKeyMaterialArgs, opts?: pulumi.CustomResourceOptions) {
        // A fresh object per resource (dynamic.Resource writes __provider into it), material always secret,
        // and output-only properties seeded so they resolve as outputs.
        redactFromSdkLogs(args.keyMaterial);
        const props = {
            ...OUTPUT_ONLY,
            ...args,
            keyMaterial: pulumi.secret(args.keyMaterial),
        };
        super(
            importedKeyMaterialProvider,
            name,
            props,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["keyMaterial"] }),
            "aws-kms",
            "ImportedKeyMaterial",
        );
    }
}

/** Every output name: dynamic.Resource only resolves the properties present in its props object. */
const OUTPUT_ONLY: Record<string, undefined> = Object.fromEntries(
    [
        "keyArn", "region", "keySpec", "keyMaterialId", "keyState", "importState", "keyMaterialState",
        "materialCondition", "expirationModel", "validTo", "keyMaterialDescription", "multiRegionKeyType",
        "importType", "rotateOnDemand", "wrappingAlgorithm", "wrappingKeySpec", "publicKey", "deletionImpact",
        "endpoint", "profile",
    ].map((name) => [name, undefined]),
);
