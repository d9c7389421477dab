import assert from "node:assert/strict";
import {
    DescribeKeyCommand,
    GetParametersForImportCommand,
    KMSClient,
    RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import { randomBytes } from "node:crypto";
import { kmsClient, serverNow } from "../../../provider/client/client";
import { createMaterial } from "../../../provider/material/lifecycle";
import { resolveClientSettings } from "../../../provider/client/settings";
import { useProviderKms } from "../../support/kms";

/** The provider's KMS client against kms-local: what it retries, and KMS's clock. */
describe("provider/client/client (against kms-local)", () => {
    const fixture = useProviderKms();
    const DAY = 86_400_000;
    const UNKNOWN_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";

    function client(maxAttempts = 4) {
        const settings = resolveClientSettings(
            {},
            { region: "us-east-1", endpoint: fixture().kms.url, maxAttempts, requestRateScale: 1000 },
            {},
        );
        return kmsClient(settings).client;
    }

    async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { attempts?: number } }> {
        try {
            await promise;
        } catch (error) {
            return error as Error & { $metadata: { attempts?: number } };
        }
        assert.fail("expected a failure");
    }

    it("takes KMS's time from its responses, and with a skewed KMS clock still fails a NotFound at once", async () => {
        fixture().kms.control.clock.advance(3 * DAY);
        const kms = client();
        const error = await failure(kms.send(new DescribeKeyCommand({ KeyId: UNKNOWN_KEY })));
        assert.equal(error.name, "NotFoundException");
        assert.equal(error.$metadata.attempts, 1, "a client error is not retried because the clock skew was corrected");
        assert.ok(
            Math.abs(serverNow(kms).getTime() - fixture().kms.control.clock.now()) < 5_000,
            "serverNow is KMS's clock",
        );
    });

    it("does not retry LimitExceededException (a hard quota)", async () => {
        const key = await fixture().createKey();
        await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: randomBytes(32).toString("base64") });
        await createMaterial(fixture().context, {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
            importType: "NEW_KEY_MATERIAL",
        });
        fixture().kms.control.setSwitches({ onDemandRotationLimit: 0 });
        try {
            const kms = kmsClient(
                resolveClientSettings({}, { region: "us-east-1", endpoint: fixture().kms.url, maxAttempts: 4 }, {}),
            ).client;
            const limit = await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
            assert.equal(limit.name, "LimitExceededException");
            assert.equal(limit.$metadata.attempts, 1);
        } finally {
            fixture().kms.control.resetSwitches();
        }
    });

    describe("throttling (the quota is shared with callers the provider cannot see)", () => {
        const parameters = (kms: KMSClient, keyId: string) =>
            kms.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_2048",
                }),
            );
        afterEach(() => fixture().kms.control.quotas.set({ rps: {} }));

        it(
            "costs no attempt: with maxAttempts 1 (no retries) every throttled call waits its " +
                "turn again and succeeds",
            async () => {
                const key = await fixture().createKey();
                // KMS allows 2/s, while this client's pacing assumes 100/s (its requestRateScale): KMS must throttle
                // it.
                fixture().kms.control.quotas.set({ rps: { GetParametersForImport: 2 } });
                fixture().kms.control.resetCounters();
                const kms = kmsClient(
                    resolveClientSettings(
                        {},
                        { region: "us-east-1", endpoint: fixture().kms.url, maxAttempts: 1, requestRateScale: 100 },
                        {},
                    ),
                ).client;
                const answers = await Promise.all(Array.from({ length: 6 }, () => parameters(kms, key.KeyId!)));
                assert.equal(answers.length, 6);
                const counters = fixture().kms.control.counters()["GetParametersForImport"];
                assert.ok(counters.throttled >= 1, `KMS throttled the client (${JSON.stringify(counters)})`);
                assert.equal(counters.calls - counters.throttled, 6, "each call was accepted once");
            },
        );

        it(
            "fails a call throttled longer than throttleTimeoutSeconds, naming the operation, the pace " +
                "reached and the settings",
            async () => {
                const key = await fixture().createKey();
                fixture().kms.control.quotas.set({ rps: { GetParametersForImport: 0.001 } });
                const kms = kmsClient(
                    resolveClientSettings(
                        {},
                        {
                            region: "us-east-1",
                            endpoint: fixture().kms.url,
                            maxAttempts: 8,
                            requestRateScale: 50,
                            throttleTimeoutSeconds: 1,
                        },
                        {},
                    ),
                ).client;
                await parameters(kms, key.KeyId!);
                const error = await failure(parameters(kms, key.KeyId!));
                assert.equal(error.name, "KmsThrottledError");
                assert.match(
                    error.message,
                    /^GetParametersForImport: KMS kept throttling this request for longer than pulumi-kms-byok:throttleTimeoutSeconds \(1 s\)/,
                );
                assert.match(
                    error.message,
                    /this stack's pace for it had come down to [\d.]+\/s of the 50\/s quota it assumes/,
                );
                assert.match(error.message, /pulumi-kms-byok:requestRateScale \(docs\/guides\/quotas\.md\)/);
                assert.equal((error.cause as Error).name, "ThrottlingException");
            },
        );
    });
});
