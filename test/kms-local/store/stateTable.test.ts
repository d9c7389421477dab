// Every cell of the key-state table (docs/kms-behaviour.md#key-state-table and the "Not in the 2023 table" rows),
// driven through the SDK. The expectations below are transcribed from docs/kms-behaviour.md independently of
// kms-local's own table.

import * as assert from "node:assert/strict";
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
    GenerateMacCommand,
    GetPublicKeyCommand,
    ImportKeyMaterialCommand,
    ListKeyRotationsCommand,
    ReplicateKeyCommand,
    RotateKeyOnDemandCommand,
    ScheduleKeyDeletionCommand,
    SignCommand,
    VerifyCommand,
    VerifyMacCommand,
    type KMSClient,
} from "@aws-sdk/client-kms";
import { createHmac, createPrivateKey, randomBytes, sign } from "node:crypto";
import { asymmetricMaterial, symmetricMaterial, useKmsLocal, wrapMaterial } from "../fixture.js";

type State =
    | "Enabled"
    | "Disabled"
    | "PendingDeletion"
    | "PendingReplicaDeletion"
    | "PendingImport"
    | "Unavailable"
    | "Creating"
    | "Updating";
const STATES: State[] = [
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingReplicaDeletion",
    "PendingImport",
    "Unavailable",
    "Creating",
    "Updating",
];

// ok | dis (DisabledException "is disabled.") | pd (KMSInvalidState "is pending deletion." / "is pending replica
// deletion.") pi ("is pending import.") | npd ("is not pending deletion.") | una ("is unavailable.") | cre ("is
// creating.") upd ("is updating.") | uns (UnsupportedOperationException)
const EXPECTED: Record<string, string> = {
    CancelKeyDeletion: "npd npd ok ok npd npd npd npd",
    Encrypt: "ok dis pd pd pi una cre ok",
    Decrypt: "ok dis pd pd pi una cre ok",
    GetPublicKey: "ok dis pd pd pi una cre ok",
    Sign: "ok dis pd pd pi una cre ok",
    Verify: "ok dis pd pd pi una cre ok",
    GenerateMac: "ok dis pd pd pi una cre ok",
    VerifyMac: "ok dis pd pd pi una cre ok",
    DeleteImportedKeyMaterial: "ok ok ok ok ok uns cre upd",
    DescribeKey: "ok ok ok ok ok ok ok ok",
    ListKeyRotations: "ok ok ok ok ok ok ok ok",
    GetKeyRotationStatus: "ok ok ok ok ok ok ok ok",
    DisableKey: "ok ok pd pd pi ok cre upd",
    EnableKey: "ok ok pd pd pi ok cre upd",
    GetParametersForImport: "ok ok pd pd ok uns cre upd",
    ImportKeyMaterial: "ok ok pd pd ok uns cre ok",
    ReplicateKey: "ok dis pd pd pi uns cre upd",
    ScheduleKeyDeletion: "ok ok pd pd ok ok ok upd",
    RotateKeyOnDemand: "ok dis pd pd pi una cre upd",
    CreateAlias: "ok ok pd pd ok ok ok ok",
};

const STATE_MESSAGE =
    /is (disabled|pending deletion|pending replica deletion|pending import|not pending deletion|unavailable|creating|updating)\.$/;

interface Subject {
    client: KMSClient;
    keyId: string;
    arn: string;
    ciphertext?: Uint8Array;
    token: Uint8Array;
    wrapped: Buffer;
    material: Buffer;
}

type Kind = "symmetric" | "ecc" | "hmac";
const KIND_OF: Readonly<Record<string, Kind>> = {
    GetPublicKey: "ecc",
    Sign: "ecc",
    Verify: "ecc",
    GenerateMac: "hmac",
    VerifyMac: "hmac",
};

describe("kms-local key-state table (every cell)", () => {
    // Replicas stay Creating for a day: this suite never moves the clock.
    const f = useKmsLocal({ switches: { replicaCreatingMs: 86_400_000 } });
    let aliasCounter = 0;

    async function subject(state: State, kind: Kind): Promise<Subject> {
        const east = f().client;
        const specs = {
            symmetric: {},
            ecc: { KeySpec: "ECC_NIST_P256" as const, KeyUsage: "SIGN_VERIFY" as const },
            hmac: { KeySpec: "HMAC_256" as const, KeyUsage: "GENERATE_VERIFY_MAC" as const },
        };
        const keyId = (await east.send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true, ...specs[kind] })))
            .KeyMetadata?.KeyId as string;
        const material =
            kind === "ecc"
                ? asymmetricMaterial("ECC_NIST_P256")
                : kind === "hmac"
                  ? randomBytes(32)
                  : symmetricMaterial();
        const params = () =>
            east.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
                    WrappingKeySpec: "RSA_2048",
                }),
            );
        const first = await params();
        await east.send(
            new ImportKeyMaterialCommand({
                KeyId: keyId,
                ImportToken: first.ImportToken,
                EncryptedKeyMaterial: wrapMaterial(first.PublicKey as Uint8Array, "RSA_AES_KEY_WRAP_SHA_256", material),
                ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            }),
        );
        const spare = await params();
        const s: Subject = {
            client: east,
            keyId,
            arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
            token: spare.ImportToken as Uint8Array,
            wrapped: wrapMaterial(spare.PublicKey as Uint8Array, "RSA_AES_KEY_WRAP_SHA_256", material),
            material,
            ciphertext:
                kind !== "symmetric"
                    ? undefined
                    : (await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("p") })))
                          .CiphertextBlob,
        };
        switch (state) {
            case "Disabled":
                await east.send(new DisableKeyCommand({ KeyId: keyId }));
                break;
            case "PendingDeletion":
                await east.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
                break;
            case "PendingReplicaDeletion":
                await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-2" }));
                await east.send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
                break;
            case "PendingImport":
                await east.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
                break;
            case "Unavailable":
            case "Updating":
                f().kms.control.forceKeyState("us-east-1", keyId, state);
                break;
            case "Creating":
                await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "us-west-2" }));
                s.client = f().clientIn("us-west-2");
                s.arn = `arn:aws:kms:us-west-2:111122223333:key/${keyId}`;
                break;
            default:
                break;
        }
        const now = (await s.client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;
        assert.equal(now, state, "subject set-up");
        return s;
    }

    const probes: Record<string, (s: Subject) => Promise<unknown>> = {
        CancelKeyDeletion: (s) => s.client.send(new CancelKeyDeletionCommand({ KeyId: s.keyId })),
        Encrypt: (s) => s.client.send(new EncryptCommand({ KeyId: s.keyId, Plaintext: Buffer.from("x") })),
        Decrypt: (s) => s.client.send(new DecryptCommand({ CiphertextBlob: s.ciphertext })),
        GetPublicKey: (s) => s.client.send(new GetPublicKeyCommand({ KeyId: s.keyId })),
        DeleteImportedKeyMaterial: (s) => s.client.send(new DeleteImportedKeyMaterialCommand({ KeyId: s.keyId })),
        DescribeKey: (s) => s.client.send(new DescribeKeyCommand({ KeyId: s.keyId })),
        ListKeyRotations: (s) => s.client.send(new ListKeyRotationsCommand({ KeyId: s.keyId })),
        GetKeyRotationStatus: (s) => s.client.send(new GetKeyRotationStatusCommand({ KeyId: s.keyId })),
        DisableKey: (s) => s.client.send(new DisableKeyCommand({ KeyId: s.keyId })),
        EnableKey: (s) => s.client.send(new EnableKeyCommand({ KeyId: s.keyId })),
        GetParametersForImport: (s) =>
            s.client.send(
                new GetParametersForImportCommand({
                    KeyId: s.keyId,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_2048",
                }),
            ),
        ImportKeyMaterial: (s) =>
            s.client.send(
                new ImportKeyMaterialCommand({
                    KeyId: s.keyId,
                    ImportToken: s.token,
                    EncryptedKeyMaterial: s.wrapped,
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                }),
            ),
        ReplicateKey: (s) => s.client.send(new ReplicateKeyCommand({ KeyId: s.keyId, ReplicaRegion: "eu-central-1" })),
        ScheduleKeyDeletion: (s) =>
            s.client.send(new ScheduleKeyDeletionCommand({ KeyId: s.keyId, PendingWindowInDays: 7 })),
        RotateKeyOnDemand: (s) => s.client.send(new RotateKeyOnDemandCommand({ KeyId: s.keyId })),
        CreateAlias: (s) =>
            s.client.send(new CreateAliasCommand({ AliasName: `alias/state-${++aliasCounter}`, TargetKeyId: s.keyId })),
        Sign: (s) =>
            s.client.send(
                new SignCommand({ KeyId: s.keyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" }),
            ),
        Verify: (s) =>
            s.client.send(
                new VerifyCommand({
                    KeyId: s.keyId,
                    Message: Buffer.from("m"),
                    SigningAlgorithm: "ECDSA_SHA_256",
                    Signature: sign(
                        "sha256",
                        Buffer.from("m"),
                        createPrivateKey({ key: s.material, format: "der", type: "pkcs8" }),
                    ),
                }),
            ),
        GenerateMac: (s) =>
            s.client.send(
                new GenerateMacCommand({ KeyId: s.keyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_256" }),
            ),
        VerifyMac: (s) =>
            s.client.send(
                new VerifyMacCommand({
                    KeyId: s.keyId,
                    Message: Buffer.from("m"),
                    MacAlgorithm: "HMAC_SHA_256",
                    Mac: createHmac("sha256", s.material).update("m").digest(),
                }),
            ),
    };

    function expectedError(outcome: string, state: State, arn: string): [string, string] | undefined {
        switch (outcome) {
            case "ok":
                return undefined;
            case "dis":
                return ["DisabledException", `${arn} is disabled.`];
            case "pd":
                return [
                    "KMSInvalidStateException",
                    `${arn} is ` +
                        (state === "PendingReplicaDeletion" ? "pending replica deletion." : "pending deletion."),
                ];
            case "pi":
                return ["KMSInvalidStateException", `${arn} is pending import.`];
            case "npd":
                return ["KMSInvalidStateException", `${arn} is not pending deletion.`];
            case "una":
                return ["KMSInvalidStateException", `${arn} is unavailable.`];
            case "cre":
                return ["KMSInvalidStateException", `${arn} is creating.`];
            case "upd":
                return ["KMSInvalidStateException", `${arn} is updating.`];
            case "uns":
                return ["UnsupportedOperationException", ""];
            default:
                throw new Error(`bad outcome ${outcome}`);
        }
    }

    for (const [operation, row] of Object.entries(EXPECTED)) {
        const outcomes = row.split(" ");
        STATES.forEach((state, i) => {
            const outcome = outcomes[i];
            it(`${operation} on ${state}: ${outcome}`, async () => {
                const s = await subject(state, KIND_OF[operation] ?? "symmetric");
                const expected = expectedError(outcome, state, s.arn);
                let error: (Error & { name: string }) | undefined;
                try {
                    await probes[operation](s);
                } catch (e) {
                    error = e as Error & { name: string };
                }
                if (!expected) {
                    if (error) {
                        assert.ok(
                            error.name !== "DisabledException" && !STATE_MESSAGE.test(error.message),
                            `unexpected state error ${error.name}: ${error.message}`,
                        );
                    }
                    return;
                }
                assert.ok(error, `expected ${expected[0]}, but the call succeeded`);
                assert.equal(error.name, expected[0], error.message);
                if (expected[1]) assert.equal(error.message, expected[1]);
            });
        });
    }
});
