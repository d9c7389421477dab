import assert from "node:assert/strict";
import { checkSettings } from "../../../provider/checks/clientSettings";
import { SettingsError, openSession } from "../../../provider/client/session";
import type { ProviderSettings, ResourceClientInputs } from "../../../provider/client/settings";
import { resolveKmsTarget } from "../../../provider/client/target";

/**
 * One resolver decides where calls go (client/target.ts): check reports its problems, the session throws them.
 * Every case below is judged by both, from the same resolution: a target check lets through is one a session
 * opens, and a target check refuses is one no session opens.
 */
describe("provider/client/target: where calls go, decided once for check and the session", () => {
    const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const ROLE = { roleArn: "arn:aws:iam::111122223333:role/byok" };
    const cases: [string, ResourceClientInputs, ProviderSettings, Record<string, string>, RegExp | undefined][] = [
        ["AWS's own endpoint", { keyId: KEY_ARN }, {}, {}, undefined],
        ["loopback input endpoint", { keyId: KEY_ARN, endpoint: "http://127.0.0.1:4599" }, {}, {}, undefined],
        [
            "listed https endpoint",
            { keyId: KEY_ARN, endpoint: "https://kms.example.internal", trustedEndpoints: ["kms.example.internal"] },
            {},
            {},
            undefined,
        ],
        [
            "unlisted https endpoint",
            { keyId: KEY_ARN, endpoint: "https://kms.example.internal" },
            {},
            {},
            /refusing to send requests to this KMS endpoint: input endpoint/,
        ],
        [
            "plain http to another host",
            { keyId: KEY_ARN },
            { endpoint: "http://10.0.0.5:4566" },
            {},
            /refusing to send requests to this KMS endpoint: pulumi-kms-byok:endpoint/,
        ],
        [
            "AWS_ENDPOINT_URL not AWS's",
            { keyId: KEY_ARN },
            {},
            { AWS_ENDPOINT_URL: "https://proxy.example" },
            /refusing to send requests to this KMS endpoint: the KMS endpoint comes only from AWS_ENDPOINT_URL/,
        ],
        [
            "AWS KMS of another Region",
            { keyId: KEY_ARN, endpoint: "https://kms.us-east-1.amazonaws.com" },
            {},
            {},
            /input endpoint is AWS KMS of us-east-1, but the key is in eu-west-1$/,
        ],
        [
            "TLS checks switched off",
            { keyId: KEY_ARN },
            {},
            { NODE_TLS_REJECT_UNAUTHORIZED: "0" },
            /nothing was sent to KMS: NODE_TLS_REJECT_UNAUTHORIZED=0/,
        ],
        [
            "a stack trustedEndpoints entry over plain http",
            { keyId: KEY_ARN },
            { trustedEndpoints: ["http://kms.example.internal"] },
            {},
            /nothing was sent to KMS: trustedEndpoints entry 1: plain http/,
        ],
        [
            "a resource trustedEndpoints entry over plain http",
            { keyId: KEY_ARN, trustedEndpoints: ["http://kms.example.internal"] },
            {},
            {},
            /nothing was sent to KMS: trustedEndpoints entry 1: plain http/,
        ],
        [
            "roles assumed through an unlisted STS endpoint",
            { keyId: KEY_ARN, assumeRole: ROLE },
            { stsEndpoint: "https://sts.example.internal" },
            {},
            /refusing to assume roles through this STS endpoint/,
        ],
    ];

    for (const [name, resource, provider, env, refusal] of cases) {
        const expectation = refusal
            ? "check reports it and the session refuses it"
            : "check passes and a session opens";
        it(`${name}: ${expectation}`, () => {
            const resolved = resolveKmsTarget(resource, provider, env);
            const failures = checkSettings({ ...resource }, { settings: provider, env });
            if (!refusal) {
                assert.deepEqual(resolved.problems, []);
                assert.deepEqual(failures, []);
                const session = openSession(resolved, () => {});
                assert.equal(session.target.kmsEndpoint, resource.endpoint ?? provider.endpoint);
                assert.equal(
                    session.target.trust?.kind,
                    resource.endpoint?.startsWith("http://127.")
                        ? "loopback"
                        : resource.endpoint
                          ? "listed"
                          : undefined,
                );
                return;
            }
            assert.ok(resolved.problems.length > 0, "the resolver names a problem");
            assert.ok(failures.length > 0, "check reports it");
            assert.throws(
                () => openSession(resolved, () => {}),
                (error: unknown) => error instanceof SettingsError && refusal.test(error.message),
            );
        });
    }

    it("says which setting chose the endpoint, under the one name kmsEndpoint, and the recorded one wins", () => {
        const env = { AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:1" };
        assert.deepEqual(
            [
                resolveKmsTarget({ keyId: KEY_ARN }, {}, env).target.chosenBy,
                resolveKmsTarget({ keyId: KEY_ARN }, { endpoint: "http://localhost:2" }, env).target.chosenBy,
            ],
            ["AWS_ENDPOINT_URL_KMS", "pulumi-kms-byok:endpoint"],
        );
        const recorded = resolveKmsTarget(
            { keyId: KEY_ARN, endpoint: "http://127.0.0.1:3", kmsEndpoint: "http://127.0.0.1:4" },
            {},
            env,
        ).target;
        assert.deepEqual(
            [recorded.kmsEndpoint, recorded.chosenBy],
            ["http://127.0.0.1:4", "the endpoint recorded at the last import"],
        );
        assert.equal(
            resolveKmsTarget({ keyId: KEY_ARN, kmsEndpoint: null }, {}, env).target.kmsEndpoint,
            undefined,
            "null: AWS's own endpoint",
        );
    });
});
