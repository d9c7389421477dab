import { regionOfArn } from "../client/settings";
import { isUnknown } from "./properties";

/**
 * Checks shared by every resource of this package: property names and types, key identifiers, Region and
 * endpoint. Pure; each failure names its property and never shows a secret value.
 */

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface CheckOutcome {
    inputs: Record<string, unknown>;
    failures: CheckFailure[];
}

export type Fail = (property: string, reason: string) => void;

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN = /^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key\/(.+)$/;
const ALIAS = /^(?:alias\/|arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:alias\/)/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Set, and not the engine's "unknown until apply" placeholder. */
export const known = (value: unknown): boolean => value !== undefined && value !== null && !isUnknown(value);

/** Collects failures; `outcome` drops exact duplicates. */
export function failureCollector(): { fail: Fail; failures(): CheckFailure[] } {
    const seen = new Map<string, CheckFailure>();
    return {
        fail: (property, reason) => void seen.set(`${property}: ${reason}`, { property, reason }),
        failures: () => [...seen.values()],
    };
}

export function checkPropertyNames(resource: string, names: readonly string[], inputs: Record<string, unknown>, fail: Fail): void {
    for (const name of Object.keys(inputs)) {
        if (name === "__provider" || names.includes(name)) continue;
        fail(name, `${name} is not a property of ${resource}; valid properties: ${names.join(", ")}`);
    }
}

export function checkTypes(names: readonly string[], booleans: ReadonlySet<string>, inputs: Record<string, unknown>, fail: Fail): void {
    for (const name of names) {
        const value = inputs[name];
        if (!known(value)) continue;
        const expected = booleans.has(name) ? "boolean" : "string";
        // Never show the value: it may be the secret itself.
        if (typeof value !== expected) fail(name, `${name} must be a ${expected}, got a ${Array.isArray(value) ? "list" : typeof value}`);
    }
}

export function checkKeyId(keyId: unknown, fail: Fail): void {
    if (keyId === undefined || keyId === null || keyId === "") return fail("keyId", "keyId is required: the ID or ARN of a KMS key with Origin EXTERNAL");
    if (typeof keyId !== "string" || isUnknown(keyId)) return;
    if (ALIAS.test(keyId)) {
        return fail(
            "keyId",
            `keyId is an alias (${shorten(keyId)}); GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial and ` +
                "RotateKeyOnDemand accept only a key ID or key ARN, and an alias can be moved to another key: pass the key's ID " +
                "or ARN (e.g. aws.kms.getAliasOutput(...).targetKeyArn)",
        );
    }
    const arn = KEY_ARN.exec(keyId);
    if (KEY_ID.test(arn ? arn[1]! : keyId)) return;
    fail(
        "keyId",
        `keyId must be a KMS key ID (1234abcd-12ab-34cd-56ef-1234567890ab), a multi-Region key ID (mrk-<32 hex>) ` +
            `or a key ARN (arn:aws:kms:<region>:<account>:key/<id>); got '${shorten(keyId)}'`,
    );
}

export function checkRegion(inputs: Record<string, unknown>, fail: Fail): void {
    const region = inputs["region"];
    if (!known(region) || typeof region !== "string") return;
    if (!REGION.test(region)) return fail("region", `region must be an AWS Region name such as eu-west-1; got '${shorten(region)}'`);
    const keyId = inputs["keyId"];
    const arnRegion = typeof keyId === "string" ? regionOfArn(keyId) : undefined;
    if (arnRegion && arnRegion !== region) {
        fail("region", `region ${region} contradicts keyId, an ARN of a key in ${arnRegion}; omit region or make them agree`);
    }
}

export function checkEndpoint(endpoint: unknown, fail: Fail): void {
    if (!known(endpoint) || typeof endpoint !== "string") return;
    let url: URL | undefined;
    try {
        url = new URL(endpoint);
    } catch {
        url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
        fail("endpoint", `endpoint must be an http(s) URL such as https://kms.eu-west-1.amazonaws.com; got '${shorten(endpoint)}'`);
    }
}

export function shorten(text: string): string {
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
