// STS on kms-local's port: AssumeRole and GetCallerIdentity through the real @aws-sdk/client-sts (query protocol),
// temporary credentials that KMS then accepts (and verifies), ExternalId and trust enforcement, role chains, and
// the principal that signed every request in the request log.

import * as assert from "node:assert/strict";
import { ListKeysCommand, KMSClient } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type Credentials } from "@aws-sdk/client-sts";
import { expectKmsError, useKmsLocal } from "../fixture.js";

const ROLE_A = "arn:aws:iam::111122223333:role/ci-deployer";
const ROLE_B = "arn:aws:iam::444455556666:role/byok-importer";

describe("kms-local STS (AssumeRole, GetCallerIdentity)", () => {
    const fixture = useKmsLocal();
    const clients: { destroy(): void }[] = [];
    after(() => clients.forEach((c) => c.destroy()));
    beforeEach(() => {
        fixture().kms.control.sts.reset();
        fixture().kms.control.resetCounters();
    });

    type Identity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    const testUser = (): Identity => ({
        accessKeyId: fixture().kms.env.AWS_ACCESS_KEY_ID,
        secretAccessKey: fixture().kms.env.AWS_SECRET_ACCESS_KEY,
    });
    const fromSts = (c: Credentials): Identity => ({
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
    });

    function sts(credentials: Identity): STSClient {
        const client = new STSClient({ endpoint: fixture().kms.url, region: "us-east-1", maxAttempts: 1, credentials });
        clients.push(client);
        return client;
    }

    function kms(credentials: Identity): KMSClient {
        const client = new KMSClient({ endpoint: fixture().kms.url, region: "us-east-1", maxAttempts: 1, credentials });
        clients.push(client);
        return client;
    }

    async function assume(
        as: Identity,
        roleArn: string,
        extra: Partial<{ ExternalId: string; DurationSeconds: number }> = {},
    ) {
        return sts(as).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "test-session", ...extra }));
    }

    async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
        try {
            await promise;
        } catch (error) {
            return error as Error & { $metadata: { httpStatusCode?: number } };
        }
        assert.fail("expected a rejection");
    }

    it("GetCallerIdentity names the test user and kms-local's account", async () => {
        const id = await sts(testUser()).send(new GetCallerIdentityCommand({}));
        assert.equal(id.Account, "111122223333");
        assert.equal(id.Arn, "arn:aws:iam::111122223333:user/kms-local-test");
    });

    it(
        "AssumeRole issues temporary credentials that sign KMS calls; the request log names the " +
            "assumed-role session",
        async () => {
            const { Credentials: creds, AssumedRoleUser } = await assume(testUser(), ROLE_B);
            assert.match(creds!.AccessKeyId!, /^ASIA[0-9A-F]{16}$/);
            assert.ok(creds!.Expiration! > new Date(fixture().kms.control.clock.now()));
            assert.equal(AssumedRoleUser!.Arn, "arn:aws:sts::444455556666:assumed-role/byok-importer/test-session");
            await kms(fromSts(creds!)).send(new ListKeysCommand({}));
            const requests = fixture().kms.control.requests();
            assert.deepEqual(
                requests.map((r) => [r.operation, r.principal]),
                [
                    ["AssumeRole", "arn:aws:iam::111122223333:user/kms-local-test"],
                    ["ListKeys", "arn:aws:sts::444455556666:assumed-role/byok-importer/test-session"],
                ],
            );
            const id = await sts(fromSts(creds!)).send(new GetCallerIdentityCommand({}));
            assert.equal(id.Account, "444455556666");
            const log = JSON.stringify([fixture().kms.control.requests(), fixture().kms.control.sts.sessions()]);
            assert.ok(
                !log.includes(creds!.SecretAccessKey!) && !log.includes(creds!.SessionToken!),
                "no secret in the request log or session list",
            );
        },
    );

    it("enforces a role's ExternalId: missing or wrong is AccessDenied (403), the right one works", async () => {
        fixture().kms.control.sts.defineRole(ROLE_B, { externalId: "tenant-42" });
        for (const extra of [{}, { ExternalId: "tenant-43" }]) {
            const error = await rejection(assume(testUser(), ROLE_B, extra));
            assert.equal(error.name, "AccessDenied");
            assert.equal(error.$metadata.httpStatusCode, 403);
            assert.match(
                error.message,
                /User: arn:aws:iam::111122223333:user\/kms-local-test is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444455556666:role\/byok-importer/,
            );
        }
        const { Credentials: creds } = await assume(testUser(), ROLE_B, { ExternalId: "tenant-42" });
        assert.ok(creds?.AccessKeyId);
        assert.equal(fixture().kms.control.sts.sessions().at(-1)?.externalId, "tenant-42");
    });

    it("chains: a role trusting only another role's sessions, and the one-hour limit of chained sessions", async () => {
        fixture().kms.control.sts.defineRole(ROLE_B, {
            trustedPrincipals: [ROLE_A],
            maxSessionDurationSeconds: 43_200,
        });
        assert.equal((await rejection(assume(testUser(), ROLE_B))).name, "AccessDenied");
        const a = fromSts((await assume(testUser(), ROLE_A)).Credentials!);
        const error = await rejection(assume(a, ROLE_B, { DurationSeconds: 7200 }));
        assert.equal(error.name, "ValidationError");
        assert.match(error.message, /1 hour session limit for roles assumed by role chaining/);
        const b = fromSts((await assume(a, ROLE_B)).Credentials!);
        await kms(b).send(new ListKeysCommand({}));
        const principals = fixture()
            .kms.control.requests()
            .map((r) => `${r.operation} ${r.principal}`);
        assert.deepEqual(principals.slice(-2), [
            "AssumeRole arn:aws:sts::111122223333:assumed-role/ci-deployer/test-session",
            "ListKeys arn:aws:sts::444455556666:assumed-role/byok-importer/test-session",
        ]);
    });

    it("verifies temporary credentials on every KMS call: token, signature, expiry (kms-local clock)", async () => {
        const creds = fromSts((await assume(testUser(), ROLE_B, { DurationSeconds: 900 })).Credentials!);
        await expectKmsError(
            kms({ ...creds, sessionToken: `${creds.sessionToken}x` }).send(new ListKeysCommand({})),
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
        await expectKmsError(
            kms({ ...creds, secretAccessKey: "wrong-secret" }).send(new ListKeysCommand({})),
            "InvalidSignatureException",
        );
        await expectKmsError(
            kms({ ...creds, accessKeyId: "ASIA0000000000000000" }).send(new ListKeysCommand({})),
            "UnrecognizedClientException",
        );
        await kms(creds).send(new ListKeysCommand({}));
        fixture().kms.control.clock.advance(901_000);
        await expectKmsError(kms(creds).send(new ListKeysCommand({})), "ExpiredTokenException");
    });

    it("validates AssumeRole's parameters like STS", async () => {
        const bad = await rejection(assume(testUser(), "arn:aws:iam::111122223333:user/not-a-role"));
        assert.equal(bad.name, "ValidationError");
        const short = await rejection(assume(testUser(), ROLE_A, { DurationSeconds: 60 }));
        assert.match(short.message, /greater than or equal to 900/);
        const long = await rejection(assume(testUser(), ROLE_A, { DurationSeconds: 7200 }));
        assert.match(long.message, /MaxSessionDuration/);
    });
});
