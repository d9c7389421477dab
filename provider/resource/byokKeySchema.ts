import type * as pulumi from "@pulumi/pulumi";
import { InputSpec, OutputSpec, boolean, number, object, output, string } from "../checks/schema";
import { MATERIAL_INPUTS } from "../material/schema";
import type { KeyUsage } from "../wrapping/keySpecs";

/**
 * The ByokKey component's schema (see checks/schema.ts): ByokKeyArgs, what passes through to the
 * ImportedKeyMaterial (`passTo: "material"`, the material's own entry: its type, secrecy and change effect),
 * the outputs and docs/resources/byok-key.md derive from it. `passTo: "key"`: an argument of the
 * aws.kms.ExternalKey (and its aliases), written out in byokKey.ts.
 */

interface ByokInputSpec extends InputSpec {
    readonly passTo: "material" | "key" | "both";
}

export const BYOK_KEY_INPUTS = {
    /**
     * The plaintext key material: base64 of the raw key (symmetric, HMAC), or a private key as PEM text or as
     * base64 of DER PKCS#8, PKCS#1 or SEC1. Always stored as a secret. Exactly one of keyMaterial and hsmKey.
     */
    keyMaterial: { ...MATERIAL_INPUTS.keyMaterial, passTo: "material" },
    /** The material as an HSM object: its PKCS#11 URI (see ImportedKeyMaterialArgs.hsmKey). */
    hsmKey: { ...MATERIAL_INPUTS.hsmKey, passTo: "material" },
    /** The token's user PIN for hsmKey (always stored as a secret). */
    hsmPin: { ...MATERIAL_INPUTS.hsmPin, passTo: "material" },
    /**
     * The PKCS#11 library's C_Initialize parameters (always stored as a secret; see
     * ImportedKeyMaterialArgs.hsmModuleParameters).
     */
    hsmModuleParameters: { ...MATERIAL_INPUTS.hsmModuleParameters, passTo: "material" },
    /**
     * Generate the material inside the token when hsmKey's object does not exist yet (see
     * ImportedKeyMaterialArgs.hsmGenerate).
     */
    hsmGenerate: { ...MATERIAL_INPUTS.hsmGenerate, passTo: "material" },
    /** Default SYMMETRIC_DEFAULT (not inferred from the material: the key is created first). */
    keySpec: { type: MATERIAL_INPUTS.keySpec.type, change: "key", default: "`SYMMETRIC_DEFAULT`", passTo: "both" },
    /** Default: GENERATE_VERIFY_MAC for HMAC, SIGN_VERIFY for ECC, ENCRYPT_DECRYPT otherwise. */
    keyUsage: {
        type: string<KeyUsage>("`ENCRYPT_DECRYPT`, `SIGN_VERIFY`, `GENERATE_VERIFY_MAC` or `KEY_AGREEMENT`"),
        change: "key",
        default: "`GENERATE_VERIFY_MAC` for HMAC, `SIGN_VERIFY` for ECC, `ENCRYPT_DECRYPT` otherwise",
        passTo: "key",
    },
    /** The key's description. */
    description: { type: string(), change: "key", passTo: "key" },
    /** Waiting period when the key is destroyed, 7–30 days. Default 30. */
    deletionWindowInDays: { type: number("whole number, 7–30"), change: "key", default: "30", passTo: "key" },
    /** Default: KEY_MATERIAL_EXPIRES when validTo is set, else KEY_MATERIAL_DOES_NOT_EXPIRE. */
    expirationModel: { ...MATERIAL_INPUTS.expirationModel, passTo: "material" },
    /** ISO 8601 time at which KMS deletes the material; in the future, at most 365 days ahead. */
    validTo: { ...MATERIAL_INPUTS.validTo, passTo: "material" },
    /** Material that renews itself (see ImportedKeyMaterial): the alternative to validTo. */
    validityPeriodHours: { ...MATERIAL_INPUTS.validityPeriodHours, passTo: "material" },
    /** With validityPeriodHours: how many hours before validTo renewal is due. Default: a third of the period. */
    earlyRenewalHours: { ...MATERIAL_INPUTS.earlyRenewalHours, passTo: "material" },
    /** Create a multi-Region primary key (its replicas need material of their own: see the README). */
    multiRegion: { type: boolean(), change: "key", default: "`false`", passTo: "key" },
    /** The key policy (JSON). Default: KMS's default key policy. */
    policy: { type: string("string (JSON)"), change: "key", default: "KMS's default key policy", passTo: "key" },
    /** Tags of the key. */
    tags: {
        type: object<Record<string, string>, Record<string, pulumi.Input<string>>>("map of strings"),
        change: "key",
        passTo: "key",
    },
    /** Aliases to create for the key, e.g. ["alias/payments"]. */
    aliases: { type: object<string[], string[]>("list of alias names (`alias/…`)"), change: "key", passTo: "key" },
    /** Region of the key. Default: the AWS provider's. */
    region: { type: string(), change: "key", default: "the AWS provider's", passTo: "key" },
    /** KMS endpoint for the material import (the key's own endpoint comes from the AWS provider). */
    endpoint: { ...MATERIAL_INPUTS.endpoint, passTo: "material" },
    /** Named AWS profile for the material import. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile: { ...MATERIAL_INPUTS.profile, passTo: "material" },
    /** For the material import: see ImportedKeyMaterialArgs. */
    trustedEndpoints: { ...MATERIAL_INPUTS.trustedEndpoints, passTo: "material" },
    /** For the material import: a role in the key's account (the key itself uses the AWS provider's credentials). */
    assumeRole: { ...MATERIAL_INPUTS.assumeRole, passTo: "material" },
} as const satisfies Readonly<Record<string, ByokInputSpec>>;

interface ByokOutputSpec extends OutputSpec {
    /** The child resource output it is: the key's or the material's. */
    readonly from: `key.${string}` | `material.${string}`;
}

export const BYOK_KEY_OUTPUTS = {
    /** The key's ID. */
    keyId: { type: output<string>("string"), from: "key.id" },
    /** The key's ARN (the same as `arn`). */
    keyArn: { type: output<string>("string"), from: "key.arn" },
    /** The key's ARN, named as on `aws.kms.Key` / `aws.kms.ExternalKey`, so a ByokKey can stand where those did. */
    arn: { type: output<string>("string"), from: "key.arn" },
    /** The material's KeyMaterialId: a string for symmetric keys; for other specs null unless KMS reports one. */
    keyMaterialId: { type: output<string | null>("string (64 hex), or null"), from: "material.keyMaterialId" },
    /** When the material expires (ISO 8601), as KMS reports it; null for material that does not expire. */
    validTo: { type: output<string | null>("ISO 8601 time or null"), from: "material.validTo" },
    /** When the next `pulumi up` renews the material (null without validityPeriodHours). */
    renewalDueAt: { type: output<string | null>("ISO 8601 time or null"), from: "material.renewalDueAt" },
    /**
     * The material's key check value (AES-CMAC, 3 bytes hex; null but for SYMMETRIC_DEFAULT), to compare with the HSM
     * or a key ceremony record.
     */
    keyCheckValue: { type: output<string | null>("string (6 hex) or null"), from: "material.keyCheckValue" },
} as const satisfies Readonly<Record<string, ByokOutputSpec>>;

/** The arguments that pass unchanged to the ImportedKeyMaterial. */
export const BYOK_TO_MATERIAL = Object.entries(BYOK_KEY_INPUTS).flatMap(([name, spec]) =>
    spec.passTo === "material" ? [name] : [],
);
