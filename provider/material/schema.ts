import type { AssumeRoleArgs, AssumeRoleSettings } from "../client/credentialSettings";
import { InputSchema, OutputSchema, boolean, number, object, output, string, stringList } from "../checks/schema";
import type {
    DeletionImpact,
    ExpirationModel,
    ImportState,
    ImportType,
    KeyMaterialState,
    KeyState,
    MaterialCondition,
    MultiRegionKeyType,
} from "../kms/status";
import type { WrappingAlgorithm, WrappingKeySpec } from "../wrapping/algorithms";
import type { KeySpec } from "../wrapping/keySpecs";

/**
 * ImportedKeyMaterial's schema: every input and output, declared once (see checks/schema.ts). The Args and
 * output types, the input and output lists, the secret outputs, check's type rules, the inputs buildOutputs
 * copies and docs/resources/imported-key-material.md all derive from it. The JSDoc on each entry is the
 * property's doc, shown in the user's editor and in the reference page.
 *
 * Adding an input: its entry in MATERIAL_INPUTS (and in MATERIAL_OUTPUTS with `echo` if the state records it as
 * applied; in BYOK_KEY_INPUTS with `passTo: "material"` if ByokKey passes it on), then its behaviour: any rule
 * beyond its type in check.ts (with rows in test/support/badInputs.ts), what a change does in plan.ts (the schema
 * test fails until the plan does what `change` says), and its use in the workflows; then `npm run docs`.
 */

/** What a program writes. Every property is checked during preview, before any AWS call. */
export const MATERIAL_INPUTS = {
    /**
     * ID or ARN of a KMS key with Origin EXTERNAL (not an alias). A different key replaces the resource. Key ID and
     * ARN of the same key are the same; an alias is refused (the import and delete operations don't accept aliases,
     * and an alias can move).
     */
    keyId: { type: string("string: key ID or key ARN"), required: true, change: "replace", default: "required" },
    /**
     * The plaintext key material: base64 of the raw key (symmetric, HMAC), or a private key as PEM text or as
     * base64 of DER PKCS#8, PKCS#1 or SEC1. Always stored as a secret. It can never change for the same key.
     * Exactly one of keyMaterial and hsmKey.
     */
    keyMaterial: {
        type: string("string: base64 of the raw key, or a private key as PEM or base64 DER"),
        secret: "material",
        change: "refused",
        default: "required unless `hsmKey` is given",
    },
    /**
     * The material as an HSM object instead: an RFC 7512 PKCS#11 URI such as
     * `pkcs11:token=byok;object=payments-2026;type=secret-key?module-path=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so`.
     * The HSM wraps the object for each import; the plaintext never leaves it. Needs the npm package pkcs11js.
     */
    hsmKey: { type: string("string: a PKCS#11 URI (RFC 7512)"), change: "reimport" },
    /**
     * The token's user PIN for hsmKey (always stored as a secret). Default: config `pulumi-kms-byok:hsmPin`, else
     * PKCS11_PIN.
     */
    hsmPin: {
        type: string(),
        secret: "credential",
        change: "nothing",
        default: "config `pulumi-kms-byok:hsmPin`, else `PKCS11_PIN`",
    },
    /**
     * Parameters for the PKCS#11 library's C_Initialize, for libraries that need them (NSS softokn:
     * `configdir='sql:/path/to/db'`). Always stored as a secret, never shown. Default: config
     * `pulumi-kms-byok:hsmModuleParameters`.
     */
    hsmModuleParameters: {
        type: string(),
        secret: "credential",
        change: "nothing",
        default: "config `pulumi-kms-byok:hsmModuleParameters`",
    },
    /**
     * Generate the material inside the token when hsmKey's object (object= label, and id= if given) does not exist
     * yet: AES-256, an HMAC secret, an RSA or EC key pair, per keySpec (required). Sensitive, extractable only by
     * wrapping. Never done for a key that holds or held material, and the object is never destroyed by the provider.
     */
    hsmGenerate: { type: boolean(), change: "recorded", default: "`false`" },
    /**
     * The key's spec. Default: inferred (a private key, or an HSM's RSA/EC key → its RSA/ECC spec; 32 raw bytes or an
     * HSM's AES-256 key → SYMMETRIC_DEFAULT). Required for HMAC. Giving `"SYMMETRIC_DEFAULT"` literally also types
     * `keyMaterialId` as a plain string.
     */
    keySpec: {
        type: string<KeySpec>(
            "`SYMMETRIC_DEFAULT`, `HMAC_224/256/384/512`, `RSA_2048/3072/4096`, " +
                "`ECC_NIST_P256/P384/P521`, `ECC_SECG_P256K1`",
        ),
        change: "reimport",
        default: "inferred from the material; other raw lengths than 32 bytes must say which HMAC spec",
    },
    /**
     * Default: KEY_MATERIAL_EXPIRES when validTo is set, else KEY_MATERIAL_DOES_NOT_EXPIRE. Changes reimport in place.
     */
    expirationModel: {
        type: string<ExpirationModel>("`KEY_MATERIAL_EXPIRES` | `KEY_MATERIAL_DOES_NOT_EXPIRE`"),
        change: "reimport",
        default:
            "`KEY_MATERIAL_EXPIRES` if `validTo` or `validityPeriodHours` is set, else `KEY_MATERIAL_DOES_NOT_EXPIRE`",
    },
    /**
     * ISO 8601 time at which KMS deletes the material; in the future, at most 365 days ahead. Changes reimport in
     * place.
     */
    validTo: { type: string("string: ISO 8601 time with a time zone"), change: "reimport" },
    /**
     * Material that renews itself, instead of a fixed validTo: each import sets validTo to KMS's clock plus this
     * many whole hours (1 to 8,760, AWS's 365 days), and once validTo is within earlyRenewalHours, `pulumi up`
     * reimports the same bytes for another period. A change alone takes effect at the next renewal.
     */
    validityPeriodHours: { type: number("whole number, 1–8,760"), change: "recorded" },
    /**
     * With validityPeriodHours: how many hours before validTo renewal is due (1 to the period). Default: a third of the
     * period, rounded up.
     */
    earlyRenewalHours: {
        type: number("whole number, 1 – the period"),
        change: "recorded",
        default: "a third of the period, rounded up",
    },
    /**
     * Omit for the key's first material (or to adopt the same bytes already imported). NEW_KEY_MATERIAL adds a
     * further material to a symmetric key for rotation; EXISTING_KEY_MATERIAL only adopts material the key holds.
     */
    importType: {
        type: string<ImportType>("`NEW_KEY_MATERIAL` | `EXISTING_KEY_MATERIAL`"),
        change: "recorded",
        default: "the key's first material, or adoption of the same bytes already imported",
    },
    /** Symmetric keys only: a description KMS keeps with this material. Changes reimport in place. */
    keyMaterialDescription: {
        type: string("string, 1–256 of `[a-zA-Z0-9:/_ .-]`"),
        change: "reimport",
        default: "KMS keeps the previous one",
    },
    /** Symmetric keys only: once imported, make this material CURRENT (RotateKeyOnDemand) and wait for it. */
    rotateOnDemand: { type: boolean(), change: "rotate", default: "`false`" },
    /**
     * Default: RSAES_OAEP_SHA_256, or RSA_AES_KEY_WRAP_SHA_256 for RSA private keys. With hsmKey: the first of
     * RSA_AES_KEY_WRAP_SHA_256, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSAES_OAEP_SHA_1 the token can do
     * (the output wrappingAlgorithm says which).
     */
    wrappingAlgorithm: {
        type: string<WrappingAlgorithm>("`RSAES_OAEP_SHA_1/256`, `RSA_AES_KEY_WRAP_SHA_1/256`"),
        change: "recorded",
        default:
            "`RSA_AES_KEY_WRAP_SHA_256` for RSA private keys, else `RSAES_OAEP_SHA_256`; " +
            "with `hsmKey`, the strongest the token can do",
    },
    /** Default: RSA_4096. */
    wrappingKeySpec: {
        type: string<WrappingKeySpec>("`RSA_2048` | `RSA_3072` | `RSA_4096`"),
        change: "recorded",
        default: "`RSA_4096`",
    },
    /** Default: the key ARN's Region, else `aws:region`, else AWS_REGION. A different Region replaces the resource. */
    region: {
        type: string(),
        change: "replace",
        default: "the key ARN's Region, else `aws:region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`",
    },
    /** KMS endpoint override. Default: `pulumi-kms-byok:endpoint`, `aws:endpoints` (kms), AWS_ENDPOINT_URL_KMS. */
    endpoint: {
        type: string("URL, `scheme://host[:port]`"),
        change: "recorded",
        default:
            "`pulumi-kms-byok:endpoint`, else the `kms` entry of `aws:endpoints`, else `AWS_ENDPOINT_URL_KMS`, " +
            "else `AWS_ENDPOINT_URL`; none: AWS's own endpoint for the Region",
    },
    /** Named AWS profile for credentials. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile: {
        type: string(),
        change: "recorded",
        default: "`aws:profile`, else `AWS_PROFILE`, else the SDK's default chain",
    },
    /**
     * Origins (`https://host[:port]`) of KMS-compatible endpoints that are not AWS's but may receive the wrapped
     * material, in addition to `pulumi-kms-byok:trustedEndpoints`. AWS's own KMS hosts and loopback need no entry.
     */
    trustedEndpoints: {
        type: stringList("list of origins (`https://host[:port]`)"),
        change: "recorded",
        default: "none (plus `pulumi-kms-byok:trustedEndpoints`)",
    },
    /**
     * A role to assume for this resource's calls, after any `aws:assumeRoles`: for a key in another account
     * (KMS does not import across accounts). The shape of @pulumi/aws's `assumeRoles` entries.
     */
    assumeRole: {
        type: object<AssumeRoleSettings, AssumeRoleArgs>(
            "`{ roleArn, externalId?, sessionName?, duration?, policy?, policyArns?, sourceIdentity?, tags?, " +
                "transitiveTagKeys? }`",
        ),
        change: "recorded",
    },
} as const satisfies InputSchema;

/**
 * What the resource reports: plain JSON (null, never undefined), never the material or anything derived from it
 * but the public half of an asymmetric key and AES material's 3-byte key check value. States are as of the last
 * create, update or refresh.
 */
export const MATERIAL_OUTPUTS = {
    /** The key as given (ID or ARN). */
    keyId: { type: output<string>("string"), echo: null },
    /**
     * The key's ARN, as DescribeKey reports it. Named `keyArn`, not `arn` as on `aws.kms.Key`: this resource is
     * the key's material, which has no ARN of its own.
     */
    keyArn: { type: output<string>("string") },
    /** The key's Region (from its ARN). */
    region: { type: output<string>("string") },
    /** The key's spec, as KMS reports it (matches the `keySpec` input when given). */
    keySpec: { type: output<KeySpec>("key spec") },
    /**
     * This material's KeyMaterialId, 64 hex characters, the id DeleteImportedKeyMaterial is called with.
     * Always set for symmetric keys (see `KeyMaterialIdFor`); for asymmetric and HMAC keys (one material for
     * life) only if KMS reports one, else null.
     */
    keyMaterialId: { type: output<string | null>("string (64 hex) or null") },
    /** The key's state (DescribeKey KeyState) as of the last create, update or refresh. */
    keyState: { type: output<KeyState>("`Enabled`, `Disabled`, `PendingImport`, `PendingDeletion`, …") },
    /** KMS's ImportState for this material (IMPORTED / PENDING_IMPORT); null when the key no longer lists it. */
    importState: { type: output<ImportState | null>("`IMPORTED` | `PENDING_IMPORT` | null") },
    /** CURRENT, NON_CURRENT, PENDING_ROTATION or PENDING_MULTI_REGION_IMPORT_AND_ROTATION; null when not listed. */
    keyMaterialState: { type: output<KeyMaterialState | null>("key material state or null") },
    /**
     * What happened to the material, in the user's terms: IMPORTED, or DELETED / EXPIRED outside Pulumi, or
     * NOT_ASSOCIATED.
     */
    materialCondition: { type: output<MaterialCondition>("`IMPORTED` | `DELETED` | `EXPIRED` | `NOT_ASSOCIATED`") },
    /** Whether the material expires, as KMS reports it; null when the material is gone. */
    expirationModel: { type: output<ExpirationModel | null>("expiration model or null") },
    /** When the material expires (ISO 8601), as KMS reports it; null for material that does not expire. */
    validTo: { type: output<string | null>("ISO 8601 time or null") },
    /** The description KMS keeps with this material (symmetric keys); null if none. */
    keyMaterialDescription: { type: output<string | null>("string or null") },
    /** PRIMARY or REPLICA for multi-Region keys; null for single-Region keys. */
    multiRegionKeyType: { type: output<MultiRegionKeyType | null>("`PRIMARY` | `REPLICA` | null") },
    /** The `importType` input as applied; null when omitted. */
    importType: { type: output<ImportType | null>("import type or null"), echo: null },
    /** The `rotateOnDemand` input as applied. */
    rotateOnDemand: { type: output<boolean>("boolean"), echo: false },
    /** The wrapping algorithm of the last import (the input, or its default for the key spec). */
    wrappingAlgorithm: { type: output<WrappingAlgorithm>("wrapping algorithm") },
    /** The wrapping key spec of the last import (the input, or its default). */
    wrappingKeySpec: { type: output<WrappingKeySpec>("wrapping key spec") },
    /**
     * DER SubjectPublicKeyInfo (base64) of an imported asymmetric key, as verified with GetPublicKey; null otherwise.
     */
    publicKey: { type: output<string | null>("string (base64) or null") },
    /**
     * What destroying this resource would do to the key, as of the last create, update or refresh, as a code:
     * `KEY_BECOMES_PENDING_IMPORT` (the material is CURRENT, NON_CURRENT or a key's only material: the key becomes
     * unusable until the same material is imported again), `KEY_STAYS_USABLE` (a pending material, not yet in use),
     * `KEY_PENDING_DELETION` (the key stays PendingDeletion and its materials go with it) or `NOTHING_TO_DELETE`
     * (the material is deleted or expired). States written by earlier versions hold a sentence until their next
     * refresh. See docs/guides/lifecycle.md.
     */
    deletionImpact: {
        type: output<DeletionImpact>(
            "`KEY_BECOMES_PENDING_IMPORT` | `KEY_STAYS_USABLE` | `KEY_PENDING_DELETION` | `NOTHING_TO_DELETE`",
        ),
    },
    /** The `endpoint` input as applied; null when omitted (the endpoint then comes from config or environment). */
    endpoint: { type: output<string | null>("string or null"), echo: null },
    /** The `profile` input as applied; null when omitted. */
    profile: { type: output<string | null>("string or null"), echo: null },
    /** The `trustedEndpoints` input as applied; null when omitted. */
    trustedEndpoints: { type: output<string[] | null>("list of strings or null"), echo: null, absentInOldStates: true },
    /** The `assumeRole` input as applied (refresh and destroy act with the same role); null when omitted. */
    assumeRole: { type: output<AssumeRoleSettings | null>("object or null"), echo: null, absentInOldStates: true },
    /**
     * The KMS endpoint the material was last imported through (null: AWS's own endpoint for the key's Region).
     * Refresh and destroy go there even after the stack's endpoint setting changed; an `up` records a new one
     * only after checking that it serves the key.
     */
    kmsEndpoint: { type: output<string | null>("string or null"), absentInOldStates: true },
    /** The HSM object's PKCS#11 URI, when the material lives in an HSM; null otherwise. */
    hsmKey: { type: output<string | null>("string or null"), echo: null, absentInOldStates: true },
    /** The `validityPeriodHours` input as applied (null with a fixed validTo or none). */
    validityPeriodHours: { type: output<number | null>("number or null"), echo: null },
    /** The early renewal as applied, the default resolved (null without validityPeriodHours). */
    earlyRenewalHours: { type: output<number | null>("number or null") },
    /**
     * When the next `pulumi up` renews the material: validTo − earlyRenewalHours (null without validityPeriodHours).
     */
    renewalDueAt: { type: output<string | null>("ISO 8601 time or null") },
    /**
     * KMS's clock minus the provider's, in seconds, at the last create, update or refresh (the plan's clock
     * correction).
     */
    kmsClockOffsetSeconds: { type: output<number>("number") },
    /** The `hsmGenerate` input as applied. */
    hsmGenerate: { type: output<boolean>("boolean"), echo: false, absentInOldStates: true },
    /** The PKCS#11 mechanisms the token wrapped the material with at the last import; null when wrapped in software. */
    hsmWrappingMechanisms: { type: output<string | null>("string or null"), absentInOldStates: true },
    /**
     * The key check value of AES (SYMMETRIC_DEFAULT) material: AES-CMAC over 16 zero bytes, leftmost 3 bytes, uppercase
     * hex (ANSI X9.24-1), computed inside the token for hsmKey and in software for keyMaterial; null for other key
     * specs or when the token cannot compute it.
     */
    keyCheckValue: { type: output<string | null>("string (6 hex) or null"), absentInOldStates: true },
    /** How keyCheckValue was computed: "CMAC"; null without one. */
    keyCheckValueAlgorithm: { type: output<string | null>("`CMAC` or null"), absentInOldStates: true },
} as const satisfies OutputSchema;
