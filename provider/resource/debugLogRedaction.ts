import * as pulumi from "@pulumi/pulumi";
import * as sdkLog from "@pulumi/pulumi/log";
import { MAX_INPUT_CHARS, WITHHELD } from "../dynamic/redaction";
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
 * Each ImportedKeyMaterial registers its material here; the SDK's log functions are wrapped once so that no
 * message leaves this process with a registered material in it, in any of its encodings. The materials stay in
 * memory only as long as the program's own copy does (this process's lifetime).
 *
 * Bounded like the provider's redaction (dynamic/redaction.ts): a material longer than MAX_INPUT_CHARS
 * (check refuses it) is never decoded; a few pieces of it are kept instead, and a message holding any of
 * them is withheld whole. Whatever fails here withholds the message; nothing here throws.
 */

const REDACTED = "[secret]";
const WRAPPED = Symbol.for("pulumi-kms-byok.debugLogRedaction");

const materials = new Set<string>();
/** Pieces of oversized materials: SAMPLES per material, SAMPLE_CHARS each. */
const samples = new Set<string>();
const SAMPLES = 64;
const SAMPLE_CHARS = 32;

type LogFunction = (message: string, ...rest: unknown[]) => Promise<void>;
type SdkLog = Record<"debug" | "info" | "warn" | "error", LogFunction & { [WRAPPED]?: true }>;

/** Redacts this material (a program's keyMaterial input, once resolved) from every SDK log message. */
export function redactFromSdkLogs(material: pulumi.Input<string>): void {
    installOnce();
    // Resolves with the input; the callback only records the value (its result is discarded).
    pulumi.output(material).apply((value) => {
        if (typeof value === "string") register(value);
        return undefined;
    });
}

function register(value: string): void {
    try {
        if (value.length <= MAX_INPUT_CHARS) {
            for (const form of materialTextForms(value)) materials.add(form);
            return;
        }
        // As the SDK prints it (raw) and as JSON quotes it.
        for (const form of [value, JSON.stringify(value).slice(1, -1)]) {
            const step = Math.max(SAMPLE_CHARS, Math.floor(form.length / SAMPLES));
            for (let at = 0; at + SAMPLE_CHARS <= form.length; at += step) samples.add(form.slice(at, at + SAMPLE_CHARS));
        }
    } catch {
        // Could not be taken apart: every later message is withheld (see redact).
        samples.add("");
    }
}

function installOnce(): void {
    const log = sdkLog as unknown as SdkLog;
    for (const level of ["debug", "info", "warn", "error"] as const) {
        const original = log[level];
        if (original[WRAPPED]) continue;
        const wrapped = Object.assign((message: string, ...rest: unknown[]) => original(redact(message), ...rest), { [WRAPPED]: true as const });
        log[level] = wrapped;
    }
}

export function redact(message: string): string {
    try {
        if (typeof message !== "string" || (materials.size === 0 && samples.size === 0)) return message;
        for (const piece of samples) if (message.includes(piece)) return WITHHELD;
        let text = message;
        for (const form of materials) if (text.includes(form)) text = text.split(form).join(REDACTED);
        return text;
    } catch {
        return WITHHELD;
    }
}
