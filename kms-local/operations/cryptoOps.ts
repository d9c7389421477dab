// Encrypt, Decrypt and GetPublicKey (docs/kms-behaviour.md#encrypt-decrypt-and-getpublickey). Symmetric keys:
// AES-256-GCM under the CURRENT material, the ciphertext naming its KeyMaterialId; RSA ENCRYPT_DECRYPT keys:
// RSAES-OAEP. GetPublicKey derives the SPKI from the (imported or generated) private key.

import { createPrivateKey, createPublicKey } from "node:crypto";
import { decryptRsa, decryptSymmetric, encryptRsa, encryptSymmetric, parseCiphertext } from "../crypto/ciphertext.js";
import { algorithmLists, familyOf, isAsymmetric, isSymmetric, publicKeyOf } from "../crypto/keySpecs.js";
import { E } from "../model/errors.js";
import { validationError, type Input } from "../model/validate.js";
import { currentMaterial, keyState } from "../store/keyState.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import type { KeyRecord } from "../store/types.js";
import type { Handler, OpContext } from "./context.js";

type Context = Readonly<Record<string, string>> | undefined;

const bytesOf = (b64: string | undefined): Buffer => Buffer.from(b64 ?? "", "base64");

/** Key usage and algorithm checks shared by Encrypt and Decrypt. */
function checkUsage(ctx: OpContext, k: KeyRecord, algorithm: string, operation: string): void {
    if (k.keyUsage !== "ENCRYPT_DECRYPT") throw E.keyUsageNotValid(ctx.store.arn(k), k.keyUsage, operation);
    const symmetricAlg = algorithm === "SYMMETRIC_DEFAULT";
    if (symmetricAlg !== isSymmetric(k.keySpec) || (!symmetricAlg && familyOf(k.keySpec) !== "rsa")) {
        throw E.algorithmIncompatible(algorithm, k.keySpec);
    }
}

function usableKey(ctx: OpContext, given: string, operation: string, algorithm: string): KeyRecord {
    const k = resolveKey(ctx, given, true);
    checkState(operation, keyState(k), ctx.store.arn(k), ctx.switches);
    checkUsage(ctx, k, algorithm, operation);
    return k;
}

export const encrypt: Handler = (ctx, input) => {
    const algorithm = (input.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT") as string;
    const k = usableKey(ctx, input.KeyId as string, "Encrypt", algorithm);
    if (input.DryRun === true) throw E.dryRun();
    const plaintext = input.Plaintext as Buffer;
    let blob: Buffer;
    if (isSymmetric(k.keySpec)) {
        const m = currentMaterial(k);
        if (!m || m.bytes === undefined) throw E.pendingImport(ctx.store.arn(k));
        ctx.facts.keyMaterialId = m.id;
        blob = encryptSymmetric(k.keyId, m.id, bytesOf(m.bytes), plaintext, input.EncryptionContext as Context);
    } else {
        const pub = createPublicKey(
            createPrivateKey({ key: bytesOf(k.materials[0]?.bytes), format: "der", type: "pkcs8" }),
        );
        try {
            blob = encryptRsa(pub, algorithm, plaintext);
        } catch {
            throw E.validation(`Plaintext is too long for ${algorithm} with key spec ${k.keySpec}.`);
        }
    }
    return { CiphertextBlob: blob, KeyId: ctx.store.arn(k), EncryptionAlgorithm: algorithm };
};

function decryptSymmetricInput(ctx: OpContext, input: Input, blob: Buffer) {
    const parsed = parseCiphertext(blob);
    if (!parsed) throw E.invalidCiphertext();
    let k: KeyRecord;
    if (input.KeyId !== undefined) {
        k = usableKey(ctx, input.KeyId as string, "Decrypt", "SYMMETRIC_DEFAULT");
        if (k.keyId !== parsed.keyId) throw E.incorrectKey();
    } else {
        if (!/^[0-9a-z-]{36}$/.test(parsed.keyId)) throw E.invalidCiphertext();
        k = usableKey(ctx, parsed.keyId, "Decrypt", "SYMMETRIC_DEFAULT");
    }
    const m = k.materials.find((x) => x.id === parsed.keyMaterialId);
    if (!m || m.bytes === undefined) throw E.invalidCiphertext();
    if (input.DryRun === true) throw E.dryRun();
    const plaintext = decryptSymmetric(parsed, bytesOf(m.bytes), input.EncryptionContext as Context);
    if (!plaintext) throw E.invalidCiphertext();
    ctx.facts.keyMaterialId = m.id;
    return {
        KeyId: ctx.store.arn(k),
        Plaintext: plaintext,
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        KeyMaterialId: m.id,
    };
}

export const decrypt: Handler = (ctx, input) => {
    const algorithm = (input.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT") as string;
    if (input.Recipient !== undefined) throw E.notEmulated("Decrypt with Recipient (Nitro Enclaves attestation)");
    const blob = input.CiphertextBlob as Buffer | undefined;
    if (blob === undefined) {
        const ignore = ((input.DryRunModifiers ?? []) as string[]).includes("IGNORE_CIPHERTEXT");
        if (input.DryRun === true && ignore && input.KeyId !== undefined) {
            usableKey(ctx, input.KeyId as string, "Decrypt", algorithm);
            throw E.dryRun();
        }
        throw validationError(["Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null"]);
    }
    if (algorithm === "SYMMETRIC_DEFAULT") return decryptSymmetricInput(ctx, input, blob);
    if (input.KeyId === undefined)
        throw E.validation("KeyId must be specified when decrypting with an asymmetric KMS key.");
    const k = usableKey(ctx, input.KeyId as string, "Decrypt", algorithm);
    if (input.DryRun === true) throw E.dryRun();
    const priv = createPrivateKey({ key: bytesOf(k.materials[0]?.bytes), format: "der", type: "pkcs8" });
    const plaintext = decryptRsa(priv, algorithm, blob);
    if (!plaintext) throw E.invalidCiphertext();
    return { KeyId: ctx.store.arn(k), Plaintext: plaintext, EncryptionAlgorithm: algorithm };
};

export const getPublicKey: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, true);
    const arn = ctx.store.arn(k);
    checkState("GetPublicKey", keyState(k), arn, ctx.switches);
    if (!isAsymmetric(k.keySpec)) throw E.keySpecNotValid(arn, k.keySpec);
    const m = k.materials.at(0);
    if (!m || m.bytes === undefined) throw E.pendingImport(arn);
    return {
        KeyId: arn,
        PublicKey: publicKeyOf(bytesOf(m.bytes)),
        CustomerMasterKeySpec:
            k.keySpec.startsWith("ML_DSA") || k.keySpec === "ECC_NIST_EDWARDS25519" ? undefined : k.keySpec,
        KeySpec: k.keySpec,
        KeyUsage: k.keyUsage,
        ...algorithmLists(k.keySpec, k.keyUsage),
    };
};
