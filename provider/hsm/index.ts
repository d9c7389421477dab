import { KeyObject } from "node:crypto";
import { Wrapping, WrappingAlgorithm, WrappingKeySpec, isKeyWrap } from "../wrapping/algorithms";
import { KeySpec, isAsymmetric } from "../wrapping/keySpecs";
import { MaterialWrapper } from "../wrapping/wrapper";
import { Handle } from "./binding";
import { ExpectedMaterial } from "./blobShape";
import { tokenCheckValue } from "./checkValue";
import { HsmError, tokenAnswer } from "./errors";
import { generateObject, generationProblem } from "./generate";
import {
    KeyObjectInfo,
    describeKeyObject,
    exportProblem,
    exposureNote,
    inferObjectKeySpec,
    objectProblem,
    readKeyObject,
} from "./keyObject";
import { LIBRARY, LibraryTarget, libraryIdentity, withLibrary } from "./library";
import { ObjectKind, WrappingDecision, chooseWrapping } from "./mechanisms";
import { Pin, resolvePin, resolveSoPin } from "./pin";
import { PublicKeyProof, publicKeyProof, signatureMatches } from "./publicKey";
import { probePublicKey } from "./selfCheck";
import { SessionOptions, TokenSession, findKeyObject, findKeyObjectIfAny, withTokenSession } from "./token";
import { prepareTrustedKeys, trustedKeysOf, userMayMarkTrusted, userTrustedKeys } from "./trusted";
import { Pkcs11Uri, describeObject, parsePkcs11Uri } from "./uri";
import { wrapInToken } from "./wrapKey";

/**
 * Key material that lives in an HSM: the object a PKCS#11 URI names is inspected once (type and size against
 * the key spec, the attributes that let it be wrapped, the wrapping algorithms the token can do, checked by
 * self-checks), or generated there first (hsmGenerate), then each import wraps it inside the token under that
 * import's KMS wrapping key. Every step is its own short transaction: library initialized, session opened and
 * logged in, work, session closed, library finalized. Check runs the same inspection at preview (preflight).
 */

export { HsmError } from "./errors";
export { PIN_CONFIG, PIN_ENV, SO_PIN_CONFIG, SO_PIN_ENV } from "./pin";
export { parsePkcs11Uri } from "./uri";

/** The stack configuration the HSM path reads (provider/client/settings.ts). */
export interface HsmSettings {
    hsmPin?: string;
    hsmModulePath?: string;
    hsmModuleParameters?: string;
    hsmAllowedModulePaths?: string[];
    hsmSoPin?: string;
}

export interface HsmMaterialRequest {
    hsmKey: string;
    hsmPin: string | undefined;
    hsmModuleParameters: string | undefined;
    /** Generate the object in the token when hsmKey names none (keySpec is then required). */
    hsmGenerate: boolean;
    /**
     * Why the KMS key must not receive newly generated material, or undefined (it never held any). Asked only
     * when the object is missing, outside any token transaction.
     */
    generationRefusal?: () => Promise<string | undefined>;
    keySpec: KeySpec | undefined;
    wrappingAlgorithm: WrappingAlgorithm | undefined;
    wrappingKeySpec: WrappingKeySpec;
    settings: HsmSettings;
    env: Record<string, string | undefined>;
    log: (message: string) => void;
}

export interface HsmMaterial {
    keySpec: KeySpec;
    wrapping: Wrapping;
    wrapper: MaterialWrapper;
    /** CMAC check value of AES material, computed by the token; null when it cannot (see checkValue.ts). */
    keyCheckValue: string | null;
    /** The PKCS#11 mechanisms of the wrapping. */
    mechanisms: string;
}

interface Target {
    uri: Pkcs11Uri;
    library: LibraryTarget;
    libraryId: string;
    pin: Pin;
    soPin: Pin | undefined;
    log: (message: string) => void;
}

/** What the inspection of an object decided. */
interface Inspection {
    keySpec: KeySpec;
    decision: WrappingDecision;
    info: KeyObjectInfo;
    what: string;
}

export async function openHsmMaterial(request: HsmMaterialRequest): Promise<HsmMaterial> {
    const target = resolveTarget(request);
    const inspectHere = async (t: TokenSession, handle: Handle) => {
        const inspection = await inspect(t, target, handle, request);
        const keyCheckValue = await tokenCheckValue(t, inspection.info, inspection.what);
        return { ...inspection, keyCheckValue, proof: publicKeyProof(t, inspection.info) };
    };
    let inspected = await inToken(target, {}, async (t) => {
        const handle = findKeyObjectIfAny(t, target.uri);
        if (handle) return inspectHere(t, handle);
        if (!request.hsmGenerate) findKeyObject(t, target.uri);
        return undefined;
    });
    if (!inspected) {
        const refusal = await request.generationRefusal?.();
        if (refusal) throw new HsmError(`hsmGenerate: ${describeObject(target.uri)} does not exist, and ${refusal}`);
        inspected = await inToken(target, { readWrite: true }, async (t) => {
            // Found after all: another resource of this run made it in between.
            const existing = findKeyObjectIfAny(t, target.uri);
            if (existing) return inspectHere(t, existing);
            const generated = await generateObject(t, target.uri, keySpecToGenerate(request), {
                wrapWithTrusted: target.soPin !== undefined,
            });
            request.log(
                `generated ${request.keySpec} material in ${t.token} as ${describeObject(target.uri)} ` +
                    `(${generated.policy}); it is never destroyed by the provider`,
            );
            return inspectHere(t, generated.handle);
        });
    }
    const { keySpec, decision, info, keyCheckValue, proof } = inspected;
    const wrapping = { algorithm: decision.algorithm, wrappingKeySpec: request.wrappingKeySpec };
    return {
        keySpec,
        wrapping,
        wrapper: hsmWrapper(target, inspected, proof, expectedMaterial(info, keySpec)),
        keyCheckValue,
        mechanisms: decision.mechanisms,
    };
}

/**
 * Check, at preview: everything openHsmMaterial would refuse before an import (library, PIN, object, policy,
 * algorithms, generation), with the token's own answers. Nothing is created on the token but throwaway session
 * keys of the self-checks.
 */
export async function preflightHsmMaterial(request: HsmMaterialRequest): Promise<void> {
    const target = resolveTarget(request);
    await inToken(target, {}, async (t) => {
        const handle = findKeyObjectIfAny(t, target.uri);
        if (handle) {
            await inspect(t, target, handle, request);
            return;
        }
        if (!request.hsmGenerate) findKeyObject(t, target.uri);
        const keySpec = keySpecToGenerate(request);
        const problem = generationProblem(t, keySpec);
        if (problem) throw new HsmError(problem);
        await chooseWrapping(
            t,
            target.libraryId,
            kindOfSpec(keySpec),
            request.wrappingAlgorithm,
            request.wrappingKeySpec,
        );
    });
}

/** check requires keySpec with hsmGenerate; a request that bypassed it still gets a clear error. */
function keySpecToGenerate(request: HsmMaterialRequest): KeySpec {
    if (request.keySpec === undefined)
        throw new HsmError("hsmGenerate needs keySpec: the kind of material to generate");
    return request.keySpec;
}

function resolveTarget(request: HsmMaterialRequest): Target {
    const parsed = parsePkcs11Uri(request.hsmKey);
    if (!parsed.uri)
        throw new HsmError(
            `hsmKey is not usable (check should have refused it): ` +
                (parsed.containsPin ? "it carries a PIN or module parameters" : parsed.problems.join("; ")),
        );
    const uri = parsed.uri;
    const modulePath = uri.modulePath ?? request.settings.hsmModulePath;
    if (!modulePath) {
        throw new HsmError(
            "hsmKey names no PKCS#11 library: add ?module-path=/path/to/the/vendor/library.so to it, or " +
                "set the config pulumi-kms-byok:hsmModulePath",
        );
    }
    const library: LibraryTarget = {
        modulePath,
        moduleParameters: request.hsmModuleParameters ?? request.settings.hsmModuleParameters,
        rules: { allowed: request.settings.hsmAllowedModulePaths },
    };
    const pin = resolvePin(request.hsmPin, request.settings.hsmPin, request.env);
    return {
        uri,
        library,
        libraryId: libraryIdentity(library),
        pin,
        soPin: resolveSoPin(request.settings.hsmSoPin, request.env),
        log: request.log,
    };
}

async function inspect(
    t: TokenSession,
    target: Target,
    handle: Handle,
    request: HsmMaterialRequest,
): Promise<Inspection> {
    const info = readKeyObject(t, handle);
    const what = `${describeObject(target.uri)} on ${t.token}`;
    const found = `${what} is ${describeKeyObject(info)}`;
    const keySpec = request.keySpec ?? inferObjectKeySpec(info);
    const misfit = objectProblem(info, keySpec);
    if (misfit) throw new HsmError(`${found}: ${misfit}`);
    const cannotExport = exportProblem(info);
    if (cannotExport) throw new HsmError(`${found}, and cannot be imported: ${cannotExport}`);
    if (!info.common.wrapWithTrusted) {
        t.log(exposureNote(what));
    } else if (!target.soPin && !userMayMarkTrusted(t, probePublicKey())) {
        throw new HsmError(
            `${what} has CKA_WRAP_WITH_TRUSTED true, so the token wraps it only under keys its Security ` +
                `Officer marked trusted: set the secret ` +
                "config pulumi-kms-byok:hsmSoPin (or PKCS11_SO_PIN) so that the Security Officer's login " +
                "marks each KMS wrapping key trusted " +
                "(docs/guides/hsm.md, Object policy)",
        );
    }
    const decision = await chooseWrapping(
        t,
        target.libraryId,
        kindOf(info),
        request.wrappingAlgorithm,
        request.wrappingKeySpec,
    );
    if (decision.passedOver.length > 0)
        t.log(`${t.token}: wrapping with ${decision.algorithm} (${decision.passedOver.join("; ")})`);
    return { keySpec, decision, info, what };
}

const kindOf = (info: KeyObjectInfo): ObjectKind =>
    info.kind === "aes" || info.kind === "generic-secret" ? "secret" : "private";
const kindOfSpec = (keySpec: KeySpec): ObjectKind => (isAsymmetric(keySpec) ? "private" : "secret");

function expectedMaterial(info: KeyObjectInfo, keySpec: KeySpec): ExpectedMaterial {
    return info.kind === "aes" || info.kind === "generic-secret"
        ? { kind: "secret", length: info.length }
        : { kind: "private", keySpec };
}

function hsmWrapper(
    target: Target,
    inspected: Inspection,
    proof: PublicKeyProof,
    expected: ExpectedMaterial,
): MaterialWrapper {
    const { what, decision } = inspected;
    const trusted = inspected.info.common.wrapWithTrusted;
    return {
        what,
        wrap: (wrappingKey: KeyObject, wrapping: Wrapping) => {
            const keyWrap = isKeyWrap(wrapping.algorithm);
            const securityOfficer =
                trusted && target.soPin
                    ? { pin: target.soPin, prepare: (t: TokenSession) => prepareTrustedKeys(t, wrappingKey, keyWrap) }
                    : undefined;
            return inToken(target, { securityOfficer }, async (t, prepared) => {
                const object = findKeyObject(t, target.uri);
                const trustedKeys = securityOfficer
                    ? trustedKeysOf(prepared)
                    : trusted
                      ? await userTrustedKeys(t, wrappingKey, keyWrap, what)
                      : undefined;
                return wrapInToken(t, object, wrappingKey, {
                    wrapping,
                    keyWrap: decision.keyWrap,
                    expected,
                    trusted: trustedKeys,
                }).catch((error: unknown) => {
                    if (error instanceof HsmError) throw error;
                    throw new HsmError(
                        `${t.token} could not wrap ${describeObject(target.uri)} with ` +
                            `${wrapping.algorithm} (${tokenAnswer(error)})`,
                    );
                });
            });
        },
        isPublicKeyOf: async (spki: Buffer) => {
            if (!proof) return false;
            if ("spki" in proof) return proof.spki.equals(spki);
            return inToken(target, {}, async (t) =>
                signatureMatches(t, readKeyObject(t, findKeyObject(t, target.uri)), spki),
            );
        },
    };
}

/**
 * One transaction on the token; a PKCS#11 failure that is not already explained says which call and what the token
 * answered.
 */
async function inToken<T>(
    target: Target,
    options: Omit<SessionOptions, "library" | "log">,
    use: (t: TokenSession, prepared: Handle[]) => Promise<T>,
): Promise<T> {
    try {
        return await withLibrary(target.library, (p11) =>
            withTokenSession(
                p11,
                target.uri,
                target.pin,
                { ...options, library: target.libraryId, log: target.log },
                use,
            ),
        );
    } catch (error) {
        if (error instanceof HsmError) throw error;
        const method = (error as { method?: string }).method;
        throw new HsmError(`PKCS#11 ${method || "call"} failed for hsmKey (${tokenAnswer(error)}) in ${LIBRARY}`);
    }
}
