import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { importedKeyMaterialProvider } from "../../../provider/dynamic/shim";
import { API_VERSION } from "../../../provider/dynamic/runtime";

/** The serialized provider (`__provider`), produced exactly as dynamic.Resource produces it. */
describe("provider/dynamic/shim (the serialized provider)", () => {
    let text = "";
    let containsSecrets = true;
    before(async () => {
        ({ text, containsSecrets } = await pulumi.runtime.serializeFunction(() => importedKeyMaterialProvider, { allowSecrets: true }));
    });

    it("serializes, small: the implementation is required at run time, not inlined", () => {
        assert.ok(text.length > 0);
        assert.ok(text.length < 4096, `__provider is ${text.length} bytes`);
        assert.match(text, /require\(RUNTIME_MODULE\)/);
        assert.match(text, /"pulumi-kms-byok\/dist\/provider\/dynamic\/runtime"/);
        for (const inlined of ["GetParametersForImport", "createCipheriv", "KMSClient", "checkInputs"]) {
            assert.ok(!text.includes(inlined), `${inlined} must not be inlined into __provider`);
        }
    });

    it("captures no secret, client or configuration", () => {
        assert.equal(containsSecrets, false);
        for (const captured of ["aws:region", "AKIA", "secretAccessKey", "credentials", "endpoint"]) {
            assert.ok(!text.includes(captured), captured);
        }
    });

    it("loads the way the host loads it and reaches the installed runtime", async () => {
        const requireFromString = require(require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }));
        const provider = requireFromString(text).handler();
        const { failures } = await provider.check({}, { keyId: "alias/x" });
        assert.ok(failures.some((f: { property: string }) => f.property === "keyId"));
        assert.equal(API_VERSION, 1, "bump the shim's API_VERSION together with the runtime's");
    });
});
