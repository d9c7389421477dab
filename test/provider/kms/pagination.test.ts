import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MAX_PAGES } from "../../../provider/kms/finders";
import { createMaterial, readMaterial } from "../../../provider/material/lifecycle";
import { useProviderKms } from "../../support/kms";
import { KmsProxy, startKmsProxy } from "../../support/kmsProxy";

/**
 * Issue 17, L4: every loop is bounded. ListKeyRotations pagination followed NextMarker for ever: an endpoint
 * that repeats its marker kept a refresh running (2,092 pages in 20 s). Now it stops at a repeated marker or
 * at MAX_PAGES, with an error saying the endpoint is not behaving like KMS.
 */
describe("provider/kms: ListKeyRotations pagination ends", () => {
    const fixture = useProviderKms();
    let proxy: KmsProxy;
    before(async () => (proxy = await startKmsProxy(fixture().kms.url)));
    after(() => proxy.stop());

    async function importedThroughProxy() {
        proxy.hooks = {};
        const key = await fixture().createKey();
        const context = { ...fixture().context, settings: { ...fixture().context.settings, endpoint: proxy.url } };
        const { id, outs } = await createMaterial(context, {
            keyId: key.KeyId!,
            keyMaterial: randomBytes(32).toString("base64"),
        });
        proxy.operations.length = 0;
        return { context, id, outs };
    }

    const pages = () => proxy.operations.filter((o) => o === "ListKeyRotations").length;

    it("stops at a marker the endpoint already returned", async () => {
        const { context, id, outs } = await importedThroughProxy();
        proxy.hooks.respond = (operation) =>
            operation === "ListKeyRotations"
                ? { status: 200, body: JSON.stringify({ Rotations: [], Truncated: true, NextMarker: "same-marker" }) }
                : undefined;
        await assert.rejects(
            readMaterial(context, id, outs),
            /ListKeyRotations for KMS key .* returned a NextMarker it had already returned: the endpoint is not behaving like KMS/,
        );
        assert.equal(pages(), 2);
    });

    it(`stops after ${MAX_PAGES} pages of ever new markers`, async () => {
        const { context, id, outs } = await importedThroughProxy();
        let page = 0;
        // kms-local would refuse markers it never issued: this endpoint answers ListKeyRotations itself.
        proxy.hooks.respond = (operation) =>
            operation === "ListKeyRotations"
                ? {
                      status: 200,
                      body: JSON.stringify({ Rotations: [], Truncated: true, NextMarker: `marker-${++page}` }),
                  }
                : undefined;
        await assert.rejects(readMaterial(context, id, outs), new RegExp(`had more than ${MAX_PAGES} pages`));
        assert.equal(pages(), MAX_PAGES);
    });
});
