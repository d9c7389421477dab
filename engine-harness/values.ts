// Property values the way the engine sees them, kept in their wire form.
//
// The harness never invents its own value model: a property map is the JSON that travels in a
// google.protobuf.Struct, where a secret is the envelope {[sigKey]: secretSig, value} and a value
// not known during preview is the unknown sentinel string (reference §4.3). Keeping that form
// everywhere means what the harness stores, compares and sends is exactly what the host sees.

/** Any JSON value (what a google.protobuf.Struct can carry). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A resource's properties in wire form: secrets as envelopes, unknowns as {@link UNKNOWN}. */
export type PropertyMap = { [key: string]: JsonValue };

/** `runtime/rpc.js` unknownValue: what the engine sends for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** `runtime/rpc.js` specialSigKey: the key that marks a special (signed) object. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** `runtime/rpc.js` specialSecretSig: the signature value of a secret envelope. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The secret envelope: `{"4dabf…": "1b47…", "value": x}`. */
export interface SecretEnvelope {
    [SIG_KEY]: typeof SECRET_SIG;
    value: JsonValue;
}

/** Marks a value secret, exactly as the SDK serializes `pulumi.secret(x)` onto the wire. */
export function secret(value: JsonValue): { [key: string]: JsonValue } {
    return { [SIG_KEY]: SECRET_SIG, value };
}

export function isPlainObject(v: unknown): v is { [key: string]: JsonValue } {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isSecret(v: unknown): v is { [key: string]: JsonValue } {
    return isPlainObject(v) && v[SIG_KEY] === SECRET_SIG && "value" in v;
}

export function isUnknown(v: unknown): boolean {
    return v === UNKNOWN;
}

/** The value inside a secret envelope (the value itself when it is not secret). */
export function unwrapSecret(v: JsonValue): JsonValue {
    return isSecret(v) ? (v.value as JsonValue) : v;
}

/**
 * Removes every secret envelope, deeply. This is what the engine's marshalling does with
 * `KeepSecrets: false`, which it uses for every call to a provider that answered
 * Configure with acceptSecrets=false, as the dynamic-provider host does (reference §2.1).
 */
export function stripSecrets(v: JsonValue): JsonValue {
    if (isSecret(v)) {
        return stripSecrets(v.value as JsonValue);
    }
    if (Array.isArray(v)) {
        return v.map(stripSecrets);
    }
    if (isPlainObject(v)) {
        const out: { [key: string]: JsonValue } = {};
        for (const [k, x] of Object.entries(v)) {
            out[k] = stripSecrets(x);
        }
        return out;
    }
    return v;
}

export function stripSecretsMap(m: PropertyMap): PropertyMap {
    return stripSecrets(m) as PropertyMap;
}

export function containsSecrets(v: JsonValue): boolean {
    if (isSecret(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsSecrets);
    }
    if (isPlainObject(v)) {
        return Object.values(v).some(containsSecrets);
    }
    return false;
}

export function containsUnknowns(v: JsonValue): boolean {
    if (v === UNKNOWN) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknowns);
    }
    if (isPlainObject(v)) {
        return Object.values(v).some(containsUnknowns);
    }
    return false;
}

/**
 * The engine's `annotateSecrets(outs, ins)` (provider_plugin.go): for every key present in both,
 * recurse when both are objects, otherwise make the output secret when the input contains a
 * secret. Mutates and returns `outs`.
 */
export function annotateSecrets(outs: PropertyMap, ins: PropertyMap): PropertyMap {
    for (const [key, inValue] of Object.entries(ins)) {
        if (!(key in outs)) {
            continue;
        }
        const outValue = outs[key];
        if (isPlainObject(outValue) && !isSecret(outValue) && isPlainObject(inValue) && !isSecret(inValue)) {
            annotateSecrets(outValue, inValue);
        } else if (!isSecret(outValue) && containsSecrets(inValue)) {
            outs[key] = secret(outValue);
        }
    }
    return outs;
}

/**
 * Deep equality of two property values as the engine's `DeepEquals` sees them: a secret equals
 * only a secret with an equal element, and an unknown equals nothing (it may become anything).
 */
export function valuesEqual(a: JsonValue, b: JsonValue): boolean {
    if (a === UNKNOWN || b === UNKNOWN) {
        return false;
    }
    if (isSecret(a) || isSecret(b)) {
        return isSecret(a) && isSecret(b) && valuesEqual(a.value as JsonValue, b.value as JsonValue);
    }
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
    }
    if (isPlainObject(a) || isPlainObject(b)) {
        if (!isPlainObject(a) || !isPlainObject(b)) {
            return false;
        }
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        for (const k of keys) {
            if (!(k in a) || !(k in b) || !valuesEqual(a[k], b[k])) {
                return false;
            }
        }
        return true;
    }
    return a === b;
}

/** Top-level keys that differ between two property maps (`PropertyMap.Diff` in the engine). */
export interface KeyDiff {
    adds: string[];
    deletes: string[];
    updates: string[];
}

/**
 * `olds.Diff(news)` reduced to its keys, as the CLI summarises it (`[diff: +a-b~c]`). Like the
 * engine, a null value counts as absent: null → value is an add, value → null a delete.
 */
export function diffKeys(olds: PropertyMap, news: PropertyMap): KeyDiff {
    const result: KeyDiff = { adds: [], deletes: [], updates: [] };
    const has = (m: PropertyMap, k: string): boolean => k in m && m[k] !== null;
    for (const k of Object.keys(olds)) {
        if (k in news) {
            if (!valuesEqual(olds[k], news[k])) {
                if (!has(olds, k)) {
                    result.adds.push(k);
                } else if (!has(news, k)) {
                    result.deletes.push(k);
                } else {
                    result.updates.push(k);
                }
            }
        } else if (has(olds, k)) {
            result.deletes.push(k);
        }
    }
    for (const k of Object.keys(news)) {
        if (!(k in olds) && has(news, k)) {
            result.adds.push(k);
        }
    }
    result.adds.sort();
    result.deletes.sort();
    result.updates.sort();
    return result;
}

export function anyChanges(d: KeyDiff): boolean {
    return d.adds.length + d.deletes.length + d.updates.length > 0;
}

/** All keys of a {@link KeyDiff}, sorted. */
export function changedKeys(d: KeyDiff): string[] {
    return [...d.adds, ...d.deletes, ...d.updates].sort();
}

export function clone<T extends JsonValue>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}

/** Old → new values of `keys`, with secrets masked the way the CLI masks them. */
export function valueChanges(olds: PropertyMap, news: PropertyMap, keys: string[]): Record<string, { old: unknown; new: unknown }> {
    const shown = (value: unknown) => (isSecret(value) ? "[secret]" : value);
    return Object.fromEntries(keys.map((key) => [key, { old: shown(olds[key]), new: shown(news[key]) }]));
}
