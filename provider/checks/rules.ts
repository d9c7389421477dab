import { regionOfArn } from "../client/settings";
import { REFUSED_WRAPPING, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../wrapping/algorithms";
import { KEY_SPECS } from "../wrapping/keySpecs";
import type { CheckFailure } from "./answers";
import { isUnknown } from "./engineValues";
import { CREDENTIAL_INPUTS, MAX_INPUT_CHARS, Redactor, SECRET_INPUTS } from "./redaction";

/**
 * Checks shared by every resource of this package: property names and types, key identifiers, Region and
 * endpoint. Pure.
 *
 * No failure shows an input. The reasons never quote a value; and since the Pulumi engine prints a failing
 * property's raw value next to the failure (`… property 'p' value <v> has a problem`, secret or not:
 * pulumi/pulumi#19465), a failure names its property only when that value is proven not to be a secret: it
 * is empty, a boolean or number, or matches the property's own strict grammar (an enum of fixed names, a
 * Region name, an ISO time, a key ID or ARN, an endpoint origin). Anything else (the material itself, free
 * text, a misspelt property, a list or object) is reported with property "" and named in the reason's words,
 * and the engine prints no value.
 */

export type Fail = (property: string, reason: string) => void;

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/(.+)$/;
const ALIAS = /^(?:alias\/|arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:alias\/)/;
const ALIAS_GRAMMAR = /^(?:arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:)?alias\/[a-zA-Z0-9/_-]{1,250}$/;
const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const oneOf = (values: readonly string[]) => (v: string) => values.includes(v);

/** Per property: string values proven not to be a secret (so the engine may print them). */
const SHOWABLE: Readonly<Partial<Record<string, (value: string) => boolean>>> = {
    keyId: (v) => KEY_ID.test(v) || KEY_ID.test(KEY_ARN.exec(v)?.[1] ?? "") || ALIAS_GRAMMAR.test(v),
    keySpec: oneOf(KEY_SPECS),
    expirationModel: oneOf(["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"]),
    importType: oneOf(["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"]),
    validTo: (v) => ISO_TIME.test(v),
    wrappingAlgorithm: oneOf([...WRAPPING_ALGORITHMS, ...Object.keys(REFUSED_WRAPPING)]),
    wrappingKeySpec: oneOf([...WRAPPING_KEY_SPECS, ...Object.keys(REFUSED_WRAPPING)]),
    region: (v) => REGION.test(v),
    endpoint: (v) => isOrigin(v),
};

/** Texts this long that appear in a reason are certainly the input (the reasons never quote one): masked. */
const QUOTED_MIN = 12;

/** Can the engine print this property's value next to a failure without showing a secret? */
export function showable(property: string, value: unknown): boolean {
    // A secret is never shown, whatever its value: even a number in hsmPin is a PIN.
    if (SECRET_INPUTS.includes(property) || CREDENTIAL_INPUTS.includes(property)) return false;
    if (
        value === undefined ||
        value === null ||
        value === "" ||
        typeof value === "boolean" ||
        typeof value === "number"
    )
        return true;
    return typeof value === "string" && (isUnknown(value) || (SHOWABLE[property]?.(value) ?? false));
}

/**
 * Collects failures for one set of inputs; drops exact duplicates. Applies the rule above: a failure whose
 * property's value is not showable is reported with property "". As a safety net for reasons written
 * later, any secret (the material in any encoding) or any long input text that still ends up in a reason
 * is masked.
 */
export function failureCollector(inputs: Record<string, unknown> = {}): { fail: Fail; failures: () => CheckFailure[] } {
    const seen = new Map<string, CheckFailure>();
    const redactor = new Redactor();
    redactor.addFromProperties(inputs);
    const quoted = Object.entries(inputs)
        .filter(([name, value]) => !showable(name, value))
        .flatMap(([, value]) => stringLeaves(value))
        .filter((text) => text.length >= QUOTED_MIN);
    const mask = (reason: string) =>
        quoted.reduce((r, text) => r.split(text).join("(value not shown)"), redactor.redact(reason));
    return {
        fail: (property, reason) => {
            const named = property !== "" && showable(property, inputs[property]) ? property : "";
            const failure = { property: named, reason: mask(reason) };
            seen.set(`${failure.property}: ${failure.reason}`, failure);
        },
        failures: () => {
            redactor.dispose();
            return [...seen.values()];
        },
    };
}

/** Set, and not the engine's "unknown until apply" placeholder. */
export const known = (value: unknown): boolean => value !== undefined && value !== null && !isUnknown(value);

/**
 * A secret input's value inside another input (pasted there by mistake): refused, naming no property. It
 * would otherwise go to KMS as a description, to STS as an external ID, or into the outputs in plaintext.
 */
export function checkSecretsElsewhere(inputs: Record<string, unknown>, fail: Fail): void {
    const redactor = new Redactor();
    redactor.addFromProperties(inputs);
    if (redactor.empty) return;
    for (const [name, value] of Object.entries(inputs)) {
        if (SECRET_INPUTS.includes(name) || name === "__provider") continue;
        if (stringLeaves(value).some((leaf) => redactor.holdsSecret(leaf))) {
            fail(
                "",
                `${name} contains the key material (in some encoding; not shown): the material belongs in ` +
                    `keyMaterial only, which is always a secret`,
            );
        }
    }
    redactor.dispose();
}

/**
 * Inputs too long to be valid, refused first: nothing may be derived from them (decoding, parsing, redaction
 * windows), because one may be key material pasted in whole, or a file that is no key material at all.
 * Returns whether any input is too long; check then reports only this.
 */
export function checkSizes(inputs: Record<string, unknown>, fail: Fail): boolean {
    const oversized = oversizedInputs(inputs);
    for (const { name, length } of oversized) fail("", sizeProblem(name, length));
    return oversized.length > 0;
}

/** The inputs (names shortened) holding a string longer than MAX_INPUT_CHARS, or too much text in all. */
export function oversizedInputs(inputs: Record<string, unknown>): { name: string; length: number }[] {
    const found: { name: string; length: number }[] = [];
    for (const [name, value] of Object.entries(inputs)) {
        if (name === "__provider") continue;
        let longest = name.length;
        let total = 0;
        for (const leaf of stringLeaves(value)) {
            longest = Math.max(longest, leaf.length);
            total += leaf.length;
        }
        if (longest > MAX_INPUT_CHARS || total > 4 * MAX_INPUT_CHARS)
            found.push({ name: name.length > 64 ? `${name.slice(0, 64)}…` : name, length: Math.max(longest, total) });
    }
    return found;
}

function sizeProblem(name: string, length: number): string {
    if (name === "keyMaterial") {
        return (
            `keyMaterial is ${length} characters long, and no key material is longer than ` +
            `${MAX_INPUT_CHARS} (an RSA-4096 private key ` +
            "as PEM text has about 3,300): this is something else, such as a certificate chain, a PKCS#12 " +
            "bundle or another file. " +
            "Give the private key alone, as PEM text or as base64 of its DER; the value is not shown"
        );
    }
    return (
        `${name} holds ${length} characters, more than any valid ${name} has (at most ${MAX_INPUT_CHARS}); it ` +
        `may be pasted key material, so the value is not shown`
    );
}

export function checkPropertyNames(
    resource: string,
    names: readonly string[],
    inputs: Record<string, unknown>,
    fail: Fail,
): void {
    for (const name of Object.keys(inputs)) {
        if (name === "__provider" || names.includes(name)) continue;
        // Its value may be anything (a misspelt keyMaterial holds the material): never named as a property.
        fail(
            "",
            `${name} is not a property of ${resource} (its value is not shown); valid properties: ${names.join(", ")}`,
        );
    }
}

/** The type each input must have; "string" unless listed. */
export type InputType = "string" | "boolean" | "number" | "string list" | "object";

export function checkTypes(
    names: readonly string[],
    types: ReadonlyMap<string, InputType> | ReadonlySet<string>,
    inputs: Record<string, unknown>,
    fail: Fail,
): void {
    for (const name of names) {
        const value = inputs[name];
        if (!known(value)) continue;
        const expected =
            types instanceof Map
                ? ((types as ReadonlyMap<string, InputType>).get(name) ?? "string")
                : (types as ReadonlySet<string>).has(name)
                  ? "boolean"
                  : "string";
        if (hasType(value, expected)) continue;
        const actual = Array.isArray(value) ? "list" : value === null ? "null" : typeof value;
        fail(
            name,
            `${name} must be ${article(expected)} ${expected}, got ${article(actual)} ${actual} ` +
                `(the value is not shown)`,
        );
    }
}

function hasType(value: unknown, expected: InputType): boolean {
    if (expected === "string list")
        return Array.isArray(value) && value.every((v) => typeof v === "string" || isUnknown(v));
    if (expected === "object") return !!value && typeof value === "object" && !Array.isArray(value);
    return typeof value === expected;
}

export function checkKeyId(keyId: unknown, fail: Fail): void {
    if (keyId === undefined || keyId === null || keyId === "") {
        fail("keyId", "keyId is required: the ID or ARN of a KMS key with Origin EXTERNAL");
        return;
    }
    if (typeof keyId !== "string" || isUnknown(keyId)) return;
    if (ALIAS.test(keyId)) {
        fail(
            "keyId",
            "keyId is an alias; GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial and " +
                "RotateKeyOnDemand accept only a key ID or key ARN, and an alias can be moved to another " +
                "key: pass the key's ID " +
                "or ARN (e.g. aws.kms.getAliasOutput(...).targetKeyArn)",
        );
        return;
    }
    const arn = KEY_ARN.exec(keyId);
    if (KEY_ID.test(arn ? arn[1] : keyId)) return;
    fail(
        "keyId",
        "keyId must be a KMS key ID (1234abcd-12ab-34cd-56ef-1234567890ab), a multi-Region key ID (mrk-<32 hex>) " +
            "or a key ARN (arn:aws:kms:<region>:<account>:key/<id>); the value given is none of these (not shown)",
    );
}

export function checkRegion(inputs: Record<string, unknown>, fail: Fail): void {
    const region = inputs["region"];
    if (!known(region) || typeof region !== "string") return;
    if (!REGION.test(region)) {
        fail("region", "region must be an AWS Region name such as eu-west-1; the value given is not (not shown)");
        return;
    }
    const keyId = inputs["keyId"];
    const arnRegion = typeof keyId === "string" ? regionOfArn(keyId) : undefined;
    if (arnRegion && arnRegion !== region) {
        fail(
            "region",
            `region ${region} contradicts keyId, an ARN of a key in ${arnRegion}; omit region or make them agree`,
        );
    }
}

/** The endpoint input's form; whether it is trusted is decided with the stack's settings (clientSettings.ts). */
export function checkEndpoint(endpoint: unknown, fail: Fail): void {
    if (!known(endpoint) || typeof endpoint !== "string") return;
    if (!isOrigin(endpoint)) {
        fail(
            "endpoint",
            "endpoint must be an http(s) URL of the form scheme://host[:port], such as " +
                "https://kms.eu-west-1.amazonaws.com (the value given is not shown)",
        );
    }
}

export function isOrigin(text: string): boolean {
    try {
        const url = new URL(text);
        return (
            (url.protocol === "https:" || url.protocol === "http:") &&
            !url.username &&
            !url.password &&
            (url.pathname === "/" || url.pathname === "") &&
            !url.search &&
            !url.hash
        );
    } catch {
        return false;
    }
}

const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a");

function stringLeaves(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(stringLeaves);
    if (value && typeof value === "object") return Object.values(value).flatMap(stringLeaves);
    return [];
}
