import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { ImportedKeyMaterial, type ImportedKeyMaterialArgs } from "../../../provider";

/**
 * Programs the real-CLI tests run, written as a user writes them: the key's ID and the material come from
 * stack config (the material as a secret), everything else is plain program code.
 */

export type MaterialArgs = Omit<ImportedKeyMaterialArgs, "keyId" | "keyMaterial">;

export interface MaterialDeclaration {
    name: string;
    /** Config key holding the key ID or ARN (default "keyId"), or a value computed in the program. */
    keyId?: string | (() => pulumi.Input<string>);
    /** Secret config key holding the base64 material (default "keyMaterial"). */
    materialConfig?: string;
    args?: MaterialArgs;
    opts?: pulumi.CustomResourceOptions;
}

/** One ImportedKeyMaterial per declaration, in order; each exports its keyMaterialId, keyState and validTo. */
export function materialsProgram(...declarations: MaterialDeclaration[]): PulumiFn {
    return async () => {
        const config = new pulumi.Config();
        const outputs: Record<string, pulumi.Output<unknown>> = {};
        const created = new Map<string, ImportedKeyMaterial>();
        for (const d of declarations) {
            const keyId = typeof d.keyId === "function" ? d.keyId() : config.require(d.keyId ?? "keyId");
            const resource = new ImportedKeyMaterial(
                d.name,
                { keyId, keyMaterial: config.requireSecret(d.materialConfig ?? "keyMaterial"), ...d.args },
                d.opts,
            );
            created.set(d.name, resource);
            outputs[`${d.name}.keyMaterialId`] = resource.keyMaterialId;
            outputs[`${d.name}.keyState`] = resource.keyState;
        }
        return outputs;
    };
}

/** The basic program: one material named "byok-material" for config `keyId`/`keyMaterial`. */
export function basicProgram(args: MaterialArgs = {}): PulumiFn {
    return materialsProgram({ name: "byok-material", args });
}
