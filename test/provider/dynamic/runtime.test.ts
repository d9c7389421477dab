import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { secretsIn } from "../../../provider/dynamic/runtime";
import { materialFor } from "../../support/materials";

/**
 * The last line of defence: what the runtime scrubs from every message and log line (and the program side
 * from the SDK's debug log, with the same materialTextForms), for each way a material is given.
 */
describe("provider/dynamic/runtime: secretsIn", () => {
    it("covers a PEM private key line by line, its DER and the PKCS#8 the provider imports", () => {
        const key = createPrivateKey({ key: materialFor("ECC_NIST_P384"), format: "der", type: "pkcs8" });
        const pem = String(key.export({ type: "sec1", format: "pem" }));
        const forms = secretsIn([{ keyMaterial: pem }]);
        for (const line of pem.split("\n").filter((l) => l && !l.startsWith("-----"))) {
            if (line.length >= 16) assert.ok(forms.includes(line), "each body line");
        }
        assert.ok(forms.includes(pem), "as given");
        assert.ok(forms.includes(JSON.stringify(pem).slice(1, -1)), "as inside a logged JSON response (line breaks escaped)");
        assert.ok(forms.includes(key.export({ type: "sec1", format: "der" }).toString("hex")), "its DER as hex");
        assert.ok(forms.includes(key.export({ type: "pkcs8", format: "der" }).toString("base64")), "the imported PKCS#8 as base64");
    });

    it("covers base64 material as given and as hex, and ignores inputs without material", () => {
        const material = materialFor("SYMMETRIC_DEFAULT");
        const forms = secretsIn([{ keyMaterial: material.toString("base64") }, { keyId: "k" }, null]);
        assert.ok(forms.includes(material.toString("base64")) && forms.includes(material.toString("hex")));
        assert.deepEqual(secretsIn([{ keyId: "k" }]), []);
    });
});
