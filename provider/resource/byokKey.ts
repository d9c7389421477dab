import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgsOf, DeclaredOutputs } from "../checks/schema";
import { HMAC_KEY_SPECS, ECC_KEY_SPECS, KeySpec, KeyUsage } from "../wrapping/keySpecs";
import { BYOK_KEY_OUTPUTS, BYOK_KEY_INPUTS, BYOK_TO_MATERIAL } from "./byokKeySchema";
import { ImportedKeyMaterial, ImportedKeyMaterialArgs, KeyMaterialIdFor } from "./importedKeyMaterial";

/**
 * "A BYOK key" in one line: an EXTERNAL KMS key (aws.kms.ExternalKey) and its imported material (the schema:
 * byokKeySchema.ts).
 */
export interface ByokKeyArgs<TKeySpec extends KeySpec = "SYMMETRIC_DEFAULT"> extends ArgsOf<
    typeof BYOK_KEY_INPUTS,
    { keySpec: pulumi.Input<TKeySpec>; aliases: string[] }
> {}

/**
 * A component: an `aws.kms.ExternalKey`, its `ImportedKeyMaterial` and optional aliases. `TKeySpec` defaults
 * to SYMMETRIC_DEFAULT like the key spec itself, so `keyMaterialId` is a plain string unless another spec is given.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the schema-derived outputs
export class ByokKey<TKeySpec extends KeySpec = "SYMMETRIC_DEFAULT"> extends pulumi.ComponentResource {
    /** The EXTERNAL KMS key. */
    public readonly key: aws.kms.ExternalKey;
    /** Its imported material (all of `ImportedKeyMaterial`'s outputs: keyState, materialCondition, publicKey, …). */
    public readonly material: ImportedKeyMaterial<TKeySpec>;
    /** The aliases created for the key, in the order given. */
    public readonly aliases: aws.kms.Alias[];

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
                ...(Object.fromEntries(
                    BYOK_TO_MATERIAL.map((name) => [name, (args as Record<string, unknown>)[name]]),
                ) as Partial<ImportedKeyMaterialArgs<TKeySpec>>),
                keyId: this.key.arn,
                keySpec,
            },
            { parent: this },
        );
        this.aliases = (args.aliases ?? []).map(
            (alias) =>
                new aws.kms.Alias(
                    `${name}-${alias.replace(/^alias\//, "").replace(/[^a-zA-Z0-9-]/g, "-")}`,
                    { name: alias, targetKeyId: this.key.id, region: args.region },
                    { parent: this },
                ),
        );
        const children: Record<string, object> = { key: this.key, material: this.material };
        const outputs = Object.fromEntries(
            Object.entries(BYOK_KEY_OUTPUTS).map(([name, { from }]) => {
                const [child, property] = from.split(".") as [string, string];
                return [name, (children[child] as Record<string, unknown>)[property]];
            }),
        );
        Object.assign(this, outputs);
        this.registerOutputs(outputs);
    }
}

/** The outputs the component declares (the schema's, byokKeySchema.ts); keyMaterialId typed by the key spec. */
export interface ByokKey<TKeySpec extends KeySpec = "SYMMETRIC_DEFAULT"> extends DeclaredOutputs<
    typeof BYOK_KEY_OUTPUTS,
    { keyMaterialId: pulumi.Output<KeyMaterialIdFor<TKeySpec>> }
> {}

export function defaultKeyUsage(keySpec: string): KeyUsage {
    if ((HMAC_KEY_SPECS as readonly string[]).includes(keySpec)) return "GENERATE_VERIFY_MAC";
    if ((ECC_KEY_SPECS as readonly string[]).includes(keySpec)) return "SIGN_VERIFY";
    return "ENCRYPT_DECRYPT";
}
