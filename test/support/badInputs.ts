import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { materialFor } from "./materials";

/**
 * Bad inputs for ImportedKeyMaterial, as a table: the single source of rows for every test that runs them
 * (the provider's own dispatch in test/provider, the real Pulumi CLI in test/cli).
 * Times are relative to `now`, so the table holds on any day.
 *
 * A row says what a program (and its stack) gives, and what `pulumi preview` must answer:
 * - `inputs`: the resource's inputs (keyMaterial as the program gives it; the resource makes it a secret);
 * - `config` / `env`: stack configuration (`pulumi config set`, structured values as JSON text) and the
 *   provider host's environment, for rows about settings;
 * - `property`: the property the failure names, "" when its value cannot be proven not to be a secret (the
 *   engine then prints no value: `… resource 'x' has a problem: <reason>`);
 * - `reason`: a pattern the failure's reason matches;
 * - `materialIn`: the inputs whose value holds key material (in any form): no failure may name them;
 * - `secrets`: the key materials in the row, as given: no failure, log or output may contain one in any form.
 */

export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
export const SYMMETRIC = materialFor("SYMMETRIC_DEFAULT").toString("base64");
const SYMMETRIC_HEX = Buffer.from(SYMMETRIC, "base64").toString("hex");
const SYMMETRIC_URL = Buffer.from(SYMMETRIC, "base64").toString("base64url");

export interface BadInputRow {
    what: string;
    inputs: Record<string, unknown>;
    config?: Record<string, string>;
    env?: Record<string, string>;
    property: string;
    reason: RegExp;
    materialIn: string[];
    secrets: string[];
}

const EC_KEY = createPrivateKey({ key: materialFor("ECC_NIST_P256"), format: "der", type: "pkcs8" });
const PRIVATE_PEM = String(EC_KEY.export({ type: "pkcs8", format: "pem" }));
const ENCRYPTED_PEM = String(
    EC_KEY.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "not-a-secret" }),
);
const PUBLIC_PEM = String(createPublicKey(EC_KEY).export({ type: "spki", format: "pem" }));

const DAY = 86_400_000;
const iso = (time: number) => new Date(time).toISOString().replace(/\.000Z$/, "Z");

export function validInputs(now: Date): Record<string, unknown> {
    return { keyId: KEY_ID, keyMaterial: SYMMETRIC, validTo: iso(now.getTime() + 200 * DAY) };
}

type Row = [
    what: string,
    inputs: Record<string, unknown>,
    property: string,
    reason: RegExp,
    extra?: Partial<BadInputRow>,
];

export function badInputRows(now: Date): BadInputRow[] {
    return [
        ...inputRows(now),
        ...pastedMaterialRows(now),
        ...oversizedRows(now),
        ...endpointRows(now),
        ...settingsRows(now),
    ].map(([what, inputs, property, reason, extra]) => {
        const material = typeof inputs["keyMaterial"] === "string" ? inputs["keyMaterial"] : undefined;
        const holdsSymmetric = (name: string) =>
            [SYMMETRIC, SYMMETRIC_HEX, SYMMETRIC_URL].some((form) =>
                JSON.stringify(inputs[name] ?? null).includes(form),
            );
        const pasted = Object.keys(inputs).filter(holdsSymmetric);
        return {
            what,
            inputs,
            property,
            reason,
            materialIn: [...new Set([...("keyMaterial" in inputs ? ["keyMaterial"] : []), ...pasted])],
            secrets: [
                ...new Set([
                    ...(material && material.length >= 8 ? [material] : []),
                    ...(pasted.length > 0 ? [SYMMETRIC] : []),
                ]),
            ],
            ...extra,
        };
    });
}

/**
 * The rows without stack configuration or environment, as [what, inputs, property, reason] (test/cli/check.test.ts).
 */
export function badInputs(now: Date): [string, Record<string, unknown>, string, RegExp][] {
    return badInputRows(now)
        .filter((row) => !row.config && !row.env)
        .map((row) => [row.what, row.inputs, row.property, row.reason]);
}

function inputRows(now: Date): Row[] {
    const VALID = validInputs(now);
    const RENEWING = { keyId: KEY_ID, keyMaterial: SYMMETRIC, validityPeriodHours: 2160 };
    const t = now.getTime();
    return [
        ["missing keyId", { keyMaterial: SYMMETRIC }, "keyId", /required/],
        ["empty keyId", { ...VALID, keyId: "" }, "keyId", /required/],
        ["keyId not a string", { ...VALID, keyId: 42 }, "keyId", /must be a string/],
        ["alias name as keyId", { ...VALID, keyId: "alias/payments" }, "keyId", /alias.*key ID or key ARN/],
        [
            "alias ARN as keyId",
            { ...VALID, keyId: "arn:aws:kms:eu-west-1:111122223333:alias/payments" },
            "keyId",
            /alias/,
        ],
        ["malformed key ID", { ...VALID, keyId: "fake-key-id" }, "", /keyId must be a KMS key ID/],
        [
            "key ID without dashes",
            { ...VALID, keyId: "1234abcd12ab34cd56ef1234567890ab" },
            "",
            /keyId must be a KMS key ID/,
        ],
        ["short multi-Region key ID", { ...VALID, keyId: "mrk-1234" }, "", /keyId must be a KMS key ID/],
        ["ARN of another service", { ...VALID, keyId: "arn:aws:s3:::bucket/key/x" }, "", /keyId must be a KMS key ID/],
        [
            "key ARN with a bad account",
            { ...VALID, keyId: `arn:aws:kms:eu-west-1:1111:key/${KEY_ID}` },
            "",
            /keyId must be a KMS key ID/,
        ],
        ["missing keyMaterial", { keyId: KEY_ID }, "", /keyMaterial is required/],
        ["empty keyMaterial", { ...VALID, keyMaterial: "" }, "", /keyMaterial is required/],
        ["keyMaterial not a string", { ...VALID, keyMaterial: 12345 }, "", /keyMaterial must be a string/],
        ["keyMaterial not base64", { ...VALID, keyMaterial: "not base64 at all!" }, "", /standard base64/],
        ["keyMaterial base64url", { ...VALID, keyMaterial: SYMMETRIC_URL + "-_" }, "", /standard base64/],
        ["keyMaterial in hex", { ...VALID, keyMaterial: SYMMETRIC_HEX }, "", /looks like hex.*xxd -r -p/],
        [
            "encrypted PEM private key",
            { ...VALID, keyMaterial: ENCRYPTED_PEM },
            "",
            /encrypted private key.*openssl pkey -in/,
        ],
        [
            "a public key instead of the private key",
            { ...VALID, keyMaterial: PUBLIC_PEM },
            "",
            /public key or certificate/,
        ],
        ["PEM with two private keys", { ...VALID, keyMaterial: `${PRIVATE_PEM}${PRIVATE_PEM}` }, "", /2 private keys/],
        [
            "16-byte symmetric material",
            { ...VALID, keyMaterial: Buffer.alloc(16, 7).toString("base64") },
            "",
            /16 raw bytes fit no key spec/,
        ],
        [
            "33-byte symmetric material",
            { ...VALID, keyMaterial: Buffer.alloc(33, 7).toString("base64"), keySpec: "SYMMETRIC_DEFAULT" },
            "",
            /exactly 32 raw bytes/,
        ],
        [
            "48 raw bytes without keySpec",
            { ...VALID, keyMaterial: Buffer.alloc(48, 7).toString("base64") },
            "",
            /set keySpec/,
        ],
        [
            "HMAC_384 material too short",
            { ...VALID, keySpec: "HMAC_384", keyMaterial: Buffer.alloc(40, 7).toString("base64") },
            "",
            /48 to 128 raw bytes, got 40/,
        ],
        [
            "HMAC_224 material too long",
            { ...VALID, keySpec: "HMAC_224", keyMaterial: Buffer.alloc(65, 7).toString("base64") },
            "",
            /28 to 64/,
        ],
        [
            "HMAC_512 material too long",
            { ...VALID, keySpec: "HMAC_512", keyMaterial: Buffer.alloc(129, 7).toString("base64") },
            "",
            /64 to 128/,
        ],
        [
            "raw bytes for an RSA key",
            { ...VALID, keySpec: "RSA_2048", keyMaterial: SYMMETRIC },
            "",
            /RSA-2048 private key \(PEM text, or base64 of DER PKCS#8, PKCS#1 or SEC1\)/,
        ],
        [
            "P-384 key for a P-256 key spec",
            { ...VALID, keySpec: "ECC_NIST_P256", keyMaterial: materialFor("ECC_NIST_P384").toString("base64") },
            "",
            /secp384r1/,
        ],
        [
            "RSA-2048 key for RSA_3072",
            { ...VALID, keySpec: "RSA_3072", keyMaterial: materialFor("RSA_2048").toString("base64") },
            "",
            /RSA-2048/,
        ],
        [
            "PKCS#8 for a symmetric key",
            { ...VALID, keySpec: "SYMMETRIC_DEFAULT", keyMaterial: materialFor("ECC_NIST_P256").toString("base64") },
            "",
            /exactly 32 raw bytes/,
        ],
        ["unsupported keySpec", { ...VALID, keySpec: "SM2" }, "", /keySpec must be one of/],
        ["misspelt keySpec", { ...VALID, keySpec: "symmetric_default" }, "", /keySpec must be one of/],
        [
            "bad expirationModel",
            { ...VALID, expirationModel: "NEVER" },
            "",
            /KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE/,
        ],
        [
            "EXPIRES without validTo",
            { keyId: KEY_ID, keyMaterial: SYMMETRIC, expirationModel: "KEY_MATERIAL_EXPIRES" },
            "validTo",
            /required when expirationModel is KEY_MATERIAL_EXPIRES/,
        ],
        [
            "DOES_NOT_EXPIRE with validTo",
            { ...VALID, expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" },
            "validTo",
            /must not be set/,
        ],
        ["validTo in the past", { ...VALID, validTo: iso(t - 300 * DAY) }, "validTo", /in the future/],
        ["validTo just passed", { ...VALID, validTo: iso(t - 1000) }, "validTo", /in the future/],
        ["validTo over 365 days ahead", { ...VALID, validTo: iso(t + 366 * DAY) }, "validTo", /at most 365 days/],
        [
            "validTo without time zone",
            { ...VALID, validTo: iso(t + 30 * DAY).replace("Z", "") },
            "",
            /validTo must be an ISO 8601/,
        ],
        [
            "validTo as a date only",
            { ...VALID, validTo: iso(t + 30 * DAY).slice(0, 10) },
            "",
            /validTo must be an ISO 8601/,
        ],
        ["validTo as epoch seconds", { ...VALID, validTo: 1814400000 }, "validTo", /must be a string/],
        ["validTo impossible hour", { ...VALID, validTo: "2027-02-03T25:00:00Z" }, "validTo", /ISO 8601/],
        ["validTo impossible day", { ...VALID, validTo: "2027-02-30T10:00:00Z" }, "validTo", /ISO 8601/],
        [
            "validTo and validityPeriodHours together",
            { ...VALID, validityPeriodHours: 2160 },
            "validityPeriodHours",
            /alternatives, set only one/,
        ],
        [
            "validityPeriodHours with DOES_NOT_EXPIRE",
            { ...RENEWING, expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" },
            "validityPeriodHours",
            /must not be set when expirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE/,
        ],
        [
            "validityPeriodHours 0",
            { ...RENEWING, validityPeriodHours: 0 },
            "validityPeriodHours",
            /whole number of hours from 1 to 8,760/,
        ],
        [
            "validityPeriodHours over 365 days",
            { ...RENEWING, validityPeriodHours: 8761 },
            "validityPeriodHours",
            /from 1 to 8,760 \(365 days/,
        ],
        [
            "validityPeriodHours fractional",
            { ...RENEWING, validityPeriodHours: 1.5 },
            "validityPeriodHours",
            /whole number of hours/,
        ],
        [
            "validityPeriodHours as text",
            { ...RENEWING, validityPeriodHours: "2160" },
            "",
            /validityPeriodHours must be a number, got a string/,
        ],
        [
            "earlyRenewalHours without validityPeriodHours",
            { ...VALID, earlyRenewalHours: 24 },
            "earlyRenewalHours",
            /applies only with validityPeriodHours/,
        ],
        ["earlyRenewalHours 0", { ...RENEWING, earlyRenewalHours: 0 }, "earlyRenewalHours", /at least 1/],
        [
            "earlyRenewalHours over the period",
            { ...RENEWING, earlyRenewalHours: 2161 },
            "earlyRenewalHours",
            /at most validityPeriodHours/,
        ],
        [
            "EXPIRES with neither validTo nor a period",
            { keyId: KEY_ID, keyMaterial: SYMMETRIC, expirationModel: "KEY_MATERIAL_EXPIRES", earlyRenewalHours: 24 },
            "validTo",
            /or validityPeriodHours/,
        ],
        [
            "bad importType",
            { ...VALID, importType: "ROTATE" },
            "",
            /importType must be NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL/,
        ],
        [
            "importType on an HMAC key",
            { ...VALID, keySpec: "HMAC_256", importType: "NEW_KEY_MATERIAL" },
            "importType",
            /only to SYMMETRIC_DEFAULT/,
        ],
        [
            "importType on an RSA key",
            { ...VALID, keyMaterial: materialFor("RSA_2048").toString("base64"), importType: "EXISTING_KEY_MATERIAL" },
            "importType",
            /only to SYMMETRIC_DEFAULT/,
        ],
        [
            "description on an ECC key",
            { ...VALID, keyMaterial: materialFor("ECC_NIST_P256").toString("base64"), keyMaterialDescription: "x" },
            "",
            /keyMaterialDescription applies only to SYMMETRIC_DEFAULT/,
        ],
        [
            "rotateOnDemand on an HMAC key",
            {
                ...VALID,
                keySpec: "HMAC_512",
                keyMaterial: materialFor("HMAC_512").toString("base64"),
                rotateOnDemand: true,
            },
            "rotateOnDemand",
            /only to SYMMETRIC_DEFAULT/,
        ],
        ["rotateOnDemand not a boolean", { ...VALID, rotateOnDemand: "yes" }, "", /rotateOnDemand must be a boolean/],
        [
            "description with forbidden characters",
            { ...VALID, keyMaterialDescription: "rotation #2!" },
            "",
            /keyMaterialDescription must be 1 to 256/,
        ],
        ["description too long", { ...VALID, keyMaterialDescription: "a".repeat(257) }, "", /1 to 256/],
        [
            "RSAES_PKCS1_V1_5",
            { ...VALID, wrappingAlgorithm: "RSAES_PKCS1_V1_5" },
            "wrappingAlgorithm",
            /no longer supported/,
        ],
        ["SM2PKE", { ...VALID, wrappingAlgorithm: "SM2PKE" }, "wrappingAlgorithm", /China/],
        [
            "unknown wrapping algorithm",
            { ...VALID, wrappingAlgorithm: "AES_GCM" },
            "",
            /wrappingAlgorithm must be a KMS wrapping algorithm/,
        ],
        ["SM2 wrapping key", { ...VALID, wrappingKeySpec: "SM2" }, "wrappingKeySpec", /China/],
        ["RSA_1024 wrapping key", { ...VALID, wrappingKeySpec: "RSA_1024" }, "", /RSA_2048, RSA_3072 or RSA_4096/],
        [
            "RSA private key with OAEP",
            {
                ...VALID,
                keyMaterial: materialFor("RSA_2048").toString("base64"),
                wrappingAlgorithm: "RSAES_OAEP_SHA_256",
            },
            "wrappingAlgorithm",
            /RSA_AES_KEY_WRAP/,
        ],
        [
            "P-521 with RSA_2048 OAEP",
            {
                ...VALID,
                keyMaterial: materialFor("ECC_NIST_P521").toString("base64"),
                wrappingAlgorithm: "RSAES_OAEP_SHA_1",
                wrappingKeySpec: "RSA_2048",
            },
            "wrappingAlgorithm",
            /at most 214 bytes/,
        ],
        [
            "P-521 with an RSA_2048 wrapping key (default OAEP)",
            { ...VALID, keyMaterial: materialFor("ECC_NIST_P521").toString("base64"), wrappingKeySpec: "RSA_2048" },
            "wrappingKeySpec",
            /at most 190 bytes/,
        ],
        ["bad region", { ...VALID, region: "Europe" }, "", /region must be an AWS Region name/],
        [
            "region contradicting the ARN",
            { ...VALID, keyId: KEY_ARN, region: "us-east-1" },
            "region",
            /contradicts keyId/,
        ],
        ["endpoint not a URL", { ...VALID, endpoint: "kms.local" }, "", /endpoint must be an http\(s\) URL/],
        [
            "endpoint with another scheme",
            { ...VALID, endpoint: "ftp://127.0.0.1:4599" },
            "",
            /endpoint must be an http\(s\) URL/,
        ],
        ["profile not a string", { ...VALID, profile: true }, "profile", /must be a string/],
        [
            "misspelt property",
            { ...VALID, validto: VALID["validTo"] },
            "",
            /validto is not a property of ImportedKeyMaterial/,
        ],
        ...hsmRows(),
    ];
}

/** hsmKey and what goes with it: checked without a token (the token is asked only once these pass). */
function hsmRows(): Row[] {
    const URI =
        "pkcs11:token=byok;object=payments-2026;type=secret-key?module-path=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so";
    const HSM = { keyId: KEY_ID, hsmKey: URI };
    return [
        [
            "hsmGenerate not a boolean",
            { ...HSM, keySpec: "SYMMETRIC_DEFAULT", hsmGenerate: "yes" },
            "",
            /hsmGenerate must be a boolean/,
        ],
        ["hsmGenerate without keySpec", { ...HSM, hsmGenerate: true }, "keySpec", /hsmGenerate needs keySpec/],
        [
            "hsmGenerate with keyMaterial",
            { keyId: KEY_ID, keyMaterial: SYMMETRIC, hsmGenerate: true },
            "hsmGenerate",
            /hsmGenerate applies only with hsmKey/,
        ],
        [
            "hsmModuleParameters without hsmKey",
            { keyId: KEY_ID, keyMaterial: SYMMETRIC, hsmModuleParameters: "configdir='sql:/var/lib/nss'" },
            "",
            /hsmModuleParameters applies only with hsmKey/,
        ],
        [
            "hsmModuleParameters not a string",
            { ...HSM, hsmModuleParameters: 42 },
            "",
            /hsmModuleParameters must be a string/,
        ],
        [
            "module parameters in the URI",
            { ...HSM, hsmKey: `${URI}&module-parameters=configdir%3Dsql:/var/lib/nss` },
            "",
            /hsmKey carries module-parameters, and the URI is stored in the state in plaintext/,
        ],
    ];
}

/** The material where it does not belong: the engine would print it next to a failure naming that property. */
function pastedMaterialRows(now: Date): Row[] {
    const VALID = validInputs(now);
    return [
        ["material pasted into keyId", { ...VALID, keyId: SYMMETRIC }, "", /keyId must be a KMS key ID/],
        ["hex material pasted into keyId", { ...VALID, keyId: SYMMETRIC_HEX }, "", /keyId must be a KMS key ID/],
        ["material pasted into validTo", { ...VALID, validTo: SYMMETRIC }, "", /validTo must be an ISO 8601/],
        ["material pasted into region", { ...VALID, region: SYMMETRIC }, "", /region must be an AWS Region name/],
        ["material pasted into keySpec", { ...VALID, keySpec: SYMMETRIC }, "", /keySpec must be one of/],
        [
            "material pasted into expirationModel",
            { ...VALID, expirationModel: SYMMETRIC },
            "",
            /expirationModel must be/,
        ],
        ["material pasted into importType", { ...VALID, importType: SYMMETRIC }, "", /importType must be/],
        [
            "material pasted into wrappingAlgorithm",
            { ...VALID, wrappingAlgorithm: SYMMETRIC },
            "",
            /wrappingAlgorithm must be a KMS wrapping algorithm/,
        ],
        [
            "material pasted into the description",
            { ...VALID, keyMaterialDescription: SYMMETRIC },
            "",
            /keyMaterialDescription must be 1 to 256/,
        ],
        [
            "hex material as the description (valid characters)",
            { ...VALID, keyMaterialDescription: SYMMETRIC_HEX },
            "",
            /keyMaterialDescription contains the key material/,
        ],
        ["material pasted into endpoint", { ...VALID, endpoint: SYMMETRIC }, "", /endpoint must be an http\(s\) URL/],
        ["material pasted into profile", { ...VALID, profile: SYMMETRIC_URL }, "", /profile contains the key material/],
        [
            "material as assumeRole.externalId (valid characters)",
            { ...VALID, assumeRole: { roleArn: "arn:aws:iam::111122223333:role/byok", externalId: SYMMETRIC } },
            "",
            /assumeRole contains the key material/,
        ],
        ["material in trustedEndpoints", { ...VALID, trustedEndpoints: [SYMMETRIC] }, "", /trustedEndpoints/],
        [
            "misspelt keyMaterial holding the material",
            { keyId: KEY_ID, keymaterial: SYMMETRIC },
            "",
            /keymaterial is not a property of ImportedKeyMaterial/,
        ],
        [
            "material under another misspelling",
            { ...VALID, key_material: SYMMETRIC },
            "",
            /key_material is not a property/,
        ],
        [
            "keyMaterial as a list",
            { ...VALID, keyMaterial: [SYMMETRIC] },
            "",
            /keyMaterial must be a string, got a list/,
        ],
        [
            "keyMaterial as an object",
            { ...VALID, keyMaterial: { value: SYMMETRIC } },
            "",
            /keyMaterial must be a string, got an object/,
        ],
        [
            "rotateOnDemand holding the material",
            { ...VALID, rotateOnDemand: SYMMETRIC },
            "",
            /rotateOnDemand must be a boolean/,
        ],
    ];
}

/**
 * Text longer than any valid value (issue 17): refused first, before anything is derived from it, saying how
 * long it is and never what it holds. Deterministic, so every call of the table gives the same rows.
 */
function oversizedRows(now: Date): Row[] {
    const VALID = validInputs(now);
    const stream = (bytes: number, seed: string) => {
        const blocks: Buffer[] = [];
        for (let i = 0; blocks.length * 32 < bytes; i++)
            blocks.push(createHash("sha256").update(`${seed}/${i}`).digest());
        return Buffer.concat(blocks).subarray(0, bytes);
    };
    const bundle = stream(6900, "a PKCS#12 bundle").toString("base64");
    const pem = `-----BEGIN PRIVATE KEY-----\n${stream(9000, "a PEM file")
        .toString("base64")
        .match(/.{1,64}/g)!
        .join("\n")}\n-----END PRIVATE KEY-----\n`;
    const pin = [...stream(5000, "a PIN")].map((b) => String(b % 10)).join("");
    return [
        [
            "keyMaterial of 9,200 characters (a PKCS#12 bundle's size)",
            { ...VALID, keyMaterial: bundle },
            "",
            /keyMaterial is 9200 characters long, and no key material is longer than 4096.*not shown/,
        ],
        [
            "keyMaterial as 12 KB of PEM-like text",
            { ...VALID, keyMaterial: pem },
            "",
            /keyMaterial is \d+ characters long.*certificate chain, a PKCS#12 bundle or another file/,
        ],
        [
            "hsmPin of 5,000 characters",
            { keyId: KEY_ID, hsmKey: "pkcs11:token=byok;object=k", hsmPin: pin },
            "",
            /hsmPin holds 5000 characters, more than any valid hsmPin has/,
            { secrets: [pin] },
        ],
        [
            "a description of 5,000 characters",
            { ...VALID, keyMaterialDescription: "a".repeat(5000) },
            "",
            /keyMaterialDescription holds 5000 characters.*may be pasted key material/,
        ],
        [
            "a misspelt property holding 9,200 characters",
            { ...VALID, key_material: bundle },
            "",
            /key_material holds 9200 characters/,
            { secrets: [SYMMETRIC, bundle] },
        ],
    ];
}

/** Where the wrapped material would go: only a genuine KMS (endpointTrust.ts). */
function endpointRows(now: Date): Row[] {
    const VALID = validInputs(now);
    return [
        [
            "http endpoint to a private address",
            { ...VALID, endpoint: "http://10.0.0.5:4566" },
            "endpoint",
            /plain http is allowed only to loopback/,
        ],
        [
            "look-alike AWS host",
            { ...VALID, endpoint: "https://kms.us-east-1.amazonaws.com.attacker.example" },
            "endpoint",
            /not an AWS KMS host.*trustedEndpoints/s,
        ],
        [
            "http to an AWS host",
            { ...VALID, endpoint: "http://kms.eu-west-1.amazonaws.com" },
            "endpoint",
            /plain http is allowed only to loopback/,
        ],
        [
            "AWS host on another port",
            { ...VALID, endpoint: "https://kms.eu-west-1.amazonaws.com:8443" },
            "endpoint",
            /not an AWS KMS host/,
        ],
        [
            "endpoint with a path",
            { ...VALID, endpoint: "https://kms.eu-west-1.amazonaws.com/x" },
            "",
            /scheme:\/\/host\[:port\]/,
        ],
        [
            "endpoint with a user name",
            { ...VALID, endpoint: "https://user:pass@kms.eu-west-1.amazonaws.com" },
            "",
            /scheme:\/\/host\[:port\]/,
        ],
        [
            "AWS endpoint of another Region than the key ARN",
            { ...VALID, keyId: KEY_ARN, endpoint: "https://kms.us-east-1.amazonaws.com" },
            "endpoint",
            /AWS KMS of us-east-1, but the key is in eu-west-1/,
        ],
        [
            "trustedEndpoints with a plain http entry",
            { ...VALID, endpoint: "http://10.0.0.5:4566", trustedEndpoints: ["http://10.0.0.5:4566"] },
            "",
            /plain http is never trusted/,
        ],
        [
            "trustedEndpoints not a list",
            { ...VALID, trustedEndpoints: "https://kms.example.internal" },
            "",
            /trustedEndpoints must be a string list/,
        ],
        [
            "untrusted host in pulumi-kms-byok:endpoint",
            VALID,
            "",
            /pulumi-kms-byok:endpoint: the host is not an AWS KMS host/,
            { config: { "pulumi-kms-byok:endpoint": "https://kms.example.internal" } },
        ],
        [
            "plain http in aws:endpoints",
            VALID,
            "",
            /aws:endpoints: plain http is allowed only to loopback/,
            { config: { "aws:endpoints": JSON.stringify([{ kms: "http://10.1.2.3:4566" }]) } },
        ],
        [
            "AWS_ENDPOINT_URL alone",
            VALID,
            "",
            /comes only from AWS_ENDPOINT_URL.*not enough on its own/s,
            { env: { AWS_ENDPOINT_URL: "http://127.0.0.1:4566" } },
        ],
        [
            "AWS_ENDPOINT_URL_KMS to another host over http",
            VALID,
            "",
            /AWS_ENDPOINT_URL_KMS: plain http/,
            { env: { AWS_ENDPOINT_URL_KMS: "http://192.0.2.10:4566" } },
        ],
        [
            "NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment",
            VALID,
            "",
            /NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment.*aws:customCaBundle or AWS_CA_BUNDLE/s,
            { env: { NODE_TLS_REJECT_UNAUTHORIZED: "0" } },
        ],
        [
            "trustedEndpoints config with an http entry",
            VALID,
            "",
            /plain http is never trusted/,
            { config: { "pulumi-kms-byok:trustedEndpoints": JSON.stringify(["http://10.0.0.5:4566"]) } },
        ],
        [
            "assume-role through an untrusted STS",
            VALID,
            "",
            /STS endpoint.*plain http/s,
            {
                config: {
                    "aws:assumeRoles": JSON.stringify([{ roleArn: "arn:aws:iam::111122223333:role/byok" }]),
                    "aws:endpoints": JSON.stringify([{ sts: "http://10.0.0.9:8080" }]),
                },
            },
        ],
    ];
}

/** Stack settings that cannot be used: refused at preview, naming the key and the rule, never the value. */
function settingsRows(now: Date): Row[] {
    const VALID = validInputs(now);
    const config = (key: string, value: string): Partial<BadInputRow> => ({ config: { [key]: value } });
    return [
        [
            "requestRateScale that starves every request",
            VALID,
            "",
            /requestRateScale must be a number from 0\.01 to 100/,
            config("pulumi-kms-byok:requestRateScale", "5e-7"),
        ],
        [
            "requestRateScale not a number",
            VALID,
            "",
            /requestRateScale must be a number/,
            config("pulumi-kms-byok:requestRateScale", "fast"),
        ],
        [
            "maxAttempts 0",
            VALID,
            "",
            /maxAttempts must be a whole number from 1 to 20/,
            config("pulumi-kms-byok:maxAttempts", "0"),
        ],
        [
            "maxAttempts fractional",
            VALID,
            "",
            /maxAttempts must be a whole number/,
            config("pulumi-kms-byok:maxAttempts", "2.5"),
        ],
        [
            "connect timeout 0",
            VALID,
            "",
            /connectTimeoutSeconds must be a number from 1 to 300/,
            config("pulumi-kms-byok:connectTimeoutSeconds", "0"),
        ],
        [
            "request timeout of a day",
            VALID,
            "",
            /requestTimeoutSeconds must be a number from 1 to 600/,
            config("pulumi-kms-byok:requestTimeoutSeconds", "86400"),
        ],
        [
            "propagation timeout too long",
            VALID,
            "",
            /propagationTimeoutSeconds must be a number from 1 to 3600/,
            config("pulumi-kms-byok:propagationTimeoutSeconds", "1e9"),
        ],
        [
            "negative rotation timeout",
            VALID,
            "",
            /rotationTimeoutSeconds must be a number/,
            config("pulumi-kms-byok:rotationTimeoutSeconds", "-1"),
        ],
        [
            "AWS_MAX_ATTEMPTS out of bounds",
            VALID,
            "",
            /AWS_MAX_ATTEMPTS must be a whole number from 1 to 20/,
            { env: { AWS_MAX_ATTEMPTS: "1000" } },
        ],
        [
            "aws:accessKey without aws:secretKey",
            VALID,
            "",
            /aws:accessKey and aws:secretKey must be set together/,
            config("aws:accessKey", "AKIAIOSFODNN7EXAMPLE"),
        ],
        [
            "aws:assumeRoles with a malformed role ARN",
            VALID,
            "",
            /aws:assumeRoles\[0\]\.roleArn must be an IAM role ARN/,
            config("aws:assumeRoles", JSON.stringify([{ roleArn: "byok-role" }])),
        ],
        [
            "aws:assumeRoles with a 5-minute session",
            VALID,
            "",
            /duration must be a duration from 15m to 12h/,
            config(
                "aws:assumeRoles",
                JSON.stringify([{ roleArn: "arn:aws:iam::111122223333:role/byok", duration: "5m" }]),
            ),
        ],
        [
            "aws:assumeRoles not structured",
            VALID,
            "",
            /aws:assumeRoles must be structured config/,
            config("aws:assumeRoles", "arn:aws:iam::111122223333:role/byok"),
        ],
        [
            "aws:skipRegionValidation not a boolean",
            VALID,
            "",
            /aws:skipRegionValidation must be true or false/,
            config("aws:skipRegionValidation", "maybe"),
        ],
        [
            "a Region no partition has, with region validation on",
            { ...VALID, region: "xx-fake-1" },
            "region",
            /not one of AWS's Region names/,
            config("aws:skipRegionValidation", "false"),
        ],
        [
            "assumeRole input without roleArn",
            { ...VALID, assumeRole: { externalId: "tenant-42" } },
            "",
            /assumeRole.roleArn is required/,
        ],
        [
            "assumeRole input with an unknown field",
            { ...VALID, assumeRole: { roleArn: "arn:aws:iam::111122223333:role/byok", role_arn: "x" } },
            "",
            /assumeRole has an unknown field/,
        ],
        [
            "assumeRole input not an object",
            { ...VALID, assumeRole: "arn:aws:iam::111122223333:role/byok" },
            "",
            /assumeRole must be an object/,
        ],
        [
            "assumeRole with both duration forms",
            {
                ...VALID,
                assumeRole: { roleArn: "arn:aws:iam::111122223333:role/byok", duration: "1h", durationSeconds: 3600 },
            },
            "",
            /sets both duration and durationSeconds/,
        ],
    ];
}
