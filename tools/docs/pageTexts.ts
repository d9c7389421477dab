/**
 * The hand-written prose of each reference page (tools/docs/generate.ts writes the tables from the schemas):
 * what the resource is, a short example, and how to adopt what exists.
 */

export interface PageText {
    /** Where the page is written, from the repository's root. */
    path: string;
    intro: string;
    example: string;
    argumentsNote: string;
    attributesNote: string;
    adoption: string;
}

const NO_PULUMI_IMPORT =
    "Dynamic resources cannot be `pulumi import`ed " +
    "([pulumi/pulumi#16175](https://github.com/pulumi/pulumi/issues/16175)); " +
    "see [limitations](../guides/limitations.md).";

export const PAGE_TEXTS: Record<string, PageText> = {
    ImportedKeyMaterial: {
        path: "docs/resources/imported-key-material.md",
        intro:
            "The key material of a KMS key with Origin `EXTERNAL`, as a resource of its own: create imports it " +
            "(a fresh wrapping key and import token each time; wrapped in software or inside a PKCS#11 HSM), update " +
            "imports the same bytes again in place, refresh reports what KMS really holds, and " +
            "destroy deletes exactly " +
            "this material (by its KeyMaterialId).",
        example: `
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial } from "pulumi-kms-byok";

const config = new pulumi.Config();
const key = new aws.kms.ExternalKey("payments", { description: "payments (BYOK)" });
const material = new ImportedKeyMaterial("payments-material", {
    keyId: key.id,
    keyMaterial: config.requireSecret("keyMaterial"), // base64 of 32 bytes, or a private key (PEM / base64 DER)
    validityPeriodHours: 24 * 90,                    // renews itself; or validTo for a fixed expiry
});
export const keyMaterialId = material.keyMaterialId;
`,
        argumentsNote:
            "Every argument is checked during preview, before any AWS call, and so are the stack " +
            "settings it depends on " +
            '(endpoint trust, credentials, bounds). A failure never shows an input value. "Update" ' +
            "never deletes first: " +
            "the key stays usable throughout.",
        attributesNote:
            "Plain JSON, as of the last create, update or refresh (`pulumi up --refresh` acts on what changed in KMS " +
            "since). None is the material or derived from it, except the public half of an " +
            "asymmetric key and the 3-byte " +
            "`keyCheckValue` of AES material. The resource ID is `<key ARN>#<KeyMaterialId>` (the key ARN alone for " +
            "asymmetric and HMAC keys without an id).",
        adoption:
            NO_PULUMI_IMPORT +
            " To bring material that a key already holds under management, declare an `ImportedKeyMaterial` for the " +
            "key with the same bytes: create adopts it by importing them again (KMS accepts the same bytes), which " +
            "also sets the expiry you declare. Other bytes are refused by KMS and change nothing.",
    },
    KeyMaterialRotation: {
        path: "docs/resources/key-material-rotation.md",
        intro:
            "Makes an imported material the key's CURRENT one: RotateKeyOnDemand, then waits until KMS says CURRENT. " +
            "For single-Region keys `rotateOnDemand: true` on the `ImportedKeyMaterial` does the same; this resource " +
            "is for multi-Region keys, where the rotation must wait until every replica's material exists " +
            "(`dependsOn`). Destroying it changes nothing in KMS: a rotation cannot be undone.",
        example:
            `
import { ImportedKeyMaterial, KeyMaterialRotation } from "pulumi-kms-byok";

const next = new ImportedKeyMaterial("payments-2027", {
    keyId: primaryKey.arn,
    keyMaterial: config.requireSecret("nextKeyMaterial"),
    importType: "NEW_KEY_MATERIAL",
});
// ...one ImportedKeyMaterial per replica with the same bytes, then:
new KeyMaterialRotation("payments-rotation", { keyId: primaryKey.arn, keyMaterialId: next.keyMaterialId }, ` +
            `{ dependsOn: replicaMaterials });
`,
        argumentsNote: "Every argument is checked during preview, before any AWS call.",
        attributesNote: "As of the last create, update or refresh. The resource ID is `<key ARN>#rotation`.",
        adoption:
            NO_PULUMI_IMPORT +
            " Declaring a `KeyMaterialRotation` for a material that is already CURRENT adopts it: the rotation " +
            "workflow finds it CURRENT and requests no rotation; a rotation in progress is waited for, " +
            "never requested twice.",
    },
    ByokKey: {
        path: "docs/resources/byok-key.md",
        intro:
            'A component for the common case, "a BYOK key" in one line: an `aws.kms.ExternalKey`, its ' +
            "`ImportedKeyMaterial` and optional `aws.kms.Alias`es. Its `key`, `material` and `aliases` are the child " +
            "resources themselves (all of `ImportedKeyMaterial`'s attributes are on `material`).",
        example:
            `
import * as pulumi from "@pulumi/pulumi";
import { ByokKey } from "pulumi-kms-byok";

const config = new pulumi.Config();
const payments = new ByokKey("payments", { keyMaterial: config.requireSecret("keyMaterial"), ` +
            `aliases: ["alias/payments"] });
const signing = new ByokKey("signing", { keySpec: "ECC_NIST_P256", keyMaterial: config.requireSecret("signingKey") });
export const paymentsArn = payments.arn;
`,
        argumentsNote:
            'Arguments marked "passed to the material" are the `ImportedKeyMaterial`\'s own, checked and applied ' +
            "by it; the others are the key's (and the aliases').",
        attributesNote: "Outputs of the child resources, registered as the component's outputs.",
        adoption:
            NO_PULUMI_IMPORT +
            " A `ByokKey` always creates its key. To manage an existing EXTERNAL key, declare its " +
            "`aws.kms.ExternalKey` (which `pulumi import` can adopt) and an `ImportedKeyMaterial` " +
            "with the same bytes " +
            "(see [ImportedKeyMaterial](imported-key-material.md#import)).",
    },
};
