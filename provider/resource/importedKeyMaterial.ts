import * as pulumi from "@pulumi/pulumi";
import { ArgsOf, DeclaredOutputs, secretNames, seededOutputs } from "../checks/schema";
import { providerText } from "../engine/storedProvider";
import { MATERIAL_INPUTS, MATERIAL_OUTPUTS } from "../material/schema";
import { redactFromSdkLogs } from "./debugLogRedaction";
import type { KeySpec } from "../wrapping/keySpecs";

export type { AssumeRoleArgs } from "../client/credentialSettings";

/**
 * The type of `keyMaterialId` for a key spec: KMS always reports a KeyMaterialId for symmetric keys, so it is
 * `string` when the key spec is statically `"SYMMETRIC_DEFAULT"`; asymmetric and HMAC keys may have none, and
 * a key spec known only at run time (omitted and inferred from the material, or from config) may be either.
 */
export type KeyMaterialIdFor<TKeySpec extends KeySpec> = [TKeySpec] extends ["SYMMETRIC_DEFAULT"]
    ? string
    : string | null;

/**
 * What a program writes. Every property is checked during preview, before any AWS call (the schema:
 * material/schema.ts).
 */
export interface ImportedKeyMaterialArgs<TKeySpec extends KeySpec = KeySpec> extends ArgsOf<
    typeof MATERIAL_INPUTS,
    { keySpec: pulumi.Input<TKeySpec> }
> {}

export const IMPORTED_KEY_MATERIAL_TYPE = "pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial";

/**
 * The key material of a KMS key with Origin EXTERNAL, as a resource of its own: create imports it, update
 * reimports the same bytes in place, refresh reports what KMS really holds, destroy deletes exactly this
 * material (by its KeyMaterialId).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the schema-derived outputs
export class ImportedKeyMaterial<TKeySpec extends KeySpec = KeySpec> extends pulumi.CustomResource {
    constructor(name: string, args: ImportedKeyMaterialArgs<TKeySpec>, opts?: pulumi.CustomResourceOptions) {
        // A fresh object per resource, material and PIN always secret, and every output seeded so it resolves as
        // an output. A dynamic resource (served by the dynamic-provider host) whose `__provider` is the compact text
        // of engine/storedProvider.ts, not the closure dynamic.Resource would serialize (see there).
        const given = args as unknown as Record<string, unknown>;
        const secrets = secretNames(MATERIAL_INPUTS);
        for (const kind of ["material", "credential"] as const)
            for (const name of secretNames(MATERIAL_INPUTS, kind))
                if (given[name] !== undefined) void redactFromSdkLogs(given[name] as pulumi.Input<string>, kind);
        const props = {
            ...seededOutputs(MATERIAL_OUTPUTS),
            ...args,
            ...Object.fromEntries(
                secrets.map((name) => [name, given[name] === undefined ? undefined : pulumi.secret(given[name])]),
            ),
            __provider: providerText("ImportedKeyMaterial"),
        };
        super(
            IMPORTED_KEY_MATERIAL_TYPE,
            name,
            props,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: [...secrets] }),
        );
    }
}

/**
 * The outputs the resource declares (the schema's, material/schema.ts), their types narrowed by the key spec.
 * `keyMaterialId` is typed by what KMS guarantees (see KeyMaterialIdFor).
 */
export interface ImportedKeyMaterial<TKeySpec extends KeySpec = KeySpec> extends DeclaredOutputs<
    typeof MATERIAL_OUTPUTS,
    { keySpec: pulumi.Output<TKeySpec>; keyMaterialId: pulumi.Output<KeyMaterialIdFor<TKeySpec>> }
> {}
