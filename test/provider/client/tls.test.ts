import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { get } from "node:https";
import { DescribeKeyCommand, GetParametersForImportCommand } from "@aws-sdk/client-kms";
import { kmsClient } from "../../../provider/client/client";
import { resolveClientSettings, type ProviderSettings } from "../../../provider/client/settings";
import { checkSettings } from "../../../provider/checks/clientSettings";
import { createMaterial, deleteMaterial, readMaterial } from "../../../provider/material/lifecycle";
import { ProviderContext } from "../../../provider/client/context";
import { applyRotation } from "../../../provider/rotation/lifecycle";
import { KEY_ARN, materialOutputs } from "../../support/materialOutputs";
import { startFakeKms, type FakeKms } from "../../support/fakeKms";
import { spoofDns } from "../../support/spoofDns";

/**
 * Issue 17, M1: NODE_TLS_REJECT_UNAUTHORIZED=0 (common in CI behind TLS-inspecting proxies) turned off the
 * certificate checks for AWS's own KMS host, the one endpoint trusted because TLS proves who answers. Here a
 * spoofed DNS answer sends kms.us-east-1.amazonaws.com to a fake KMS with a self-signed certificate: the
 * provider refuses the setting at check and before every operation's first request, and its agents verify
 * certificates even in a process where the setting is in force. Controls show the spoof and the fake work.
 */
describe("provider/client: TLS cannot be switched off from outside", function () {
    this.timeout(60_000);
    let fake: FakeKms;
    let restoreDns: () => void;
    const credentials = {
        accessKey: "AKIAIOSFODNN7EXAMPLE",
        secretKey: randomBytes(30).toString("base64"),
        assumeRoles: [],
    };

    before(async () => {
        fake = await startFakeKms();
        restoreDns = spoofDns({ [fake.host]: fake.address });
    });
    after(async () => {
        restoreDns();
        await fake.stop();
    });
    beforeEach(() => (fake.operations.length = 0));

    const settings = (extra: Partial<ProviderSettings> = {}): ProviderSettings => ({
        region: "us-east-1",
        endpoint: fake.url,
        credentials,
        maxAttempts: 1,
        ...extra,
    });
    const TLS_OFF = { NODE_TLS_REJECT_UNAUTHORIZED: "0" };

    it("check refuses NODE_TLS_REJECT_UNAUTHORIZED=0, saying why and how to trust a proxy instead", () => {
        const failures = checkSettings(
            { keyId: KEY_ARN.replace("eu-west-1", "us-east-1") },
            { settings: settings(), env: TLS_OFF },
        );
        assert.equal(failures.length, 1, JSON.stringify(failures));
        assert.equal(failures[0].property, "");
        assert.match(
            failures[0].reason,
            /^NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: it turns off the certificate checks.*unset it.*aws:customCaBundle or AWS_CA_BUNDLE/s,
        );
        assert.deepEqual(
            checkSettings(
                { keyId: KEY_ARN.replace("eu-west-1", "us-east-1") },
                { settings: settings(), env: { NODE_TLS_REJECT_UNAUTHORIZED: "1" } },
            ),
            [],
        );
    });

    it(
        "every operation refuses it before its first request, even where the fake would be " + "trusted (its CA given)",
        async () => {
            const context: ProviderContext = {
                settings: settings({ customCaBundle: fake.certificateFile }),
                env: TLS_OFF,
                log: () => undefined,
            };
            const keyArn = KEY_ARN.replace("eu-west-1", "us-east-1");
            const olds = materialOutputs({ keyId: keyArn, keyArn, region: "us-east-1", kmsEndpoint: fake.url });
            const operations: [string, () => Promise<unknown>][] = [
                [
                    "create",
                    () => createMaterial(context, { keyId: keyArn, keyMaterial: randomBytes(32).toString("base64") }),
                ],
                ["refresh", () => readMaterial(context, `${keyArn}#${"a".repeat(64)}`, olds)],
                ["destroy", () => deleteMaterial(context, olds, `${keyArn}#${"a".repeat(64)}`)],
                ["rotation", () => applyRotation(context, { keyId: keyArn, keyMaterialId: "a".repeat(64) })],
            ];
            for (const [what, operation] of operations) {
                await assert.rejects(
                    operation(),
                    /nothing was sent to KMS: NODE_TLS_REJECT_UNAUTHORIZED=0 is set/,
                    what,
                );
            }
            assert.deepEqual(fake.operations, [], "a request reached the fake KMS");
            // Control: without the setting, the same context reaches the fake (so the refusal above was the setting's).
            await assert.rejects(
                readMaterial({ ...context, env: {} }, "id", olds),
                /AccessDeniedException|fake KMS refuses/,
            );
            assert.deepEqual(fake.operations, ["DescribeKey"]);
        },
    );

    it(
        "the provider's agents verify certificates even in a process where " +
            "NODE_TLS_REJECT_UNAUTHORIZED=0 is in force",
        async () => {
            const before = process.env["NODE_TLS_REJECT_UNAUTHORIZED"];
            process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = "0";
            try {
                // Control: Node's default agent now accepts the fake's self-signed certificate for AWS's name.
                await new Promise<void>((resolve, reject) =>
                    get(`${fake.url}/`, (res) => res.resume().on("end", resolve)).on("error", reject),
                );
                assert.deepEqual(
                    fake.operations,
                    [""],
                    "the spoofed name reaches the fake, and the process's TLS checks are off",
                );
                fake.operations.length = 0;
                // The provider's client (built without the settings check, as a direct caller could): the handshake
                // fails.
                const client = kmsClient(
                    resolveClientSettings({ keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }, settings(), {}),
                ).client;
                await assert.rejects(
                    client.send(
                        new GetParametersForImportCommand({
                            KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
                            WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                            WrappingKeySpec: "RSA_4096",
                        }),
                    ),
                    (error: Error & { code?: string }) =>
                        /self[- ]signed certificate/i.test(`${error.message} ${error.code}`),
                );
                assert.deepEqual(fake.operations, [], "GetParametersForImport reached the fake KMS");
                // Control: with the fake's certificate as an added root, the same client reaches it.
                const trusting = kmsClient(
                    resolveClientSettings(
                        { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" },
                        settings({ customCaBundle: fake.certificateFile }),
                        {},
                    ),
                ).client;
                await assert.rejects(
                    trusting.send(new DescribeKeyCommand({ KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" })),
                    /fake KMS refuses/,
                );
                assert.deepEqual(fake.operations, ["DescribeKey"]);
            } finally {
                if (before === undefined) delete process.env["NODE_TLS_REJECT_UNAUTHORIZED"];
                else process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = before;
            }
        },
    );
});
