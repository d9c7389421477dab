import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createMaterial, deleteMaterial, readMaterial } from "../../../provider/material/lifecycle";
import type { ProviderContext } from "../../../provider/client/context";
import type { MaterialOutputs } from "../../../provider/material/properties";
import { BlackHole, acceptsNever, answersNever } from "../../support/blackHoles";

/**
 * Every wait is bounded: a black-holed KMS endpoint (a server that accepts and never answers; a listener that
 * never accepts) ends create, refresh and destroy with a clear error after maxAttempts × (connect timeout +
 * request timeout) plus the SDK's backoff, instead of hanging for ever. The mocha timeout is that bound.
 */
describe("provider/client: timeouts against black-holed endpoints", () => {
    const ATTEMPTS = 2;
    const TIMEOUT_SECONDS = 1;
    // Two attempts of at most 1 s connect + 1 s request, the SDK's first backoff (≤ 20 s cap, ~0.1–0.2 s here), slack.
    const BOUND_MS = ATTEMPTS * 2 * TIMEOUT_SECONDS * 1000 + 6000;
    const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    function context(endpoint: string): ProviderContext {
        return {
            settings: {
                region: "us-east-1",
                endpoint,
                maxAttempts: ATTEMPTS,
                connectTimeoutSeconds: TIMEOUT_SECONDS,
                requestTimeoutSeconds: TIMEOUT_SECONDS,
                credentials: { accessKey: "AKIAKMSLOCALTEST0000", secretKey: "kms-local-test-secret", assumeRoles: [] },
            },
            env: {},
            log: () => undefined,
        };
    }

    const outputs = {
        keyId: KEY_ARN,
        keyArn: KEY_ARN,
        keySpec: "SYMMETRIC_DEFAULT",
        keyMaterialId: "a".repeat(64),
        endpoint: null,
        profile: null,
        keyState: "Enabled",
        keyMaterialState: "CURRENT",
        importState: "IMPORTED",
        validTo: null,
    } as unknown as MaterialOutputs;
    const operations: [string, (c: ProviderContext) => Promise<unknown>][] = [
        ["create", (c) => createMaterial(c, { keyId: KEY_ARN, keyMaterial: randomBytes(32).toString("base64") })],
        ["refresh", (c) => readMaterial(c, "id", outputs)],
        ["destroy", (c) => deleteMaterial(c, outputs)],
    ];

    const holes: [string, () => Promise<BlackHole>][] = [
        ["accepts and never answers", answersNever],
        ["never accepts", acceptsNever],
    ];

    for (const [kind, open] of holes) {
        describe(`an endpoint that ${kind}`, () => {
            let hole: BlackHole;
            before(async () => (hole = await open()));
            after(() => hole.stop());

            for (const [name, operation] of operations) {
                it(`${name} fails with a clear error naming the endpoint and the bounds`, async function () {
                    this.timeout(BOUND_MS);
                    const error = await operation(context(hole.url)).then(
                        () => assert.fail("expected a failure"),
                        (e: unknown) => {
                            assert.ok(e instanceof Error, String(e));
                            return e;
                        },
                    );
                    // destroy adds what it did not do ("Nothing was deleted; …") around the same error
                    assert.match(
                        error.message,
                        name === "destroy"
                            ? /^deleting .* failed: KmsUnreachableError: .*Nothing was deleted/s
                            : /^DescribeKey: /,
                    );
                    assert.match(
                        error.message,
                        new RegExp(
                            `no answer from the KMS endpoint ${hole.url.replace(/[./]/g, "\\$&")} ` +
                                `after ${ATTEMPTS} attempt`,
                        ),
                    );
                    assert.match(
                        error.message,
                        /1 s connect timeout, pulumi-kms-byok:connectTimeoutSeconds.*1 s request timeout, pulumi-kms-byok:requestTimeoutSeconds/,
                    );
                });
            }
        });
    }
});
