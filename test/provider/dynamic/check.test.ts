import assert from "node:assert/strict";
import { checkInputs } from "../../../provider/dynamic/check";
import { UNKNOWN } from "../../../provider/dynamic/properties";
import { materialFor } from "../../support/materials";

/** The check rules, pure. The same table runs through the real provider host in test/engine. */

export const NOW = new Date("2026-11-23T12:00:00Z");
export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
export const SYMMETRIC = materialFor("SYMMETRIC_DEFAULT").toString("base64");

export const VALID: Record<string, unknown> = { keyId: KEY_ID, keyMaterial: SYMMETRIC, validTo: "2027-06-30T00:00:00Z" };

/** [what, inputs, the property that must be named, a pattern the reason must match]. */
export const BAD_INPUTS: [string, Record<string, unknown>, string, RegExp][] = [
    ["missing keyId", { keyMaterial: SYMMETRIC }, "keyId", /required/],
    ["empty keyId", { ...VALID, keyId: "" }, "keyId", /required/],
    ["keyId not a string", { ...VALID, keyId: 42 }, "keyId", /must be a string/],
    ["alias name as keyId", { ...VALID, keyId: "alias/payments" }, "keyId", /alias.*key ID or key ARN/],
    ["alias ARN as keyId", { ...VALID, keyId: "arn:aws:kms:eu-west-1:111122223333:alias/payments" }, "keyId", /alias/],
    ["malformed key ID", { ...VALID, keyId: "fake-key-id" }, "keyId", /must be a KMS key ID/],
    ["key ID without dashes", { ...VALID, keyId: "1234abcd12ab34cd56ef1234567890ab" }, "keyId", /must be a KMS key ID/],
    ["short multi-Region key ID", { ...VALID, keyId: "mrk-1234" }, "keyId", /must be a KMS key ID/],
    ["ARN of another service", { ...VALID, keyId: "arn:aws:s3:::bucket/key/x" }, "keyId", /must be a KMS key ID/],
    ["key ARN with a bad account", { ...VALID, keyId: `arn:aws:kms:eu-west-1:1111:key/${KEY_ID}` }, "keyId", /must be a KMS key ID/],
    ["missing keyMaterial", { keyId: KEY_ID }, "keyMaterial", /required/],
    ["empty keyMaterial", { ...VALID, keyMaterial: "" }, "keyMaterial", /required/],
    ["keyMaterial not a string", { ...VALID, keyMaterial: 12345 }, "keyMaterial", /must be a string/],
    ["keyMaterial not base64", { ...VALID, keyMaterial: "not base64 at all!" }, "keyMaterial", /standard base64/],
    ["keyMaterial base64url", { ...VALID, keyMaterial: materialFor("SYMMETRIC_DEFAULT").toString("base64url") + "-_" }, "keyMaterial", /standard base64/],
    ["16-byte symmetric material", { ...VALID, keyMaterial: Buffer.alloc(16, 7).toString("base64") }, "keyMaterial", /16 raw bytes fit no key spec/],
    ["33-byte symmetric material", { ...VALID, keyMaterial: Buffer.alloc(33, 7).toString("base64"), keySpec: "SYMMETRIC_DEFAULT" }, "keyMaterial", /exactly 32 raw bytes/],
    ["48 raw bytes without keySpec", { ...VALID, keyMaterial: Buffer.alloc(48, 7).toString("base64") }, "keyMaterial", /set keySpec/],
    ["HMAC_384 material too short", { ...VALID, keySpec: "HMAC_384", keyMaterial: Buffer.alloc(40, 7).toString("base64") }, "keyMaterial", /48 to 128 raw bytes, got 40/],
    ["HMAC_224 material too long", { ...VALID, keySpec: "HMAC_224", keyMaterial: Buffer.alloc(65, 7).toString("base64") }, "keyMaterial", /28 to 64/],
    ["HMAC_512 material too long", { ...VALID, keySpec: "HMAC_512", keyMaterial: Buffer.alloc(129, 7).toString("base64") }, "keyMaterial", /64 to 128/],
    ["raw bytes for an RSA key", { ...VALID, keySpec: "RSA_2048", keyMaterial: SYMMETRIC }, "keyMaterial", /DER-encoded PKCS#8/],
    ["P-384 key for a P-256 key spec", { ...VALID, keySpec: "ECC_NIST_P256", keyMaterial: materialFor("ECC_NIST_P384").toString("base64") }, "keyMaterial", /secp384r1/],
    ["RSA-2048 key for RSA_3072", { ...VALID, keySpec: "RSA_3072", keyMaterial: materialFor("RSA_2048").toString("base64") }, "keyMaterial", /RSA-2048/],
    ["PKCS#8 for a symmetric key", { ...VALID, keySpec: "SYMMETRIC_DEFAULT", keyMaterial: materialFor("ECC_NIST_P256").toString("base64") }, "keyMaterial", /exactly 32 raw bytes/],
    ["unsupported keySpec", { ...VALID, keySpec: "SM2" }, "keySpec", /supported:/],
    ["misspelt keySpec", { ...VALID, keySpec: "symmetric_default" }, "keySpec", /supported:/],
    ["bad expirationModel", { ...VALID, expirationModel: "NEVER" }, "expirationModel", /KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE/],
    ["EXPIRES without validTo", { keyId: KEY_ID, keyMaterial: SYMMETRIC, expirationModel: "KEY_MATERIAL_EXPIRES" }, "validTo", /required when expirationModel is KEY_MATERIAL_EXPIRES/],
    ["DOES_NOT_EXPIRE with validTo", { ...VALID, expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }, "validTo", /must not be set/],
    ["validTo in the past", { ...VALID, validTo: "2026-01-01T00:00:00Z" }, "validTo", /in the future/],
    ["validTo now", { ...VALID, validTo: NOW.toISOString() }, "validTo", /in the future/],
    ["validTo over 365 days ahead", { ...VALID, validTo: "2027-11-24T12:00:01Z" }, "validTo", /at most 365 days/],
    ["validTo without time zone", { ...VALID, validTo: "2027-06-30T00:00:00" }, "validTo", /ISO 8601/],
    ["validTo as a date only", { ...VALID, validTo: "2027-06-30" }, "validTo", /ISO 8601/],
    ["validTo as epoch seconds", { ...VALID, validTo: 1814400000 }, "validTo", /must be a string/],
    ["validTo impossible hour", { ...VALID, validTo: "2027-02-03T25:00:00Z" }, "validTo", /ISO 8601/],
    ["validTo impossible day", { ...VALID, validTo: "2027-02-30T10:00:00Z" }, "validTo", /ISO 8601/],
    ["bad importType", { ...VALID, importType: "ROTATE" }, "importType", /NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL/],
    ["importType on an HMAC key", { ...VALID, keySpec: "HMAC_256", importType: "NEW_KEY_MATERIAL" }, "importType", /only to SYMMETRIC_DEFAULT/],
    ["importType on an RSA key", { ...VALID, keyMaterial: materialFor("RSA_2048").toString("base64"), importType: "EXISTING_KEY_MATERIAL" }, "importType", /only to SYMMETRIC_DEFAULT/],
    ["description on an ECC key", { ...VALID, keyMaterial: materialFor("ECC_NIST_P256").toString("base64"), keyMaterialDescription: "x" }, "keyMaterialDescription", /only to SYMMETRIC_DEFAULT/],
    ["rotateOnDemand on an HMAC key", { ...VALID, keySpec: "HMAC_512", keyMaterial: materialFor("HMAC_512").toString("base64"), rotateOnDemand: true }, "rotateOnDemand", /only to SYMMETRIC_DEFAULT/],
    ["rotateOnDemand not a boolean", { ...VALID, rotateOnDemand: "yes" }, "rotateOnDemand", /must be a boolean/],
    ["description with forbidden characters", { ...VALID, keyMaterialDescription: "rotation #2!" }, "keyMaterialDescription", /letters, digits/],
    ["description too long", { ...VALID, keyMaterialDescription: "a".repeat(257) }, "keyMaterialDescription", /1 to 256/],
    ["RSAES_PKCS1_V1_5", { ...VALID, wrappingAlgorithm: "RSAES_PKCS1_V1_5" }, "wrappingAlgorithm", /no longer supported/],
    ["SM2PKE", { ...VALID, wrappingAlgorithm: "SM2PKE" }, "wrappingAlgorithm", /China/],
    ["unknown wrapping algorithm", { ...VALID, wrappingAlgorithm: "AES_GCM" }, "wrappingAlgorithm", /not a KMS wrapping algorithm/],
    ["SM2 wrapping key", { ...VALID, wrappingKeySpec: "SM2" }, "wrappingKeySpec", /China/],
    ["RSA_1024 wrapping key", { ...VALID, wrappingKeySpec: "RSA_1024" }, "wrappingKeySpec", /RSA_2048, RSA_3072 or RSA_4096/],
    ["RSA private key with OAEP", { ...VALID, keyMaterial: materialFor("RSA_2048").toString("base64"), wrappingAlgorithm: "RSAES_OAEP_SHA_256" }, "wrappingAlgorithm", /RSA_AES_KEY_WRAP/],
    ["P-521 with RSA_2048 OAEP", { ...VALID, keyMaterial: materialFor("ECC_NIST_P521").toString("base64"), wrappingAlgorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_2048" }, "wrappingAlgorithm", /at most 214 bytes/],
    ["P-521 with an RSA_2048 wrapping key (default OAEP)", { ...VALID, keyMaterial: materialFor("ECC_NIST_P521").toString("base64"), wrappingKeySpec: "RSA_2048" }, "wrappingKeySpec", /at most 190 bytes/],
    ["bad region", { ...VALID, region: "Europe" }, "region", /AWS Region name/],
    ["region contradicting the ARN", { ...VALID, keyId: KEY_ARN, region: "us-east-1" }, "region", /contradicts keyId/],
    ["endpoint not a URL", { ...VALID, endpoint: "kms.local" }, "endpoint", /http\(s\) URL/],
    ["endpoint with another scheme", { ...VALID, endpoint: "ftp://127.0.0.1:4599" }, "endpoint", /http\(s\) URL/],
    ["profile not a string", { ...VALID, profile: true }, "profile", /must be a string/],
    ["misspelt property", { ...VALID, validto: "2027-06-30T00:00:00Z" }, "validto", /not a property of ImportedKeyMaterial/],
];

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
            assertNoMaterial(JSON.stringify(failures), inputs["keyMaterial"]);
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

    it("allows the same bytes in another base64 layout, and new material with a new key", () => {
        const wrapped = SYMMETRIC.replace(/(.{16})/g, "$1\n");
        assert.deepEqual(checkInputs(VALID, { ...VALID, keyMaterial: wrapped }, NOW).failures, []);
        const otherKey = { ...VALID, keyId: "9999abcd-12ab-34cd-56ef-1234567890ab", keyMaterial: materialFor("HMAC_256").toString("base64") };
        assert.deepEqual(checkInputs(VALID, otherKey, NOW).failures, []);
        assert.deepEqual(checkInputs(VALID, { ...otherKey, keyId: UNKNOWN }, NOW).failures, []);
    });

    it("returns the inputs unchanged (defaults are derived, not written into state)", () => {
        const news = { ...VALID, __provider: "text" };
        assert.equal(checkInputs({}, news, NOW).inputs, news);
    });
});

export function assertNoMaterial(text: string, material: unknown): void {
    if (typeof material !== "string" || material.length < 8) return;
    const bytes = Buffer.from(material, "base64");
    for (const form of [material, bytes.toString("hex"), material.slice(0, 12)]) {
        assert.ok(!text.includes(form), `message contains key material: ${text}`);
    }
}
