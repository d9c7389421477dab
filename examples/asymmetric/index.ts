import * as pulumi from "@pulumi/pulumi";
import { ByokKey } from "pulumi-kms-byok";
import { awsProviderFor } from "../kmsLocal";

/**
 * Asymmetric and HMAC keys with imported material, each "a BYOK key" in one line (ByokKey: the EXTERNAL key
 * and its ImportedKeyMaterial). Private keys are PEM text or base64 DER (PKCS#8, PKCS#1 or SEC1; see the
 * README's "Asymmetric and HMAC material"); the provider wraps RSA private keys with
 * RSA_AES_KEY_WRAP_SHA_256 (no RSA-OAEP block can carry them) and checks, after the import, that KMS
 * publishes exactly the public key of the imported private key.
 *
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signing.pem
 *   pulumi config set --secret signingKey < signing.pem
 *   pulumi config set --secret rsaKey "$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 | openssl pkcs8
 * -topk8 -nocrypt -outform DER | openssl base64 -A)"
 *   pulumi config set --secret macKey "$(openssl rand -base64 32)"
 */
const config = new pulumi.Config();
const kmsEndpoint = config.get("kmsEndpoint");
const endpoint = kmsEndpoint ? { endpoint: kmsEndpoint } : {};
const provider = awsProviderFor(kmsEndpoint);
const opts = provider ? { providers: [provider] } : undefined;

const signing = new ByokKey(
    "signing",
    { keySpec: "ECC_NIST_P256", keyMaterial: config.requireSecret("signingKey"), deletionWindowInDays: 7, ...endpoint },
    opts,
);
const encryption = new ByokKey(
    "rsa-encryption",
    {
        keySpec: "RSA_3072",
        keyUsage: "ENCRYPT_DECRYPT",
        keyMaterial: config.requireSecret("rsaKey"),
        deletionWindowInDays: 7,
        ...endpoint,
    },
    opts,
);
const mac = new ByokKey(
    "mac",
    { keySpec: "HMAC_256", keyMaterial: config.requireSecret("macKey"), deletionWindowInDays: 7, ...endpoint },
    opts,
);

export const signingKeyArn = signing.keyArn;
/** DER SubjectPublicKeyInfo (base64), as GetPublicKey returns it: share it with verifiers. */
export const signingPublicKey = signing.material.publicKey;
export const encryptionPublicKey = encryption.material.publicKey;
export const macKeyArn = mac.keyArn;
