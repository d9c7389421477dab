// Sign and Verify (asymmetric SIGN_VERIFY keys) and GenerateMac and VerifyMac (HMAC keys), on imported or
// generated material. Checks in the order AWS documents them: key (alias allowed), key state (as Encrypt),
// KeyUsage, algorithm against the key spec's list (the one DescribeKey shows), message type and digest length,
// DryRun; then the cryptography. A failed verification is KMSInvalidSignatureException / KMSInvalidMacException.

import { algorithmLists, specInfo } from "../crypto/keySpecs.js";
import {
    computeMac,
    digestLength,
    macMatches,
    signingAlgorithm,
    signMessage,
    verifyMessage,
    type SigningAlgorithm,
} from "../crypto/signing.js";
import { E } from "../model/errors.js";
import type { Input } from "../model/validate.js";
import { keyState } from "../store/keyState.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import type { KeyRecord } from "../store/types.js";
import type { Handler, OpContext } from "./context.js";

/** The key named by the request, in a state and with a KeyUsage that allow `operation`. */
function usableKey(ctx: OpContext, input: Input, operation: string, usage: string): KeyRecord {
    const k = resolveKey(ctx, input.KeyId as string, true);
    const arn = ctx.store.arn(k);
    checkState(operation, keyState(k), arn, ctx.switches);
    if (k.keyUsage !== usage) throw E.keyUsageNotValid(arn, k.keyUsage, operation);
    return k;
}

/** The material's bytes (present: the state check has passed). */
function materialOf(k: KeyRecord): Buffer {
    const m = k.materials.at(0);
    if (!m || m.bytes === undefined) throw E.internal();
    return Buffer.from(m.bytes, "base64");
}

interface SignRequest {
    key: KeyRecord;
    name: string;
    algorithm: SigningAlgorithm;
    message: Buffer;
    digest: boolean;
}

function signRequest(ctx: OpContext, input: Input, operation: "Sign" | "Verify"): SignRequest {
    const key = usableKey(ctx, input, operation, "SIGN_VERIFY");
    const name = input.SigningAlgorithm as string;
    const listed = algorithmLists(key.keySpec, key.keyUsage).SigningAlgorithms ?? [];
    if (!listed.includes(name)) throw E.algorithmIncompatible(name, key.keySpec);
    const algorithm = signingAlgorithm(name);
    if (!algorithm) throw E.notEmulated(`The ${name} signing algorithm`);
    const messageType = (input.MessageType ?? "RAW") as string;
    if (!(algorithm.messageTypes as readonly string[]).includes(messageType))
        throw E.messageTypeIncompatible(messageType, name);
    const message = input.Message as Buffer;
    const digest = messageType === "DIGEST";
    if (digest && message.length !== digestLength(algorithm)) throw E.digestLength(name);
    if (input.DryRun === true) throw E.dryRun();
    return { key, name, algorithm, message, digest };
}

export const sign: Handler = (ctx, input) => {
    const r = signRequest(ctx, input, "Sign");
    const signature = signMessage(materialOf(r.key), r.algorithm, r.message, r.digest);
    return { KeyId: ctx.store.arn(r.key), Signature: signature, SigningAlgorithm: r.name };
};

export const verify: Handler = (ctx, input) => {
    const r = signRequest(ctx, input, "Verify");
    if (!verifyMessage(materialOf(r.key), r.algorithm, r.message, r.digest, input.Signature as Buffer))
        throw E.signatureVerificationFailed();
    return { KeyId: ctx.store.arn(r.key), SignatureValid: true, SigningAlgorithm: r.name };
};

/** The HMAC key and the MAC algorithm, which must be the one its key spec supports (HMAC_256 → HMAC_SHA_256). */
function macKey(ctx: OpContext, input: Input, operation: "GenerateMac" | "VerifyMac"): KeyRecord {
    const k = usableKey(ctx, input, operation, "GENERATE_VERIFY_MAC");
    const algorithm = input.MacAlgorithm as string;
    if (
        specInfo(k.keySpec).family !== "hmac" ||
        !(algorithmLists(k.keySpec, k.keyUsage).MacAlgorithms ?? []).includes(algorithm)
    ) {
        // Recorded from AWS: "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256."
        // (docs/kms-behaviour.md#error-messages-recorded-from-aws)
        throw E.algorithmIncompatible(algorithm, k.keySpec);
    }
    if (input.DryRun === true) throw E.dryRun();
    return k;
}

export const generateMac: Handler = (ctx, input) => {
    const k = macKey(ctx, input, "GenerateMac");
    const algorithm = input.MacAlgorithm as string;
    return {
        Mac: computeMac(materialOf(k), algorithm, input.Message as Buffer),
        MacAlgorithm: algorithm,
        KeyId: ctx.store.arn(k),
    };
};

export const verifyMac: Handler = (ctx, input) => {
    const k = macKey(ctx, input, "VerifyMac");
    const algorithm = input.MacAlgorithm as string;
    if (!macMatches(materialOf(k), algorithm, input.Message as Buffer, input.Mac as Buffer))
        throw E.macVerificationFailed();
    return { KeyId: ctx.store.arn(k), MacValid: true, MacAlgorithm: algorithm };
};
