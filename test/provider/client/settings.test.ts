import assert from "node:assert/strict";
import { DEFAULTS, readProviderSettings, resolveClientSettings } from "../../../provider/client/settings";

const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });
const ARN = "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("provider/client/settings", () => {
    it("reads the stack's aws: keys and our own", () => {
        const settings = readProviderSettings(
            config({
                "aws:region": "eu-west-1",
                "aws:profile": "byok",
                "pulumi-kms-byok:maxAttempts": "12",
                "pulumi-kms-byok:requestRateScale": "2.5",
                "pulumi-kms-byok:propagationTimeoutSeconds": "30",
            }),
        );
        assert.deepEqual(settings, {
            region: "eu-west-1",
            profile: "byok",
            maxAttempts: 12,
            requestRateScale: 2.5,
            propagationTimeoutSeconds: 30,
            credentials: { assumeRoles: [] },
        });
    });

    it("takes the KMS endpoint from aws:endpoints (shared with @pulumi/aws) unless ours is set", () => {
        const endpoints = JSON.stringify([{ s3: "http://s3" }, { kms: "http://127.0.0.1:4599" }]);
        assert.equal(readProviderSettings(config({ "aws:endpoints": endpoints })).endpoint, "http://127.0.0.1:4599");
        assert.equal(
            readProviderSettings(config({ "aws:endpoints": endpoints, "pulumi-kms-byok:endpoint": "http://x" }))
                .endpoint,
            "http://x",
        );
        assert.equal(readProviderSettings(config({ "aws:endpoints": "not json" })).endpoint, undefined);
    });

    it("refuses numbers outside their bounds, naming the key and the bounds, never the value", () => {
        const bad = config({
            "pulumi-kms-byok:maxAttempts": "lots",
            "pulumi-kms-byok:requestRateScale": "5e-7",
            "pulumi-kms-byok:connectTimeoutSeconds": "0",
            "pulumi-kms-byok:requestTimeoutSeconds": "86400",
            "pulumi-kms-byok:throttleTimeoutSeconds": "7200",
            "pulumi-kms-byok:rotationTimeoutSeconds": "60",
        });
        const settings = readProviderSettings(bad);
        assert.equal(settings.rotationTimeoutSeconds, 60);
        assert.equal(settings.requestRateScale, undefined);
        assert.deepEqual(
            settings.problems?.map((p) => p.split(" must ")[0]),
            [
                "pulumi-kms-byok:maxAttempts",
                "pulumi-kms-byok:requestRateScale",
                "pulumi-kms-byok:connectTimeoutSeconds",
                "pulumi-kms-byok:requestTimeoutSeconds",
                "pulumi-kms-byok:throttleTimeoutSeconds",
            ],
        );
        assert.match(settings.problems[4], /from 1 to 3600 \(default 1800\)/);
        assert.match(settings.problems[1], /from 0\.01 to 100/);
        for (const value of ["lots", "5e-7", "86400", "7200"])
            assert.ok(!settings.problems.join(" ").includes(value), "the value is not quoted");
        // and every operation refuses to run with them
        assert.deepEqual(resolveClientSettings({}, settings, {}).problems, settings.problems);
        assert.equal(resolveClientSettings({}, settings, {}).requestRateScale, DEFAULTS.requestRateScale);
    });

    it("refuses out-of-bounds numbers given in code and in AWS_MAX_ATTEMPTS too", () => {
        assert.equal(resolveClientSettings({}, { requestRateScale: 1e-9 }, {}).problems.length, 1);
        const fromEnvironment = resolveClientSettings({}, {}, { AWS_MAX_ATTEMPTS: "1000" });
        assert.deepEqual(
            [fromEnvironment.problems.length, fromEnvironment.environmentProblems.length],
            [0, 1],
            "the environment's problem is not the stack configuration's",
        );
        assert.match(fromEnvironment.environmentProblems[0], /^AWS_MAX_ATTEMPTS /);
        assert.equal(resolveClientSettings({}, {}, { AWS_MAX_ATTEMPTS: "3" }).maxAttempts, 3);
    });

    it(
        "reads expiryWarningDays: a whole number of days, 0 (off) to 365; anything else is a problem (refused " +
            "at check), its value not quoted",
        () => {
            const key = "pulumi-kms-byok:expiryWarningDays";
            assert.equal(readProviderSettings(config({ [key]: "45" })).expiryWarningDays, 45);
            assert.equal(readProviderSettings(config({ [key]: "0" })).expiryWarningDays, 0);
            assert.equal(readProviderSettings(config({ [key]: "365" })).expiryWarningDays, 365);
            assert.equal(readProviderSettings(config({ [key]: "0" })).problems, undefined);
            for (const bad of ["366", "-1", "2.5", "soon"]) {
                const settings = readProviderSettings(config({ [key]: bad }));
                assert.equal(settings.expiryWarningDays, undefined, bad);
                assert.equal(settings.problems?.length, 1, bad);
                assert.match(
                    settings.problems[0],
                    /^pulumi-kms-byok:expiryWarningDays must be a whole number from 0 to 365 \(default 30\)/,
                );
                assert.ok(!settings.problems[0].includes(` ${bad}`), "the value is not quoted");
            }
        },
    );

    it("resolves region: resource input, then the key ARN, then aws:region, then the environment", () => {
        const env = { AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "us-east-2" };
        assert.equal(
            resolveClientSettings({ keyId: ARN, region: "eu-central-1" }, { region: "eu-west-1" }, env).region,
            "eu-central-1",
        );
        assert.equal(resolveClientSettings({ keyId: ARN }, { region: "eu-west-1" }, env).region, "ap-south-1");
        assert.equal(resolveClientSettings({ keyId: "k" }, { region: "eu-west-1" }, env).region, "eu-west-1");
        assert.equal(resolveClientSettings({ keyId: "k" }, {}, env).region, "us-west-2");
        assert.equal(
            resolveClientSettings({ keyId: "k" }, {}, { AWS_DEFAULT_REGION: "us-east-2" }).region,
            "us-east-2",
        );
        assert.equal(resolveClientSettings({ keyId: "k" }, {}, {}).region, undefined);
    });

    it("resolves endpoint and profile: input, then config, then AWS_ENDPOINT_URL_KMS / AWS_PROFILE", () => {
        const env = {
            AWS_ENDPOINT_URL_KMS: "http://env",
            AWS_ENDPOINT_URL: "http://generic",
            AWS_PROFILE: "envprofile",
        };
        assert.equal(
            resolveClientSettings({ endpoint: "http://input" }, { endpoint: "http://config" }, env).kmsEndpoint,
            "http://input",
        );
        assert.equal(resolveClientSettings({}, { endpoint: "http://config" }, env).kmsEndpoint, "http://config");
        assert.equal(resolveClientSettings({}, {}, env).kmsEndpoint, "http://env");
        assert.equal(
            resolveClientSettings({}, {}, { AWS_ENDPOINT_URL: "http://generic" }).kmsEndpoint,
            "http://generic",
        );
        assert.equal(
            resolveClientSettings({}, {}, { AWS_ENDPOINT_URL: "http://generic" }).chosenBy,
            "AWS_ENDPOINT_URL",
        );
        assert.equal(resolveClientSettings({}, {}, env).chosenBy, "AWS_ENDPOINT_URL_KMS");
        assert.equal(resolveClientSettings({}, {}, env).profile, "envprofile");
        assert.equal(resolveClientSettings({ profile: "p" }, { profile: "c" }, env).profile, "p");
    });

    it("has defaults for retries and timeouts", () => {
        const settings = resolveClientSettings({}, {}, {});
        assert.equal(settings.maxAttempts, DEFAULTS.maxAttempts);
        assert.equal(settings.propagationTimeoutMs, DEFAULTS.propagationTimeoutSeconds * 1000);
        assert.equal(settings.rotationTimeoutMs, DEFAULTS.rotationTimeoutSeconds * 1000);
        assert.equal(settings.connectTimeoutMs, 10_000);
        assert.equal(settings.requestTimeoutMs, 60_000);
    });
});
