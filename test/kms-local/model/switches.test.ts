// Every switch (docs/kms-behaviour.md#behaviours-aws-does-not-pin-down) in its non-default position; the defaults are
// covered by the operation tests.

import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    CancelKeyDeletionCommand,
    CreateAliasCommand,
    CreateKeyCommand,
    DecryptCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EnableKeyCommand,
    EncryptCommand,
    GetKeyRotationStatusCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    ListKeyRotationsCommand,
    RotateKeyOnDemandCommand,
    ScheduleKeyDeletionCommand,
    type KeySpec,
    type KeyUsageType,
} from "@aws-sdk/client-kms";
import { DEFAULT_SWITCHES, startKmsLocal, type Switches } from "../../../kms-local/index.js";
import {
    arnOf,
    asymmetricMaterial,
    DAY_MS,
    expectKmsError,
    importMaterial,
    inFuture,
    makeClient,
    symmetricMaterial,
    TEST_DEFAULTS,
    useKmsLocal,
    wrapMaterial,
} from "../fixture.js";
import { rawRequest } from "../wire/raw.js";

describe("kms-local switches", () => {
    const f = useKmsLocal();
    const c = () => f().client;
    const use = (s: Partial<Switches>) => f().kms.control.setSwitches(s);
    afterEach(() => f().kms.control.resetSwitches());
    const newKey = (spec: KeySpec = "SYMMETRIC_DEFAULT", usage?: KeyUsageType, origin?: "AWS_KMS") =>
        f().createKey({ KeySpec: spec, KeyUsage: usage, ...(origin ? { Origin: origin } : {}) });
    const enabledKey = (material?: Buffer) => f().enabledKey(material);
    const state = (keyId: string) => f().describe(keyId);

    it("validates names and values", () => {
        assert.throws(() => use({ nope: "x" } as unknown as Partial<Switches>), /unknown switch/);
        assert.throws(() => use({ errorStatuses: "teapot" as "wire" }), /must be one of/);
        assert.throws(() => use({ rotationDelayMs: -1 }), /non-negative/);
        assert.equal(f().kms.control.switches.errorStatuses, DEFAULT_SWITCHES.errorStatuses);
    });

    it("S1 deleteOnPendingDeletion=reject", async () => {
        use({ deleteOnPendingDeletion: "reject" });
        const { keyId } = await enabledKey();
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
        await expectKmsError(
            c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId })),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is pending deletion.`,
        );
    });

    it("S2 deleteOnPendingImport=reject", async () => {
        use({ deleteOnPendingImport: "reject" });
        const keyId = await newKey();
        await expectKmsError(
            c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId })),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is pending import.`,
        );
    });

    it("S3 deleteUnknownMaterialError=KMSInvalidStateException", async () => {
        use({ deleteUnknownMaterialError: "KMSInvalidStateException" });
        const { keyId } = await enabledKey();
        await expectKmsError(
            c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: "f".repeat(64) })),
            "KMSInvalidStateException",
        );
    });

    it("S4 deleteOnAwsKmsMessage=empty", async () => {
        use({ deleteOnAwsKmsMessage: "empty" });
        const keyId = await newKey("SYMMETRIC_DEFAULT", undefined, "AWS_KMS");
        await expectKmsError(
            c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId })),
            "UnsupportedOperationException",
            "UnknownError",
        );
    });

    it("S5 deleteResponseMaterialIdAsymmetric=omit|id and S9 importResponseMaterialIdAsymmetric=id", async () => {
        use({ importResponseMaterialIdAsymmetric: "id" });
        const keyId = await newKey("HMAC_256", "GENERATE_VERIFY_MAC");
        const imported = await importMaterial(c(), keyId, randomBytes(32));
        assert.match(imported.KeyMaterialId ?? "", /^[0-9a-f]{64}$/);
        use({ deleteResponseMaterialIdAsymmetric: "id" });
        assert.equal(
            (await c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }))).KeyMaterialId,
            imported.KeyMaterialId,
        );
        use({ deleteResponseMaterialIdAsymmetric: "omit" });
        assert.equal((await c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }))).KeyMaterialId, undefined);
    });

    it("S6 deletePendingRotationMaterial=pendingImport", async () => {
        use({ deletePendingRotationMaterial: "pendingImport" });
        const { keyId } = await enabledKey();
        const next = symmetricMaterial();
        const pending = await importMaterial(c(), keyId, next, { ImportType: "NEW_KEY_MATERIAL" });
        await c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pending.KeyMaterialId }));
        assert.equal((await state(keyId))?.KeyState, "PendingImport");
        await importMaterial(c(), keyId, next);
        assert.equal((await state(keyId))?.KeyState, "Enabled");
    });

    it("S7 aliasKeyIdErrorType / aliasKeyIdMessage", async () => {
        use({
            aliasKeyIdErrorType: "ValidationException",
            aliasKeyIdMessage: "Aliases are not accepted here: {keyId}",
        });
        const { keyId } = await enabledKey();
        await c().send(new CreateAliasCommand({ AliasName: "alias/s7", TargetKeyId: keyId }));
        await expectKmsError(
            c().send(new DisableKeyCommand({ KeyId: "alias/s7" })),
            "ValidationException",
            "Aliases are not accepted here: alias/s7",
        );
    });

    it("S8 errorStatuses=smithy", async () => {
        use({ errorStatuses: "smithy" });
        const status = async (p: Promise<unknown>) =>
            await p.then(
                () => assert.fail("expected an error"),
                (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
            );
        assert.equal(await status(c().send(new DescribeKeyCommand({ KeyId: "nope" }))), 404);
        const keyId = await newKey();
        assert.equal(await status(c().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }))), 409);
        const { keyId: k2 } = await enabledKey();
        await c().send(new DisableKeyCommand({ KeyId: k2 }));
        assert.equal(await status(c().send(new EncryptCommand({ KeyId: k2, Plaintext: Buffer.from("x") }))), 409);
        await c().send(new CreateAliasCommand({ AliasName: "alias/s8", TargetKeyId: k2 }));
        assert.equal(await status(c().send(new CreateAliasCommand({ AliasName: "alias/s8", TargetKeyId: k2 }))), 409);
        await c().send(new EnableKeyCommand({ KeyId: k2 }));
        assert.equal(
            await status(c().send(new EncryptCommand({ KeyId: k2, Plaintext: Buffer.from("x"), DryRun: true }))),
            412,
        );
        assert.equal(await status(c().send(new DescribeKeyCommand({} as never))), 400);
    });

    it("S10 responseShapes=legacy", async () => {
        use({ responseShapes: "legacy" });
        const keyId = await newKey();
        const r = await importMaterial(c(), keyId, symmetricMaterial());
        assert.equal(r.KeyId, undefined);
        assert.equal(r.KeyMaterialId, undefined);
        const d = await c().send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
        assert.equal(d.KeyId, undefined);
    });

    it("S11 incompatibleWrapping=atParameters", async () => {
        use({ incompatibleWrapping: "atParameters" });
        const rsa = await newKey("RSA_2048", "SIGN_VERIFY");
        await expectKmsError(
            c().send(
                new GetParametersForImportCommand({
                    KeyId: rsa,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_4096",
                }),
            ),
            "ValidationException",
        );
        const p521 = await newKey("ECC_NIST_P521", "SIGN_VERIFY");
        await expectKmsError(
            c().send(
                new GetParametersForImportCommand({
                    KeyId: p521,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_1",
                    WrappingKeySpec: "RSA_2048",
                }),
            ),
            "ValidationException",
        );
        await c().send(
            new GetParametersForImportCommand({
                KeyId: p521,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_4096",
            }),
        );
    });

    it("S12 pkcs1v15Error=UnsupportedOperationException", async () => {
        use({ pkcs1v15Error: "UnsupportedOperationException" });
        const keyId = await newKey();
        await expectKmsError(
            c().send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSAES_PKCS1_V1_5",
                    WrappingKeySpec: "RSA_2048",
                }),
            ),
            "UnsupportedOperationException",
        );
    });

    it("S13 wrappingKeyPerCall: shared pair by default, fresh pair per call when switched", async () => {
        const keyId = await newKey();
        const pub = async () =>
            Buffer.from(
                (
                    await c().send(
                        new GetParametersForImportCommand({
                            KeyId: keyId,
                            WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                            WrappingKeySpec: "RSA_2048",
                        }),
                    )
                ).PublicKey as Uint8Array,
            ).toString("hex");
        assert.equal(await pub(), await pub());
        use({ wrappingKeyPerCall: "fresh" });
        const a = await pub();
        const b = await pub();
        assert.notEqual(a, b);
    });

    it("S14 tokenReuse=accept", async () => {
        use({ tokenReuse: "accept" });
        const keyId = await newKey();
        const material = symmetricMaterial();
        const p = await c().send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        const req = {
            KeyId: keyId,
            ImportToken: p.ImportToken,
            EncryptedKeyMaterial: wrapMaterial(p.PublicKey as Uint8Array, "RSAES_OAEP_SHA_256", material),
            ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" as const,
        };
        await c().send(new ImportKeyMaterialCommand(req));
        await c().send(new ImportKeyMaterialCommand(req));
    });

    it("S15 badMaterialError=InvalidCiphertextException", async () => {
        use({ badMaterialError: "InvalidCiphertextException" });
        const keyId = await newKey();
        await expectKmsError(importMaterial(c(), keyId, randomBytes(16)), "InvalidCiphertextException");
    });

    it("S16 ValidTo messages are configurable", async () => {
        use({ validToPastMessage: "past!", validToTooLateMessage: "late!", validToWithDoesNotExpireMessage: "never!" });
        const keyId = await newKey();
        await expectKmsError(
            importMaterial(c(), keyId, symmetricMaterial(), { ValidTo: inFuture(f().kms, -1) }),
            "ValidationException",
            "past!",
        );
        await expectKmsError(
            importMaterial(c(), keyId, symmetricMaterial(), { ValidTo: inFuture(f().kms, 400 * DAY_MS) }),
            "ValidationException",
            "late!",
        );
        await expectKmsError(
            importMaterial(c(), keyId, symmetricMaterial(), {
                ValidTo: inFuture(f().kms, DAY_MS),
                ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            }),
            "ValidationException",
            "never!",
        );
    });

    it(
        "S17 importTypeOnAsymmetricError=ValidationException and S18 " +
            "materialIdWithNewError=IncorrectKeyMaterialException",
        async () => {
            use({
                importTypeOnAsymmetricError: "ValidationException",
                materialIdWithNewError: "IncorrectKeyMaterialException",
            });
            const hmac = await newKey("HMAC_256", "GENERATE_VERIFY_MAC");
            await expectKmsError(
                importMaterial(c(), hmac, randomBytes(32), { ImportType: "EXISTING_KEY_MATERIAL" }),
                "ValidationException",
            );
            const { keyId, materialId } = await enabledKey();
            await expectKmsError(
                importMaterial(c(), keyId, symmetricMaterial(), {
                    ImportType: "NEW_KEY_MATERIAL",
                    KeyMaterialId: materialId,
                }),
                "IncorrectKeyMaterialException",
            );
        },
    );

    it("S19 importIntoDisabled=reject|enable", async () => {
        const { keyId, material } = await enabledKey();
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        use({ importIntoDisabled: "reject" });
        await expectKmsError(
            importMaterial(c(), keyId, material),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is disabled.`,
        );
        use({ importIntoDisabled: "enable" });
        await importMaterial(c(), keyId, material);
        assert.equal((await state(keyId))?.KeyState, "Enabled");
    });

    it("S20 externalPqAndEdwards=accept", async () => {
        await expectKmsError(
            c().send(
                new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: "SIGN_VERIFY" }),
            ),
            "UnsupportedOperationException",
        );
        use({ externalPqAndEdwards: "accept" });
        const ed = await newKey("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
        await importMaterial(c(), ed, asymmetricMaterial("ECC_NIST_EDWARDS25519"), { algorithm: "RSAES_OAEP_SHA_256" });
        assert.equal((await state(ed))?.KeyState, "Enabled");
        const ml = await newKey("ML_DSA_44", "SIGN_VERIFY");
        assert.equal((await state(ml))?.KeyState, "PendingImport");
    });

    it("S21 cancelDeletionWithoutMaterial=disabled", async () => {
        use({ cancelDeletionWithoutMaterial: "disabled" });
        const keyId = await newKey();
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
        await c().send(new CancelKeyDeletionCommand({ KeyId: keyId }));
        assert.equal((await state(keyId))?.KeyState, "Disabled");
        await c().send(new EnableKeyCommand({ KeyId: keyId }));
        assert.equal((await state(keyId))?.KeyState, "PendingImport");
    });

    it("S22 metadataAfterExpiry=keep", async () => {
        use({ metadataAfterExpiry: "keep" });
        const keyId = await newKey();
        const validTo = inFuture(f().kms, 60_000);
        await importMaterial(c(), keyId, symmetricMaterial(), { ValidTo: validTo });
        f().kms.control.clock.advance(60_000);
        const m = await state(keyId);
        assert.equal(m?.KeyState, "PendingImport");
        assert.equal(m?.ExpirationModel, "KEY_MATERIAL_EXPIRES");
        assert.equal(m?.ValidTo?.getTime(), validTo.getTime());
    });

    it(
        "S23 multiMaterialExpirationModel=current: the CURRENT material's model, as before " + "the documented reading",
        async () => {
            use({ rotationDelayMs: 0 });
            const keyId = await newKey();
            const validTo = inFuture(f().kms, 30 * DAY_MS);
            await importMaterial(c(), keyId, symmetricMaterial(), { ValidTo: validTo });
            await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
            await c().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
            const documented = await state(keyId);
            assert.equal(
                documented?.ExpirationModel,
                "KEY_MATERIAL_EXPIRES",
                "default: any permanent material expiring",
            );
            assert.equal(documented?.ValidTo?.getTime(), validTo.getTime());
            use({ multiMaterialExpirationModel: "current" });
            const m = await state(keyId);
            assert.equal(m?.ExpirationModel, "KEY_MATERIAL_DOES_NOT_EXPIRE");
            assert.equal(m?.ValidTo, undefined);
        },
    );

    it("S24 pendingMaterialExpiry: removed by default, kept as PENDING_IMPORT when switched", async () => {
        for (const mode of ["remove", "keepPendingImport"] as const) {
            use({ pendingMaterialExpiry: mode });
            const { keyId } = await enabledKey();
            await importMaterial(c(), keyId, symmetricMaterial(), {
                ImportType: "NEW_KEY_MATERIAL",
                ValidTo: inFuture(f().kms, 1000),
            });
            f().kms.control.clock.advance(1000);
            const list =
                (await c().send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))
                    .Rotations ?? [];
            assert.equal((await state(keyId))?.KeyState, "Enabled", mode);
            if (mode === "remove") assert.equal(list.length, 1);
            else
                assert.deepEqual(
                    list.map((e) => e.ImportState),
                    ["IMPORTED", "PENDING_IMPORT"],
                );
        }
    });

    it("S25 rotationStatusExternal=unsupported and S26 listRotationsAsymmetric=emptyList", async () => {
        use({ rotationStatusExternal: "unsupported", listRotationsAsymmetric: "emptyList" });
        const { keyId } = await enabledKey();
        await expectKmsError(
            c().send(new GetKeyRotationStatusCommand({ KeyId: keyId })),
            "UnsupportedOperationException",
            `${arnOf(keyId)} origin is EXTERNAL which is not valid for this operation.`,
        );
        const hmac = await newKey("HMAC_384", "GENERATE_VERIFY_MAC");
        const r = await c().send(new ListKeyRotationsCommand({ KeyId: hmac }));
        assert.deepEqual(r.Rotations, []);
    });

    it("S27 keyMaterialIdDerivation=sha256", async () => {
        use({ keyMaterialIdDerivation: "sha256" });
        const keyId = await newKey();
        const material = symmetricMaterial();
        const r = await importMaterial(c(), keyId, material);
        assert.equal(r.KeyMaterialId, createHash("sha256").update(keyId).update(material).digest("hex"));
    });

    it("S30 rotationDelayMs=0 completes at the next request", async () => {
        use({ rotationDelayMs: 0 });
        const { keyId } = await enabledKey();
        const next = await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await c().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
        assert.equal((await state(keyId))?.CurrentKeyMaterialId, next.KeyMaterialId);
    });

    it("S32 hotKeyRps throttles bursts of EnableKey/DisableKey on one key", async () => {
        use({ hotKeyRps: 1 });
        const { keyId } = await enabledKey();
        const { keyId: other } = await enabledKey();
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        await expectKmsError(c().send(new EnableKeyCommand({ KeyId: keyId })), "ThrottlingException");
        await c().send(new DisableKeyCommand({ KeyId: other }));
    });

    it("S33 onDemandRotationLimit", async () => {
        use({ onDemandRotationLimit: 1, rotationDelayMs: 0 });
        const { keyId } = await enabledKey();
        await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await c().send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
        await importMaterial(c(), keyId, symmetricMaterial(), { ImportType: "NEW_KEY_MATERIAL" });
        await expectKmsError(c().send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "LimitExceededException");
    });

    it("S34 emptyMessageErrors=withMessage", async () => {
        use({ emptyMessageErrors: "withMessage" });
        await expectKmsError(
            c().send(new DecryptCommand({ CiphertextBlob: Buffer.from("garbage") })),
            "InvalidCiphertextException",
            /ciphertext is invalid/,
        );
        const rsa = await newKey("ECC_NIST_P256", "SIGN_VERIFY", "AWS_KMS");
        await expectKmsError(
            c().send(new RotateKeyOnDemandCommand({ KeyId: rsa })),
            "UnsupportedOperationException",
            /ECC_NIST_P256/,
        );
    });

    it("requireAuth=allow accepts unsigned requests (default Region)", async () => {
        use({ requireAuth: "allow" });
        const r = await rawRequest(f().kms.url, { headers: { "x-amz-target": "TrentService.CreateKey" }, body: "{}" });
        assert.equal(r.status, 200);
        assert.match(JSON.stringify(r.json), /arn:aws:kms:us-east-1:/);
    });

    it("switches given at start apply, and resetSwitches returns to them", async () => {
        const kms = await startKmsLocal({ ...TEST_DEFAULTS, switches: { deleteOnPendingImport: "reject" } });
        try {
            assert.equal(kms.control.switches.deleteOnPendingImport, "reject");
            kms.control.setSwitches({ deleteOnPendingImport: "succeed" });
            kms.control.resetSwitches();
            assert.equal(kms.control.switches.deleteOnPendingImport, "reject");
            await assert.rejects(startKmsLocal({ switches: { tokenReuse: "maybe" as "accept" } }), /must be one of/);
        } finally {
            await kms.stop();
        }
    });
});

describe("kms-local S31 expiryEvaluation=sweep", () => {
    it("applies expiry in the background (visible in the state file without any request)", async () => {
        const dir = mkdtempSync(join(tmpdir(), "kms-local-sweep-"));
        try {
            for (const mode of ["lazy", "sweep"] as const) {
                const stateFile = join(dir, `${mode}.json`);
                const kms = await startKmsLocal({ ...TEST_DEFAULTS, stateFile, switches: { expiryEvaluation: mode } });
                const client = makeClient(kms);
                const keyId = (await client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
                    ?.KeyId as string;
                await importMaterial(client, keyId, symmetricMaterial(), {
                    ValidTo: new Date(kms.control.clock.now() + 400),
                });
                await new Promise((r) => setTimeout(r, 900));
                const saved = JSON.parse(readFileSync(stateFile, "utf8")) as {
                    regions: Record<string, { keys: { materials: { bytes?: string }[] }[] }>;
                };
                const bytes = saved.regions["us-east-1"]?.keys[0]?.materials[0]?.bytes;
                if (mode === "lazy") assert.ok(bytes, "lazy: nothing happens without a request");
                else assert.equal(bytes, undefined, "sweep: expired without a request");
                client.destroy();
                await kms.stop();
            }
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
