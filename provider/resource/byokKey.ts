import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ExpirationModel } from "../dynamic/properties";
import { HMAC_KEY_SPECS, ECC_KEY_SPECS, KeySpec } from "../wrapping/keySpecs";
import { ImportedKeyMaterial } from "./importedKeyMaterial";

/** "A BYOK key" in one line: an EXTERNAL KMS key (aws.kms.ExternalKey) and its imported material. */
export interface ByokKeyArgs {
    /** The plaintext key material, base64 (always stored as a secret). */
    keyMaterial: pulumi.Input<string>;
    /** Default SYMMETRIC_DEFAULT. */
    keySpec?: pulumi.Input<KeySpec>;
    /** Default: GENERATE_VERIFY_MAC for HMAC, SIGN_VERIFY for ECC, ENCRYPT_DECRYPT otherwise. */
    keyUsage?: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    /** Waiting period when the key is destroyed, 7–30 days. Default 30. */
    deletionWindowInDays?: pulumi.Input<number>;
    expirationModel?: pulumi.Input<ExpirationModel>;
    validTo?: pulumi.Input<string>;
    multiRegion?: pulumi.Input<boolean>;
    policy?: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Aliases to create for the key, e.g. ["alias/payments"]. */
    aliases?: string[];
    /** Region of the key. Default: the AWS provider's. */
    region?: pulumi.Input<string>;
    /** KMS endpoint for the material import (the key's own endpoint comes from the AWS provider). */
    endpoint?: pulumi.Input<string>;
    profile?: pulumi.Input<string>;
}

export class ByokKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.ExternalKey;
    public readonly material: ImportedKeyMaterial;
    public readonly aliases: aws.kms.Alias[];
    public readonly keyId: pulumi.Output<string>;
    public readonly keyArn: pulumi.Output<string>;
    public readonly keyMaterialId: pulumi.Output<string | null>;

    constructor(name: string, args: ByokKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-kms-byok:index:ByokKey", name, {}, opts);
        const keySpec = pulumi.output(args.keySpec ?? "SYMMETRIC_DEFAULT");
        this.key = new aws.kms.ExternalKey(
            name,
            {
                description: args.description,
                deletionWindowInDays: args.deletionWindowInDays,
                keySpec,
                keyUsage: args.keyUsage ?? keySpec.apply(defaultKeyUsage),
                multiRegion: args.multiRegion,
                policy: args.policy,
                tags: args.tags,
                region: args.region,
            },
            { parent: this },
        );
        this.material = new ImportedKeyMaterial(
            `${name}-material`,
            {
                keyId: this.key.arn,
                keyMaterial: args.keyMaterial,
                keySpec,
                expirationModel: args.expirationModel,
                validTo: args.validTo,
                endpoint: args.endpoint,
                profile: args.profile,
            },
            { parent: this },
        );
        this.aliases = (args.aliases ?? []).map(
            (alias) => new aws.kms.Alias(`${name}-${alias.replace(/^alias\//, "").replace(/[^a-zA-Z0-9-]/g, "-")}`, { name: alias, targetKeyId: this.key.id, region: args.region }, { parent: this }),
        );
        this.keyId = this.key.id;
        this.keyArn = this.key.arn;
        this.keyMaterialId = this.material.keyMaterialId;
        this.registerOutputs({ keyId: this.keyId, keyArn: this.keyArn, keyMaterialId: this.keyMaterialId });
    }
}

export function defaultKeyUsage(keySpec: string): string {
    if ((HMAC_KEY_SPECS as readonly string[]).includes(keySpec)) return "GENERATE_VERIFY_MAC";
    if ((ECC_KEY_SPECS as readonly string[]).includes(keySpec)) return "SIGN_VERIFY";
    return "ENCRYPT_DECRYPT";
}
