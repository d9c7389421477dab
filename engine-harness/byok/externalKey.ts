// Stand-in for @pulumi/aws `aws.kms.ExternalKey`, whose provider plugin cannot run offline. Kept small on
// purpose: it does what the bridged Terraform resource does to KMS, through the real SDK (here against
// kms-local), and nothing else — CreateKey with Origin EXTERNAL, DescribeKey on refresh (a key pending
// deletion counts as gone, as terraform-provider-aws treats it), ScheduleKeyDeletion on delete.
// It never imports material: that is ImportedKeyMaterial's job in our programs.

import {
    CreateAliasCommand,
    CreateKeyCommand,
    DescribeKeyCommand,
    KMSClient,
    ReplicateKeyCommand,
    ScheduleKeyDeletionCommand,
    type KeyMetadata,
} from "@aws-sdk/client-kms";
import type { StandInResource } from "../standin";
import type { PropertyMap } from "../values";

export const EXTERNAL_KEY_TYPE = "aws:kms/externalKey:ExternalKey";
export const REPLICA_EXTERNAL_KEY_TYPE = "aws:kms/replicaExternalKey:ReplicaExternalKey";
export const ALIAS_TYPE = "aws:kms/alias:Alias";

export interface KmsEndpoint {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
}

/** The endpoint and (dummy) credentials of a running kms-local, as stand-ins and operators use them. */
export function kmsEndpointOf(kms: { url: string; env: Record<string, string> }, region = "us-east-1"): KmsEndpoint {
    return { endpoint: kms.url, region, accessKeyId: kms.env["AWS_ACCESS_KEY_ID"]!, secretAccessKey: kms.env["AWS_SECRET_ACCESS_KEY"]! };
}

/** A plain SDK client for kms-local, as the stand-ins, an operator or a test uses it (not the provider's). */
export function operatorClient(kms: KmsEndpoint, region?: unknown, maxAttempts?: number): KMSClient {
    return new KMSClient({
        endpoint: kms.endpoint,
        region: typeof region === "string" && region ? region : kms.region,
        credentials: { accessKeyId: kms.accessKeyId, secretAccessKey: kms.secretAccessKey },
        ...(maxAttempts ? { maxAttempts } : {}),
    });
}

/** The stand-ins of every @pulumi/aws resource our examples declare, by type token. */
export function awsStandIns(kms: KmsEndpoint): Record<string, StandInResource> {
    return {
        [EXTERNAL_KEY_TYPE]: externalKeyStandIn(kms),
        [REPLICA_EXTERNAL_KEY_TYPE]: replicaExternalKeyStandIn(kms),
        [ALIAS_TYPE]: aliasStandIn(kms),
    };
}

export function externalKeyStandIn(kms: KmsEndpoint): StandInResource {
    const client = (region?: unknown) => operatorClient(kms, region);
    return {
        async create(inputs) {
            const kmsClient = client(inputs["region"]);
            try {
                const { KeyMetadata: key } = await kmsClient.send(
                    new CreateKeyCommand({
                        Origin: "EXTERNAL",
                        Description: str(inputs["description"]),
                        KeySpec: str(inputs["keySpec"]) as never,
                        KeyUsage: str(inputs["keyUsage"]) as never,
                        MultiRegion: inputs["multiRegion"] === true,
                    }),
                );
                return { id: key!.KeyId!, outputs: outputsOf(key!, inputs) };
            } finally {
                kmsClient.destroy();
            }
        },
        read: (id, outputs) => readKey(client(outputs["region"]), id, outputs),
        delete: (id, outputs) => scheduleDeletion(client(outputs["region"]), id, outputs),
    };
}

/**
 * `aws.kms.ReplicaExternalKey`: ReplicateKey of an EXTERNAL multi-Region primary into another Region. The
 * replica starts without material (Creating, then PendingImport).
 */
export function replicaExternalKeyStandIn(kms: KmsEndpoint): StandInResource {
    return {
        async create(inputs) {
            const primaryArn = String(inputs["primaryKeyArn"]);
            const kmsClient = operatorClient(kms, primaryArn.split(":")[3]);
            try {
                const { ReplicaKeyMetadata: key } = await kmsClient.send(
                    new ReplicateKeyCommand({ KeyId: primaryArn, ReplicaRegion: str(inputs["region"]), Description: str(inputs["description"]) }),
                );
                return { id: key!.KeyId!, outputs: outputsOf(key!, inputs) };
            } finally {
                kmsClient.destroy();
            }
        },
        read: (id, outputs) => readKey(operatorClient(kms, outputs["region"]), id, outputs),
        delete: (id, outputs) => scheduleDeletion(operatorClient(kms, outputs["region"]), id, outputs),
    };
}

/** `aws.kms.Alias`: CreateAlias. kms-local has no DeleteAlias, so delete only forgets it. */
export function aliasStandIn(kms: KmsEndpoint): StandInResource {
    return {
        async create(inputs) {
            const kmsClient = operatorClient(kms, inputs["region"]);
            try {
                await kmsClient.send(new CreateAliasCommand({ AliasName: str(inputs["name"]), TargetKeyId: str(inputs["targetKeyId"]) }));
                return { id: String(inputs["name"]), outputs: { ...inputs } };
            } finally {
                kmsClient.destroy();
            }
        },
    };
}

async function readKey(kmsClient: KMSClient, id: string, outputs: PropertyMap): Promise<{ outputs: PropertyMap } | undefined> {
    try {
        const { KeyMetadata: key } = await kmsClient.send(new DescribeKeyCommand({ KeyId: id }));
        // Like terraform-provider-aws: a key pending deletion is gone as far as the program is concerned.
        if (!key || key.KeyState === "PendingDeletion") return undefined;
        return { outputs: outputsOf(key, outputs) };
    } catch (error) {
        if ((error as Error).name === "NotFoundException") return undefined;
        throw error;
    } finally {
        kmsClient.destroy();
    }
}

async function scheduleDeletion(kmsClient: KMSClient, id: string, outputs: PropertyMap): Promise<void> {
    try {
        const days = typeof outputs["deletionWindowInDays"] === "number" ? outputs["deletionWindowInDays"] : 30;
        await kmsClient.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: days }));
    } catch (error) {
        // Like terraform-provider-aws: a key already gone or already pending deletion is deleted.
        const e = error as Error;
        if (e.name !== "NotFoundException" && !/is pending deletion/.test(e.message)) throw error;
    } finally {
        kmsClient.destroy();
    }
}

function outputsOf(key: KeyMetadata, inputs: PropertyMap): PropertyMap {
    return {
        ...inputs,
        arn: key.Arn ?? null,
        keyId: key.KeyId ?? null,
        keyUsage: key.KeyUsage ?? null,
        multiRegion: key.MultiRegion ?? false,
        enabled: key.Enabled ?? false,
        expirationModel: key.ExpirationModel ?? null,
    };
}

const str = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);
