import * as aws from "@pulumi/aws";

/**
 * Shared by the examples: with `kmsEndpoint` set (for example kms-local's http://127.0.0.1:4599), an AWS
 * provider that sends KMS calls there and skips the STS/IAM calls kms-local does not answer. Without it,
 * undefined: the default AWS provider and real AWS.
 */
export function awsProviderFor(kmsEndpoint: string | undefined, region?: string): aws.Provider | undefined {
    if (!kmsEndpoint) return undefined;
    return new aws.Provider(`kms-local${region ? `-${region}` : ""}`, {
        region: (region ?? aws.config.region ?? "us-east-1") as aws.Region,
        accessKey: "test",
        secretKey: "test",
        endpoints: [{ kms: kmsEndpoint }],
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
    });
}
