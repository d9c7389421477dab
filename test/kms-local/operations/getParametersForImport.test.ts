import * as assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import {
    CreateKeyCommand,
    GetParametersForImportCommand,
    type AlgorithmSpec,
    type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import { DAY_MS, expectKmsError, useKmsLocal } from "../fixture.js";

describe("kms-local GetParametersForImport", () => {
    const f = useKmsLocal();
    let keyId = "";
    before(async () => {
        keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
    });

    const specs: WrappingKeySpec[] = ["RSA_2048", "RSA_3072", "RSA_4096"];
    const algorithms: AlgorithmSpec[] = [
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256",
    ];
    for (const spec of specs) {
        for (const algorithm of algorithms) {
            it(
                `returns key ARN, DER SPKI ${spec} public key, token, ParametersValidTo = now ` +
                    `+ 24 h (${algorithm})`,
                async () => {
                    const now = f().kms.control.clock.now();
                    const r = await f().client.send(
                        new GetParametersForImportCommand({
                            KeyId: keyId,
                            WrappingAlgorithm: algorithm,
                            WrappingKeySpec: spec,
                        }),
                    );
                    assert.equal(r.KeyId, `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
                    const pub = createPublicKey({
                        key: Buffer.from(r.PublicKey as Uint8Array),
                        format: "der",
                        type: "spki",
                    });
                    assert.equal(pub.asymmetricKeyType, "rsa");
                    assert.equal(pub.asymmetricKeyDetails?.modulusLength, Number(spec.slice(4)));
                    assert.ok((r.ImportToken?.length ?? 0) > 0 && (r.ImportToken?.length ?? 0) <= 6144);
                    const validTo = r.ParametersValidTo?.getTime() ?? 0;
                    assert.ok(
                        Math.abs(validTo - (now + DAY_MS)) < 2000,
                        `ParametersValidTo ${validTo} vs ${now + DAY_MS}`,
                    );
                },
            );
        }
    }

    it("returns a fresh token each call, bound to nothing but this key", async () => {
        const a = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        const b = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        assert.notDeepEqual(Buffer.from(a.ImportToken as Uint8Array), Buffer.from(b.ImportToken as Uint8Array));
    });

    it("refuses RSAES_PKCS1_V1_5 (S12) and SM2 outside China", async () => {
        await expectKmsError(
            f().client.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSAES_PKCS1_V1_5",
                    WrappingKeySpec: "RSA_2048",
                }),
            ),
            "ValidationException",
            /RSAES_PKCS1_V1_5/,
        );
        await expectKmsError(
            f().client.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "SM2PKE",
                    WrappingKeySpec: "SM2",
                }),
            ),
            "ValidationException",
        );
        await expectKmsError(
            f().client.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_1",
                    WrappingKeySpec: "SM2",
                }),
            ),
            "ValidationException",
        );
    });

    it("refuses AWS_KMS keys with the recorded message", async () => {
        const aws = (await f().client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string;
        await expectKmsError(
            f().client.send(
                new GetParametersForImportCommand({
                    KeyId: aws,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_2048",
                }),
            ),
            "UnsupportedOperationException",
            `${aws} origin is AWS_KMS which is not valid for this operation.`,
        );
    });

    it("requires all three members (model validation)", async () => {
        await expectKmsError(
            f().client.send(new GetParametersForImportCommand({ KeyId: keyId } as never)),
            "ValidationException",
            "2 validation errors detected: Value null at 'wrappingAlgorithm' failed to satisfy constraint: " +
                "Member must not be null; Value null at 'wrappingKeySpec' failed to satisfy constraint: " +
                "Member must not be null",
        );
    });
});
