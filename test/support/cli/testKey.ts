import * as pulumi from "@pulumi/pulumi";

/**
 * A symmetric EXTERNAL KMS key as a resource of the test stacks themselves: a small dynamic resource standing
 * in for `aws.kms.ExternalKey`, whose provider plugin cannot be downloaded offline. The real engine runs it
 * like any dynamic resource, so its ID is unknown during a preview that creates it — the case the tests need
 * it for. CreateKey on create, ScheduleKeyDeletion on delete, and on refresh a key pending deletion or gone
 * counts as gone (as terraform-provider-aws treats it). It never imports material. Its client retries up to 10
 * times, as the AWS provider does (25), so that under injected faults it is not the weak link.
 * The KMS client is built inside each method from the inputs and the host's environment (credentials), so
 * the serialized provider captures nothing.
 */

export interface TestKeyArgs {
    endpoint: pulumi.Input<string>;
    region?: pulumi.Input<string>;
    description?: pulumi.Input<string>;
    multiRegion?: pulumi.Input<boolean>;
    /** Makes this key a multi-Region replica of that primary, in `region` (ReplicateKey). */
    primaryKeyArn?: pulumi.Input<string>;
}

interface TestKeyInputs {
    endpoint: string;
    region?: string;
    description?: string;
    multiRegion?: boolean;
    primaryKeyArn?: string;
}

const testKeyProvider: pulumi.dynamic.ResourceProvider<TestKeyInputs, TestKeyInputs & { arn: string }> = {
    async create(inputs) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized: loads at run time
        const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        if (inputs.primaryKeyArn) {
            const primaryRegion = inputs.primaryKeyArn.split(":")[3];
            const client = new kms.KMSClient({ endpoint: inputs.endpoint, region: primaryRegion, maxAttempts: 10 });
            const { ReplicaKeyMetadata } = await client.send(
                new kms.ReplicateKeyCommand({ KeyId: inputs.primaryKeyArn, ReplicaRegion: inputs.region }),
            );
            client.destroy();
            return { id: ReplicaKeyMetadata!.KeyId!, outs: { ...inputs, arn: ReplicaKeyMetadata!.Arn! } };
        }
        const client = new kms.KMSClient({
            endpoint: inputs.endpoint,
            region: inputs.region ?? "us-east-1",
            maxAttempts: 10,
        });
        const { KeyMetadata } = await client.send(
            new kms.CreateKeyCommand({
                Origin: "EXTERNAL",
                Description: inputs.description,
                MultiRegion: inputs.multiRegion,
            }),
        );
        client.destroy();
        return { id: KeyMetadata!.KeyId!, outs: { ...inputs, arn: KeyMetadata!.Arn! } };
    },
    async read(id, props) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized: loads at run time
        const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const client = new kms.KMSClient({
            endpoint: props!.endpoint,
            region: props!.region ?? "us-east-1",
            maxAttempts: 10,
        });
        try {
            const { KeyMetadata } = await client.send(new kms.DescribeKeyCommand({ KeyId: id }));
            return KeyMetadata!.KeyState === "PendingDeletion" || KeyMetadata!.KeyState === "PendingReplicaDeletion"
                ? { id: "" }
                : { id, props: props! };
        } catch (error) {
            if ((error as Error).name === "NotFoundException") return { id: "" };
            throw error;
        } finally {
            client.destroy();
        }
    },
    async diff(_id, olds, news) {
        const replaces = (["endpoint", "region", "description", "multiRegion", "primaryKeyArn"] as const).filter(
            (k) => (olds[k] ?? null) !== (news[k] ?? null),
        );
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
    async delete(id, props) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- serialized: loads at run time
        const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
        const client = new kms.KMSClient({
            endpoint: props.endpoint,
            region: props.region ?? "us-east-1",
            maxAttempts: 10,
        });
        try {
            await client.send(new kms.ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
        } catch (error) {
            if (!["NotFoundException", "KMSInvalidStateException"].includes((error as Error).name)) throw error;
        } finally {
            client.destroy();
        }
    },
};

export class TestKey extends pulumi.dynamic.Resource {
    declare public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: TestKeyArgs, opts?: pulumi.CustomResourceOptions) {
        super(testKeyProvider, name, { arn: undefined, ...args }, opts, "test", "TestKey");
    }
}
