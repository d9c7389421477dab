import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createMaterial, readMaterial } from "../../../provider/material/lifecycle";
import type { ProviderContext } from "../../../provider/client/context";
import { useProviderKms } from "../../support/kms";

/**
 * KMS answers "not found" alike for a missing key, a key in another Region and one in another account. A bare
 * key ID looked up in the wrong Region must say where it was searched (Region, endpoint, account) at the
 * first "not found", not only after the wait for a new key; a key ARN of another account fails at once.
 */
describe("provider/kms: where a key is looked for", () => {
    const fixture = useProviderKms();
    const withSettings = (settings: Partial<ProviderContext["settings"]>): ProviderContext => ({
        ...fixture().context,
        settings: { ...fixture().context.settings, ...settings },
    });

    beforeEach(() => {
        fixture().kms.control.resetCounters();
        fixture().logs.length = 0;
    });

    it(
        "a bare key ID in another Region: the first NotFound is logged at once with Region, endpoint and " +
            "account; the error says it again",
        async () => {
            const key = await fixture().createKey(); // in us-east-1
            const context = withSettings({ region: "eu-west-1", propagationTimeoutSeconds: 2 });
            // "At once": when the line is logged, KMS has answered exactly one DescribeKey (no wait happened yet).
            let describesWhenLogged: number | undefined;
            const log = context.log;
            context.log = (message) => {
                if (describesWhenLogged === undefined && /was not found/.test(message))
                    describesWhenLogged = fixture().calls("DescribeKey").length;
                log(message);
            };
            const describesBefore = fixture().calls("DescribeKey").length;
            const error = await createMaterial(context, {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
            }).then(
                () => assert.fail("expected a failure"),
                (e: unknown) => {
                    assert.ok(e instanceof Error, String(e));
                    return e;
                },
            );
            const where = new RegExp(
                `was not found in Region eu-west-1 at ${fixture().kms.url.replace(/[./]/g, "\\$&")} ` +
                    `\\(loopback\\), account 111122223333`,
            );
            assert.match(error.message, where);
            assert.match(
                error.message,
                /waited 2s.*pass its key ARN, set region \(or aws:region\), or assume a role in the key's account/s,
            );
            const first = fixture().logs.find((l) => /was not found/.test(l));
            assert.match(first ?? "", where);
            assert.match(first ?? "", /waiting up to 2s in case it was created moments ago/);
            assert.equal(describesWhenLogged, describesBefore + 1, "said after the first NotFound, before the wait");
            assert.ok(fixture().calls("DescribeKey").length > describesBefore + 1, "then it waited, asking again");
        },
    );

    it("with an STS endpoint configured, the account comes from the credentials (GetCallerIdentity)", async () => {
        const key = await fixture().createKey();
        const context = withSettings({
            region: "ap-south-1",
            stsEndpoint: fixture().kms.url,
            propagationTimeoutSeconds: 1,
        });
        await assert.rejects(
            createMaterial(context, { keyId: key.KeyId!, keyMaterial: randomBytes(32).toString("base64") }),
            /Region ap-south-1 at .*, account 111122223333/,
        );
        assert.equal(fixture().calls("GetCallerIdentity").length, 1);
    });

    it("a key ARN of another account than the credentials' fails at once, without a KMS call", async () => {
        const key = await fixture().createKey();
        const foreign = key.Arn!.replace(":111122223333:", ":444455556666:");
        const context = withSettings({ stsEndpoint: fixture().kms.url });
        fixture().kms.control.resetCounters();
        await assert.rejects(
            createMaterial(context, { keyId: foreign, keyMaterial: randomBytes(32).toString("base64") }),
            /belongs to account 444455556666, but the credentials are of account 111122223333\. KMS does not import, delete or rotate key material across accounts/,
        );
        assert.deepEqual(Object.keys(fixture().kms.control.counters()), ["GetCallerIdentity"]);
    });

    it("refresh of a key in another account fails instead of dropping the resource from the stack", async () => {
        const key = await fixture().createKey();
        const { outs } = await createMaterial(fixture().context, {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
        });
        const moved = { ...outs, keyArn: outs.keyArn.replace(":111122223333:", ":444455556666:") };
        await assert.rejects(
            readMaterial(withSettings({ stsEndpoint: fixture().kms.url }), "id", moved),
            /belongs to account 444455556666/,
        );
    });
});
