import * as pulumi from "@pulumi/pulumi";
import * as sdkLog from "@pulumi/pulumi/log";
import { MAX_INPUT_CHARS, Redactor, WITHHELD } from "../checks/redaction";
import type { InputSpec } from "../checks/schema";
import { materialTextForms } from "../wrapping/encodings";

/**
 * Keeps key material out of the Pulumi Node SDK's own debug messages, in the program's process.
 *
 * The SDK reports every RegisterResource response to the engine as a debug diagnostic
 * (`RegisterResource RPC finished: …; resp: …`, runtime/resource.js). During a preview the engine answers a
 * dynamic resource with its checked inputs as its state (the dynamic-provider host does not support
 * previews), secret values in plaintext inside the response. So every preview that creates or updates an
 * ImportedKeyMaterial would put the material into `pulumi --debug` output, `-v=3` (and higher) logs, and every
 * engine event log (`--event-log`, the Automation API's `onEvent`), which include debug events.
 *
 * Each ImportedKeyMaterial registers its material here, and its credentials (hsmPin, hsmModuleParameters); the
 * SDK's log functions are wrapped once so that no message leaves this process with a registered material in it,
 * in any of its encodings, or a credential as text (a PIN is short: it is masked whatever its length). They stay
 * in memory only as long as the program's own copy does (this process's lifetime).
 *
 * Bounded like the provider's redaction (checks/redaction.ts): a material longer than MAX_INPUT_CHARS
 * (check refuses it) is never decoded; it goes to a Redactor in strict mode instead, which keeps a few pieces
 * of it, withholds a message holding any of them, and masks every long run of base64 or hex. Whatever fails
 * here withholds the message; nothing here throws.
 */

const REDACTED = "[secret]";
const WRAPPED = Symbol.for("pulumi-kms-byok.debugLogRedaction");

const materials = new Set<string>();
/**
 * Every registered form by the WINDOW characters at its middle, with its rank among `materials`: a message is
 * scanned once, window by window, however many materials the program declares (trying each form on each
 * message made a preview of N materials cost N² in this process). Forms are at least 8 characters long.
 */
const WINDOW = 8;
const byWindow = new Map<string, { form: string; offset: number; rank: number }[]>();
/** A form holds "[": replacing another form by REDACTED could complete it, so every form is tried in turn. */
let tryEveryForm = false;
/**
 * Credentials, as text and as a JSON string spells them, longest first (a PIN may stand inside the module
 * parameters): few per program, one PIN is usually every resource's.
 */
let credentials: string[] = [];
/** Oversized materials (strict mode); `broken`: one could not be registered, so every message is withheld. */
const oversized = new Redactor();
let broken = false;

type LogFunction = (message: string, ...rest: unknown[]) => Promise<void>;
type SdkLog = Record<"debug" | "info" | "warn" | "error", LogFunction & { [WRAPPED]?: true }>;

/** What an input's value is (its schema says): a material (searched for in every encoding) or a credential. */
type SecretKind = NonNullable<InputSpec["secret"]>;

/**
 * Redacts this input's value (once resolved) from every SDK log message. The promise settles when the value is
 * registered, and never if it stays unknown (a preview): nothing to redact then.
 */
export function redactFromSdkLogs(secret: pulumi.Input<string>, kind: SecretKind = "material"): Promise<void> {
    installOnce();
    return new Promise((resolve) => {
        // The callback only records the value (its result is discarded).
        pulumi.output(secret).apply((value) => {
            if (typeof value === "string") register(value, kind);
            resolve();
            return undefined;
        });
    });
}

function register(value: string, kind: SecretKind): void {
    try {
        if (kind === "credential") {
            if (value.length > MAX_INPUT_CHARS) oversized.addSecretText(value);
            else if (value.length > 0) addCredential(value);
        } else if (value.length <= MAX_INPUT_CHARS) {
            for (const form of materialTextForms(value)) addForm(form);
        } else {
            oversized.addSecretText(value);
        }
    } catch {
        broken = true;
    }
}

function addCredential(value: string): void {
    const forms = new Set([...credentials, value, JSON.stringify(value).slice(1, -1)]);
    credentials = [...forms].sort((a, b) => b.length - a.length);
}

function addForm(form: string): void {
    if (materials.has(form)) return;
    const offset = Math.max(0, Math.floor((form.length - WINDOW) / 2));
    const key = form.slice(offset, offset + WINDOW);
    const entries = byWindow.get(key) ?? [];
    entries.push({ form, offset, rank: materials.size });
    byWindow.set(key, entries);
    materials.add(form);
    if (form.includes("[")) tryEveryForm = true;
}

/** The registered forms `text` holds, in the order they were registered. */
function formsIn(text: string): Iterable<string> {
    if (tryEveryForm) return materials;
    const found: { form: string; rank: number }[] = [];
    for (let i = 0; i + WINDOW <= text.length; i++) {
        const entries = byWindow.get(text.slice(i, i + WINDOW));
        if (!entries) continue;
        for (const { form, offset, rank } of entries)
            if (i >= offset && text.startsWith(form, i - offset)) found.push({ form, rank });
    }
    return found.sort((a, b) => a.rank - b.rank).map(({ form }) => form);
}

function installOnce(): void {
    const log = sdkLog as unknown as SdkLog;
    for (const level of ["debug", "info", "warn", "error"] as const) {
        const original = log[level];
        if (original[WRAPPED]) continue;
        const wrapped = Object.assign((message: string, ...rest: unknown[]) => original(redact(message), ...rest), {
            [WRAPPED]: true as const,
        });
        log[level] = wrapped;
    }
}

export function redact(message: string): string {
    try {
        if (typeof message !== "string") return message;
        if (broken) return WITHHELD;
        let text = oversized.strict ? oversized.redact(message) : message;
        for (const form of formsIn(text)) if (text.includes(form)) text = text.split(form).join(REDACTED);
        for (const credential of credentials)
            if (text.includes(credential)) text = text.split(credential).join(REDACTED);
        return text;
    } catch {
        return WITHHELD;
    }
}
