import * as pulumi from "@pulumi/pulumi";
import type { KeyMaterialState } from "../material/properties";
import { providerText } from "../engine/storedProvider";
import type { AssumeRoleArgs } from "./importedKeyMaterial";

export interface KeyMaterialRotationArgs {
    /** ID or ARN of a symmetric EXTERNAL key (for multi-Region keys: the primary). */
    keyId: pulumi.Input<string>;
    /**
     * The material to make CURRENT: an ImportedKeyMaterial's `keyMaterialId` (imported as NEW_KEY_MATERIAL).
     * Its output type is nullable (asymmetric keys may have no id); a null here is refused at preview.
     */
    keyMaterialId: pulumi.Input<string | null>;
    /** Default: the key ARN's Region, else `aws:region`, else AWS_REGION. */
    region?: pulumi.Input<string>;
    /** KMS endpoint override. Default: `pulumi-kms-byok:endpoint`, `aws:endpoints` (kms), AWS_ENDPOINT_URL_KMS. */
    endpoint?: pulumi.Input<string>;
    /** Named AWS profile for credentials. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile?: pulumi.Input<string>;
    /** As on ImportedKeyMaterial. */
    trustedEndpoints?: pulumi.Input<pulumi.Input<string>[]>;
    /** As on ImportedKeyMaterial: a role in the key's account. */
    assumeRole?: pulumi.Input<AssumeRoleArgs>;
}

export const KEY_MATERIAL_ROTATION_TYPE = "pulumi-nodejs:dynamic/aws-kms:KeyMaterialRotation";

/**
 * Makes an imported material the key's CURRENT one (RotateKeyOnDemand, then waits until KMS says CURRENT).
 * For single-Region keys `rotateOnDemand: true` on the ImportedKeyMaterial does the same; this resource is
 * for multi-Region keys, where the rotation must wait until every replica's ImportedKeyMaterial exists:
 * give it `dependsOn` those resources. Destroying it changes nothing in KMS (a rotation cannot be undone).
 */
export class KeyMaterialRotation extends pulumi.CustomResource {
    // `declare`: see ImportedKeyMaterial (class fields would overwrite the outputs after super()).
    /** The key as given (ID or ARN). */
    declare public readonly keyId: pulumi.Output<string>;
    /** The key's ARN (named like `ImportedKeyMaterial.keyArn`: a rotation has no ARN of its own). */
    declare public readonly keyArn: pulumi.Output<string>;
    /** The key's Region. */
    declare public readonly region: pulumi.Output<string>;
    /** The material this resource made CURRENT. */
    declare public readonly keyMaterialId: pulumi.Output<string>;
    /** What KMS reports as CURRENT (differs from keyMaterialId once the key rotated further). */
    declare public readonly currentKeyMaterialId: pulumi.Output<string | null>;
    /** The state of `keyMaterialId` as of the last apply or refresh: CURRENT, or NON_CURRENT once rotated past. */
    declare public readonly keyMaterialState: pulumi.Output<KeyMaterialState | null>;
    /** When KMS rotated to this material (ISO 8601); null while not known. */
    declare public readonly rotationDate: pulumi.Output<string | null>;

    constructor(name: string, args: KeyMaterialRotationArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            keyArn: undefined,
            currentKeyMaterialId: undefined,
            keyMaterialState: undefined,
            rotationDate: undefined,
            region: undefined,
            trustedEndpoints: undefined,
            assumeRole: undefined,
            ...args,
            // See ImportedKeyMaterial: a dynamic resource with the compact `__provider` of engine/storedProvider.ts.
            __provider: providerText("KeyMaterialRotation"),
        };
        super(KEY_MATERIAL_ROTATION_TYPE, name, props, opts);
    }
}
