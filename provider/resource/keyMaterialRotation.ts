import * as pulumi from "@pulumi/pulumi";
import { ArgsOf, DeclaredOutputs, seededOutputs } from "../checks/schema";
import { providerText } from "../engine/storedProvider";
import { ROTATION_INPUTS, ROTATION_OUTPUTS } from "../rotation/schema";

/** What a program writes (the schema: rotation/schema.ts). */
export interface KeyMaterialRotationArgs extends ArgsOf<typeof ROTATION_INPUTS> {}

export const KEY_MATERIAL_ROTATION_TYPE = "pulumi-nodejs:dynamic/aws-kms:KeyMaterialRotation";

/**
 * Makes an imported material the key's CURRENT one (RotateKeyOnDemand, then waits until KMS says CURRENT).
 * For single-Region keys `rotateOnDemand: true` on the ImportedKeyMaterial does the same; this resource is
 * for multi-Region keys, where the rotation must wait until every replica's ImportedKeyMaterial exists:
 * give it `dependsOn` those resources. Destroying it changes nothing in KMS (a rotation cannot be undone).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the schema-derived outputs
export class KeyMaterialRotation extends pulumi.CustomResource {
    constructor(name: string, args: KeyMaterialRotationArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            ...seededOutputs(ROTATION_OUTPUTS),
            ...args,
            // See ImportedKeyMaterial: a dynamic resource with the compact `__provider` of engine/storedProvider.ts.
            __provider: providerText("KeyMaterialRotation"),
        };
        super(KEY_MATERIAL_ROTATION_TYPE, name, props, opts);
    }
}

/** The outputs the resource declares: the schema's (rotation/schema.ts). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the schema-derived outputs
export interface KeyMaterialRotation extends DeclaredOutputs<typeof ROTATION_OUTPUTS> {}
