import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial } from "pulumi-kms-byok";
import { awsProviderFor } from "../kmsLocal";

/**
 * Rotation of imported material: one symmetric EXTERNAL key, its first material, and — once you set
 * `nextKeyMaterial` — a second material imported as NEW_KEY_MATERIAL and rotated in on demand. Old
 * ciphertexts keep decrypting (their material stays, NON_CURRENT); keep the first resource in the program.
 *
 *   pulumi config set --secret keyMaterial "$(openssl rand -base64 32)"
 *   pulumi up
 *   pulumi config set --secret nextKeyMaterial "$(openssl rand -base64 32)"
 *   pulumi up        # imports material 2 (PENDING_ROTATION), rotates, waits until it is CURRENT
 */
const config = new pulumi.Config();
const kmsEndpoint = config.get("kmsEndpoint");
const endpoint = kmsEndpoint ? { endpoint: kmsEndpoint } : {};
const provider = awsProviderFor(kmsEndpoint);

const key = new aws.kms.ExternalKey(
    "rotating",
    { description: "BYOK with on-demand rotation", deletionWindowInDays: 7 },
    { provider },
);

const first = new ImportedKeyMaterial("material-1", {
    keyId: key.arn,
    keyMaterial: config.requireSecret("keyMaterial"),
    keyMaterialDescription: "material 1",
    ...endpoint,
});

const nextMaterial = config.getSecret("nextKeyMaterial");
const second = nextMaterial
    ? new ImportedKeyMaterial(
          "material-2",
          {
              keyId: key.arn,
              keyMaterial: nextMaterial,
              importType: "NEW_KEY_MATERIAL",
              keyMaterialDescription: "material 2",
              rotateOnDemand: true,
              ...endpoint,
          },
          { dependsOn: [first] },
      )
    : undefined;

export const keyArn = key.arn;
export const firstMaterialId = first.keyMaterialId;
export const firstMaterialState = first.keyMaterialState;
export const currentMaterialId = second ? second.keyMaterialId : first.keyMaterialId;
