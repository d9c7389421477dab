import * as assert from "node:assert/strict";
import {
    CreateKeyCommand,
    DescribeKeyCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    ListKeysCommand,
} from "@aws-sdk/client-kms";
import { expectKmsError, makeClient, symmetricMaterial, useKmsLocal, wrapMaterial } from "../fixture.js";

describe("kms-local fault injection", () => {
    const f = useKmsLocal();
    afterEach(() => f().kms.control.faults.clear());
    const keyCount = () => f().kms.control.keys().length;

    it(
        "'before' faults fail with no side effect (KMSInternalException 500, DependencyTimeoutException 500, " +
            "or 503 when switched)",
        async () => {
            const n = keyCount();
            f().kms.control.faults.set({ rate: 1, kinds: ["KMSInternalException"], operations: ["CreateKey"] });
            const e = await expectKmsError(f().client.send(new CreateKeyCommand({})), "KMSInternalException");
            assert.equal(e.$metadata?.httpStatusCode, 500);
            f().kms.control.faults.set({ rate: 1, kinds: ["DependencyTimeoutException"] });
            const t = await expectKmsError(f().client.send(new CreateKeyCommand({})), "DependencyTimeoutException");
            assert.equal(t.$metadata?.httpStatusCode, 500, "the API reference's status");
            f().kms.control.setSwitches({ dependencyTimeoutStatus: "503" });
            const smithy = await expectKmsError(
                f().client.send(new CreateKeyCommand({})),
                "DependencyTimeoutException",
            );
            f().kms.control.resetSwitches();
            assert.equal(smithy.$metadata?.httpStatusCode, 503, "the Smithy model's status");
            assert.equal(keyCount(), n, "no key was created");
            assert.equal(f().kms.control.counters().CreateKey?.faults, 3);
        },
    );

    it("only strikes the listed operations", async () => {
        f().kms.control.faults.set({ rate: 1, kinds: ["KMSInternalException"], operations: ["CreateKey"] });
        await f().client.send(new ListKeysCommand({}));
    });

    it("'after' faults apply the side effect and lose the response", async () => {
        const n = keyCount();
        f().kms.control.faults.set({
            rate: 1,
            kinds: ["KMSInternalException"],
            timing: "after",
            operations: ["CreateKey"],
        });
        await expectKmsError(f().client.send(new CreateKeyCommand({})), "KMSInternalException");
        assert.equal(keyCount(), n + 1, "the key exists although the client saw an error");
    });

    it("drops connections (socket destroyed, no response)", async () => {
        f().kms.control.faults.set({ rate: 1, kinds: ["DroppedConnection"], operations: ["ListKeys"] });
        await assert.rejects(f().client.send(new ListKeysCommand({})), (e: Error & { code?: string }) =>
            /socket hang up|ECONNRESET/.test(`${e.message} ${e.code ?? ""}`),
        );
        assert.ok(
            f()
                .kms.control.requests()
                .some((r) => r.operation === "ListKeys" && r.errorType === "DroppedConnection"),
        );
    });

    it("makes an SDK retry of ImportKeyMaterial hit the consumed token (the real-network case)", async () => {
        const keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
            ?.KeyId as string;
        const p = await f().client.send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        f().kms.control.faults.set({
            rate: 1,
            count: 1,
            kinds: ["KMSInternalException"],
            timing: "after",
            operations: ["ImportKeyMaterial"],
        });
        const retrying = makeClient(f().kms, "us-east-1", 3);
        await expectKmsError(
            retrying.send(
                new ImportKeyMaterialCommand({
                    KeyId: keyId,
                    ImportToken: p.ImportToken,
                    EncryptedKeyMaterial: wrapMaterial(
                        p.PublicKey as Uint8Array,
                        "RSAES_OAEP_SHA_256",
                        symmetricMaterial(),
                    ),
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                }),
            ),
            "InvalidImportTokenException",
        );
        retrying.destroy();
        assert.equal(
            (await f().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
            "Enabled",
            "the first attempt did import",
        );
        const imports = f()
            .kms.control.requests()
            .filter((r) => r.operation === "ImportKeyMaterial" && r.keyId === keyId);
        assert.deepEqual(
            imports.map((r) => r.errorType),
            ["KMSInternalException", "InvalidImportTokenException"],
        );
    });

    it("is reproducible: the same seed gives the same sequence", async () => {
        const run = async () => {
            f().kms.control.faults.set({
                rate: 0.5,
                kinds: ["KMSInternalException", "DependencyTimeoutException"],
                seed: 42,
                operations: ["ListKeys"],
            });
            const outcomes: string[] = [];
            for (let i = 0; i < 30; i++) {
                outcomes.push(
                    await f()
                        .client.send(new ListKeysCommand({}))
                        .then(
                            () => "ok",
                            (e: unknown) => (e instanceof Error ? e.name : String(e)),
                        ),
                );
            }
            return outcomes;
        };
        const a = await run();
        const b = await run();
        assert.deepEqual(a, b);
        assert.ok(
            a.includes("ok") && a.includes("KMSInternalException") && a.includes("DependencyTimeoutException"),
            a.join(","),
        );
    });

    it("validates its settings", () => {
        assert.throws(() => f().kms.control.faults.set({ rate: 2 }), /between 0 and 1/);
        assert.throws(() => f().kms.control.faults.set({ rate: 0.1, kinds: ["Nope" as never] }), /unknown fault kind/);
    });
});
