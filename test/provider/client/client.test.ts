import assert from "node:assert/strict";
import { DescribeKeyCommand, GetParametersForImportCommand, RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { randomBytes } from "node:crypto";
import { kmsClient, serverNow } from "../../../provider/client/client";
import { createMaterial } from "../../../provider/dynamic/operations";
import { resolveClientSettings } from "../../../provider/client/settings";
import { useProviderKms } from "../../support/kms";

/** The provider's KMS client against kms-local: what it retries, and KMS's clock. */
describe("provider/client/client (against kms-local)", () => {
    const fixture = useProviderKms();
    const DAY = 86_400_000;
    const UNKNOWN_KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";

    function client(maxAttempts = 4) {
        const settings = resolveClientSettings({}, { region: "us-east-1", endpoint: fixture().kms.url, maxAttempts, requestRateScale: 1000 }, {});
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
        assert.ok(Math.abs(serverNow(kms).getTime() - fixture().kms.control.clock.now()) < 5_000, "serverNow is KMS's clock");
    });

    it("does not retry LimitExceededException (a hard quota), but retries throttling", async () => {
        const key = await fixture().createKey();
        await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: randomBytes(32).toString("base64") });
        await createMaterial(fixture().context, { keyId: key.KeyId!, keyMaterial: randomBytes(32).toString("base64"), importType: "NEW_KEY_MATERIAL" });
        fixture().kms.control.setSwitches({ onDemandRotationLimit: 0 });
        try {
            const kms = kmsClient(resolveClientSettings({}, { region: "us-east-1", endpoint: fixture().kms.url, maxAttempts: 4 }, {})).client;
            const limit = await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
            assert.equal(limit.name, "LimitExceededException");
            assert.equal(limit.$metadata.attempts, 1);
        } finally {
            fixture().kms.control.resetSwitches();
        }
        fixture().kms.control.quotas.set({ rps: { GetParametersForImport: 0.2 } });
        try {
            const key = await fixture().createKey();
            const kms = client(2);
            const request = () => kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
            await request();
            const throttled = await failure(request());
            assert.equal(throttled.name, "ThrottlingException");
            assert.equal(throttled.$metadata.attempts, 2, "throttling is retried");
        } finally {
            fixture().kms.control.quotas.set({ rps: {} });
        }
    });
});
