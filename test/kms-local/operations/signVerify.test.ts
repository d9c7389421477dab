// Sign and Verify on imported asymmetric material, through the real SDK; every signature is checked outside
// kms-local (node:crypto with the public key from GetPublicKey, and the openssl CLI), and signatures made outside
// verify inside.

import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
    constants,
    createHash,
    createPrivateKey,
    createPublicKey,
    randomBytes,
    verify as nodeVerify,
    type KeyObject,
} from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    CreateAliasCommand,
    CreateKeyCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EnableKeyCommand,
    GetPublicKeyCommand,
    ScheduleKeyDeletionCommand,
    SignCommand,
    VerifyCommand,
    type KeySpec,
    type MessageType,
    type SigningAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { arnOf, asymmetricMaterial, expectKmsError, importMaterial, useKmsLocal } from "../fixture.js";

const RSA_ALGORITHMS: SigningAlgorithmSpec[] = [
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
];
const ECC: [KeySpec, SigningAlgorithmSpec][] = [
    ["ECC_NIST_P256", "ECDSA_SHA_256"],
    ["ECC_NIST_P384", "ECDSA_SHA_384"],
    ["ECC_NIST_P521", "ECDSA_SHA_512"],
    ["ECC_SECG_P256K1", "ECDSA_SHA_256"],
];

const hashOf = (algorithm: string): "sha256" | "sha384" | "sha512" =>
    `sha${algorithm.slice(-3)}` as "sha256" | "sha384" | "sha512";
const digest = (algorithm: string, message: Buffer): Buffer => createHash(hashOf(algorithm)).update(message).digest();

/** Verifies with node:crypto from the SPKI alone, as a relying party outside AWS would. */
function verifiesOutside(
    spki: Buffer,
    algorithm: string,
    message: Buffer,
    signature: Buffer,
    saltLength = constants.RSA_PSS_SALTLEN_DIGEST,
): boolean {
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    const pss = algorithm.startsWith("RSASSA_PSS") ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength } : {};
    return nodeVerify(hashOf(algorithm), message, { key, dsaEncoding: "der", ...pss }, signature);
}

describe("kms-local Sign and Verify (imported RSA and ECC material)", () => {
    const f = useKmsLocal();
    const c = () => f().client;

    async function signingKey(
        spec: KeySpec,
        usage: "SIGN_VERIFY" | "ENCRYPT_DECRYPT" | "KEY_AGREEMENT" = "SIGN_VERIFY",
    ) {
        const keyId = (await c().send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: usage })))
            .KeyMetadata?.KeyId as string;
        const material = asymmetricMaterial(spec);
        await importMaterial(
            c(),
            keyId,
            material,
            spec.startsWith("RSA") ? {} : { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_3072" },
        );
        const spki = Buffer.from((await c().send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey as Uint8Array);
        return { keyId, material, spki };
    }

    const kmsSign = async (
        keyId: string,
        algorithm: SigningAlgorithmSpec,
        message: Buffer,
        type: MessageType = "RAW",
    ) => {
        const r = await c().send(
            new SignCommand({ KeyId: keyId, Message: message, MessageType: type, SigningAlgorithm: algorithm }),
        );
        assert.equal(r.KeyId, arnOf(keyId));
        assert.equal(r.SigningAlgorithm, algorithm);
        return Buffer.from(r.Signature as Uint8Array);
    };
    const kmsVerify = (
        keyId: string,
        algorithm: SigningAlgorithmSpec,
        message: Buffer,
        signature: Buffer,
        type: MessageType = "RAW",
    ) =>
        c().send(
            new VerifyCommand({
                KeyId: keyId,
                Message: message,
                MessageType: type,
                Signature: signature,
                SigningAlgorithm: algorithm,
            }),
        );

    for (const spec of ["RSA_2048", "RSA_3072"] as KeySpec[]) {
        it(
            `${spec}: all six RSASSA algorithms, RAW and DIGEST, verify with the GetPublicKey ` +
                `SPKI and with Verify`,
            async () => {
                const { keyId, spki } = await signingKey(spec);
                const message = randomBytes(100);
                for (const algorithm of RSA_ALGORITHMS) {
                    const raw = await kmsSign(keyId, algorithm, message);
                    const fromDigest = await kmsSign(keyId, algorithm, digest(algorithm, message), "DIGEST");
                    for (const signature of [raw, fromDigest]) {
                        assert.equal(
                            signature.length,
                            Number(spec.slice(4)) / 8,
                            `${algorithm}: one modulus-sized block`,
                        );
                        assert.ok(
                            verifiesOutside(spki, algorithm, message, signature),
                            `${algorithm} verifies with node:crypto`,
                        );
                        // Verify accepts the message or its digest, whichever way the signature was made (Verify API
                        // reference).
                        assert.equal((await kmsVerify(keyId, algorithm, message, signature)).SignatureValid, true);
                        assert.equal(
                            (await kmsVerify(keyId, algorithm, digest(algorithm, message), signature, "DIGEST"))
                                .SignatureValid,
                            true,
                        );
                    }
                    if (algorithm.startsWith("RSASSA_PSS")) {
                        assert.ok(
                            !verifiesOutside(spki, algorithm, message, raw, 0),
                            "PSS salt is as long as the hash, not empty",
                        );
                        assert.notDeepEqual(raw, await kmsSign(keyId, algorithm, message), "PSS is randomised");
                    } else {
                        assert.deepEqual(
                            raw,
                            fromDigest,
                            "PKCS #1 v1.5 is deterministic: RAW and DIGEST give the same signature",
                        );
                    }
                }
            },
        );
    }

    for (const [spec, algorithm] of ECC) {
        it(
            `${spec}: ${algorithm}, RAW and DIGEST, DER signatures that verify with the GetPublicKey ` +
                `SPKI and with Verify`,
            async () => {
                const { keyId, spki } = await signingKey(spec);
                for (let i = 0; i < 4; i++) {
                    const message = randomBytes(1 + i * 700);
                    for (const signature of [
                        await kmsSign(keyId, algorithm, message),
                        await kmsSign(keyId, algorithm, digest(algorithm, message), "DIGEST"),
                    ]) {
                        assert.equal(signature[0], 0x30, "DER SEQUENCE");
                        assert.ok(
                            verifiesOutside(spki, algorithm, message, signature),
                            `${algorithm} verifies with node:crypto`,
                        );
                        assert.equal((await kmsVerify(keyId, algorithm, message, signature)).SignatureValid, true);
                        assert.equal(
                            (await kmsVerify(keyId, algorithm, digest(algorithm, message), signature, "DIGEST"))
                                .SignatureValid,
                            true,
                        );
                    }
                }
            },
        );
    }

    it("signatures agree with the openssl CLI both ways (openssl verifies KMS's, KMS verifies openssl's)", async () => {
        const dir = mkdtempSync(join(tmpdir(), "kms-local-sign-"));
        try {
            const cases: [KeySpec, SigningAlgorithmSpec, MessageType][] = [
                ["RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "DIGEST"],
                ["RSA_2048", "RSASSA_PSS_SHA_512", "DIGEST"],
                ["RSA_3072", "RSASSA_PSS_SHA_256", "RAW"],
                ["ECC_NIST_P521", "ECDSA_SHA_512", "DIGEST"],
                ["ECC_SECG_P256K1", "ECDSA_SHA_256", "RAW"],
            ];
            for (const [spec, algorithm, type] of cases) {
                const { keyId, spki, material } = await signingKey(spec);
                const message = randomBytes(300);
                const files = {
                    msg: join(dir, "msg"),
                    sig: join(dir, "sig"),
                    pub: join(dir, "pub.pem"),
                    key: join(dir, "key.pem"),
                };
                writeFileSync(files.msg, message);
                writeFileSync(
                    files.pub,
                    createPublicKey({ key: spki, format: "der", type: "spki" }).export({ type: "spki", format: "pem" }),
                );
                const pss = algorithm.startsWith("RSASSA_PSS")
                    ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]
                    : [];
                writeFileSync(
                    files.sig,
                    await kmsSign(keyId, algorithm, type === "DIGEST" ? digest(algorithm, message) : message, type),
                );
                const out = execFileSync(
                    "openssl",
                    ["dgst", `-${hashOf(algorithm)}`, ...pss, "-verify", files.pub, "-signature", files.sig, files.msg],
                    { encoding: "utf8" },
                );
                assert.match(out, /Verified OK/, `${spec} ${algorithm} ${type}`);
                // The other way: openssl signs with the same private key (test material only), KMS verifies.
                writeFileSync(
                    files.key,
                    createPrivateKey({ key: material, format: "der", type: "pkcs8" }).export({
                        type: "pkcs8",
                        format: "pem",
                    }),
                    { mode: 0o600 },
                );
                const theirs = execFileSync("openssl", [
                    "dgst",
                    `-${hashOf(algorithm)}`,
                    ...pss,
                    "-sign",
                    files.key,
                    files.msg,
                ]);
                assert.equal(
                    (await kmsVerify(keyId, algorithm, message, theirs)).SignatureValid,
                    true,
                    `KMS verifies openssl's ${algorithm}`,
                );
                rmSync(files.key);
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("lists the signing algorithms of each key spec in DescribeKey and GetPublicKey", async () => {
        const expected: [KeySpec, string[]][] = [
            [
                "RSA_2048",
                [
                    "RSASSA_PKCS1_V1_5_SHA_256",
                    "RSASSA_PKCS1_V1_5_SHA_384",
                    "RSASSA_PKCS1_V1_5_SHA_512",
                    "RSASSA_PSS_SHA_256",
                    "RSASSA_PSS_SHA_384",
                    "RSASSA_PSS_SHA_512",
                ],
            ],
            ...ECC.map(([spec, algorithm]) => [spec, [algorithm]] as [KeySpec, string[]]),
        ];
        for (const [spec, algorithms] of expected) {
            const { keyId } = await signingKey(spec);
            const m = (await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
            assert.deepEqual([...(m?.SigningAlgorithms ?? [])].sort(), [...algorithms].sort(), spec);
            assert.equal(m?.EncryptionAlgorithms, undefined);
            assert.deepEqual(
                [...((await c().send(new GetPublicKeyCommand({ KeyId: keyId }))).SigningAlgorithms ?? [])].sort(),
                [...algorithms].sort(),
            );
        }
    });

    it(
        "fails verification with KMSInvalidSignatureException and no message: other message, " +
            "algorithm, key, or garbage",
        async () => {
            const a = await signingKey("ECC_NIST_P256");
            const rsa = await signingKey("RSA_2048");
            const message = Buffer.from("signed");
            const sig = await kmsSign(a.keyId, "ECDSA_SHA_256", message);
            await expectKmsError(
                kmsVerify(a.keyId, "ECDSA_SHA_256", Buffer.from("other"), sig),
                "KMSInvalidSignatureException",
                "UnknownError",
            );
            await expectKmsError(
                kmsVerify(a.keyId, "ECDSA_SHA_256", digest("ECDSA_SHA_256", Buffer.from("other")), sig, "DIGEST"),
                "KMSInvalidSignatureException",
            );
            await expectKmsError(
                kmsVerify(a.keyId, "ECDSA_SHA_256", message, randomBytes(70)),
                "KMSInvalidSignatureException",
            );
            const tampered = Buffer.from(sig);
            tampered[tampered.length - 1] = tampered[tampered.length - 1] ^ 1;
            await expectKmsError(
                kmsVerify(a.keyId, "ECDSA_SHA_256", message, tampered),
                "KMSInvalidSignatureException",
            );
            const pkcs1 = await kmsSign(rsa.keyId, "RSASSA_PKCS1_V1_5_SHA_256", message);
            await expectKmsError(
                kmsVerify(rsa.keyId, "RSASSA_PSS_SHA_256", message, pkcs1),
                "KMSInvalidSignatureException",
            );
            await expectKmsError(
                kmsVerify(rsa.keyId, "RSASSA_PKCS1_V1_5_SHA_384", message, pkcs1),
                "KMSInvalidSignatureException",
            );
            const other = await signingKey("RSA_3072");
            await expectKmsError(
                kmsVerify(other.keyId, "RSASSA_PKCS1_V1_5_SHA_256", message, pkcs1),
                "KMSInvalidSignatureException",
            );
            f().kms.control.setSwitches({ emptyMessageErrors: "withMessage" });
            try {
                await expectKmsError(
                    kmsVerify(a.keyId, "ECDSA_SHA_256", Buffer.from("other"), sig),
                    "KMSInvalidSignatureException",
                    "The signature verification failed.",
                );
            } finally {
                f().kms.control.resetSwitches();
            }
        },
    );

    it(
        "validates like AWS: algorithm against the key spec, digest length, message type, " + "size, required members",
        async () => {
            const p256 = await signingKey("ECC_NIST_P256");
            const rsa = await signingKey("RSA_2048");
            const sign = (keyId: string, algorithm: SigningAlgorithmSpec, message: Buffer, type?: MessageType) =>
                c().send(
                    new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: algorithm, MessageType: type }),
                );
            await expectKmsError(
                sign(p256.keyId, "ECDSA_SHA_384", Buffer.from("m")),
                "InvalidKeyUsageException",
                "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.",
            );
            await expectKmsError(
                sign(p256.keyId, "RSASSA_PSS_SHA_256", Buffer.from("m")),
                "InvalidKeyUsageException",
                "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256.",
            );
            await expectKmsError(
                sign(rsa.keyId, "ECDSA_SHA_256", Buffer.from("m")),
                "InvalidKeyUsageException",
                "Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048.",
            );
            for (const length of [20, 31, 33, 48]) {
                await expectKmsError(
                    sign(p256.keyId, "ECDSA_SHA_256", randomBytes(length), "DIGEST"),
                    "ValidationException",
                    "Digest is invalid length for algorithm ECDSA_SHA_256.",
                );
            }
            await expectKmsError(
                sign(rsa.keyId, "RSASSA_PSS_SHA_512", randomBytes(32), "DIGEST"),
                "ValidationException",
                "Digest is invalid length for algorithm RSASSA_PSS_SHA_512.",
            );
            await expectKmsError(
                kmsVerify(rsa.keyId, "RSASSA_PSS_SHA_512", randomBytes(32), randomBytes(256), "DIGEST"),
                "ValidationException",
                "Digest is invalid length for algorithm RSASSA_PSS_SHA_512.",
            );
            await expectKmsError(
                sign(p256.keyId, "ECDSA_SHA_256", randomBytes(64), "EXTERNAL_MU"),
                "ValidationException",
                /EXTERNAL_MU is incompatible with algorithm ECDSA_SHA_256/,
            );
            assert.ok(
                (await sign(p256.keyId, "ECDSA_SHA_256", randomBytes(4096))).Signature,
                "4096 bytes is the limit, inclusive",
            );
            await expectKmsError(
                sign(p256.keyId, "ECDSA_SHA_256", randomBytes(4097)),
                "ValidationException",
                "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must " +
                    "have length less than or equal to 4096",
            );
            await expectKmsError(
                c().send(new SignCommand({ KeyId: p256.keyId, Message: Buffer.from("m") } as never)),
                "ValidationException",
                "1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: " +
                    "Member must not be null",
            );
            await expectKmsError(
                c().send(
                    new SignCommand({
                        KeyId: p256.keyId,
                        Message: Buffer.from("m"),
                        SigningAlgorithm: "ECDSA_SHA_1" as SigningAlgorithmSpec,
                    }),
                ),
                "ValidationException",
                /Value 'ECDSA_SHA_1' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[RSASSA_PSS_SHA_256,/,
            );
            await expectKmsError(
                c().send(
                    new SignCommand({
                        KeyId: p256.keyId,
                        Message: Buffer.from("m"),
                        SigningAlgorithm: "ECDSA_SHA_256",
                        DryRun: true,
                    }),
                ),
                "DryRunOperationException",
            );
        },
    );

    it("checks KeyUsage: Sign and Verify need a SIGN_VERIFY key", async () => {
        const encrypt = await signingKey("RSA_2048", "ENCRYPT_DECRYPT");
        await expectKmsError(
            c().send(
                new SignCommand({
                    KeyId: encrypt.keyId,
                    Message: Buffer.from("m"),
                    SigningAlgorithm: "RSASSA_PSS_SHA_256",
                }),
            ),
            "InvalidKeyUsageException",
            `${arnOf(encrypt.keyId)} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`,
        );
        const agreement = await signingKey("ECC_NIST_P384", "KEY_AGREEMENT");
        await expectKmsError(
            kmsVerify(agreement.keyId, "ECDSA_SHA_384", Buffer.from("m"), randomBytes(100)),
            "InvalidKeyUsageException",
            `${arnOf(agreement.keyId)} key usage is KEY_AGREEMENT which is not valid for Verify.`,
        );
        const symmetric = (await c().send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
        await expectKmsError(
            c().send(
                new SignCommand({ KeyId: symmetric, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" }),
            ),
            "InvalidKeyUsageException",
            /key usage is ENCRYPT_DECRYPT which is not valid for Sign\.$/,
        );
    });

    it(
        "follows the key state: pending import, disabled, pending deletion; the same material signs " +
            "again after reimport",
        async () => {
            const keyId = (
                await c().send(
                    new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }),
                )
            ).KeyMetadata?.KeyId as string;
            const sign = () =>
                c().send(
                    new SignCommand({ KeyId: keyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" }),
                );
            await expectKmsError(sign(), "KMSInvalidStateException", `${arnOf(keyId)} is pending import.`);
            const material = asymmetricMaterial("ECC_NIST_P256");
            await importMaterial(c(), keyId, material, { algorithm: "RSAES_OAEP_SHA_1" });
            const before = Buffer.from((await sign()).Signature as Uint8Array);
            await c().send(new DisableKeyCommand({ KeyId: keyId }));
            await expectKmsError(sign(), "DisabledException", `${arnOf(keyId)} is disabled.`);
            await c().send(new EnableKeyCommand({ KeyId: keyId }));
            await c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
            await expectKmsError(
                kmsVerify(keyId, "ECDSA_SHA_256", Buffer.from("m"), before),
                "KMSInvalidStateException",
                `${arnOf(keyId)} is pending import.`,
            );
            await importMaterial(c(), keyId, material, { algorithm: "RSAES_OAEP_SHA_1" });
            assert.equal(
                (await kmsVerify(keyId, "ECDSA_SHA_256", Buffer.from("m"), before)).SignatureValid,
                true,
                "same key pair after reimport",
            );
            await c().send(new CreateAliasCommand({ AliasName: "alias/signer", TargetKeyId: keyId }));
            assert.ok(
                (
                    await c().send(
                        new SignCommand({
                            KeyId: "alias/signer",
                            Message: Buffer.from("m"),
                            SigningAlgorithm: "ECDSA_SHA_256",
                        }),
                    )
                ).Signature,
            );
            await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
            await expectKmsError(sign(), "KMSInvalidStateException", `${arnOf(keyId)} is pending deletion.`);
        },
    );

    it("signs with generated (AWS_KMS) keys too, Ed25519 included (ED25519_SHA_512, RAW only)", async () => {
        const p384 = (await c().send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P384", KeyUsage: "SIGN_VERIFY" })))
            .KeyMetadata?.KeyId as string;
        const spki = Buffer.from((await c().send(new GetPublicKeyCommand({ KeyId: p384 }))).PublicKey as Uint8Array);
        assert.ok(
            verifiesOutside(
                spki,
                "ECDSA_SHA_384",
                Buffer.from("m"),
                await kmsSign(p384, "ECDSA_SHA_384", Buffer.from("m")),
            ),
        );
        const ed = (await c().send(new CreateKeyCommand({ KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: "SIGN_VERIFY" })))
            .KeyMetadata?.KeyId as string;
        const edKey: KeyObject = createPublicKey({
            key: Buffer.from((await c().send(new GetPublicKeyCommand({ KeyId: ed }))).PublicKey as Uint8Array),
            format: "der",
            type: "spki",
        });
        const sig = await kmsSign(ed, "ED25519_SHA_512", Buffer.from("m"));
        assert.equal(sig.length, 64);
        assert.ok(nodeVerify(null, Buffer.from("m"), edKey, sig));
        assert.equal((await kmsVerify(ed, "ED25519_SHA_512", Buffer.from("m"), sig)).SignatureValid, true);
        await expectKmsError(
            kmsSign(ed, "ED25519_SHA_512", randomBytes(64), "DIGEST"),
            "ValidationException",
            /DIGEST is incompatible with algorithm ED25519_SHA_512/,
        );
        await expectKmsError(
            kmsSign(ed, "ED25519_PH_SHA_512", randomBytes(64), "DIGEST"),
            "UnsupportedOperationException",
            /not supported by kms-local/,
        );
    });
});
