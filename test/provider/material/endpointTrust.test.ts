import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";
import { createMaterial, deleteMaterial, readMaterial } from "../../../provider/material/lifecycle";
import type { ProviderContext } from "../../../provider/client/context";
import { SelfSignedCertificate, selfSignedCertificate } from "../../support/certificates";
import { useProviderKms } from "../../support/kms";
import { KmsProxy, startKmsProxy } from "../../support/kmsProxy";

/**
 * Endpoint trust where it is enforced at run time: every operation applies the rules before its first
 * request (refresh and destroy never run check). A KMS-compatible service that is neither AWS's nor on
 * loopback — here an https proxy to kms-local on this machine's non-loopback address, with its own CA
 * (aws:customCaBundle) — receives material only when listed in trustedEndpoints, and every import there is
 * logged with its host.
 */
describe("provider/material: endpoint trust at run time", () => {
    const fixture = useProviderKms();
    const address =
        Object.values(networkInterfaces())
            .flat()
            .find((i) => i?.family === "IPv4" && !i.internal)?.address ?? "0.0.0.0";
    let certificate: SelfSignedCertificate;
    let https: KmsProxy;
    let plain: KmsProxy;

    before(async () => {
        certificate = selfSignedCertificate(`IP:${address}`);
        const tls = { key: certificate.key, cert: certificate.cert };
        https = await startKmsProxy(fixture().kms.url, {}, { host: address, tls });
        plain = await startKmsProxy(fixture().kms.url, {}, { host: address });
    });
    after(async () => {
        await https.stop();
        await plain.stop();
        certificate.remove();
    });
    beforeEach(() => {
        https.operations.length = 0;
        plain.operations.length = 0;
        fixture().logs.length = 0;
    });

    const context = (
        settings: Partial<ProviderContext["settings"]>,
        env: Record<string, string> = {},
    ): ProviderContext => ({
        ...fixture().context,
        settings: { ...fixture().context.settings, customCaBundle: certificate.certFile, ...settings },
        env,
    });

    it("refuses a non-AWS https host that is not listed, before any request", async () => {
        const key = await fixture().createKey();
        await assert.rejects(
            createMaterial(context({ endpoint: https.url }), {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
            }),
            /refusing to send requests to this KMS endpoint: pulumi-kms-byok:endpoint: the host is not an AWS KMS host.*trustedEndpoints/s,
        );
        assert.deepEqual(https.operations, []);
    });

    it("imports through a listed https host, and logs the host that received the wrapped material", async () => {
        const key = await fixture().createKey();
        const { outs } = await createMaterial(context({ endpoint: https.url }), {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
            trustedEndpoints: [https.url],
        });
        assert.equal(outs.importState, "IMPORTED");
        assert.deepEqual(outs.trustedEndpoints, [https.url], "recorded for refresh and destroy");
        assert.ok(https.operations.includes("ImportKeyMaterial"));
        const sent = fixture().logs.filter((l) => l.startsWith("sending wrapped key material"));
        assert.equal(sent.length, 1);
        assert.match(
            sent[0],
            new RegExp(
                `for key ${key.KeyId!.slice(0, 8)}… to ${address.replace(/\./g, "\\.")}, an endpoint ` +
                    `listed in trustedEndpoints \\(not an AWS KMS host\\)`,
            ),
        );
        // the opt-in may come from stack config as well
        const again = await fixture().createKey();
        await createMaterial(context({ endpoint: https.url, trustedEndpoints: [https.url] }), {
            keyId: again.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
        });
    });

    it("refuses plain http to a non-loopback host even when listed", async () => {
        const key = await fixture().createKey();
        await assert.rejects(
            createMaterial(context({ endpoint: plain.url, trustedEndpoints: [plain.url] }), {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
            }),
            /plain http is never trusted for a host other than loopback/,
        );
        assert.deepEqual(plain.operations, []);
    });

    it("refresh and destroy apply the rules too: AWS_ENDPOINT_URL alone is not enough, even to kms-local", async () => {
        const key = await fixture().createKey();
        const { outs: recorded } = await createMaterial(fixture().context, {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
        });
        // A state written before the import's endpoint was recorded: the stack's settings decide.
        const outs = { ...recorded, kmsEndpoint: undefined };
        fixture().kms.control.resetCounters();
        const generic = context({ endpoint: undefined }, { AWS_ENDPOINT_URL: fixture().kms.url });
        await assert.rejects(readMaterial(generic, "id", outs), /comes only from AWS_ENDPOINT_URL/);
        await assert.rejects(deleteMaterial(generic, outs), /comes only from AWS_ENDPOINT_URL/);
        assert.deepEqual(fixture().kms.control.counters(), {}, "no request was sent");
        const listed = context(
            { endpoint: undefined, trustedEndpoints: [fixture().kms.url] },
            { AWS_ENDPOINT_URL: fixture().kms.url },
        );
        assert.equal((await readMaterial(listed, "id", outs)).props?.importState, "IMPORTED");
    });

    it("refresh and destroy go to the endpoint recorded at the import, and judge it by the same rules", async () => {
        const key = await fixture().createKey();
        const { outs } = await createMaterial(fixture().context, {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
        });
        assert.equal(outs.kmsEndpoint, fixture().kms.url);
        // The stack's settings now point elsewhere; the recorded endpoint still wins.
        const elsewhere = context({ endpoint: "http://127.0.0.1:9" });
        assert.equal((await readMaterial(elsewhere, "id", outs)).props?.importState, "IMPORTED");
        // A recorded endpoint the rules refuse (a state edited by hand) sends nothing.
        fixture().kms.control.resetCounters();
        const tampered = { ...outs, kmsEndpoint: "http://10.0.0.5:4566" };
        await assert.rejects(readMaterial(fixture().context, "id", tampered), /plain http is allowed only to loopback/);
        await assert.rejects(deleteMaterial(fixture().context, tampered), /plain http is allowed only to loopback/);
        assert.deepEqual(fixture().kms.control.counters(), {}, "no request was sent");
    });

    it(
        "refresh and destroy of material imported through the resource's own endpoint and trustedEndpoints: " +
            "refused (outputs alone never make an endpoint trusted), saying to list it in the stack's config",
        async () => {
            const key = await fixture().createKey();
            const { outs } = await createMaterial(context({ endpoint: undefined }), {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
                endpoint: https.url,
                trustedEndpoints: [https.url],
            });
            assert.equal(outs.kmsEndpoint, https.url);
            https.operations.length = 0;
            const stack = context({ endpoint: undefined });
            const advice = /run no program: .*list its origin .* in pulumi-kms-byok:trustedEndpoints/;
            await assert.rejects(readMaterial(stack, "id", outs), advice);
            await assert.rejects(deleteMaterial(stack, outs), advice);
            assert.deepEqual(https.operations, [], "nothing sent");
            const listed = context({ endpoint: undefined, trustedEndpoints: [https.url] });
            assert.equal((await readMaterial(listed, "id", outs)).props?.importState, "IMPORTED");
        },
    );
});
