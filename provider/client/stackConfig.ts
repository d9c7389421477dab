/**
 * Stack configuration keys read by the provider. The `aws:` keys are @pulumi/aws's own, with the same
 * meaning and shapes, so one stack config serves both providers.
 */
export const CONFIG_KEYS = {
    region: "aws:region",
    profile: "aws:profile",
    awsEndpoints: "aws:endpoints",
    accessKey: "aws:accessKey",
    secretKey: "aws:secretKey",
    token: "aws:token",
    assumeRoles: "aws:assumeRoles",
    /** @pulumi/aws 6.x's single assume-role object; still read, as the first link of the chain. */
    assumeRole: "aws:assumeRole",
    sharedCredentialsFiles: "aws:sharedCredentialsFiles",
    sharedConfigFiles: "aws:sharedConfigFiles",
    skipRegionValidation: "aws:skipRegionValidation",
    skipRequestingAccountId: "aws:skipRequestingAccountId",
    stsRegion: "aws:stsRegion",
    customCaBundle: "aws:customCaBundle",
    endpoint: "pulumi-kms-byok:endpoint",
    trustedEndpoints: "pulumi-kms-byok:trustedEndpoints",
    maxAttempts: "pulumi-kms-byok:maxAttempts",
    requestRateScale: "pulumi-kms-byok:requestRateScale",
    propagationTimeoutSeconds: "pulumi-kms-byok:propagationTimeoutSeconds",
    rotationTimeoutSeconds: "pulumi-kms-byok:rotationTimeoutSeconds",
    connectTimeoutSeconds: "pulumi-kms-byok:connectTimeoutSeconds",
    requestTimeoutSeconds: "pulumi-kms-byok:requestTimeoutSeconds",
    throttleTimeoutSeconds: "pulumi-kms-byok:throttleTimeoutSeconds",
    hsmModulePath: "pulumi-kms-byok:hsmModulePath",
    hsmPin: "pulumi-kms-byok:hsmPin",
    hsmModuleParameters: "pulumi-kms-byok:hsmModuleParameters",
    hsmAllowedModulePaths: "pulumi-kms-byok:hsmAllowedModulePaths",
    hsmSoPin: "pulumi-kms-byok:hsmSoPin",
    expiryWarningDays: "pulumi-kms-byok:expiryWarningDays",
} as const;

/** What `configure` hands over: the stack configuration, read key by key. */
export interface ConfigSource {
    get(key: string): string | undefined;
}
