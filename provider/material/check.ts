import { timingSafeEqual } from "node:crypto";
import { parsePkcs11Uri } from "../hsm/uri";
import {
    REFUSED_WRAPPING,
    WRAPPING_ALGORITHMS,
    isKeyWrap,
    isWrappingAlgorithm,
    isWrappingKeySpec,
    wrappingProblem,
} from "../wrapping/algorithms";
import { KEY_SPECS, KeySpec, isAsymmetric, isKeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import { MATERIAL_FORMS, decodeKeyMaterial } from "../wrapping/encodings";
import { MaterialShape, inferKeySpec, inspectMaterial, materialProblem, publicKeyOf } from "../wrapping/material";
import {
    Fail,
    checkEndpoint,
    checkKeyId,
    checkPropertyNames,
    checkRegion,
    checkSizes,
    checkTypes,
    failureCollector,
    known,
} from "../checks/rules";
import { CheckOutcome } from "../checks/answers";
import { checkRenewal } from "./checkRenewal";
import { isUnknown, plainInputs } from "../checks/engineValues";
import { INPUT_NAMES, MaterialInputs, bareKeyId, desiredWrapping } from "./properties";
import { MATERIAL_INPUTS } from "./schema";
import { typeRules } from "../checks/schema";
import { MAX_INPUT_CHARS } from "../checks/redaction";
import { canonicalTime } from "../kms/status";

/**
 * check: every input validated before any AWS call, during preview. Pure (no I/O; `now` is passed in).
 * A failure says what is wrong and what to do, and never shows an input (see checks/rules.ts for when it
 * names its property). Values still unknown during preview (a key created in the same run) pass.
 * What depends on the stack's configuration (endpoint trust, credentials, bounds) is checked in
 * checks/clientSettings.ts.
 */

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DESCRIPTION = /^[a-zA-Z0-9:/_\s.-]+$/;
const MAX_VALID_DAYS = 365;
const DAY_MS = 86_400_000;

export type { CheckFailure, CheckOutcome } from "../checks/answers";

export function checkInputs(olds: Record<string, unknown>, news: Record<string, unknown>, now: Date): CheckOutcome {
    const inputs = plainInputs(news);
    const { fail, failures } = failureCollector(inputs);
    if (checkSizes(inputs, fail)) return { inputs: news, failures: failures() };

    checkPropertyNames("ImportedKeyMaterial", INPUT_NAMES, inputs, fail);
    checkTypes(INPUT_NAMES, INPUT_TYPES, inputs, fail);
    checkKeyId(inputs["keyId"], fail);
    const keySpec = checkKeySpec(inputs["keySpec"], fail);
    const inHsm = checkHsmKey(inputs, fail);
    const material = inHsm ? undefined : decodeMaterial(inputs["keyMaterial"], fail);
    try {
        const spec = material ? checkMaterial(material.shape, keySpec, fail) : keySpec;
        checkExpiration(inputs, plainInputs(olds)["validTo"], now, fail);
        checkSymmetricOnly(inputs, spec, fail);
        if (inHsm) {
            checkHsmWrapping(inputs, spec, fail);
            checkHsmGeneration(inputs, spec, fail);
        } else {
            checkWrapping(inputs, spec, material?.shape, fail);
        }
        checkRegion(inputs, fail);
        checkEndpoint(inputs["endpoint"], fail);
        if (material) checkMaterialUnchanged(plainInputs(olds), inputs, material.bytes, fail);
    } finally {
        material?.bytes.fill(0);
    }
    return { inputs: withCanonicalValidTo(news), failures: failures() };
}

/**
 * validTo as KMS will report it (canonicalTime): the engine previews an update's outputs as its checked inputs,
 * so "…T00:00:00Z" given and "…T00:00:00.000Z" read back would show one instant as a change.
 */
function withCanonicalValidTo(news: Record<string, unknown>): Record<string, unknown> {
    const validTo = news["validTo"];
    if (typeof validTo !== "string" || isUnknown(validTo) || !isCalendarDate(validTo)) return news;
    const time = Date.parse(validTo);
    const canonical = Number.isFinite(time) ? canonicalTime(new Date(time)) : validTo;
    return canonical === validTo ? news : { ...news, validTo: canonical };
}

/** A bound on what C_Initialize is given (NSS's parameters are a few hundred characters). */
const MAX_MODULE_PARAMETERS = 4096;

const INPUT_TYPES = typeRules(MATERIAL_INPUTS);

function checkKeySpec(keySpec: unknown, fail: Fail): KeySpec | undefined {
    if (!known(keySpec) || typeof keySpec !== "string") return undefined;
    if (isKeySpec(keySpec)) return keySpec;
    fail(
        "keySpec",
        `keySpec must be one of the key specs that take imported material: ${KEY_SPECS.join(", ")} (the ` +
            `value given is not shown)`,
    );
    return undefined;
}

function decodeMaterial(value: unknown, fail: Fail): { bytes: Buffer; shape: MaterialShape } | undefined {
    if (value === undefined || value === null || value === "") {
        fail(
            "keyMaterial",
            `keyMaterial is required: the plaintext key material, as ${MATERIAL_FORMS} (pass it as a ` +
                `secret); or hsmKey, the PKCS#11 URI of an HSM object holding it`,
        );
        return undefined;
    }
    if (typeof value !== "string" || isUnknown(value)) return undefined;
    const decoded = decodeKeyMaterial(value);
    if (decoded.problem !== undefined) {
        fail("keyMaterial", decoded.problem);
        return undefined;
    }
    return { bytes: decoded.bytes, shape: inspectMaterial(decoded.bytes) };
}

/**
 * hsmKey: an RFC 7512 URI, parsed here without touching the HSM. Returns whether the material is in an HSM.
 */
function checkHsmKey(inputs: Record<string, unknown>, fail: Fail): boolean {
    const hsmKey = inputs["hsmKey"];
    const given = hsmKey !== undefined && hsmKey !== null && hsmKey !== "";
    const parameters = inputs["hsmModuleParameters"];
    // Their types are checkTypes'; neither is ever named in a failure (showable: the collector reports them with "").
    if (typeof parameters === "string" && (parameters.length > MAX_MODULE_PARAMETERS || parameters.includes("\0"))) {
        fail(
            "hsmModuleParameters",
            `hsmModuleParameters must be a string of at most ${MAX_MODULE_PARAMETERS} characters without ` +
                `NUL (the value is not shown)`,
        );
    }
    if (!given) {
        for (const [name, what] of [
            ["hsmPin", "the PIN of the token holding the material"],
            ["hsmModuleParameters", "the parameters of the token's library"],
            ["hsmGenerate", "material generated in the token"],
        ]) {
            if (known(inputs[name]) && inputs[name] !== false)
                fail(name, `${name} applies only with hsmKey (${what}); remove it or add hsmKey`);
        }
        return false;
    }
    const parsed = typeof hsmKey === "string" && !isUnknown(hsmKey) ? parsePkcs11Uri(hsmKey) : undefined;
    // A URI is free text (it may even carry a PIN): the collector never names hsmKey, so the engine prints no value.
    if (known(inputs["keyMaterial"])) {
        fail("hsmKey", "give either keyMaterial (the material itself) or hsmKey (the HSM object holding it), not both");
    }
    for (const problem of parsed?.problems ?? []) fail("hsmKey", problem);
    return true;
}

/**
 * hsmGenerate: the token makes the material, so it must know which (keySpec) and how to find the object again
 * (a label, object=, of the type the key spec implies).
 */
function checkHsmGeneration(inputs: Record<string, unknown>, keySpec: KeySpec | undefined, fail: Fail): void {
    if (inputs["hsmGenerate"] !== true) return;
    if (!known(inputs["keySpec"])) {
        if (inputs["keySpec"] === undefined || inputs["keySpec"] === null)
            fail(
                "keySpec",
                "hsmGenerate needs keySpec: the token generates material of that key spec (it is not " +
                    "inferred from an object that does not exist yet)",
            );
        return;
    }
    const hsmKey = inputs["hsmKey"];
    const uri = typeof hsmKey === "string" && !isUnknown(hsmKey) ? parsePkcs11Uri(hsmKey).uri : undefined;
    if (!uri || !keySpec) return;
    if (uri.object === undefined) {
        fail(
            "hsmKey",
            "hsmGenerate needs hsmKey to name the object by its label (object=), which the generated " +
                "object gets, so that later runs find the same object",
        );
    }
    const type = isAsymmetric(keySpec) ? "private" : "secret-key";
    if (uri.type !== undefined && uri.type !== type) {
        fail(
            "hsmKey",
            `hsmGenerate makes ${keySpec} material, a ` +
                `${type === "private" ? "private key" : "secret key"}, but hsmKey says type=${uri.type}: use ` +
                `type=${type} or omit type`,
        );
    }
}

/** The HSM wraps; which algorithms it can do is known only at create. What PKCS#11 rules out is refused now. */
function checkHsmWrapping(inputs: Record<string, unknown>, keySpec: KeySpec | undefined, fail: Fail): void {
    checkWrapping(inputs, undefined, undefined, fail);
    const algorithm = inputs["wrappingAlgorithm"];
    if (keySpec && isAsymmetric(keySpec) && isWrappingAlgorithm(algorithm) && !isKeyWrap(algorithm)) {
        fail(
            "wrappingAlgorithm",
            `an HSM wraps a ${keySpec} private key only with RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1: ` +
                "PKCS#11's CKM_RSA_PKCS_OAEP wraps secret keys only (omit wrappingAlgorithm to let " +
                "the provider choose)",
        );
    }
}

function checkMaterial(shape: MaterialShape, keySpec: KeySpec | undefined, fail: Fail): KeySpec | undefined {
    if (keySpec) {
        const problem = materialProblem(shape, keySpec);
        if (problem) fail("keyMaterial", `keyMaterial does not fit keySpec ${keySpec}: ${problem}`);
        return keySpec;
    }
    const inferred = inferKeySpec(shape);
    if (inferred.problem) fail("keyMaterial", `keyMaterial: ${inferred.problem}`);
    return inferred.keySpec;
}

/**
 * validTo must lie in AWS's window (future, at most 365 days) when it is set or changed. An unchanged validTo
 * that has since passed is not an input error: the material expired, refresh reports it, and the plan says
 * a new validTo is needed; refusing it here would block every preview of the stack.
 */
function checkExpiration(inputs: Record<string, unknown>, previousValidTo: unknown, now: Date, fail: Fail): void {
    const model = inputs["expirationModel"];
    const validTo = inputs["validTo"];
    if (known(model) && model !== "KEY_MATERIAL_EXPIRES" && model !== "KEY_MATERIAL_DOES_NOT_EXPIRE") {
        fail(
            "expirationModel",
            "expirationModel must be KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE (the " +
                "value given is not shown)",
        );
    }
    const period = inputs["validityPeriodHours"];
    if (
        model === "KEY_MATERIAL_EXPIRES" &&
        (validTo === undefined || validTo === null || validTo === "") &&
        (period === undefined || period === null)
    ) {
        fail(
            "validTo",
            "validTo is required when expirationModel is KEY_MATERIAL_EXPIRES (an ISO 8601 time such as " +
                "YYYY-MM-DDTHH:MM:SSZ), " +
                "or validityPeriodHours for material that renews itself",
        );
    }
    checkRenewal(inputs, fail);
    if (!known(validTo) || typeof validTo !== "string") return;
    if (model === "KEY_MATERIAL_DOES_NOT_EXPIRE") {
        fail("validTo", "validTo must not be set when expirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
        return;
    }
    const time = isCalendarDate(validTo) ? Date.parse(validTo) : NaN;
    if (!Number.isFinite(time)) {
        fail(
            "validTo",
            "validTo must be an ISO 8601 time with a time zone, such as YYYY-MM-DDTHH:MM:SSZ (the " +
                "value given is not shown)",
        );
        return;
    }
    if (typeof previousValidTo === "string" && Date.parse(previousValidTo) === time) return;
    if (time <= now.getTime()) {
        fail("validTo", "validTo must be in the future; the time given has passed");
        return;
    }
    if (time > now.getTime() + MAX_VALID_DAYS * DAY_MS) {
        fail(
            "validTo",
            `validTo must be at most ${MAX_VALID_DAYS} days ahead (AWS KMS limit); the time given is further`,
        );
    }
}

/** ImportType, descriptions and rotation exist only for symmetric encryption keys. */
function checkSymmetricOnly(inputs: Record<string, unknown>, keySpec: KeySpec | undefined, fail: Fail): void {
    const importType = inputs["importType"];
    if (known(importType) && importType !== "NEW_KEY_MATERIAL" && importType !== "EXISTING_KEY_MATERIAL") {
        fail(
            "importType",
            "importType must be NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL (the value given is not shown)",
        );
    }
    const description = inputs["keyMaterialDescription"];
    if (
        known(description) &&
        typeof description === "string" &&
        (description.length > 256 || !DESCRIPTION.test(description))
    ) {
        fail(
            "keyMaterialDescription",
            "keyMaterialDescription must be 1 to 256 characters of letters, digits, spaces and : / _ . -",
        );
    }
    if (!keySpec || supportsMultipleMaterials(keySpec)) return;
    for (const name of ["importType", "keyMaterialDescription", "rotateOnDemand"]) {
        if (known(inputs[name]) && inputs[name] !== false) {
            fail(
                name,
                `${name} applies only to SYMMETRIC_DEFAULT keys; a ${keySpec} key holds one material for ` +
                    `life, so omit ${name}`,
            );
        }
    }
}

function checkWrapping(
    inputs: Record<string, unknown>,
    keySpec: KeySpec | undefined,
    shape: MaterialShape | undefined,
    fail: Fail,
): void {
    const algorithm = inputs["wrappingAlgorithm"];
    const wrappingKeySpec = inputs["wrappingKeySpec"];
    let valid = true;
    if (known(algorithm) && !isWrappingAlgorithm(algorithm)) {
        valid = false;
        fail(
            "wrappingAlgorithm",
            REFUSED_WRAPPING[String(algorithm)] ??
                `wrappingAlgorithm must be a KMS wrapping algorithm: ${WRAPPING_ALGORITHMS.join(", ")} ` +
                    `(the value given is not shown)`,
        );
    }
    if (known(wrappingKeySpec) && !isWrappingKeySpec(wrappingKeySpec)) {
        valid = false;
        fail(
            "wrappingKeySpec",
            REFUSED_WRAPPING[String(wrappingKeySpec)] ??
                "wrappingKeySpec must be RSA_2048, RSA_3072 or RSA_4096 (the value given is not shown)",
        );
    }
    if (!valid || !keySpec || !shape || isUnknown(algorithm) || isUnknown(wrappingKeySpec)) return;
    const problem = wrappingProblem(
        keySpec,
        shape.length,
        desiredWrapping(inputs as unknown as MaterialInputs, keySpec),
    );
    if (problem) fail(known(algorithm) ? "wrappingAlgorithm" : "wrappingKeySpec", problem);
}

/**
 * Different bytes for an existing material is never a plan we can carry out safely: KMS accepts only the
 * same bytes again for a key that had material, so delete-then-import would leave the key PendingImport.
 * Bytes, not text: the same key given as PEM instead of base64 DER (or re-wrapped lines) is no change.
 */
function checkMaterialUnchanged(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    material: Buffer,
    fail: Fail,
): void {
    const oldMaterial = olds["keyMaterial"];
    const oldKeyId = olds["keyId"];
    const newKeyId = news["keyId"];
    if (typeof oldMaterial !== "string" || typeof oldKeyId !== "string" || typeof newKeyId !== "string") return;
    // Stored by an older version that took any length: never decoded (see checkSizes).
    if (oldMaterial.length > MAX_INPUT_CHARS) return;
    if (isUnknown(newKeyId) || bareKeyId(oldKeyId) !== bareKeyId(newKeyId)) return;
    const previous = decodeKeyMaterial(oldMaterial).bytes;
    if (!previous) return;
    try {
        if (previous.length === material.length && timingSafeEqual(previous, material)) return;
        fail("keyMaterial", samePrivateKey(previous, material) ? SAME_KEY_OTHER_BYTES : OTHER_MATERIAL);
    } finally {
        previous.fill(0);
    }
}

const OTHER_MATERIAL =
    "keyMaterial differs from the material this resource imported into the same key, and that cannot be applied " +
    "safely: KMS accepts only the same bytes again for a key that had material, so deleting and importing other " +
    "bytes would leave the key unusable (PendingImport). To rotate, keep this resource and add another " +
    "ImportedKeyMaterial for the key with importType NEW_KEY_MATERIAL (and rotateOnDemand: true); to start over, " +
    "point keyId at a new key, which replaces this resource";

const SAME_KEY_OTHER_BYTES =
    "keyMaterial is the same private key as before, in an encoding that gives other bytes: PKCS#8 is imported " +
    "byte for byte as given (optional attributes and public key included), while PKCS#1, SEC1 and their PEM forms " +
    "become canonical PKCS#8, and KMS accepts only the bytes it already holds. Give the key in its previous form";

/** Both are private keys with the same public key (the only thing derived from them here, and not kept). */
function samePrivateKey(a: Buffer, b: Buffer): boolean {
    const shapes = [inspectMaterial(a), inspectMaterial(b)];
    if (shapes.some((shape) => shape.kind !== "pkcs8")) return false;
    return publicKeyOf(a).equals(publicKeyOf(b));
}

/** ISO 8601 with a time zone, and a day that exists (Date.parse would turn 2027-02-30 into March 2). */
function isCalendarDate(text: string): boolean {
    if (!ISO_8601.test(text)) return false;
    const [year, month, day] = text.slice(0, 10).split("-").map(Number) as [number, number, number];
    return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}
