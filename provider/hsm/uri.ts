/**
 * PKCS#11 URIs (RFC 7512) naming the key object: `pkcs11:token=byok;object=payments-2026;type=secret-key
 * ?module-path=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so`. Pure: parsing and validation only, so check can run
 * it during preview without touching a token. Attributes the provider does not understand are refused rather than
 * ignored: a misspelt `objet=` must not silently match another object.
 */

export type ObjectType = "secret-key" | "private";

export interface Pkcs11Uri {
    token?: string;
    manufacturer?: string;
    serial?: string;
    model?: string;
    libraryManufacturer?: string;
    libraryDescription?: string;
    libraryVersion?: string;
    slotDescription?: string;
    slotManufacturer?: string;
    slotId?: number;
    object?: string;
    id?: Buffer;
    type?: ObjectType;
    modulePath?: string;
}

export interface UriParse {
    uri?: Pkcs11Uri;
    /** What is wrong, each with what to do. */
    problems: string[];
    /**
     * The URI carries a PIN (pin-value) or module parameters: no value may be shown anywhere, not even as the failing
     * property's value.
     */
    containsPin: boolean;
}

const SCHEME = "pkcs11:";
const UNRESERVED = "A-Za-z0-9\\-._~";
const RES_AVAIL = ":\\[\\]@!$'()*+,=";
const PATH_VALUE = new RegExp(`^(?:[${UNRESERVED}${RES_AVAIL}&]|%[0-9A-Fa-f]{2})*$`);
const QUERY_VALUE = new RegExp(`^(?:[${UNRESERVED}${RES_AVAIL}/?|]|%[0-9A-Fa-f]{2})*$`);

/** Path attributes (RFC 7512 §2.3) → the field they set; all are text except id (bytes), slot-id and type. */
const PATH_TEXT: Readonly<Partial<Record<string, keyof Pkcs11Uri>>> = {
    token: "token",
    manufacturer: "manufacturer",
    serial: "serial",
    model: "model",
    "library-manufacturer": "libraryManufacturer",
    "library-description": "libraryDescription",
    "library-version": "libraryVersion",
    "slot-description": "slotDescription",
    "slot-manufacturer": "slotManufacturer",
    object: "object",
};

const NOT_KEY_MATERIAL: Record<string, string> = {
    public: "a public key",
    cert: "a certificate",
    data: "a data object",
};

export function parsePkcs11Uri(text: string): UriParse {
    const containsPin = /pin-value|module-parameters/i.test(text);
    const problems: string[] = [];
    if (!text.startsWith(SCHEME)) {
        return {
            problems: [`hsmKey must be a PKCS#11 URI (RFC 7512) starting with "${SCHEME}", such as ${EXAMPLE}`],
            containsPin,
        };
    }
    const rest = text.slice(SCHEME.length);
    const question = rest.indexOf("?");
    const path = question < 0 ? rest : rest.slice(0, question);
    const query = question < 0 ? "" : rest.slice(question + 1);
    const uri: Pkcs11Uri = {};
    for (const [name, raw] of attributes(path, ";", problems)) parsePathAttribute(uri, name, raw, problems);
    const seenQuery = new Set<string>();
    for (const [name, raw] of attributes(query, "&", problems)) {
        if (seenQuery.has(name)) problems.push(`hsmKey repeats the query attribute ${name}; give it once`);
        seenQuery.add(name);
        parseQueryAttribute(uri, name, raw, problems);
    }
    if (uri.object === undefined && uri.id === undefined) {
        problems.push(
            "hsmKey must name the key object: object=<CKA_LABEL> and/or id=<CKA_ID, percent-encoded " +
                "bytes such as %01%a2>",
        );
    }
    return problems.length > 0 ? { problems, containsPin } : { uri, problems, containsPin };
}

const EXAMPLE =
    "pkcs11:token=byok;object=payments-2026;type=secret-key?module-path=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so";

function attributes(component: string, separator: string, problems: string[]): [string, string][] {
    if (component === "") return [];
    const out: [string, string][] = [];
    for (const part of component.split(separator)) {
        const eq = part.indexOf("=");
        if (eq <= 0) {
            problems.push(
                `hsmKey has a component without "=" where an attribute name=value is expected (separate ` +
                    `path attributes with ";", query attributes with "&")`,
            );
            continue;
        }
        out.push([part.slice(0, eq), part.slice(eq + 1)]);
    }
    return out;
}

function parsePathAttribute(uri: Pkcs11Uri, name: string, raw: string, problems: string[]): void {
    const field = PATH_TEXT[name];
    const known = field !== undefined || name === "id" || name === "type" || name === "slot-id";
    if (!known) {
        problems.push(
            `hsmKey has the path attribute ${nameOf(name)}, which this provider does not understand; RFC ` +
                `7512 path attributes: ${[...Object.keys(PATH_TEXT), "id", "type", "slot-id"].join(", ")}`,
        );
        return;
    }
    const target = field ?? (name === "slot-id" ? "slotId" : (name as keyof Pkcs11Uri));
    if (uri[target] !== undefined)
        return void problems.push(`hsmKey repeats the path attribute ${name}; RFC 7512 allows each once`);
    if (!PATH_VALUE.test(raw)) return void problems.push(encodingProblem(name, raw, "/ ? # % ; and spaces"));
    const bytes = percentDecode(raw);
    if (name === "id") {
        if (bytes.length === 0)
            return void problems.push(
                "hsmKey has an empty id; give the object's CKA_ID as percent-encoded bytes, such as id=%01%a2",
            );
        uri.id = bytes;
        return;
    }
    const value = utf8(bytes);
    if (value === undefined) return void problems.push(`hsmKey's ${name} is not UTF-8 once percent-decoded`);
    if (name === "type") {
        setType(uri, value, problems);
        return;
    }
    if (name === "slot-id") {
        if (!/^\d+$/.test(value))
            return void problems.push("hsmKey's slot-id must be a decimal number (the value given is not shown)");
        uri.slotId = Number(value);
        return;
    }
    if (name === "library-version" && !/^\d+(?:\.\d+)?$/.test(value)) {
        return void problems.push(
            "hsmKey's library-version must be major[.minor], such as 2.6 (the value given is not shown)",
        );
    }
    (uri as Record<string, unknown>)[target] = value;
}

function setType(uri: Pkcs11Uri, value: string, problems: string[]): void {
    if (value === "secret-key" || value === "private") {
        uri.type = value;
        return;
    }
    const what = NOT_KEY_MATERIAL[value];
    problems.push(
        what
            ? `hsmKey names ${what} (type=${value}), which is not key material KMS can import: use ` +
                  `type=secret-key (AES or HMAC keys) or type=private (RSA or EC private keys)`
            : "hsmKey's type must be secret-key or private (RFC 7512 also defines public, cert and data; the " +
                  "value given is not shown)",
    );
}

function parseQueryAttribute(uri: Pkcs11Uri, name: string, raw: string, problems: string[]): void {
    if (name === "pin-value") {
        // The URI is stored in the state in plaintext and shown in previews: a PIN must never be in it.
        return void problems.push(
            "hsmKey carries a PIN (pin-value), and the URI is stored in the state in plaintext: remove " +
                "pin-value and give the " +
                "PIN as the secret input hsmPin, the secret config pulumi-kms-byok:hsmPin, or the " +
                "PKCS11_PIN environment variable",
        );
    }
    if (name === "pin-source") {
        return void problems.push(
            "hsmKey's pin-source is not supported: give the PIN as the secret input hsmPin, the secret " +
                "config pulumi-kms-byok:hsmPin, or PKCS11_PIN",
        );
    }
    if (name === "module-parameters") {
        // Module parameters may hold paths and PINs, and the URI is stored and shown in plaintext.
        return void problems.push(
            "hsmKey carries module-parameters, and the URI is stored in the state in plaintext while " +
                "module parameters may hold paths and PINs: " +
                "remove it and give them as the secret input hsmModuleParameters or the secret config " +
                "pulumi-kms-byok:hsmModuleParameters",
        );
    }
    if (name === "module-name") {
        return void problems.push(
            "hsmKey's module-name is not supported (library search paths differ between systems): give the " +
                "library's absolute path as module-path",
        );
    }
    if (name !== "module-path") {
        return void problems.push(
            `hsmKey has the query attribute ${nameOf(name)}, which this provider does not understand; ` +
                `supported: module-path`,
        );
    }
    if (!QUERY_VALUE.test(raw)) return void problems.push(encodingProblem(name, raw, "# % & and spaces"));
    const value = utf8(percentDecode(raw));
    if (!value || !value.startsWith("/")) {
        return void problems.push(
            "hsmKey's module-path must be the absolute path of the PKCS#11 library, such as " +
                "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so (the value given is not shown)",
        );
    }
    uri.modulePath = value;
}

/** An attribute name is shown only when it looks like one (a misplaced secret never does). */
function nameOf(name: string): string {
    return /^[a-z][a-z0-9-]{0,31}$/.test(name) ? `"${name}"` : "(a name not shown)";
}

/**
 * Where the value goes wrong, never what it holds: the URI may carry a PIN (pin-value), and any field may hold a
 * pasted key material, so not even the offending character is quoted; its place in the value is.
 */
function encodingProblem(name: string, raw: string, examples: string): string {
    const allowed = name === "module-path" ? QUERY_VALUE : PATH_VALUE;
    let position = 0;
    // By UTF-16 offset (what slice takes), a whole character (code point) at a time.
    for (let i = 0; i < raw.length;) {
        const c = String.fromCodePoint(raw.codePointAt(i) ?? 0);
        position++;
        if (c === "%" && !/^%[0-9A-Fa-f]{2}/.test(raw.slice(i)))
            return `hsmKey's ${name} has a % not followed by two hex digits (character ${position} of its value)`;
        if (c !== "%" && !allowed.test(c)) break;
        i += c.length;
    }
    return (
        `hsmKey's ${name} has a character that must be percent-encoded (RFC 7512: ${examples}), character ` +
        `${position} of its value: write it as its UTF-8 bytes, percent-encoded (a space is %20)`
    );
}

function percentDecode(raw: string): Buffer {
    const bytes: number[] = [];
    for (let i = 0; i < raw.length; i++) {
        if (raw[i] === "%") {
            bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
            i += 2;
        } else {
            bytes.push(...Buffer.from(raw[i], "utf8"));
        }
    }
    return Buffer.from(bytes);
}

function utf8(bytes: Buffer): string | undefined {
    const text = bytes.toString("utf8");
    return Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
}

/**
 * How messages name the object: by which of hsmKey's attributes select it, never their values (a value can be
 * anything pasted into the URI, the material included; the user has the URI at hand).
 */
export function describeObject(uri: Pkcs11Uri): string {
    return `the key object that hsmKey's ${objectAttributes(uri)} select`;
}

/** "object= and id=", "type=secret-key": the type's value is one of two words, so it is shown. */
export function objectAttributes(uri: Pkcs11Uri): string {
    const parts: string[] = [];
    if (uri.object !== undefined) parts.push("object=");
    if (uri.id !== undefined) parts.push("id=");
    if (uri.type !== undefined) parts.push(`type=${uri.type}`);
    return parts.length > 0 ? parts.join(" and ") : "attributes";
}
