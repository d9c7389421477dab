import assert from "node:assert/strict";
import { checkInputs } from "../../../provider/material/check";
import { UNKNOWN } from "../../../provider/checks/engineValues";
import { KEY_ID, SYMMETRIC } from "../../support/badInputs";

/** check with hsmKey: the URI is validated during preview, without touching the HSM or AWS. */
describe("provider/material/check with hsmKey", () => {
    const NOW = new Date("2026-11-23T12:00:00Z");
    const URI = "pkcs11:token=byok;object=payments-2026;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so";
    const PIN = "a-long-secret-pin-0042";
    const check = (inputs: Record<string, unknown>, olds: Record<string, unknown> = {}) =>
        checkInputs(olds, inputs, NOW).failures;

    it("accepts hsmKey instead of keyMaterial, with or without hsmPin and keySpec", () => {
        assert.deepEqual(check({ keyId: KEY_ID, hsmKey: URI }), []);
        assert.deepEqual(
            check({
                keyId: KEY_ID,
                hsmKey: URI,
                hsmPin: PIN,
                keySpec: "RSA_4096",
                wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
            }),
            [],
        );
        assert.deepEqual(check({ keyId: KEY_ID, hsmKey: UNKNOWN, hsmPin: UNKNOWN }), [], "unknown during preview");
    });

    it("takes exactly one of keyMaterial and hsmKey", () => {
        const both = check({ keyId: KEY_ID, hsmKey: URI, keyMaterial: SYMMETRIC });
        assert.deepEqual(
            both.map((f) => f.property),
            [""],
            "a URI is free text: the engine must print no value",
        );
        assert.match(both[0].reason, /either keyMaterial .* or hsmKey .*, not both/);
        const neither = check({ keyId: KEY_ID });
        assert.ok(
            neither.some((f) => /^keyMaterial is required: .*; or hsmKey, the PKCS#11 URI/.test(f.reason)),
            JSON.stringify(neither),
        );
    });

    it("reports URI problems naming hsmKey in words, never as the property (the engine would print the URI)", () => {
        const failures = check({ keyId: KEY_ID, hsmKey: "pkcs11:objet=k" });
        assert.ok(
            failures.some(
                (f) =>
                    f.property === "" &&
                    /^hsmKey has the path attribute "objet", which this provider does not understand/.test(f.reason),
            ),
            JSON.stringify(failures),
        );
    });

    it(
        "never names hsmKey when the URI carries a PIN, nor hsmPin ever: the engine prints a " +
            "named property's value",
        () => {
            const failures = check({ keyId: KEY_ID, hsmKey: `${URI}&pin-value=${PIN}`, hsmPin: 42 });
            assert.ok(failures.length >= 2);
            for (const f of failures) {
                assert.equal(f.property, "", JSON.stringify(f));
                assert.ok(!f.reason.includes(PIN));
            }
            const stray = check({ keyId: KEY_ID, keyMaterial: SYMMETRIC, hsmPin: PIN });
            assert.deepEqual(
                stray.map((f) => f.property),
                [""],
            );
            assert.match(stray[0].reason, /hsmPin applies only with hsmKey/);
            assert.ok(!JSON.stringify(stray).includes(PIN));
        },
    );

    it("refuses OAEP for an HSM's private key at preview (PKCS#11 OAEP wraps secret keys only)", () => {
        const failures = check({
            keyId: KEY_ID,
            hsmKey: URI,
            keySpec: "ECC_NIST_P256",
            wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        });
        assert.deepEqual(
            failures.map((f) => f.property),
            ["wrappingAlgorithm"],
        );
        assert.match(
            failures[0].reason,
            /only with RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1: PKCS#11's CKM_RSA_PKCS_OAEP wraps secret keys only/,
        );
    });

    it("keeps the other rules: symmetric-only properties, wrapping names", () => {
        const failures = check({
            keyId: KEY_ID,
            hsmKey: URI,
            keySpec: "HMAC_256",
            rotateOnDemand: true,
            wrappingAlgorithm: "RSAES_PKCS1_V1_5",
        });
        assert.deepEqual(failures.map((f) => f.property).sort(), ["rotateOnDemand", "wrappingAlgorithm"]);
    });

    it("lets a resource move its material from keyMaterial to hsmKey (KMS checks the bytes at the import)", () => {
        assert.deepEqual(check({ keyId: KEY_ID, hsmKey: URI }, { keyId: KEY_ID, keyMaterial: SYMMETRIC }), []);
    });

    it(
        "hsmGenerate needs a label to find the object by, of the type the key spec implies (rows of the " +
            "bad-input table cover the rest)",
        () => {
            const byId = check({
                keyId: KEY_ID,
                hsmKey: URI.replace("object=payments-2026", "id=%01"),
                keySpec: "SYMMETRIC_DEFAULT",
                hsmGenerate: true,
            });
            assert.deepEqual(
                byId.map((f) => f.property),
                [""],
            );
            assert.match(
                byId[0].reason,
                /hsmGenerate needs hsmKey to name the object by its label \(object=\), which the generated object gets/,
            );
            const wrongType = check({ keyId: KEY_ID, hsmKey: URI, keySpec: "ECC_NIST_P256", hsmGenerate: true });
            assert.match(
                wrongType.map((f) => f.reason).join(),
                /hsmGenerate makes ECC_NIST_P256 material, a private key, but hsmKey says type=secret-key: use type=private or omit type/,
            );
            assert.deepEqual(
                check({ keyId: KEY_ID, hsmKey: URI, keySpec: "SYMMETRIC_DEFAULT", hsmGenerate: true }),
                [],
            );
        },
    );

    it(
        "refuses module parameters in the URI (stored in plaintext) and never names hsmKey " + "or hsmModuleParameters",
        () => {
            const secret = "configdir='sql:/secret/path' password=hunter2-long";
            const failures = check({ keyId: KEY_ID, hsmKey: `${URI}&module-parameters=x`, hsmModuleParameters: 7 });
            assert.deepEqual(
                failures.map((f) => f.property),
                ["", ""],
            );
            assert.deepEqual(check({ keyId: KEY_ID, hsmKey: URI, hsmModuleParameters: secret }), []);
            const stray = check({ keyId: KEY_ID, keyMaterial: SYMMETRIC, hsmModuleParameters: secret });
            assert.deepEqual(
                stray.map((f) => f.property),
                [""],
            );
            assert.ok(!JSON.stringify(stray).includes(secret));
        },
    );
});
