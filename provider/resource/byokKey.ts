import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ExpirationModel } from "../material/properties";
import { HMAC_KEY_SPECS, ECC_KEY_SPECS, KeySpec, KeyUsage } from "../wrapping/keySpecs";
import { AssumeRoleArgs, ImportedKeyMaterial, KeyMaterialIdFor } from "./importedKeyMaterial";

/** "A BYOK key" in one line: an EXTERNAL KMS key (aws.kms.ExternalKey) and its imported material. */
export interface ByokKeyArgs<TKeySpec extends KeySpec = "SYMMETRIC_DEFAULT"> {
    /**
     * The plaintext key material: base64 of the raw key (symmetric, HMAC), or a private key as PEM text or as
     * base64 of DER PKCS#8, PKCS#1 or SEC1. Always stored as a secret. Exactly one of keyMaterial and hsmKey.
     */
    keyMaterial?: pulumi.Input<string>;
    /** The material as an HSM object: its PKCS#11 URI (see ImportedKeyMaterialArgs.hsmKey). */
    hsmKey?: pulumi.Input<string>;
    /** The token's user PIN for hsmKey (always stored as a secret). */
    hsmPin?: pulumi.Input<string>;
    /** The PKCS#11 library's C_Initialize parameters (always stored as a secret; see ImportedKeyMaterialArgs.hsmModuleParameters). */
    hsmModuleParameters?: pulumi.Input<string>;
    /** Generate the material inside the token when hsmKey's object does not exist yet (see ImportedKeyMaterialArgs.hsmGenerate). */
    hsmGenerate?: pulumi.Input<boolean>;
    /** Default SYMMETRIC_DEFAULT (not inferred from the material: the key is created first). */
    keySpec?: pulumi.Input<TKeySpec>;
    /** Default: GENERATE_VERIFY_MAC for HMAC, SIGN_VERIFY for ECC, ENCRYPT_DECRYPT otherwise. */
    keyUsage?: pulumi.Input<KeyUsage>;
    /** The key's description. */
    description?: pulumi.Input<string>;
    /** Waiting period when the key is destroyed, 7–30 days. Default 30. */
    deletionWindowInDays?: pulumi.Input<number>;
    /** Default: KEY_MATERIAL_EXPIRES when validTo is set, else KEY_MATERIAL_DOES_NOT_EXPIRE. */
    expirationModel?: pulumi.Input<ExpirationModel>;
    /** ISO 8601 time at which KMS deletes the material; in the future, at most 365 days ahead. */
    validTo?: pulumi.Input<string>;
    /** Material that renews itself (see ImportedKeyMaterial): the alternative to validTo. */
    validityPeriodHours?: pulumi.Input<number>;
    /** With validityPeriodHours: how many hours before validTo renewal is due. Default: a third of the period. */
    earlyRenewalHours?: pulumi.Input<number>;
    /** Create a multi-Region primary key (its replicas need material of their own: see the README). */
    multiRegion?: pulumi.Input<boolean>;
    /** The key policy (JSON). Default: KMS's default key policy. */
    policy?: pulumi.Input<string>;
    /** Tags of the key. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Aliases to create for the key, e.g. ["alias/payments"]. */
    aliases?: string[];
    /** Region of the key. Default: the AWS provider's. */
    region?: pulumi.Input<string>;
    /** KMS endpoint for the material import (the key's own endpoint comes from the AWS provider). */
    endpoint?: pulumi.Input<string>;
    /** Named AWS profile for the material import. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile?: pulumi.Input<string>;
    /** For the material import: see ImportedKeyMaterialArgs. */
    trustedEndpoints?: pulumi.Input<pulumi.Input<string>[]>;
    /** For the material import: a role in the key's account (the key itself uses the AWS provider's credentials). */
    assumeRole?: pulumi.Input<AssumeRoleArgs>;
}

/**
 * A component: an `aws.kms.ExternalKey`, its `ImportedKeyMaterial` and optional aliases. `TKeySpec` defaults
 * to SYMMETRIC_DEFAULT like the key spec itself, so `keyMaterialId` is a plain string unless another spec is given.
 */
export class ByokKey<TKeySpec extends KeySpec = "SYMMETRIC_DEFAULT"> extends pulumi.ComponentResource {
    /** The EXTERNAL KMS key. */
    public readonly key: aws.kms.ExternalKey;
    /** Its imported material (all of `ImportedKeyMaterial`'s outputs: keyState, materialCondition, publicKey, …). */
    public readonly material: ImportedKeyMaterial<TKeySpec>;
    /** The aliases created for the key, in the order given. */
    public readonly aliases: aws.kms.Alias[];
    /** The key's ID. */
    public readonly keyId: pulumi.Output<string>;
    /** The key's ARN (the same as `arn`). */
    public readonly keyArn: pulumi.Output<string>;
    /** The key's ARN, named as on `aws.kms.Key` / `aws.kms.ExternalKey`, so a ByokKey can stand where those did. */
    public readonly arn: pulumi.Output<string>;
    /** The material's KeyMaterialId: a string for symmetric keys; for other specs null unless KMS reports one. */
    public readonly keyMaterialId: pulumi.Output<KeyMaterialIdFor<TKeySpec>>;
    /** When the material expires (ISO 8601), as KMS reports it; null for material that does not expire. */
    public readonly validTo: pulumi.Output<string | null>;
    /** When the next `pulumi up` renews the material (null without validityPeriodHours). */
    public readonly renewalDueAt: pulumi.Output<string | null>;
    /** The material's key check value (AES-CMAC, 3 bytes hex; null but for SYMMETRIC_DEFAULT), to compare with the HSM or a key ceremony record. */
    public readonly keyCheckValue: pulumi.Output<string | null>;

    constructor(name: string, args: ByokKeyArgs<TKeySpec>, opts?: pulumi.ComponentResourceOptions) {
        super("pulumi-kms-byok:index:ByokKey", name, {}, opts);
        // Without keySpec, TKeySpec is its default, "SYMMETRIC_DEFAULT": the same default as here.
        const keySpec = pulumi.output(args.keySpec ?? "SYMMETRIC_DEFAULT") as pulumi.Output<TKeySpec>;
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
        this.material = new ImportedKeyMaterial<TKeySpec>(
            `${name}-material`,
            {
                keyId: this.key.arn,
                keyMaterial: args.keyMaterial,
                hsmKey: args.hsmKey,
                hsmPin: args.hsmPin,
                hsmModuleParameters: args.hsmModuleParameters,
                hsmGenerate: args.hsmGenerate,
                keySpec,
                expirationModel: args.expirationModel,
                validTo: args.validTo,
                validityPeriodHours: args.validityPeriodHours,
                earlyRenewalHours: args.earlyRenewalHours,
                endpoint: args.endpoint,
                profile: args.profile,
                trustedEndpoints: args.trustedEndpoints,
                assumeRole: args.assumeRole,
            },
            { parent: this },
        );
        this.aliases = (args.aliases ?? []).map(
            (alias) => new aws.kms.Alias(`${name}-${alias.replace(/^alias\//, "").replace(/[^a-zA-Z0-9-]/g, "-")}`, { name: alias, targetKeyId: this.key.id, region: args.region }, { parent: this }),
        );
        this.keyId = this.key.id;
        this.keyArn = this.key.arn;
        this.arn = this.key.arn;
        this.keyMaterialId = this.material.keyMaterialId;
        this.validTo = this.material.validTo;
        this.renewalDueAt = this.material.renewalDueAt;
        this.keyCheckValue = this.material.keyCheckValue;
        this.registerOutputs({
            keyId: this.keyId,
            keyArn: this.keyArn,
            arn: this.arn,
            keyMaterialId: this.keyMaterialId,
            validTo: this.validTo,
            renewalDueAt: this.renewalDueAt,
            keyCheckValue: this.keyCheckValue,
        });
    }
}

export function defaultKeyUsage(keySpec: string): KeyUsage {
    if ((HMAC_KEY_SPECS as readonly string[]).includes(keySpec)) return "GENERATE_VERIFY_MAC";
    if ((ECC_KEY_SPECS as readonly string[]).includes(keySpec)) return "SIGN_VERIFY";
    return "ENCRYPT_DECRYPT";
}
