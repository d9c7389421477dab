import * as pulumi from "@pulumi/pulumi";
import { providerText } from "../engine/storedProvider";
import { redactFromSdkLogs } from "./debugLogRedaction";
import type { AssumeRoleSettings } from "../client/credentialSettings";
import type { ExpirationModel, ImportState, ImportType, KeyMaterialState, KeyState, MultiRegionKeyType } from "../material/properties";
import type { DeletionImpact, MaterialCondition } from "../kms/status";
import type { WrappingAlgorithm, WrappingKeySpec } from "../wrapping/algorithms";
import type { KeySpec } from "../wrapping/keySpecs";

/**
 * The type of `keyMaterialId` for a key spec: KMS always reports a KeyMaterialId for symmetric keys, so it is
 * `string` when the key spec is statically `"SYMMETRIC_DEFAULT"`; asymmetric and HMAC keys may have none, and
 * a key spec known only at run time (omitted and inferred from the material, or from config) may be either.
 */
export type KeyMaterialIdFor<TKeySpec extends KeySpec> = [TKeySpec] extends ["SYMMETRIC_DEFAULT"] ? string : string | null;

/** What a program writes. Every property is checked during preview, before any AWS call. */
export interface ImportedKeyMaterialArgs<TKeySpec extends KeySpec = KeySpec> {
    /** ID or ARN of a KMS key with Origin EXTERNAL (not an alias). A different key replaces the resource. */
    keyId: pulumi.Input<string>;
    /**
     * The plaintext key material: base64 of the raw key (symmetric, HMAC), or a private key as PEM text or as
     * base64 of DER PKCS#8, PKCS#1 or SEC1. Always stored as a secret. It can never change for the same key.
     * Exactly one of keyMaterial and hsmKey.
     */
    keyMaterial?: pulumi.Input<string>;
    /**
     * The material as an HSM object instead: an RFC 7512 PKCS#11 URI such as
     * `pkcs11:token=byok;object=payments-2026;type=secret-key?module-path=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so`.
     * The HSM wraps the object for each import; the plaintext never leaves it. Needs the npm package pkcs11js.
     */
    hsmKey?: pulumi.Input<string>;
    /** The token's user PIN for hsmKey (always stored as a secret). Default: config `pulumi-kms-byok:hsmPin`, else PKCS11_PIN. */
    hsmPin?: pulumi.Input<string>;
    /**
     * Parameters for the PKCS#11 library's C_Initialize, for libraries that need them (NSS softokn:
     * `configdir='sql:/path/to/db'`). Always stored as a secret, never shown. Default: config `pulumi-kms-byok:hsmModuleParameters`.
     */
    hsmModuleParameters?: pulumi.Input<string>;
    /**
     * Generate the material inside the token when hsmKey's object (object= label, and id= if given) does not exist
     * yet: AES-256, an HMAC secret, an RSA or EC key pair, per keySpec (required). Sensitive, extractable only by
     * wrapping. Never done for a key that holds or held material, and the object is never destroyed by the provider.
     */
    hsmGenerate?: pulumi.Input<boolean>;
    /**
     * The key's spec. Default: inferred (a private key, or an HSM's RSA/EC key → its RSA/ECC spec; 32 raw bytes or an HSM's AES-256 key → SYMMETRIC_DEFAULT).
     * Required for HMAC. Giving `"SYMMETRIC_DEFAULT"` literally also types `keyMaterialId` as a plain string.
     */
    keySpec?: pulumi.Input<TKeySpec>;
    /** Default: KEY_MATERIAL_EXPIRES when validTo is set, else KEY_MATERIAL_DOES_NOT_EXPIRE. Changes reimport in place. */
    expirationModel?: pulumi.Input<ExpirationModel>;
    /** ISO 8601 time at which KMS deletes the material; in the future, at most 365 days ahead. Changes reimport in place. */
    validTo?: pulumi.Input<string>;
    /**
     * Material that renews itself, instead of a fixed validTo: each import sets validTo to KMS's clock plus this
     * many whole hours (1 to 8,760, AWS's 365 days), and once validTo is within earlyRenewalHours, `pulumi up`
     * reimports the same bytes for another period. A change alone takes effect at the next renewal.
     */
    validityPeriodHours?: pulumi.Input<number>;
    /** With validityPeriodHours: how many hours before validTo renewal is due (1 to the period). Default: a third of the period, rounded up. */
    earlyRenewalHours?: pulumi.Input<number>;
    /**
     * Omit for the key's first material (or to adopt the same bytes already imported). NEW_KEY_MATERIAL adds a
     * further material to a symmetric key for rotation; EXISTING_KEY_MATERIAL only adopts material the key holds.
     */
    importType?: pulumi.Input<ImportType>;
    /** Symmetric keys only: a description KMS keeps with this material. Changes reimport in place. */
    keyMaterialDescription?: pulumi.Input<string>;
    /** Symmetric keys only: once imported, make this material CURRENT (RotateKeyOnDemand) and wait for it. */
    rotateOnDemand?: pulumi.Input<boolean>;
    /**
     * Default: RSAES_OAEP_SHA_256, or RSA_AES_KEY_WRAP_SHA_256 for RSA private keys. With hsmKey: the first of
     * RSA_AES_KEY_WRAP_SHA_256, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSAES_OAEP_SHA_1 the token can do
     * (the output wrappingAlgorithm says which).
     */
    wrappingAlgorithm?: pulumi.Input<WrappingAlgorithm>;
    /** Default: RSA_4096. */
    wrappingKeySpec?: pulumi.Input<WrappingKeySpec>;
    /** Default: the key ARN's Region, else `aws:region`, else AWS_REGION. A different Region replaces the resource. */
    region?: pulumi.Input<string>;
    /** KMS endpoint override. Default: `pulumi-kms-byok:endpoint`, `aws:endpoints` (kms), AWS_ENDPOINT_URL_KMS. */
    endpoint?: pulumi.Input<string>;
    /** Named AWS profile for credentials. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile?: pulumi.Input<string>;
    /**
     * Origins (`https://host[:port]`) of KMS-compatible endpoints that are not AWS's but may receive the wrapped
     * material, in addition to `pulumi-kms-byok:trustedEndpoints`. AWS's own KMS hosts and loopback need no entry.
     */
    trustedEndpoints?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * A role to assume for this resource's calls, after any `aws:assumeRoles`: for a key in another account
     * (KMS does not import across accounts). The shape of @pulumi/aws's `assumeRoles` entries.
     */
    assumeRole?: pulumi.Input<AssumeRoleArgs>;
}

/** @pulumi/aws's assume-role shape (`aws:assumeRoles` entries): the role and how to assume it. */
export interface AssumeRoleArgs {
    /** The IAM role to assume (arn:aws:iam::<account>:role/<name>), e.g. the role allowed to import into a key of another account. */
    roleArn: pulumi.Input<string>;
    /** The external ID the role's trust policy requires, if any. Not a secret to AWS; never logged. */
    externalId?: pulumi.Input<string>;
    /** The session name recorded in CloudTrail. Default: chosen by the AWS SDK. */
    sessionName?: pulumi.Input<string>;
    /** 15m to 12h, Go duration text such as "1h". Default: STS's (1 hour). */
    duration?: pulumi.Input<string>;
    /** An inline session policy (JSON) narrowing the role's permissions for these calls. */
    policy?: pulumi.Input<string>;
    /** ARNs of managed policies narrowing the role's permissions for these calls. */
    policyArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** The source identity to set on the session (CloudTrail), if the role requires one. */
    sourceIdentity?: pulumi.Input<string>;
    /** Session tags. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Session tag keys that pass on to further roles in a chain. */
    transitiveTagKeys?: pulumi.Input<pulumi.Input<string>[]>;
}

export const IMPORTED_KEY_MATERIAL_TYPE = "pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial";

/**
 * The key material of a KMS key with Origin EXTERNAL, as a resource of its own: create imports it, update
 * reimports the same bytes in place, refresh reports what KMS really holds, destroy deletes exactly this
 * material (by its KeyMaterialId).
 */
export class ImportedKeyMaterial<TKeySpec extends KeySpec = KeySpec> extends pulumi.CustomResource {
    // `declare`: the outputs are defined by the Resource constructor; a class field (ES2022 semantics) would
    // overwrite them with undefined after super() returns.

    /** The key as given (ID or ARN). */
    declare public readonly keyId: pulumi.Output<string>;
    /**
     * The key's ARN, as DescribeKey reports it. Named `keyArn`, not `arn` as on `aws.kms.Key`: this resource is
     * the key's material, which has no ARN of its own.
     */
    declare public readonly keyArn: pulumi.Output<string>;
    /** The key's Region (from its ARN). */
    declare public readonly region: pulumi.Output<string>;
    /** The key's spec, as KMS reports it (matches the `keySpec` input when given). */
    declare public readonly keySpec: pulumi.Output<TKeySpec>;
    /**
     * This material's KeyMaterialId, 64 hex characters, the id DeleteImportedKeyMaterial is called with.
     * Always set for symmetric keys (see `KeyMaterialIdFor`); for asymmetric and HMAC keys (one material for
     * life) only if KMS reports one, else null.
     */
    declare public readonly keyMaterialId: pulumi.Output<KeyMaterialIdFor<TKeySpec>>;
    /** The key's state (DescribeKey KeyState) as of the last create, update or refresh. */
    declare public readonly keyState: pulumi.Output<KeyState>;
    /** KMS's ImportState for this material (IMPORTED / PENDING_IMPORT); null when the key no longer lists it. */
    declare public readonly importState: pulumi.Output<ImportState | null>;
    /** CURRENT, NON_CURRENT, PENDING_ROTATION or PENDING_MULTI_REGION_IMPORT_AND_ROTATION; null when not listed. */
    declare public readonly keyMaterialState: pulumi.Output<KeyMaterialState | null>;
    /** What happened to the material, in the user's terms: IMPORTED, or DELETED / EXPIRED outside Pulumi, or NOT_ASSOCIATED. */
    declare public readonly materialCondition: pulumi.Output<MaterialCondition>;
    /** Whether the material expires, as KMS reports it; null when the material is gone. */
    declare public readonly expirationModel: pulumi.Output<ExpirationModel | null>;
    /** When the material expires (ISO 8601), as KMS reports it; null for material that does not expire. */
    declare public readonly validTo: pulumi.Output<string | null>;
    /** The `validityPeriodHours` input as applied (null with a fixed validTo or none). */
    declare public readonly validityPeriodHours: pulumi.Output<number | null>;
    /** The early renewal as applied, the default resolved (null without validityPeriodHours). */
    declare public readonly earlyRenewalHours: pulumi.Output<number | null>;
    /** When the next `pulumi up` renews the material: validTo − earlyRenewalHours (null without validityPeriodHours). */
    declare public readonly renewalDueAt: pulumi.Output<string | null>;
    /** KMS's clock minus the provider's, in seconds, at the last create, update or refresh (the plan's clock correction). */
    declare public readonly kmsClockOffsetSeconds: pulumi.Output<number>;
    /** The description KMS keeps with this material (symmetric keys); null if none. */
    declare public readonly keyMaterialDescription: pulumi.Output<string | null>;
    /** PRIMARY or REPLICA for multi-Region keys; null for single-Region keys. */
    declare public readonly multiRegionKeyType: pulumi.Output<MultiRegionKeyType | null>;
    /** The `importType` input as applied; null when omitted. */
    declare public readonly importType: pulumi.Output<ImportType | null>;
    /** The `rotateOnDemand` input as applied. */
    declare public readonly rotateOnDemand: pulumi.Output<boolean>;
    /** The wrapping algorithm of the last import (the input, or its default for the key spec). */
    declare public readonly wrappingAlgorithm: pulumi.Output<WrappingAlgorithm>;
    /** The wrapping key spec of the last import (the input, or its default). */
    declare public readonly wrappingKeySpec: pulumi.Output<WrappingKeySpec>;
    /** DER SubjectPublicKeyInfo (base64) of an imported asymmetric key, as verified with GetPublicKey; null otherwise. */
    declare public readonly publicKey: pulumi.Output<string | null>;
    /**
     * What destroying this resource would do to the key, as of the last create, update or refresh, as a code:
     * `KEY_BECOMES_PENDING_IMPORT` (the material is CURRENT, NON_CURRENT or a key's only material: the key becomes
     * unusable until the same material is imported again), `KEY_STAYS_USABLE` (a pending material, not yet in use),
     * `KEY_PENDING_DELETION` (the key stays PendingDeletion and its materials go with it) or `NOTHING_TO_DELETE`
     * (the material is deleted or expired). See docs/guides/lifecycle.md.
     */
    declare public readonly deletionImpact: pulumi.Output<DeletionImpact>;
    /** The `endpoint` input as applied; null when omitted (the endpoint then comes from config or environment). */
    declare public readonly endpoint: pulumi.Output<string | null>;
    /** The `profile` input as applied; null when omitted. */
    declare public readonly profile: pulumi.Output<string | null>;
    /** The `trustedEndpoints` input as applied; null when omitted. */
    declare public readonly trustedEndpoints: pulumi.Output<string[] | null>;
    /** The `assumeRole` input as applied (refresh and destroy act with the same role); null when omitted. */
    declare public readonly assumeRole: pulumi.Output<AssumeRoleSettings | null>;
    /**
     * The KMS endpoint the material was last imported through (null: AWS's own endpoint for the key's Region).
     * Refresh and destroy go there even after the stack's endpoint setting changed; an `up` records a new one
     * only after checking that it serves the key.
     */
    declare public readonly kmsEndpoint: pulumi.Output<string | null>;
    /** The HSM object's PKCS#11 URI, when the material lives in an HSM; null otherwise. */
    declare public readonly hsmKey: pulumi.Output<string | null>;
    /** The `hsmGenerate` input as applied. */
    declare public readonly hsmGenerate: pulumi.Output<boolean>;
    /** The PKCS#11 mechanisms the token wrapped the material with at the last import; null when wrapped in software. */
    declare public readonly hsmWrappingMechanisms: pulumi.Output<string | null>;
    /**
     * The key check value of AES (SYMMETRIC_DEFAULT) material: AES-CMAC over 16 zero bytes, leftmost 3 bytes, uppercase hex
     * (ANSI X9.24-1), computed inside the token for hsmKey and in software for keyMaterial; null for other key specs or
     * when the token cannot compute it.
     */
    declare public readonly keyCheckValue: pulumi.Output<string | null>;
    /** How keyCheckValue was computed: "CMAC"; null without one. */
    declare public readonly keyCheckValueAlgorithm: pulumi.Output<string | null>;

    constructor(name: string, args: ImportedKeyMaterialArgs<TKeySpec>, opts?: pulumi.CustomResourceOptions) {
        // A fresh object per resource, material and PIN always secret, and output-only properties seeded so they
        // resolve as outputs. A dynamic resource (served by the dynamic-provider host) whose `__provider` is the
        // compact text of shim.ts, not the closure dynamic.Resource would serialize (see shim.ts).
        if (args.keyMaterial !== undefined) redactFromSdkLogs(args.keyMaterial);
        if (args.hsmPin !== undefined) redactFromSdkLogs(args.hsmPin);
        if (args.hsmModuleParameters !== undefined) redactFromSdkLogs(args.hsmModuleParameters);
        const props = {
            ...OUTPUT_ONLY,
            ...args,
            keyMaterial: args.keyMaterial === undefined ? undefined : pulumi.secret(args.keyMaterial),
            hsmPin: args.hsmPin === undefined ? undefined : pulumi.secret(args.hsmPin),
            hsmModuleParameters: args.hsmModuleParameters === undefined ? undefined : pulumi.secret(args.hsmModuleParameters),
            __provider: providerText("ImportedKeyMaterial"),
        };
        const secrets = ["keyMaterial", "hsmPin", "hsmModuleParameters"];
        super(IMPORTED_KEY_MATERIAL_TYPE, name, props, pulumi.mergeOptions(opts, { additionalSecretOutputs: secrets }));
    }
}

/** Every output name: a resource only resolves the properties present in its props object. */
const OUTPUT_ONLY: Record<string, undefined> = Object.fromEntries(
    [
        "keyArn", "region", "keySpec", "keyMaterialId", "keyState", "importState", "keyMaterialState",
        "materialCondition", "expirationModel", "validTo", "keyMaterialDescription", "multiRegionKeyType",
        "importType", "rotateOnDemand", "wrappingAlgorithm", "wrappingKeySpec", "publicKey", "deletionImpact",
        "endpoint", "profile", "trustedEndpoints", "assumeRole", "kmsEndpoint", "hsmKey", "validityPeriodHours", "earlyRenewalHours",
        "renewalDueAt", "kmsClockOffsetSeconds", "hsmGenerate", "hsmWrappingMechanisms", "keyCheckValue", "keyCheckValueAlgorithm",
    ].map((name) => [name, undefined]),
);
