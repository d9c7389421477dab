import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispatch } from "../../../provider/engine/runtime";
import type { MaterialOutputs } from "../../../provider/material/properties";
import { useProviderKms } from "../../support/kms";

/**
 * Credentials as @pulumi/aws users configure them (aws:accessKey/secretKey/token, aws:assumeRoles,
 * aws:sharedCredentialsFiles/sharedConfigFiles, aws:profile), read by the provider's `configure` and used for
 * every KMS call, through the real SDK credential providers against kms-local's STS. kms-local's request log
 * names the principal that signed each call, which is what these tests assert.
 */
describe("provider/client/credentials (aws:* config, against kms-local's STS)", () => {
    const fixture = useProviderKms();
    const dir = mkdtempSync(join(tmpdir(), "byok-credentials-"));
    const CI_ROLE = "arn:aws:iam::444455556666:role/ci-deployer";
    const KEY_ACCOUNT_ROLE = "arn:aws:iam::111122223333:role/byok-importer";
    const SECRET_KEY = "config-secret-access-key-0001";
    const TOKEN = "config-session-token-value-0001";
    const lines: string[] = [];
    let consoleError: typeof console.error;

    before(() => {
        consoleError = console.error;
        console.error = (...parts: unknown[]) => void lines.push(parts.join(" "));
    });
    after(async () => {
        console.error = consoleError;
        rmSync(dir, { recursive: true, force: true });
        await dispatch(1, "configure", [{ config: { get: () => undefined } }]);
    });
    beforeEach(() => {
        fixture().kms.control.sts.reset();
        fixture().kms.control.resetCounters();
        lines.length = 0;
    });

    async function configure(values: Record<string, unknown>): Promise<void> {
        const url = fixture().kms.url;
        const config: Record<string, string> = {
            "aws:region": "us-east-1",
            "aws:endpoints": JSON.stringify([{ kms: url }, { sts: url }]),
            "pulumi-kms-byok:requestRateScale": "20",
            "pulumi-kms-byok:propagationTimeoutSeconds": "2",
            ...Object.fromEntries(
                Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
            ),
        };
        await dispatch(1, "configure", [{ config: { get: (key: string) => config[key] } }]);
    }

    const staticKeys = { "aws:accessKey": "AKIACONFIGKEY0000001", "aws:secretKey": SECRET_KEY, "aws:token": TOKEN };

    async function create(
        extra: Record<string, unknown> = {},
        keyId?: string,
    ): Promise<{ id: string; outs: MaterialOutputs }> {
        const key = keyId ?? (await fixture().createKey()).KeyId!;
        return (await dispatch(1, "create", [
            { keyId: key, keyMaterial: randomBytes(32).toString("base64"), __provider: "shim", ...extra },
        ])) as { id: string; outs: MaterialOutputs };
    }

    /** Who signed each request kms-local received, as "Operation principal". */
    const signers = () =>
        fixture()
            .kms.control.requests()
            .map((r) => `${r.operation} ${r.principal}`);

    it(
        "signs with aws:accessKey / aws:secretKey / aws:token from stack config, not the " +
            "environment's credentials",
        async () => {
            await configure(staticKeys);
            await create();
            const kmsCalls = signers().filter((s) => !s.startsWith("CreateKey"));
            assert.ok(kmsCalls.length >= 3);
            for (const call of kmsCalls) assert.match(call, / arn:aws:iam::111122223333:user\/AKIACONFIGKEY0000001$/);
        },
    );

    it("assumes every role of aws:assumeRoles in order; the last one signs every KMS call", async () => {
        fixture().kms.control.sts.defineRole(KEY_ACCOUNT_ROLE, { trustedPrincipals: [CI_ROLE] });
        await configure({
            ...staticKeys,
            "aws:assumeRoles": [
                { roleArn: CI_ROLE, sessionName: "ci" },
                { roleArn: KEY_ACCOUNT_ROLE, sessionName: "byok", duration: "15m" },
            ],
        });
        const key = await fixture().createKey();
        await create({}, key.Arn);
        const calls = signers().filter((s) => !s.startsWith("CreateKey"));
        assert.deepEqual(calls.slice(0, 2), [
            "AssumeRole arn:aws:iam::111122223333:user/AKIACONFIGKEY0000001",
            "AssumeRole arn:aws:sts::444455556666:assumed-role/ci-deployer/ci",
        ]);
        const kmsCalls = calls.slice(2);
        assert.ok(kmsCalls.some((c) => c.startsWith("ImportKeyMaterial ")));
        for (const call of kmsCalls)
            assert.match(call, / arn:aws:sts::111122223333:assumed-role\/byok-importer\/byok$/);
        const session = fixture().kms.control.sts.sessions().at(-1)!;
        assert.equal(
            session.expiration - fixture().kms.control.clock.now() <= 900_000,
            true,
            "duration 15m was asked for",
        );
    });

    it(
        "enforces ExternalId: without it the create fails saying which role and what STS " +
            "answered, before any KMS call",
        async () => {
            fixture().kms.control.sts.defineRole(KEY_ACCOUNT_ROLE, { externalId: "tenant-42" });
            await configure({ ...staticKeys, "aws:assumeRoles": [{ roleArn: KEY_ACCOUNT_ROLE }] });
            const key = await fixture().createKey();
            fixture().kms.control.resetCounters();
            await assert.rejects(
                create({}, key.Arn),
                /could not get AWS credentials: assuming role arn:aws:iam::111122223333:role\/byok-importer .*AccessDenied/,
            );
            assert.deepEqual(
                signers().map((s) => s.split(" ")[0]),
                ["AssumeRole"],
                "no KMS call",
            );
            await configure({
                ...staticKeys,
                "aws:assumeRoles": [{ roleArn: KEY_ACCOUNT_ROLE, externalId: "tenant-42" }],
            });
            const { outs } = await create({}, key.Arn);
            assert.equal(outs.importState, "IMPORTED");
        },
    );

    it(
        "per-resource assumeRole reaches a key in another account; " + "without it, that key's ARN fails at once",
        async () => {
            await configure({ ...staticKeys, "aws:assumeRoles": [{ roleArn: CI_ROLE }] });
            const key = await fixture().createKey();
            fixture().kms.control.resetCounters();
            await assert.rejects(
                create({}, key.Arn),
                /belongs to account 111122223333, but the credentials are of account 444455556666.*assume a role in the key's account/s,
            );
            assert.deepEqual(signers(), [], "refused before any request, STS included");
            const { outs } = await create(
                { assumeRole: { roleArn: KEY_ACCOUNT_ROLE, sessionName: "cross-account" } },
                key.Arn,
            );
            assert.deepEqual(
                outs.assumeRole,
                { roleArn: KEY_ACCOUNT_ROLE, sessionName: "cross-account" },
                "recorded for refresh and destroy",
            );
            const imports = fixture()
                .kms.control.requests()
                .filter((r) => r.operation === "ImportKeyMaterial");
            assert.equal(imports[0].principal, "arn:aws:sts::111122223333:assumed-role/byok-importer/cross-account");
            // refresh and destroy act as the recorded role
            fixture().kms.control.resetCounters();
            await dispatch(1, "read", [`${outs.keyArn}#${outs.keyMaterialId}`, outs]);
            await dispatch(1, "delete", [`${outs.keyArn}#${outs.keyMaterialId}`, outs]);
            const later = fixture()
                .kms.control.requests()
                .filter((r) => r.operation !== "AssumeRole");
            assert.deepEqual(
                [...new Set(later.map((r) => r.operation))],
                ["DescribeKey", "ListKeyRotations", "DeleteImportedKeyMaterial"],
            );
            for (const r of later)
                assert.equal(r.principal, "arn:aws:sts::111122223333:assumed-role/byok-importer/cross-account");
        },
    );

    it(
        "reads a profile from aws:sharedCredentialsFiles, and assumes a profile's role_arn " +
            "through the configured STS",
        async () => {
            const credentials = join(dir, "credentials");
            const configFile = join(dir, "config");
            writeFileSync(
                credentials,
                "[byok]\naws_access_key_id = AKIAPROFILEKEY000001\naws_secret_access_key = profile-secret-0001\n",
            );
            writeFileSync(
                configFile,
                `[profile byok-role]\nrole_arn = ${KEY_ACCOUNT_ROLE}\nsource_profile = ` +
                    `byok\nrole_session_name = from-profile\n`,
            );
            await configure({
                "aws:profile": "byok",
                "aws:sharedCredentialsFiles": [credentials],
                "aws:sharedConfigFiles": [configFile],
            });
            await create();
            assert.ok(
                signers()
                    .filter((s) => s.startsWith("ImportKeyMaterial"))
                    .every((s) => s.endsWith("user/AKIAPROFILEKEY000001")),
            );
            fixture().kms.control.resetCounters();
            await configure({
                "aws:profile": "byok-role",
                "aws:sharedCredentialsFiles": [credentials],
                "aws:sharedConfigFiles": [configFile],
            });
            await create();
            const calls = signers().filter((s) => !s.startsWith("CreateKey"));
            assert.equal(calls[0], "AssumeRole arn:aws:iam::111122223333:user/AKIAPROFILEKEY000001");
            assert.ok(
                calls.slice(1).every((c) => c.endsWith("assumed-role/byok-importer/from-profile")),
                calls.join("\n"),
            );
        },
    );

    it("never shows aws:secretKey or aws:token: not in outputs, logs, or an error that would quote one", async () => {
        await configure({ ...staticKeys, "pulumi-kms-byok:propagationTimeoutSeconds": "1" });
        const { outs } = await create();
        // A key ID that happens to be the secret: KMS quotes it back in its NotFound, the provider in its error and
        // log.
        const error = await create({}, SECRET_KEY).then(
            () => assert.fail("expected a failure"),
            (e: unknown) => e as Error,
        );
        const chain: string[] = [];
        for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause)
            chain.push(String((e as { message?: unknown }).message), String((e as { stack?: unknown }).stack));
        assert.match(chain[0], /KMS key \[secret\] was not found/);
        const everything = JSON.stringify({ outs, chain, lines });
        assert.ok(!everything.includes(SECRET_KEY), "aws:secretKey shown");
        assert.ok(!everything.includes(TOKEN), "aws:token shown");
        assert.ok(
            lines.some((l) => l.includes("[secret]")),
            "the log line naming the key was redacted too",
        );
    });
});
