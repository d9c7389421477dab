import * as assert from "node:assert/strict";
import {
    CreateKeyCommand,
    DecryptCommand,
    EncryptCommand,
    GetParametersForImportCommand,
    ListKeysCommand,
    ReplicateKeyCommand,
} from "@aws-sdk/client-kms";
import { KMSClient } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { expectKmsError, useKmsLocal } from "../fixture.js";

const THROTTLED = "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.";

describe("kms-local request quotas", () => {
    // Quotas at the default: enabled at the current AWS rates.
    const f = useKmsLocal({ quotas: {} });
    const clients: { destroy(): void }[] = [];
    after(() => clients.forEach((c) => c.destroy()));
    const testUser = () => ({
        accessKeyId: f().kms.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: f().kms.env.AWS_SECRET_ACCESS_KEY,
    });
    afterEach(() => {
        f().kms.control.quotas.set({ enabled: true, scale: 1, rps: {} });
        for (const op of ["CreateKey", "ReplicateKey", "CryptographicOperationsSymmetric", "Encrypt"])
            f().kms.control.quotas.set({ rps: { [op]: undefined } });
        f().kms.control.quotas.reset();
    });

    it("defaults to the current AWS figures", () => {
        const q = f().kms.control.quotas;
        assert.deepEqual(q.get(), { enabled: true, scale: 1, rps: {} });
        assert.equal(q.rate("GetParametersForImport"), 1);
        assert.equal(q.rate("ImportKeyMaterial"), 15);
        assert.equal(q.rate("DeleteImportedKeyMaterial"), 15);
        assert.equal(q.rate("CreateKey"), 5);
        assert.equal(q.rate("DescribeKey"), 2000);
        assert.equal(q.rate("ListKeyRotations"), 100);
        assert.equal(q.rate("RotateKeyOnDemand"), 5);
        assert.equal(q.rate("CryptographicOperationsSymmetric", "us-east-1"), 100_000);
        assert.equal(q.rate("CryptographicOperationsSymmetric", "eu-central-1"), 20_000);
        assert.equal(q.rate("CryptographicOperationsSymmetric", "sa-east-1"), 10_000);
        f().kms.control.setSwitches({ quotaFigures: "2023" });
        assert.equal(q.rate("GetParametersForImport"), 0.25);
        assert.equal(q.rate("ImportKeyMaterial"), 5);
        assert.equal(q.rate("CryptographicOperationsSymmetric", "sa-east-1"), 5_500);
        f().kms.control.setSwitches({ quotaFigures: "current" });
    });

    it(
        "throttles GetParametersForImport at 1 request/s with " + "ThrottlingException (HTTP 400, recorded message)",
        async () => {
            const keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
                ?.KeyId as string;
            const call = () =>
                f().client.send(
                    new GetParametersForImportCommand({
                        KeyId: keyId,
                        WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                        WrappingKeySpec: "RSA_2048",
                    }),
                );
            await call();
            const e = await expectKmsError(call(), "ThrottlingException", THROTTLED);
            assert.equal(e.$metadata?.httpStatusCode, 400);
            await new Promise((r) => setTimeout(r, 1050));
            await call();
            assert.equal(f().kms.control.counters().GetParametersForImport?.throttled, 1);
        },
    );

    it(
        "counts per account and Region across every client: another client of the account shares the bucket, " +
            "another Region or account does not",
        async () => {
            const keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
                ?.KeyId as string;
            const request = {
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256" as const,
                WrappingKeySpec: "RSA_2048" as const,
            };
            const clientAs = (
                credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
                region = "us-east-1",
            ) => {
                const client = new KMSClient({ endpoint: f().kms.url, region, maxAttempts: 1, credentials });
                clients.push(client);
                return client;
            };
            // Another pipeline of the same account: other access keys, another connection.
            const other = clientAs({ accessKeyId: "AKIAOTHERPIPELINE000", secretAccessKey: "other" });
            const { Credentials: role } = await new STSClient({
                endpoint: f().kms.url,
                region: "us-east-1",
                maxAttempts: 1,
                credentials: testUser(),
            }).send(
                new AssumeRoleCommand({
                    RoleArn: "arn:aws:iam::444455556666:role/other-account",
                    RoleSessionName: "quota",
                }),
            );
            const otherAccount = clientAs({
                accessKeyId: role!.AccessKeyId!,
                secretAccessKey: role!.SecretAccessKey!,
                sessionToken: role!.SessionToken!,
            });
            f().kms.control.quotas.reset();
            f().kms.control.resetCounters();
            await f().client.send(new GetParametersForImportCommand(request));
            await expectKmsError(
                other.send(new GetParametersForImportCommand(request)),
                "ThrottlingException",
                THROTTLED,
            );
            // The other account's bucket is its own (kms-local enforces no key policy: the call is answered).
            await otherAccount.send(new GetParametersForImportCommand(request));
            await expectKmsError(
                clientAs(testUser(), "eu-west-1").send(new GetParametersForImportCommand(request)),
                "NotFoundException",
            );
            const counters = f().kms.control.counters().GetParametersForImport;
            assert.deepEqual({ calls: counters?.calls, throttled: counters?.throttled }, { calls: 4, throttled: 1 });
            const overHttp = (await (await fetch(`${f().kms.url}/_kms-local/counters`)).json()) as Record<
                string,
                { calls: number; throttled: number }
            >;
            assert.deepEqual(
                {
                    calls: overHttp.GetParametersForImport?.calls,
                    throttled: overHttp.GetParametersForImport?.throttled,
                },
                { calls: 4, throttled: 1 },
            );
        },
    );

    it("scales every rate (scale 10 → 10 GetParametersForImport per second)", async () => {
        f().kms.control.quotas.set({ scale: 10 });
        f().kms.control.resetCounters();
        const keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
            ?.KeyId as string;
        const call = () =>
            f().client.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_2048",
                }),
            );
        // At once: ten after each other could take long enough on a loaded machine for the bucket to refill.
        const outcomes = await Promise.allSettled(Array.from({ length: 20 }, call));
        const accepted = outcomes.filter((o) => o.status === "fulfilled").length;
        assert.ok(
            accepted >= 10 && accepted < 20,
            `a burst of 10 (one second's worth at 10/s) and no more than its refills: ${accepted} of 20 accepted`,
        );
        assert.equal(f().kms.control.counters().GetParametersForImport?.throttled, 20 - accepted);
    });

    it("honours per-operation overrides and can be disabled", async () => {
        f().kms.control.quotas.set({ rps: { ListKeys: 2 } });
        await f().client.send(new ListKeysCommand({}));
        await f().client.send(new ListKeysCommand({}));
        await expectKmsError(f().client.send(new ListKeysCommand({})), "ThrottlingException");
        f().kms.control.quotas.set({ enabled: false });
        for (let i = 0; i < 5; i++) await f().client.send(new ListKeysCommand({}));
        f().kms.control.quotas.set({ rps: { ListKeys: undefined } });
    });

    it("shares the symmetric cryptographic quota between Encrypt and Decrypt", async () => {
        const keyId = (await f().client.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
        f().kms.control.quotas.set({ rps: { CryptographicOperationsSymmetric: 3 } });
        const e = await f().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
        await f().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
        await f().client.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob }));
        await expectKmsError(
            f().client.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })),
            "ThrottlingException",
        );
        await expectKmsError(
            f().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") })),
            "ThrottlingException",
        );
    });

    it("keeps separate buckets per Region", async () => {
        f().kms.control.quotas.set({ rps: { ListKeys: 1 } });
        await f().client.send(new ListKeysCommand({}));
        await expectKmsError(f().client.send(new ListKeysCommand({})), "ThrottlingException");
        await f().clientIn("eu-west-1").send(new ListKeysCommand({}));
        f().kms.control.quotas.set({ rps: { ListKeys: undefined } });
    });

    it("counts ReplicateKey as 2 CreateKey requests in the replica Region", async () => {
        f().kms.control.quotas.set({ rps: { CreateKey: 3 } });
        const keyId = (await f().client.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId as string;
        const west = f().clientIn("us-west-2");
        await west.send(new CreateKeyCommand({}));
        await west.send(new CreateKeyCommand({}));
        // The replica Region's CreateKey bucket has 1 token left: ReplicateKey needs 2.
        await expectKmsError(
            f().client.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-2" })),
            "ThrottlingException",
        );
        await f().client.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "eu-west-1" }));
    });

    it("is retried by the SDK (ThrottlingException is retryable)", async () => {
        f().kms.control.quotas.set({ rps: { ListKeys: 5 } });
        const c = f().clientIn("ap-south-1", 4);
        for (let i = 0; i < 5; i++) await c.send(new ListKeysCommand({}));
        const r = await c.send(new ListKeysCommand({}));
        assert.ok((r.$metadata.attempts ?? 1) >= 2, `attempts ${r.$metadata.attempts}`);
    });
});
