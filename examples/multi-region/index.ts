import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial, KeyMaterialRotation } from "pulumi-kms-byok";
import { awsProviderFor } from "../kmsLocal";

/**
 * A multi-Region EXTERNAL key: a primary, replicas in other Regions, and the same material imported into
 * each (KMS never copies imported material between Regions). Setting `nextKeyMaterial` rotates the whole
 * family, in the order AWS requires: new material into the primary (PENDING_MULTI_REGION_IMPORT_AND_ROTATION),
 * the same bytes into every replica, then RotateKeyOnDemand on the primary.
 *
 *   pulumi config set aws:region us-east-1
 *   pulumi config set --path 'replicaRegions[0]' eu-west-1
 *   pulumi config set --path 'replicaRegions[1]' ap-southeast-2
 *   pulumi config set --secret keyMaterial "$(openssl rand -base64 32)"
 */
const config = new pulumi.Config();
const kmsEndpoint = config.get("kmsEndpoint");
const endpoint = kmsEndpoint ? { endpoint: kmsEndpoint } : {};
const replicaRegions = config.getObject<string[]>("replicaRegions") ?? ["eu-west-1", "ap-southeast-2"];
const provider = awsProviderFor(kmsEndpoint);

const primary = new aws.kms.ExternalKey(
    "mrk",
    { description: "multi-Region BYOK", multiRegion: true, deletionWindowInDays: 7 },
    { provider },
);
const firstMaterial = config.requireSecret("keyMaterial");
const firstInPrimary = new ImportedKeyMaterial("material-1", {
    keyId: primary.arn,
    keyMaterial: firstMaterial,
    keyMaterialDescription: "material-1",
    ...endpoint,
});

// KMS replicates an EXTERNAL primary only once it holds material (ReplicateKey refuses a PendingImport key).
const replicas = replicaRegions.map(
    (region) =>
        new aws.kms.ReplicaExternalKey(
            `mrk-${region}`,
            { primaryKeyArn: primary.arn, region, deletionWindowInDays: 7 },
            { provider, dependsOn: [firstInPrimary] },
        ),
);

/** One material in the primary (unless given) and in every replica; each resource owns it in its Region. */
function materialEverywhere(
    name: string,
    keyMaterial: pulumi.Input<string>,
    dependsOn: pulumi.Resource[],
    inPrimaryAlready?: ImportedKeyMaterial,
) {
    const inPrimary =
        inPrimaryAlready ??
        new ImportedKeyMaterial(
            name,
            {
                keyId: primary.arn,
                keyMaterial,
                keyMaterialDescription: name,
                importType: "NEW_KEY_MATERIAL",
                ...endpoint,
            },
            { dependsOn },
        );
    // The replicas accept only material the primary already has: they come after it.
    const inReplicas = replicas.map(
        (replica, i) =>
            new ImportedKeyMaterial(
                `${name}-${replicaRegions[i]}`,
                { keyId: replica.arn, keyMaterial, ...endpoint },
                { dependsOn: [inPrimary] },
            ),
    );
    return { inPrimary, inReplicas };
}

const first = materialEverywhere("material-1", firstMaterial, [], firstInPrimary);

const nextMaterial = config.getSecret("nextKeyMaterial");
if (nextMaterial) {
    const next = materialEverywhere("material-2", nextMaterial, first.inReplicas);
    // KMS rotates a multi-Region key only once every replica holds the new material.
    new KeyMaterialRotation(
        "rotate-to-material-2",
        { keyId: primary.arn, keyMaterialId: next.inPrimary.keyMaterialId, ...endpoint },
        { dependsOn: next.inReplicas },
    );
}

export const primaryArn = primary.arn;
export const replicaArns = replicas.map((r) => r.arn);
export const firstMaterialId = first.inPrimary.keyMaterialId;
