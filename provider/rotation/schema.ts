import type { AssumeRoleArgs, AssumeRoleSettings } from "../client/credentialSettings";
import { InputKind, InputSchema, OutputSchema, object, output, string, stringList } from "../checks/schema";
import type { KeyMaterialState } from "../material/properties";

/**
 * KeyMaterialRotation's schema, declared once (see checks/schema.ts): the Args and output types, the input list,
 * check's type rules, the inputs the outputs copy and docs/resources/key-material-rotation.md derive from it.
 */

export const ROTATION_INPUTS = {
    /** ID or ARN of a symmetric EXTERNAL key (for multi-Region keys: the primary). */
    keyId: { type: string("string: key ID or key ARN"), required: true, change: "replace", default: "required" },
    /**
     * The material to make CURRENT: an ImportedKeyMaterial's `keyMaterialId` (imported as NEW_KEY_MATERIAL).
     * Its output type is nullable (asymmetric keys may have no id); a null here is refused at preview.
     */
    keyMaterialId: {
        // A program passes an ImportedKeyMaterial's nullable output; check refuses the null. The assertion widens
        // the accepted type, which the rule below cannot see (it compares the runtime value's type only).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type: string("string: 64 lowercase hex (a KMS KeyMaterialId)") as InputKind<string, string | null>,
        required: true,
        change: "rotate",
        default: "required",
    },
    /** Default: the key ARN's Region, else `aws:region`, else AWS_REGION. */
    region: {
        type: string(),
        change: "replace",
        default: "the key ARN's Region, else `aws:region`, else `AWS_REGION`",
    },
    /** KMS endpoint override. Default: `pulumi-kms-byok:endpoint`, `aws:endpoints` (kms), AWS_ENDPOINT_URL_KMS. */
    endpoint: {
        type: string("URL, `scheme://host[:port]`"),
        change: "recorded",
        default: "`pulumi-kms-byok:endpoint`, `aws:endpoints` (kms), `AWS_ENDPOINT_URL_KMS`",
    },
    /** Named AWS profile for credentials. Default: `aws:profile`, AWS_PROFILE, the SDK's default chain. */
    profile: { type: string(), change: "recorded", default: "`aws:profile`, `AWS_PROFILE`, the SDK's default chain" },
    /** As on ImportedKeyMaterial. */
    trustedEndpoints: { type: stringList("list of origins (`https://host[:port]`)"), change: "recorded" },
    /** As on ImportedKeyMaterial: a role in the key's account. */
    assumeRole: {
        type: object<AssumeRoleSettings, AssumeRoleArgs>(
            "`{ roleArn, externalId?, … }` (@pulumi/aws's `assumeRoles` entry)",
        ),
        change: "recorded",
    },
} as const satisfies InputSchema;

export const ROTATION_OUTPUTS = {
    /** The key as given (ID or ARN). */
    keyId: { type: output<string>("string"), echo: null },
    /** The key's ARN (named like `ImportedKeyMaterial.keyArn`: a rotation has no ARN of its own). */
    keyArn: { type: output<string>("string") },
    /** The key's Region. */
    region: { type: output<string>("string") },
    /** The material this resource made CURRENT. */
    keyMaterialId: { type: output<string>("string (64 hex)"), echo: null },
    /** What KMS reports as CURRENT (differs from keyMaterialId once the key rotated further). */
    currentKeyMaterialId: { type: output<string | null>("string or null") },
    /** The state of `keyMaterialId` as of the last apply or refresh: CURRENT, or NON_CURRENT once rotated past. */
    keyMaterialState: { type: output<KeyMaterialState | null>("key material state or null") },
    /** When KMS rotated to this material (ISO 8601); null while not known. */
    rotationDate: { type: output<string | null>("ISO 8601 time or null") },
    /** The `endpoint` input as applied; null when omitted. */
    endpoint: { type: output<string | null>("string or null"), echo: null },
    /** The `profile` input as applied; null when omitted. */
    profile: { type: output<string | null>("string or null"), echo: null },
    /** The `trustedEndpoints` input as applied; null when omitted. */
    trustedEndpoints: { type: output<string[] | null>("list of strings or null"), echo: null, absentInOldStates: true },
    /** The `assumeRole` input as applied (refresh acts with the same role); null when omitted. */
    assumeRole: { type: output<AssumeRoleSettings | null>("object or null"), echo: null, absentInOldStates: true },
} as const satisfies OutputSchema;
