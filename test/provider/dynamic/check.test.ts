import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { checkInputs } from "../../../provider/dynamic/check";
import { UNKNOWN } from "../../../provider/dynamic/properties";
import { sequenceElements, tlv } from "../../../provider/wrapping/der";
import { materialFor } from "../../support/materials";
import { assertNoMaterial } from "../../support/assertions";
import { KEY_ARN, KEY_ID, SYMMETRIC, badInputs, validInputs } from "../../support/badInputs";

const NOW = new Date("2026-11-23T12:00:00Z");
const VALID = validInputs(NOW);
const BAD_INPUTS = badInputs(NOW);

/** The check rules, pure. The same table runs through the real provider host in test/engine. */

describe("provider/dynamic/check", () => {
    it("accepts valid inputs for every kind of key", () => {
        for (const spec of ["SYMMETRIC_DEFAULT", "RSA_4096", "ECC_NIST_P521", "ECC_SECG_P256K1"] as const) {
            const { failures } = checkInputs({}, { ...VALID, keyMaterial: materialFor(spec).toString("base64") }, NOW);
            assert.deepEqual(failures, [], spec);
        }
        const hmac = { keyId: KEY_ARN, keyMaterial: materialFor("HMAC_384").toString("base64"), keySpec: "HMAC_384", region: "eu-west-1" };
        assert.deepEqual(checkInputs({}, hmac, NOW).failures, []);
        const rotation = { ...VALID, keyId: "mrk-0123456789abcdef0123456789abcdef", importType: "NEW_KEY_MATERIAL", rotateOnDemand: true, keyMaterialDescription: "rotation 2026-11" };
        assert.deepEqual(checkInputs({}, rotation, NOW).failures, []);
    });

    it(`rejects ${BAD_INPUTS.length} kinds of bad input, naming the property, never showing material`, () => {
        assert.ok(BAD_INPUTS.length >= 40);
        for (const [what, inputs, property, reason] of BAD_INPUTS) {
            const { failures } = checkInputs({}, inputs, NOW);
            const named = failures.filter((f) => f.property === property);
            assert.ok(named.length > 0, `${what}: expected a failure on ${property}, got ${JSON.stringify(failures)}`);
            assert.ok(named.some((f) => reason.test(f.reason)), `${what}: ${JSON.stringify(named)} should match ${reason}`);
            if (typeof inputs["keyMaterial"] === "string") assertNoMaterial(failures, inputs["keyMaterial"], what);
        }
    });

    it("lets values unknown during preview pass", () => {
        const inputs = { keyId: UNKNOWN, keyMaterial: UNKNOWN, validTo: UNKNOWN, keySpec: UNKNOWN, region: UNKNOWN, wrappingAlgorithm: UNKNOWN };
        assert.deepEqual(checkInputs({}, inputs, NOW).failures, []);
        assert.deepEqual(checkInputs({}, { ...VALID, keyId: UNKNOWN }, NOW).failures, []);
    });

    it("refuses different material for the same key, whatever form keyId takes", () => {
        const olds = { ...VALID, keyId: KEY_ARN };
        const other = materialFor("HMAC_256").toString("base64");
        const { failures } = checkInputs(olds, { ...VALID, keyMaterial: other }, NOW);
        assert.equal(failures.length, 1);
        assert.equal(failures[0]!.property, "keyMaterial");
        assert.match(failures[0]!.reason, /PendingImport.*importType NEW_KEY_MATERIAL/s);
        assertNoMaterial(failures[0]!.reason, other);
        assertNoMaterial(failures[0]!.reason, SYMMETRIC);
    });

    it("accepts a private key as PEM or PKCS#1/SEC1, and infers its key spec from the key", () => {
        for (const [spec, type] of [["RSA_3072", "pkcs1"], ["ECC_NIST_P384", "sec1"]] as const) {
            const key = createPrivateKey({ key: materialFor(spec), format: "der", type: "pkcs8" });
            for (const keyMaterial of [String(key.export({ type, format: "pem" })), key.export({ type, format: "der" }).toString("base64")]) {
                assert.deepEqual(checkInputs({}, { keyId: KEY_ID, keyMaterial }, NOW).failures, [], `${spec} ${type}`);
                assert.match(checkInputs({}, { keyId: KEY_ID, keyMaterial, keySpec: "ECC_NIST_P521" }, NOW).failures[0]!.reason, /curve secp521r1 .*, got an? (RSA-3072|EC) private key/);
            }
        }
    });

    it("treats the same key in another encoding as unchanged when the bytes KMS gets are the same, and explains when they are not", () => {
        const key = createPrivateKey({ key: materialFor("ECC_NIST_P256"), format: "der", type: "pkcs8" });
        const olds = { keyId: KEY_ARN, keyMaterial: materialFor("ECC_NIST_P256").toString("base64") };
        for (const keyMaterial of [String(key.export({ type: "pkcs8", format: "pem" })), String(key.export({ type: "sec1", format: "pem" }))]) {
            assert.deepEqual(checkInputs(olds, { ...olds, keyMaterial }, NOW).failures, []);
        }
        // The same key as a PKCS#8 without the optional public key (passed through as given: other bytes).
        const [version, scalar, parameters] = sequenceElements(key.export({ type: "sec1", format: "der" }))!;
        const sec1 = tlv(0x30, ...[version!, scalar!, parameters!].map((e) => tlv(e.tag, e.content)));
        const withoutPublicKey = createPrivateKey({ key: sec1, format: "der", type: "sec1" });
        const variant = withoutPublicKey.export({ type: "pkcs8", format: "der" }).toString("base64");
        const { failures } = checkInputs(olds, { ...olds, keyMaterial: variant }, NOW);
        assert.equal(failures.length, 1);
        assert.match(failures[0]!.reason, /same private key as before, in an encoding that gives other bytes.*previous form/s);
        assertNoMaterial(failures, variant);
    });

    it("allows the same bytes in another base64 layout, and new material with a new key", () => {
        const wrapped = SYMMETRIC.replace(/(.{16})/g, "$1\n");
        assert.deepEqual(checkInputs(VALID, { ...VALID, keyMaterial: wrapped }, NOW).failures, []);
        const otherKey = { ...VALID, keyId: "9999abcd-12ab-34cd-56ef-1234567890ab", keyMaterial: materialFor("HMAC_256").toString("base64") };
        assert.deepEqual(checkInputs(VALID, otherKey, NOW).failures, []);
        assert.deepEqual(checkInputs(VALID, { ...otherKey, keyId: UNKNOWN }, NOW).failures, []);
    });

    it("an unchanged validTo that has since passed is not an input error (the material expired; the plan says so)", () => {
        const passed = "2026-11-01T00:00:00Z";
        assert.deepEqual(checkInputs({ ...VALID, validTo: passed }, { ...VALID, validTo: passed }, NOW).failures, []);
        const changed = checkInputs({ ...VALID, validTo: passed }, { ...VALID, validTo: "2026-11-02T00:00:00Z" }, NOW).failures;
        assert.match(changed[0]!.reason, /must be in the future/);
    });

    it("returns the inputs unchanged (defaults are derived, not written into state)", () => {
        const news = { ...VALID, __provider: "text" };
        assert.equal(checkInputs({}, news, NOW).inputs, news);
    });
});
