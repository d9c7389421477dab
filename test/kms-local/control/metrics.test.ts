import * as assert from "node:assert/strict";
import {
    CreateKeyCommand,
    DecryptCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    EncryptCommand,
    GetParametersForImportCommand,
} from "@aws-sdk/client-kms";
import { importMaterial, symmetricMaterial, useKmsLocal } from "../fixture.js";

describe("kms-local counters, request log and event log", () => {
    const lines: string[] = [];
    const f = useKmsLocal({ log: (l) => lines.push(l) });

    it("counts calls and errors per operation and logs non-secret facts only", async () => {
        f().kms.control.resetCounters();
        const keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
            ?.KeyId as string;
        const material = symmetricMaterial();
        const imported = await importMaterial(f().client, keyId, material, { KeyMaterialDescription: "logged" });
        const plaintext = Buffer.from("very secret plaintext");
        const e = await f().client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
        await f().client.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob }));
        await f()
            .client.send(new DescribeKeyCommand({ KeyId: "nope" }))
            .catch(() => undefined);
        const params = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_1",
                WrappingKeySpec: "RSA_2048",
            }),
        );

        const counters = f().kms.control.counters();
        assert.deepEqual(counters.DescribeKey, { calls: 1, throttled: 0, faults: 0, errors: 1 });
        assert.equal(counters.ImportKeyMaterial?.calls, 1);
        assert.equal(counters.GetParametersForImport?.calls, 2);

        const log = f().kms.control.requests();
        const imp = log.find((r) => r.operation === "ImportKeyMaterial");
        assert.equal(imp?.keyId, keyId);
        assert.equal(imp?.keyMaterialId, imported.KeyMaterialId);
        assert.equal(imp?.importType, "NEW_KEY_MATERIAL");
        assert.equal(imp?.status, 200);
        assert.equal(imp?.region, "us-east-1");
        const bad = log.find((r) => r.operation === "DescribeKey");
        assert.equal(bad?.errorType, "NotFoundException");
        assert.equal(bad?.status, 400);

        const everything = JSON.stringify(log) + JSON.stringify(f().kms.control.events()) + lines.join("\n");
        for (const secret of [
            material,
            plaintext,
            Buffer.from(e.CiphertextBlob as Uint8Array),
            Buffer.from(params.ImportToken as Uint8Array),
        ]) {
            assert.ok(!everything.includes(secret.toString("base64")), "no base64 secret in logs");
            assert.ok(!everything.includes(secret.toString("hex")), "no hex secret in logs");
        }
        assert.ok(!everything.includes("very secret plaintext"));
        assert.ok(lines.some((l) => l.includes("ImportKeyMaterial 200") && l.includes(`key=${keyId}`)));

        // Facts the request carried are logged even when it fails before the operation used them.
        await f()
            .client.send(new DeleteImportedKeyMaterialCommand({ KeyId: "nope", KeyMaterialId: "c".repeat(64) }))
            .catch(() => undefined);
        const failed = f()
            .kms.control.requests()
            .find((r) => r.operation === "DeleteImportedKeyMaterial");
        assert.equal(failed?.keyMaterialId, "c".repeat(64));
        assert.equal(failed?.errorType, "NotFoundException");

        f().kms.control.resetCounters();
        assert.deepEqual(f().kms.control.counters(), {});
        assert.deepEqual(f().kms.control.requests(), []);
    });
});
