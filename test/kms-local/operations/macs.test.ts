// GenerateMac and VerifyMac on imported HMAC material, through the real SDK, checked against node:crypto's HMAC
// computed from the same material (RFC 2104).

import * as assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import {
    CreateKeyCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    GenerateMacCommand,
    ScheduleKeyDeletionCommand,
    VerifyMacCommand,
    type KeySpec,
    type MacAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { arnOf, expectKmsError, importMaterial, useKmsLocal } from "../fixture.js";

const SPECS: [KeySpec, MacAlgorithmSpec, number][] = [
    ["HMAC_224", "HMAC_SHA_224", 28],
    ["HMAC_256", "HMAC_SHA_256", 32],
    ["HMAC_384", "HMAC_SHA_384", 48],
    ["HMAC_512", "HMAC_SHA_512", 64],
];

describe("kms-local GenerateMac and VerifyMac (imported HMAC material)", () => {
    const f = useKmsLocal();
    const c = () => f().client;

    async function hmacKey(spec: KeySpec, materialBytes: number) {
        const keyId = (
            await c().send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: "GENERATE_VERIFY_MAC" }))
        ).KeyMetadata?.KeyId as string;
        const material = randomBytes(materialBytes);
        await importMaterial(c(), keyId, material);
        return { keyId, material };
    }
    const generate = (keyId: string, algorithm: MacAlgorithmSpec, message: Buffer) =>
        c().send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: algorithm, Message: message }));
    const verifyMac = (keyId: string, algorithm: MacAlgorithmSpec, message: Buffer, mac: Uint8Array) =>
        c().send(new VerifyMacCommand({ KeyId: keyId, MacAlgorithm: algorithm, Message: message, Mac: mac }));

    for (const [spec, algorithm, size] of SPECS) {
        it(
            `${spec}: ${algorithm} equals node:crypto's HMAC of the ` + `imported material, and VerifyMac accepts it`,
            async () => {
                // The shortest and the longest material the spec accepts (docs/kms-behaviour.md#material-formats).
                for (const length of [size, spec === "HMAC_224" || spec === "HMAC_256" ? 64 : 128]) {
                    const { keyId, material } = await hmacKey(spec, length);
                    const message = randomBytes(500);
                    const r = await generate(keyId, algorithm, message);
                    assert.equal(r.KeyId, arnOf(keyId));
                    assert.equal(r.MacAlgorithm, algorithm);
                    const expected = createHmac(`sha${algorithm.slice(9)}`, material)
                        .update(message)
                        .digest();
                    assert.deepEqual(Buffer.from(r.Mac as Uint8Array), expected);
                    assert.equal(expected.length, size);
                    const v = await verifyMac(keyId, algorithm, message, r.Mac as Uint8Array);
                    assert.deepEqual([v.MacValid, v.MacAlgorithm, v.KeyId], [true, algorithm, arnOf(keyId)]);
                }
            },
        );
    }

    it("lists the key spec's one MAC algorithm and refuses the others (recorded wording)", async () => {
        const { keyId } = await hmacKey("HMAC_256", 32);
        assert.deepEqual((await c().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.MacAlgorithms, [
            "HMAC_SHA_256",
        ]);
        await expectKmsError(
            generate(keyId, "HMAC_SHA_512", Buffer.from("m")),
            "InvalidKeyUsageException",
            "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.",
        );
        await expectKmsError(
            verifyMac(keyId, "HMAC_SHA_224", Buffer.from("m"), randomBytes(28)),
            "InvalidKeyUsageException",
            "Algorithm HMAC_SHA_224 is incompatible with key spec HMAC_256.",
        );
    });

    it(
        "fails verification with KMSInvalidMacException (no message): other message, tampered or " +
            "truncated MAC, other key",
        async () => {
            const a = await hmacKey("HMAC_384", 48);
            const b = await hmacKey("HMAC_384", 48);
            const message = Buffer.from("authentic");
            const mac = Buffer.from((await generate(a.keyId, "HMAC_SHA_384", message)).Mac as Uint8Array);
            await expectKmsError(
                verifyMac(a.keyId, "HMAC_SHA_384", Buffer.from("forged"), mac),
                "KMSInvalidMacException",
                "UnknownError",
            );
            const tampered = Buffer.from(mac);
            tampered[0] = tampered[0] ^ 0x80;
            await expectKmsError(verifyMac(a.keyId, "HMAC_SHA_384", message, tampered), "KMSInvalidMacException");
            await expectKmsError(
                verifyMac(a.keyId, "HMAC_SHA_384", message, mac.subarray(0, 32)),
                "KMSInvalidMacException",
            );
            await expectKmsError(verifyMac(b.keyId, "HMAC_SHA_384", message, mac), "KMSInvalidMacException");
            f().kms.control.setSwitches({ emptyMessageErrors: "withMessage" });
            try {
                await expectKmsError(
                    verifyMac(a.keyId, "HMAC_SHA_384", Buffer.from("forged"), mac),
                    "KMSInvalidMacException",
                    "The HMAC verification failed.",
                );
            } finally {
                f().kms.control.resetSwitches();
            }
        },
    );

    it("checks KeyUsage, key state, message size and DryRun", async () => {
        const signing = (await c().send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" })))
            .KeyMetadata?.KeyId as string;
        await expectKmsError(
            generate(signing, "HMAC_SHA_256", Buffer.from("m")),
            "InvalidKeyUsageException",
            `${arnOf(signing)} key usage is SIGN_VERIFY which is not valid for GenerateMac.`,
        );
        const pending = (
            await c().send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "HMAC_512", KeyUsage: "GENERATE_VERIFY_MAC" }),
            )
        ).KeyMetadata?.KeyId as string;
        await expectKmsError(
            generate(pending, "HMAC_SHA_512", Buffer.from("m")),
            "KMSInvalidStateException",
            `${arnOf(pending)} is pending import.`,
        );
        const { keyId } = await hmacKey("HMAC_512", 64);
        await expectKmsError(
            generate(keyId, "HMAC_SHA_512", randomBytes(4097)),
            "ValidationException",
            /Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096/,
        );
        await expectKmsError(
            c().send(
                new GenerateMacCommand({
                    KeyId: keyId,
                    MacAlgorithm: "HMAC_SHA_512",
                    Message: Buffer.from("m"),
                    DryRun: true,
                }),
            ),
            "DryRunOperationException",
        );
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        await expectKmsError(
            generate(keyId, "HMAC_SHA_512", Buffer.from("m")),
            "DisabledException",
            `${arnOf(keyId)} is disabled.`,
        );
        const other = await hmacKey("HMAC_224", 28);
        const mac = (await generate(other.keyId, "HMAC_SHA_224", Buffer.from("m"))).Mac as Uint8Array;
        await c().send(new DeleteImportedKeyMaterialCommand({ KeyId: other.keyId }));
        await expectKmsError(
            verifyMac(other.keyId, "HMAC_SHA_224", Buffer.from("m"), mac),
            "KMSInvalidStateException",
            `${arnOf(other.keyId)} is pending import.`,
        );
        await importMaterial(c(), other.keyId, other.material);
        assert.equal(
            (await verifyMac(other.keyId, "HMAC_SHA_224", Buffer.from("m"), mac)).MacValid,
            true,
            "reimported material verifies old MACs",
        );
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: other.keyId, PendingWindowInDays: 7 }));
        await expectKmsError(
            generate(other.keyId, "HMAC_SHA_224", Buffer.from("m")),
            "KMSInvalidStateException",
            `${arnOf(other.keyId)} is pending deletion.`,
        );
    });
});
