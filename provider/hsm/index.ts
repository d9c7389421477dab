import { KeyObject } from "node:crypto";
import { Wrapping, WrappingAlgorithm, WrappingKeySpec } from "../wrapping/algorithms";
import { KeySpec } from "../wrapping/keySpecs";
import { MaterialWrapper } from "../wrapping/wrapper";
import { HsmError, tokenAnswer } from "./errors";
import { describeKeyObject, exportProblem, inferObjectKeySpec, objectProblem, readKeyObject } from "./keyObject";
import { withLibrary } from "./library";
import { chooseWrapping } from "./mechanisms";
import { Pin, resolvePin } from "./pin";
import { PublicKeyProof, publicKeyProof, signatureMatches } from "./publicKey";
import { TokenSession, findKeyObject, withTokenSession } from "./token";
import { Pkcs11Uri, describeObject, parsePkcs11Uri } from "./uri";
import { wrapInToken } from "./wrapKey";

/**
 * Key material that lives in an HSM: the object a PKCS#11 URI names is inspected once (type and size against
 * the key spec, the attributes that let it be wrapped, the wrapping algorithms the token can do), then each
 * import wraps it inside the token under that import's KMS wrapping key. Every step is its own short
 * transaction: library initialized, session opened and logged in, work, session closed, library finalized.
 */

export { HsmError } from "./errors";
export { PIN_CONFIG, PIN_ENV } from "./pin";
export { parsePkcs11Uri } from "./uri";

export interface HsmMaterialRequest {
    hsmKey: string;
    hsmPin: string | undefined;
    keySpec: KeySpec | undefined;
    wrappingAlgorithm: WrappingAlgorithm | undefined;
    wrappingKeySpec: WrappingKeySpec;
    settings: { hsmPin?: string; hsmModulePath?: string };
    env: Record<string, string | undefined>;
    log: (message: string) => void;
}

export interface HsmMaterial {
    keySpec: KeySpec;
    wrapping: Wrapping;
    wrapper: MaterialWrapper;
}

export async function openHsmMaterial(request: HsmMaterialRequest): Promise<HsmMaterial> {
    const parsed = parsePkcs11Uri(request.hsmKey);
    if (!parsed.uri) throw new HsmError(`hsmKey is not usable (check should have refused it): ${parsed.containsPin ? "it carries a PIN" : parsed.problems.join("; ")}`);
    const uri = parsed.uri;
    const modulePath = uri.modulePath ?? request.settings.hsmModulePath;
    if (!modulePath) {
        throw new HsmError("hsmKey names no PKCS#11 library: add ?module-path=/path/to/the/vendor/library.so to it, or set the config pulumi-kms-byok:hsmModulePath");
    }
    const pin = resolvePin(request.hsmPin, request.settings.hsmPin, request.env);
    const target = { uri, modulePath, pin };
    const inspected = await inToken(target, async (t) => {
        const info = readKeyObject(t, findKeyObject(t, uri));
        const found = `${describeObject(uri)} on ${t.token} is ${describeKeyObject(info)}`;
        const keySpec = request.keySpec ?? inferObjectKeySpec(info);
        const misfit = objectProblem(info, keySpec);
        if (misfit) throw new HsmError(`${found}: ${misfit}`);
        const cannotExport = exportProblem(info);
        if (cannotExport) throw new HsmError(`${found}, and cannot be imported: ${cannotExport}`);
        const decision = await chooseWrapping(t, info, request.wrappingAlgorithm, request.wrappingKeySpec);
        if (decision.passedOver.length > 0) request.log(`${t.token}: wrapping with ${decision.algorithm} (${decision.passedOver.join("; ")})`);
        return { keySpec, algorithm: decision.algorithm, proof: publicKeyProof(t, info), what: `${describeObject(uri)} on ${t.token}` };
    });
    return {
        keySpec: inspected.keySpec,
        wrapping: { algorithm: inspected.algorithm, wrappingKeySpec: request.wrappingKeySpec },
        wrapper: hsmWrapper(target, inspected.what, inspected.proof),
    };
}

interface Target {
    uri: Pkcs11Uri;
    modulePath: string;
    pin: Pin;
}

function hsmWrapper(target: Target, what: string, proof: PublicKeyProof): MaterialWrapper {
    return {
        what,
        wrap: (wrappingKey: KeyObject, wrapping: Wrapping) =>
            inToken(target, async (t) => {
                return wrapInToken(t, findKeyObject(t, target.uri), wrappingKey, wrapping).catch((error: unknown) => {
                    throw new HsmError(`${t.token} could not wrap ${describeObject(target.uri)} with ${wrapping.algorithm} (${tokenAnswer(error)})`);
                });
            }),
        isPublicKeyOf: async (spki: Buffer) => {
            if (!proof) return false;
            if ("spki" in proof) return proof.spki.equals(spki);
            return inToken(target, async (t) => signatureMatches(t, readKeyObject(t, findKeyObject(t, target.uri)), spki));
        },
    };
}

/** One transaction on the token; a PKCS#11 failure that is not already explained says which call and what the token answered. */
async function inToken<T>(target: Target, use: (t: TokenSession) => Promise<T>): Promise<T> {
    try {
        return await withLibrary(target.modulePath, (p11) => withTokenSession(p11, target.uri, target.pin, use));
    } catch (error) {
        if (error instanceof HsmError) throw error;
        const method = (error as { method?: string }).method;
        throw new HsmError(`PKCS#11 ${method || "call"} failed for hsmKey (${tokenAnswer(error)})`);
    }
}
