import assert from "node:assert/strict";
import { KeyObject, createHmac, createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import {
    GenerateMacCommand,
    SignCommand,
    VerifyCommand,
    VerifyMacCommand,
    type KMSClient,
    type MacAlgorithmSpec,
    type SigningAlgorithmSpec,
} from "@aws-sdk/client-kms";
import type { KeySpec } from "../../provider/wrapping/keySpecs";

/**
 * Using an imported key to prove which bytes KMS holds: MACs and signatures are compared with what
 * node:crypto computes from the known material (or, for material generated in an HSM, checked against the
 * public key the token holds).
 */

const MESSAGE = Buffer.from("signed and MACed by the imported key");
const DIGEST_OF: Record<string, string> = {
    RSA: "sha256",
    ECC_NIST_P256: "sha256",
    ECC_SECG_P256K1: "sha256",
    ECC_NIST_P384: "sha384",
    ECC_NIST_P521: "sha512",
};

const digestOf = (spec: KeySpec) => DIGEST_OF[spec.startsWith("RSA") ? "RSA" : spec];
const signingAlgorithm = (spec: KeySpec) =>
    (spec.startsWith("RSA")
        ? "RSASSA_PKCS1_V1_5_SHA_256"
        : `ECDSA_SHA_${digestOf(spec).slice(3)}`) as SigningAlgorithmSpec;

/**
 * The key works with exactly the bytes that were imported: HMAC keys' GenerateMac equals node:crypto's HMAC
 * under the material; RSA keys' PKCS#1 v1.5 signatures (deterministic) equal node:crypto's under the private
 * key; ECDSA signatures made by KMS verify under the material's public key, and KMS verifies one made locally.
 */
export async function assertKeyUsesMaterial(
    client: KMSClient,
    keyArn: string,
    spec: KeySpec,
    material: Buffer,
): Promise<void> {
    if (spec.startsWith("HMAC")) {
        const bits = spec.slice("HMAC_".length);
        const MacAlgorithm = `HMAC_SHA_${bits}` as MacAlgorithmSpec;
        const { Mac } = await client.send(new GenerateMacCommand({ KeyId: keyArn, Message: MESSAGE, MacAlgorithm }));
        const local = createHmac(`sha${bits}`, material).update(MESSAGE).digest();
        assert.deepEqual(Buffer.from(Mac!), local, `${spec}: KMS's MAC is the material's`);
        assert.equal(
            (await client.send(new VerifyMacCommand({ KeyId: keyArn, Message: MESSAGE, MacAlgorithm, Mac: local })))
                .MacValid,
            true,
        );
        return;
    }
    const privateKey = createPrivateKey({ key: material, format: "der", type: "pkcs8" });
    const digest = digestOf(spec);
    const SigningAlgorithm = signingAlgorithm(spec);
    const signature = await assertKeySigns(client, keyArn, spec, createPublicKey(privateKey));
    if (spec.startsWith("RSA"))
        assert.deepEqual(signature, sign(digest, MESSAGE, privateKey), `${spec}: KMS's signature is the material's`);
    const local = sign(digest, MESSAGE, privateKey);
    const verdict = await client.send(
        new VerifyCommand({ KeyId: keyArn, Message: MESSAGE, MessageType: "RAW", SigningAlgorithm, Signature: local }),
    );
    assert.equal(verdict.SignatureValid, true, `${spec}: KMS verifies a signature made with the material`);
}

/**
 * KMS signs with the imported private key: the signature verifies under `publicKey` (the token's, for generated
 * material).
 */
export async function assertKeySigns(
    client: KMSClient,
    keyArn: string,
    spec: KeySpec,
    publicKey: KeyObject,
): Promise<Buffer> {
    const { Signature } = await client.send(
        new SignCommand({
            KeyId: keyArn,
            Message: MESSAGE,
            MessageType: "RAW",
            SigningAlgorithm: signingAlgorithm(spec),
        }),
    );
    const signature = Buffer.from(Signature!);
    assert.ok(
        verify(digestOf(spec), MESSAGE, publicKey, signature),
        `${spec}: KMS's signature verifies under the expected public key`,
    );
    return signature;
}
