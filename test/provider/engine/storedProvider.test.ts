import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { importedKeyMaterialProvider, providerText } from "../../../provider/engine/storedProvider";
import { API_VERSION } from "../../../provider/engine/runtime";

/** The dynamic-provider host's loader: `require(text).handler()`, as @pulumi/pulumi's cmd/dynamic-provider does. */
function load(text: string): Record<string, (...args: unknown[]) => Promise<{ failures: { property: string }[] }>> {
    const requireFromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
    const requireFromString = requireFromPulumi("require-from-string") as (code: string) => {
        handler(): Record<string, (...args: unknown[]) => Promise<{ failures: { property: string }[] }>>;
    };
    return requireFromString(text).handler();
}

describe("provider/engine/storedProvider (the serialized provider, `__provider`)", () => {
    describe("the text resources store now", () => {
        const text = providerText("ImportedKeyMaterial");

        it("is small: the implementation is required at run time, not inlined", () => {
            assert.ok(Buffer.byteLength(text) < 300, `__provider is ${Buffer.byteLength(text)} bytes`);
            assert.match(text, /require\("pulumi-kms-byok\/dist\/provider\/dynamic\/runtime"\)/);
            assert.match(text, /runtime\.dispatch\(1, m, args, "ImportedKeyMaterial"\)/);
            assert.match(providerText("KeyMaterialRotation"), /runtime\.dispatch\(1, m, args, "KeyMaterialRotation"\)/);
        });

        it("loads the way the host loads it: the seven methods, reaching the installed runtime", async () => {
            const provider = load(text);
            assert.deepEqual(Object.keys(provider).sort(), [
                "check",
                "configure",
                "create",
                "delete",
                "diff",
                "read",
                "update",
            ]);
            const { failures } = await provider["check"]({}, { keyId: "alias/x" });
            assert.ok(failures.some((f) => f.property === "keyId"));
        });
    });

    describe("the closure earlier releases stored (dynamic.Resource's serialization of the shim objects)", () => {
        let text = "";
        let containsSecrets = true;
        before(async () => {
            ({ text, containsSecrets } = await pulumi.runtime.serializeFunction(() => importedKeyMaterialProvider, {
                allowSecrets: true,
            }));
        });

        it("serializes without inlining the implementation", () => {
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

        it(
            "still loads the way the host loads it and reaches the installed runtime (stacks " +
                "written then keep working)",
            async () => {
                const { failures } = await load(text)["check"]({}, { keyId: "alias/x" });
                assert.ok(failures.some((f) => f.property === "keyId"));
                assert.equal(
                    API_VERSION,
                    1,
                    "both texts call dispatch(1, …): a new API version must keep answering version 1",
                );
            },
        );
    });
});
