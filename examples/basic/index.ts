import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial } from "pulumi-kms-byok";
import { awsProviderFor } from "../kmsLocal";

/**
 * The basic BYOK stack: an EXTERNAL KMS key (from @pulumi/aws) and its imported material (ours).
 *
 *   pulumi config set --secret keyMaterial "$(openssl rand -base64 32)"
 *   pulumi config set validTo 2027-06-30T00:00:00Z          # optional: omit for material that never expires
 *   pulumi config set kmsEndpoint http://127.0.0.1:4599      # optional: use kms-local instead of AWS
 */
const config = new pulumi.Config();
const kmsEndpoint = config.get("kmsEndpoint");
const validTo = config.get("validTo");

const provider = awsProviderFor(kmsEndpoint);

const key = new aws.kms.ExternalKey("byok", { description: "payments BYOK", deletionWindowInDays: 7 }, { provider });

const material = new ImportedKeyMaterial("byok-material", {
    keyId: key.id,
    keyMaterial: config.requireSecret("keyMaterial"),
    ...(validTo ? { validTo } : {}),
    ...(kmsEndpoint ? { endpoint: kmsEndpoint } : {}),
});

export const keyArn = material.keyArn;
export const keyMaterialId = material.keyMaterialId;
export const keyState = material.keyState;
export const materialValidTo = material.validTo;
