import * as pulumi from "@pulumi/pulumi";
import * as sdkLog from "@pulumi/pulumi/log";
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
 */

const REDACTED = "[secret]";
const WRAPPED = Symbol.for("pulumi-kms-byok.debugLogRedaction");

const materials = new Set<string>();

type LogFunction = (message: string, ...rest: unknown[]) => Promise<void>;
type SdkLog = Record<"debug" | "info" | "warn" | "error", LogFunction & { [WRAPPED]?: true }>;

/** Redacts this material (a program's keyMaterial input, once resolved) from every SDK log message. */
export function redactFromSdkLogs(material: pulumi.Input<string>): void {
    installOnce();
    // Resolves with the input; the callback only records the value (its result is discarded).
    pulumi.output(material).apply((value) => {
        if (typeof value === "string") for (const form of materialTextForms(value)) materials.add(form);
        return undefined;
    });
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
    if (typeof message !== "string" || materials.size === 0) return message;
    let text = message;
    for (const form of materials) if (text.includes(form)) text = text.split(form).join(REDACTED);
    return text;
}
