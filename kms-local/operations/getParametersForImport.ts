// GetParametersForImport (docs/kms-behaviour.md#getparametersforimport): a wrapping public key (DER SPKI) and an import
// token bound to this key, valid 24 hours on the kms-local clock.

import { randomBytes } from "node:crypto";
import { familyOf } from "../crypto/keySpecs.js";
import { freshWrappingKey } from "../crypto/freshPool.js";
import { sharedWrappingKey, type WrappingKeySpec } from "../crypto/wrappingPool.js";
import { E, refused } from "../model/errors.js";
import { keyState } from "../store/keyState.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import { ts } from "../model/context.js";
import type { Handler } from "./context.js";

export const TOKEN_VALIDITY_MS = 24 * 3600_000;

/**
 * Combinations whose material cannot be wrapped (docs/kms-behaviour.md#getparametersforimport,
 * docs/kms-behaviour.md#material-formats size arithmetic).
 */
export function incompatibleWrapping(keySpec: string, algorithm: string, wrappingKeySpec: string): boolean {
    const oaep = algorithm.startsWith("RSAES_OAEP");
    if (oaep && familyOf(keySpec) === "rsa") return true;
    return oaep && keySpec === "ECC_NIST_P521" && wrappingKeySpec === "RSA_2048";
}

export const getParametersForImport: Handler = async (ctx, input) => {
    const algorithm = input.WrappingAlgorithm as string;
    const spec = input.WrappingKeySpec as string;
    if (algorithm === "RSAES_PKCS1_V1_5") {
        throw refused(
            ctx.switches.pkcs1v15Error,
            "The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported. Use RSAES_OAEP_SHA_256 or " +
                "RSA_AES_KEY_WRAP_SHA_256.",
        );
    }
    if (algorithm === "SM2PKE" || spec === "SM2")
        throw E.validation("SM2PKE and the SM2 wrapping key spec are supported only in China Regions.");
    const k = resolveKey(ctx, input.KeyId as string, false);
    const arn = ctx.store.arn(k);
    if (k.origin !== "EXTERNAL") throw E.originNotValid(arn, k.origin);
    checkState("GetParametersForImport", keyState(k), arn, ctx.switches);
    if (ctx.switches.incompatibleWrapping === "atParameters" && incompatibleWrapping(k.keySpec, algorithm, spec)) {
        throw E.validation(
            `Wrapping algorithm ${algorithm} with wrapping key spec ${spec} cannot wrap key material of ` +
                `key spec ${k.keySpec}.`,
        );
    }
    const wrappingSpec = spec as WrappingKeySpec;
    const wrapping = await (ctx.switches.wrappingKeyPerCall === "fresh"
        ? freshWrappingKey(wrappingSpec)
        : sharedWrappingKey(wrappingSpec));
    const token = randomBytes(64);
    ctx.store.tokens.set(token.toString("hex"), {
        region: ctx.region,
        keyId: k.keyId,
        wrappingKeyId: wrapping.id,
        algorithm,
        wrappingKeySpec: spec,
        issuedAt: ctx.now,
        used: false,
    });
    ctx.store.dirty = true;
    return {
        KeyId: arn,
        ImportToken: token,
        PublicKey: wrapping.publicDer,
        ParametersValidTo: ts(ctx.now + TOKEN_VALIDITY_MS),
    };
};
