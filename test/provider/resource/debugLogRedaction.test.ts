import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { WITHHELD } from "../../../provider/checks/redaction";
import { ChunkScan } from "../../support/chunkScan";
import { largeInput } from "../../support/largeInputs";

/**
 * The program side's redaction of the Pulumi SDK's debug messages (which hold every checked input during a
 * preview), under the same bounds as the provider's: a material too long to be one is never decoded, and a
 * message holding a piece of it is withheld whole; nothing here throws.
 */
type DebugLogRedaction = typeof import("../../../provider/resource/debugLogRedaction");
const load = createRequire(__filename);

/**
 * A fresh instance of the module: what it registered is per process, and other test files in this process
 * construct resources too (their materials, some oversized or holding "[", are registered as a program's would
 * be). Each test judges the redaction of its own program's materials only.
 */
function freshRedaction(): DebugLogRedaction {
    const path = load.resolve("../../../provider/resource/debugLogRedaction");
    delete load.cache[path];
    return load(path) as DebugLogRedaction;
}

describe("provider/resource/debugLogRedaction", () => {
    it("masks a material in its forms, as the SDK prints a RegisterResource response", async () => {
        const { redact, redactFromSdkLogs } = freshRedaction();
        const material = randomBytes(32);
        await redactFromSdkLogs(material.toString("base64"));
        const message =
            `RegisterResource RPC finished: resp: ` +
            `${material.toString("base64")},keyId,${material.toString("hex")}`;
        const redacted = redact(message);
        assert.ok(
            !redacted.includes(material.toString("base64")) && !redacted.includes(material.toString("hex")),
            redacted,
        );
    });

    it("masks each of many materials in every form, whole, wherever it sits in the message", async () => {
        const { redact, redactFromSdkLogs } = freshRedaction();
        const materials = Array.from({ length: 300 }, () => randomBytes(32));
        await Promise.all(materials.map((material) => redactFromSdkLogs(material.toString("base64"))));
        for (const i of [0, 1, 150, 298, 299]) {
            const m = materials[i];
            const forms = [
                m.toString("base64"),
                m.toString("base64url"),
                m.toString("hex"),
                m.toString("hex").toUpperCase(),
            ];
            // Adjacent to each other, to the message's ends and to another material: each form masked whole
            // (the padded base64 before its unpadded prefix, as registered), nothing else touched.
            const message = `${forms.join("")},${forms.join(" ")}${materials[(i + 1) % 300].toString("hex")}`;
            assert.equal(redact(message), `${"[secret]".repeat(4)},${Array(4).fill("[secret]").join(" ")}[secret]`);
        }
        assert.equal(redact("keyId,validTo: 2030-01-01T00:00:00Z"), "keyId,validTo: 2030-01-01T00:00:00Z");
    });

    it("masks a credential whatever its length (a 6-digit PIN), as text and as JSON spells it", async () => {
        const { redact, redactFromSdkLogs } = freshRedaction();
        const pin = String(100000 + (randomBytes(3).readUIntBE(0, 3) % 900000));
        const parameters = `configdir='sql:/tmp/nss-${pin}' "quoted"`;
        await Promise.all([redactFromSdkLogs(pin, "credential"), redactFromSdkLogs(parameters, "credential")]);
        const message = `resp: {"hsmPin":"${pin}","hsmModuleParameters":${JSON.stringify(parameters)}} n=${pin}`;
        assert.equal(redact(message), `resp: {"hsmPin":"[secret]","hsmModuleParameters":"[secret]"} n=[secret]`);
        assert.equal(redact("keyId,validTo: 2030-01-01T00:00:00Z"), "keyId,validTo: 2030-01-01T00:00:00Z");
    });

    it("withholds a message holding an oversized input (1 MB of PEM-like text), deriving nothing from it", async () => {
        const { redact, redactFromSdkLogs } = freshRedaction();
        const text = largeInput("PEM-like", 1024 * 1024);
        await redactFromSdkLogs(text);
        const scan = new ChunkScan();
        scan.add("1 MB PEM-like", text);
        // Withheld whole when it holds one of the pieces kept, and in any case searched (and cut) at 16 KB.
        assert.equal(redact(`resp: ${text}`), WITHHELD);
        const quoted = redact(`resp: ${JSON.stringify(text)}`);
        assert.ok(quoted.length < 100, quoted);
        assert.deepEqual(scan.scan(quoted, "message"), []);
        // A piece too short to hold one of the pieces kept: its long base64 runs are masked instead.
        const part = redact(`part: ${text.slice(200_000, 203_000)} end`);
        assert.match(part, /^part: \[secret\]/);
        assert.deepEqual(scan.scan(part, "message"), []);
        assert.equal(
            redact("Registering resource: t=pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial"),
            "Registering resource: t=pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial",
        );
        assert.equal(redact(undefined as unknown as string), undefined, "not a string: left to the SDK, never a throw");
    });
});
