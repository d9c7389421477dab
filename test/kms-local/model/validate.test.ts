import * as assert from "node:assert/strict";
import { CreateKeyCommand, EncryptCommand, ImportKeyMaterialCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { KmsError } from "../../../kms-local/model/errors.js";
import { OPERATION_INPUTS } from "../../../kms-local/model/shapes.js";
import { validateInput } from "../../../kms-local/model/validate.js";
import { expectKmsError, useKmsLocal } from "../fixture.js";

function failure(op: string, body: unknown): KmsError {
    try {
        validateInput(OPERATION_INPUTS[op], body);
    } catch (e) {
        assert.ok(e instanceof KmsError);
        return e;
    }
    assert.fail("expected a validation failure");
}

describe("kms-local model validation (AWS wording)", () => {
    it("reports a missing required member as null", () => {
        const e = failure("DescribeKey", {});
        assert.equal(e.type, "ValidationException");
        assert.equal(
            e.wireMessage,
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
        );
    });

    it("reports several failures in model order, joined by '; '", () => {
        const e = failure("ImportKeyMaterial", { KeyId: "", ImportToken: "", ExpirationModel: "NEVER" });
        assert.equal(
            e.wireMessage,
            "4 validation errors detected: Value '' at 'keyId' failed to satisfy constraint: Member must " +
                "have length greater than or equal to 1; " +
                "Value at 'importToken' failed to satisfy constraint: Member must have length greater " +
                "than or equal to 1; " +
                "Value null at 'encryptedKeyMaterial' failed to satisfy constraint: Member must not be null; " +
                "Value 'NEVER' at 'expirationModel' failed to satisfy constraint: Member must satisfy enum " +
                "value set: [KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE]",
        );
    });

    it("words length, pattern and range constraints like AWS", () => {
        assert.equal(
            failure("DeleteImportedKeyMaterial", { KeyId: "k", KeyMaterialId: "ABC" }).wireMessage,
            "2 validation errors detected: Value 'ABC' at 'keyMaterialId' failed to satisfy constraint: " +
                "Member must have length greater than or equal to 64; " +
                "Value 'ABC' at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular " +
                "expression pattern: ^[a-f0-9]+$",
        );
        assert.equal(
            failure("ListKeys", { Limit: 0 }).wireMessage,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: " +
                "Member must have value greater than or equal to 1",
        );
        assert.equal(
            failure("ListKeys", { Limit: 1001 }).wireMessage,
            "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: " +
                "Member must have value less than or equal to 1000",
        );
        assert.equal(
            failure("ImportKeyMaterial", {
                KeyId: "k",
                ImportToken: "AA==",
                EncryptedKeyMaterial: "AA==",
                KeyMaterialDescription: "",
            }).wireMessage,
            "1 validation error detected: Value '' at 'keyMaterialDescription' failed to satisfy constraint: " +
                "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_\\s.-]+$",
        );
    });

    it("uses list paths for nested members (tags.N.member.tagKey)", () => {
        const e = failure("CreateKey", {
            Tags: [
                { TagKey: "ok", TagValue: "" },
                { TagKey: "x".repeat(129), TagValue: "v" },
            ],
        });
        assert.match(
            e.wireMessage ?? "",
            /at 'tags\.2\.member\.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128$/,
        );
        assert.match(
            failure("CreateKey", { Tags: [{ TagValue: "v" }] }).wireMessage ?? "",
            /Value null at 'tags\.1\.member\.tagKey'/,
        );
    });

    it("never echoes sensitive or blob values", () => {
        const e = failure("Encrypt", { KeyId: "k", Plaintext: Buffer.alloc(4097).toString("base64") });
        assert.equal(
            e.wireMessage,
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: " +
                "Member must have length less than or equal to 4096",
        );
        const p = failure("CreateKey", { Policy: "\u0001secret-policy" });
        assert.doesNotMatch(p.wireMessage ?? "", /secret-policy/);
    });

    it("turns wrong JSON types into SerializationException", () => {
        for (const [op, body] of [
            ["ListKeys", { Limit: "10" }],
            ["ListKeys", { Limit: 1.5 }],
            ["DescribeKey", { KeyId: 5 }],
            ["DescribeKey", { KeyId: ["a"] }],
            ["CreateKey", { MultiRegion: "true" }],
            ["CreateKey", { Tags: {} }],
            [
                "ImportKeyMaterial",
                { KeyId: "k", ImportToken: "AA==", EncryptedKeyMaterial: "AA==", ValidTo: "2027-01-01" },
            ],
            ["ImportKeyMaterial", { KeyId: "k", ImportToken: "not base64!", EncryptedKeyMaterial: "AA==" }],
            ["Encrypt", { KeyId: "k", Plaintext: "AA==", EncryptionContext: { a: 1 } }],
        ] as const) {
            assert.equal(failure(op, body).type, "SerializationException", JSON.stringify(body));
        }
    });

    it("accepts integer and float epoch seconds for timestamps and treats null as absent", () => {
        const a = validateInput(OPERATION_INPUTS.ImportKeyMaterial, {
            KeyId: "k",
            ImportToken: "AA==",
            EncryptedKeyMaterial: "AA==",
            ValidTo: 1767323045,
        });
        assert.equal(a.ValidTo, 1767323045000);
        const b = validateInput(OPERATION_INPUTS.ImportKeyMaterial, {
            KeyId: "k",
            ImportToken: "AA==",
            EncryptedKeyMaterial: "AA==",
            ValidTo: 1767323045.678,
        });
        assert.equal(b.ValidTo, 1767323045678);
        const c = validateInput(OPERATION_INPUTS.ListKeys, { Limit: null, Unknown: 1 });
        assert.deepEqual(c, {});
    });

    describe("through the SDK", () => {
        const f = useKmsLocal();
        it("answers the SDK with the same wording", async () => {
            await expectKmsError(
                f().client.send(new EncryptCommand({ KeyId: "k", Plaintext: Buffer.alloc(5000) })),
                "ValidationException",
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member " +
                    "must have length less than or equal to 4096",
            );
            await expectKmsError(
                f().client.send(new ListKeysCommand({ Limit: 5000 })),
                "ValidationException",
                /less than or equal to 1000/,
            );
            await expectKmsError(
                f().client.send(new CreateKeyCommand({ Description: "x".repeat(8193) })),
                "ValidationException",
                /at 'description'/,
            );
            await expectKmsError(
                f().client.send(
                    new ImportKeyMaterialCommand({
                        KeyId: "k",
                        ImportToken: new Uint8Array(6145),
                        EncryptedKeyMaterial: new Uint8Array(1),
                    }),
                ),
                "ValidationException",
                "1 validation error detected: Value at 'importToken' failed to satisfy constraint: Member " +
                    "must have length less than or equal to 6144",
            );
        });
    });
});
