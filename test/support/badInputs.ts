import { createPrivateKey, createPublicKey } from "node:crypto";
import { materialFor } from "./materials";

/**
 * Bad inputs for ImportedKeyMaterial, as a table: [what, inputs, the property that must be named, a
 * pattern the reason must match]. Times are relative to `now`, so the table holds on any day.
 */

export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
export const SYMMETRIC = materialFor("SYMMETRIC_DEFAULT").toString("base64");

const EC_KEY = createPrivateKey({ key: materialFor("ECC_NIST_P256"), format: "der", type: "pkcs8" });
const PRIVATE_PEM = String(EC_KEY.export({ type: "pkcs8", format: "pem" }));
const ENCRYPTED_PEM = String(EC_KEY.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "not-a-secret" }));
const PUBLIC_PEM = String(createPublicKey(EC_KEY).export({ type: "spki", format: "pem" }));

const DAY = 86_400_000;
const iso = (time: number) => new Date(time).toISOString().replace(/\.000Z$/, "Z");

export function validInputs(now: Date): Record<string, unknown> {
    return { keyId: KEY_ID, keyMaterial: SYMMETRIC, validTo: iso(now.getTime() + 200 * DAY) };
}

export function badInputs(now: Date): [string, Record<string, unknown>, string, RegExp][] {
    const VALID = validInputs(now);
    const t = now.getTime();
    return [
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
        ["keyMaterial in hex", { ...VALID, keyMaterial: materialFor("SYMMETRIC_DEFAULT").toString("hex") }, "keyMaterial", /looks like hex.*xxd -r -p/],
        ["encrypted PEM private key", { ...VALID, keyMaterial: ENCRYPTED_PEM }, "keyMaterial", /encrypted private key.*openssl pkey -in/],
        ["a public key instead of the private key", { ...VALID, keyMaterial: PUBLIC_PEM }, "keyMaterial", /public key or certificate/],
        ["PEM with two private keys", { ...VALID, keyMaterial: `${PRIVATE_PEM}${PRIVATE_PEM}` }, "keyMaterial", /2 private keys/],
        ["16-byte symmetric material", { ...VALID, keyMaterial: Buffer.alloc(16, 7).toString("base64") }, "keyMaterial", /16 raw bytes fit no key spec/],
        ["33-byte symmetric material", { ...VALID, keyMaterial: Buffer.alloc(33, 7).toString("base64"), keySpec: "SYMMETRIC_DEFAULT" }, "keyMaterial", /exactly 32 raw bytes/],
        ["48 raw bytes without keySpec", { ...VALID, keyMaterial: Buffer.alloc(48, 7).toString("base64") }, "keyMaterial", /set keySpec/],
        ["HMAC_384 material too short", { ...VALID, keySpec: "HMAC_384", keyMaterial: Buffer.alloc(40, 7).toString("base64") }, "keyMaterial", /48 to 128 raw bytes, got 40/],
        ["HMAC_224 material too long", { ...VALID, keySpec: "HMAC_224", keyMaterial: Buffer.alloc(65, 7).toString("base64") }, "keyMaterial", /28 to 64/],
        ["HMAC_512 material too long", { ...VALID, keySpec: "HMAC_512", keyMaterial: Buffer.alloc(129, 7).toString("base64") }, "keyMaterial", /64 to 128/],
        ["raw bytes for an RSA key", { ...VALID, keySpec: "RSA_2048", keyMaterial: SYMMETRIC }, "keyMaterial", /RSA-2048 private key \(PEM text, or base64 of DER PKCS#8, PKCS#1 or SEC1\)/],
        ["P-384 key for a P-256 key spec", { ...VALID, keySpec: "ECC_NIST_P256", keyMaterial: materialFor("ECC_NIST_P384").toString("base64") }, "keyMaterial", /secp384r1/],
        ["RSA-2048 key for RSA_3072", { ...VALID, keySpec: "RSA_3072", keyMaterial: materialFor("RSA_2048").toString("base64") }, "keyMaterial", /RSA-2048/],
        ["PKCS#8 for a symmetric key", { ...VALID, keySpec: "SYMMETRIC_DEFAULT", keyMaterial: materialFor("ECC_NIST_P256").toString("base64") }, "keyMaterial", /exactly 32 raw bytes/],
        ["unsupported keySpec", { ...VALID, keySpec: "SM2" }, "keySpec", /supported:/],
        ["misspelt keySpec", { ...VALID, keySpec: "symmetric_default" }, "keySpec", /supported:/],
        ["bad expirationModel", { ...VALID, expirationModel: "NEVER" }, "expirationModel", /KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE/],
        ["EXPIRES without validTo", { keyId: KEY_ID, keyMaterial: SYMMETRIC, expirationModel: "KEY_MATERIAL_EXPIRES" }, "validTo", /required when expirationModel is KEY_MATERIAL_EXPIRES/],
        ["DOES_NOT_EXPIRE with validTo", { ...VALID, expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }, "validTo", /must not be set/],
        ["validTo in the past", { ...VALID, validTo: iso(t - 300 * DAY) }, "validTo", /in the future/],
        ["validTo just passed", { ...VALID, validTo: iso(t - 1000) }, "validTo", /in the future/],
        ["validTo over 365 days ahead", { ...VALID, validTo: iso(t + 366 * DAY) }, "validTo", /at most 365 days/],
        ["validTo without time zone", { ...VALID, validTo: iso(t + 30 * DAY).replace("Z", "") }, "validTo", /ISO 8601/],
        ["validTo as a date only", { ...VALID, validTo: iso(t + 30 * DAY).slice(0, 10) }, "validTo", /ISO 8601/],
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
        ["misspelt property", { ...VALID, validto: VALID["validTo"] }, "validto", /not a property of ImportedKeyMaterial/],
    ];
}
