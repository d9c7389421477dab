// Stand-in for @pulumi/aws `aws.kms.ExternalKey`, whose provider plugin cannot run offline. Kept small on
// purpose: it does what the bridged Terraform resource does to KMS, through the real SDK (here against
// kms-local), and nothing else — CreateKey with Origin EXTERNAL, DescribeKey on refresh (a key pending
// deletion counts as gone, as terraform-provider-aws treats it), ScheduleKeyDeletion on delete.
// It never imports material: that is ImportedKeyMaterial's job in our programs.

import {
    CreateKeyCommand,
    DescribeKeyCommand,
    KMSClient,
    ScheduleKeyDeletionCommand,
    type KeyMetadata,
} from "@aws-sdk/client-kms";
import type { StandInResource } from "../standin";
import type { PropertyMap } from "../values";

export const EXTERNAL_KEY_TYPE = "aws:kms/externalKey:ExternalKey";

export interface KmsEndpoint {
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
}

export function externalKeyStandIn(kms: KmsEndpoint): StandInResource {
    const client = (region?: unknown) =>
        new KMSClient({
            endpoint: kms.endpoint,
            region: typeof region === "string" && region ? region : kms.region,
            credentials: { accessKeyId: kms.accessKeyId, secretAccessKey: kms.secretAccessKey },
        });
    return {
        async create(inputs) {
            const kmsClient = client(inputs["region"]);
            try {
                const { KeyMetadata: key } = await kmsClient.send(
                    new CreateKeyCommand({
                        Origin: "EXTERNAL",
                        Description: str(inputs["description"]),
                        KeySpec: str(inputs["customerMasterKeySpec"]) as never,
                        KeyUsage: str(inputs["keyUsage"]) as never,
                        MultiRegion: inputs["multiRegion"] === true,
                    }),
                );
                return { id: key!.KeyId!, outputs: outputsOf(key!, inputs) };
            } finally {
                kmsClient.destroy();
            }
        },
        async read(id, outputs) {
            const kmsClient = client(outputs["region"]);
            try {
                const { KeyMetadata: key } = await kmsClient.send(new DescribeKeyCommand({ KeyId: id }));
                if (!key || key.KeyState === "PendingDeletion") return undefined;
                return { outputs: outputsOf(key, outputs) };
            } catch (error) {
                if ((error as Error).name === "NotFoundException") return undefined;
                throw error;
            } finally {
                kmsClient.destroy();
            }
        },
        async delete(id, outputs) {
            const kmsClient = client(outputs["region"]);
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
        },
    };
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
