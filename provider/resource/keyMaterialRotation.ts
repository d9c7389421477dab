import * as pulumi from "@pulumi/pulumi";
import { keyMaterialRotationProvider } from "../dynamic/shim";

export interface KeyMaterialRotationArgs {
    /** ID or ARN of a symmetric EXTERNAL key (for multi-Region keys: the primary). */
    keyId: pulumi.Input<string>;
    /**
     * The material to make CURRENT: an ImportedKeyMaterial's `keyMaterialId` (imported as NEW_KEY_MATERIAL).
     * Its output type is nullable (asymmetric keys may have no id); a null here is refused at preview.
     */
    keyMaterialId: pulumi.Input<string | null>;
    region?: pulumi.Input<string>;
    endpoint?: pulumi.Input<string>;
    profile?: pulumi.Input<string>;
}

export const KEY_MATERIAL_ROTATION_TYPE = "pulumi-nodejs:dynamic/aws-kms:KeyMaterialRotation";

/**
 * Makes an imported material the key's CURRENT one (RotateKeyOnDemand, then waits until KMS says CURRENT).
 * For single-Region keys `rotateOnDemand: true` on the ImportedKeyMaterial does the same; this resource is
 * for multi-Region keys, where the rotation must wait until every replica's ImportedKeyMaterial exists:
 * give it `dependsOn` those resources. Destroying it changes nothing in KMS (a rotation cannot be undone).
 */
export class KeyMaterialRotation extends pulumi.dynamic.Resource {
    // `declare`: see ImportedKeyMaterial (class fields would overwrite the outputs after super()).
    declare public readonly keyId: pulumi.Output<string>;
    declare public readonly keyArn: pulumi.Output<string>;
    declare public readonly region: pulumi.Output<string>;
    declare public readonly keyMaterialId: pulumi.Output<string>;
    /** What KMS reports as CURRENT (differs from keyMaterialId once the key rotated further). */
    declare public readonly currentKeyMaterialId: pulumi.Output<string | null>;
    declare public readonly keyMaterialState: pulumi.Output<string | null>;
    declare public readonly rotationDate: pulumi.Output<string | null>;

    constructor(name: string, args: KeyMaterialRotationArgs, opts?: pulumi.CustomResourceOptions) {
        const props = { keyArn: undefined, currentKeyMaterialId: undefined, keyMaterialState: undefined, rotationDate: undefined, region: undefined, ...args };
        super(keyMaterialRotationProvider, name, props, opts, "aws-kms", "KeyMaterialRotation");
    }
}
