// Validates a parsed JSON request against its model shape and converts wire values to native ones
// (base64 blobs → Buffer, epoch-second timestamps → epoch milliseconds).
// Wrong JSON types are SerializationExceptions (the request cannot be deserialised); constraint failures are
// collected and reported together as one ValidationException in AWS's wording
// (docs/kms-behaviour.md#errors-on-the-wire).

import { E, KmsError } from "./errors.js";
import { NEVER_ECHO, type Shape } from "./shapes.js";

/**
 * A validated request: member values are strings, numbers, booleans, Buffers (blobs), ms numbers (timestamps), lists,
 * maps.
 */
export type Input = Readonly<Record<string, unknown>>;

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function jsonKind(v: unknown): string {
    if (v === null) return "NULL_VALUE";
    if (Array.isArray(v)) return "START_ARRAY";
    switch (typeof v) {
        case "string":
            return "STRING_VALUE";
        case "number":
            return "NUMBER_VALUE";
        case "boolean":
            return v ? "TRUE_VALUE" : "FALSE_VALUE";
        default:
            return "START_OBJECT";
    }
}

const cannotConvert = (v: unknown, target: string) =>
    E.serialization(`${jsonKind(v)} can not be converted to ${target}`);

class Walker {
    readonly errors: string[] = [];

    private fail(path: string, value: unknown, echo: boolean, constraint: string): void {
        let shown: string;
        if (value === null) shown = "Value null";
        else if (!echo) shown = "Value";
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- AWS echoes only scalar members
        else shown = `Value '${Array.isArray(value) ? `[${value.join(", ")}]` : String(value)}'`;
        this.errors.push(`${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
    }

    private checkLength(path: string, value: unknown, length: number, echo: boolean, min?: number, max?: number): void {
        if (min !== undefined && length < min)
            this.fail(path, value, echo, `Member must have length greater than or equal to ${min}`);
        if (max !== undefined && length > max)
            this.fail(path, value, echo, `Member must have length less than or equal to ${max}`);
    }

    /** Converts and checks one value; `echo` is false for secret members. */
    walk(shape: Shape, raw: unknown, path: string, echo: boolean): unknown {
        switch (shape.kind) {
            case "string": {
                if (typeof raw !== "string") throw cannotConvert(raw, "a String");
                this.checkLength(path, raw, raw.length, echo, shape.min, shape.max);
                if (shape.pattern !== undefined && !new RegExp(`^(?:${shape.pattern})$`).test(raw)) {
                    this.fail(path, raw, echo, `Member must satisfy regular expression pattern: ${shape.pattern}`);
                }
                if (shape.enum && !shape.enum.includes(raw)) {
                    this.fail(path, raw, echo, `Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
                }
                return raw;
            }
            case "blob": {
                if (typeof raw !== "string") throw cannotConvert(raw, "a Blob");
                if (raw.length % 4 === 1 || !BASE64.test(raw))
                    throw E.serialization(`Base64 encoded value at '${path}' is not valid`);
                const bytes = Buffer.from(raw, "base64");
                this.checkLength(path, bytes, bytes.length, false, shape.min, shape.max);
                return bytes;
            }
            case "integer": {
                if (typeof raw !== "number") throw cannotConvert(raw, "an Integer");
                if (!Number.isInteger(raw) || Math.abs(raw) > 2 ** 31 - 1)
                    throw E.serialization(`NUMBER_VALUE ${raw} can not be converted to an Integer`);
                if (shape.min !== undefined && raw < shape.min)
                    this.fail(path, raw, echo, `Member must have value greater than or equal to ${shape.min}`);
                if (shape.max !== undefined && raw > shape.max)
                    this.fail(path, raw, echo, `Member must have value less than or equal to ${shape.max}`);
                return raw;
            }
            case "boolean":
                if (typeof raw !== "boolean") throw cannotConvert(raw, "a Boolean");
                return raw;
            case "timestamp": {
                // docs/kms-behaviour.md#wire-protocol: accept integers (boto3) and floats with milliseconds (JS v3);
                // strings are not epoch numbers.
                if (typeof raw !== "number" || !Number.isFinite(raw)) throw cannotConvert(raw, "a Timestamp");
                if (Math.abs(raw) > 1e11)
                    throw E.serialization(`NUMBER_VALUE ${raw} can not be converted to a Timestamp`);
                return Math.round(raw * 1000);
            }
            case "list": {
                if (!Array.isArray(raw)) throw cannotConvert(raw, "a List");
                const items = raw.map((item: unknown, i) => {
                    if (item === null) throw cannotConvert(item, "a list member");
                    return this.walk(shape.member, item, `${path}.${i + 1}.member`, echo);
                });
                this.checkLength(
                    path,
                    raw,
                    raw.length,
                    echo && raw.every((x) => typeof x !== "object"),
                    shape.min,
                    shape.max,
                );
                return items;
            }
            case "map": {
                if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw cannotConvert(raw, "a Map");
                const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
                for (const [k, v] of Object.entries(raw)) out[k] = this.walk(shape.value, v, `${path}.${k}`, echo);
                return out;
            }
            case "structure":
                return this.structure(shape.members, raw, path);
        }
    }

    structure(
        members: Readonly<Record<string, { shape: Shape; required?: boolean }>>,
        raw: unknown,
        path: string,
    ): Input {
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw cannotConvert(raw, "a Structure");
        const obj = raw as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        for (const [name, member] of Object.entries(members)) {
            const memberPath = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
            // JSON null is treated as absent, as AWS's deserialiser does; unknown members are ignored.
            const value = Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
            if (value === undefined || value === null) {
                if (member.required) this.fail(memberPath, null, true, "Member must not be null");
                continue;
            }
            out[name] = this.walk(member.shape, value, memberPath, !NEVER_ECHO.has(name));
        }
        return out;
    }
}

/** Validates `body` against `shape`; throws SerializationException or ValidationException (KmsError). */
export function validateInput(shape: Shape, body: unknown): Input {
    if (shape.kind !== "structure") throw new Error("operation input must be a structure");
    const walker = new Walker();
    const out = walker.structure(shape.members, body, "");
    const n = walker.errors.length;
    if (n > 0) throw validationError(walker.errors);
    return out;
}

/** Formats constraint failures the way AWS does: "N validation error(s) detected: a; b". */
export function validationError(failures: readonly string[]): KmsError {
    const n = failures.length;
    return E.validation(`${n} validation error${n === 1 ? "" : "s"} detected: ${failures.join("; ")}`);
}
