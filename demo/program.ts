import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial } from "../provider";

/**
 * The demo's stack: examples/basic without its aws.kms.ExternalKey (the @pulumi/aws plugin cannot be
 * downloaded offline, so the key is created beforehand and passed in as config, as a platform team owning
 * the key would).
 */
export async function demoProgram(): Promise<Record<string, pulumi.Output<unknown>>> {
    const config = new pulumi.Config();
    const validTo = config.get("validTo");
    const material = new ImportedKeyMaterial("byok-material", {
        keyId: config.require("keyId"),
        keyMaterial: config.requireSecret("keyMaterial"),
        ...(validTo ? { validTo } : {}),
    });
    return {
        keyArn: material.keyArn,
        keyMaterialId: material.keyMaterialId,
        keyState: material.keyState,
        materialValidTo: material.validTo,
    };
}
