// eslint-disable-next-line @typescript-eslint/no-require-imports -- patches node:dns itself
import dnsModule = require("node:dns");

/**
 * A spoofed DNS answer, the least invasive way a test can give one: node:dns's lookup (which every socket
 * Node opens resolves through) answers chosen names with chosen addresses, in this process only; everything
 * else resolves as usual. In-process tests call spoofDns; a provider host started by the real Pulumi CLI gets
 * it as a preload (NODE_OPTIONS="--require <this file>") with BYOK_SPOOF_DNS="name=address,…".
 */

type Callback = (
    error: NodeJS.ErrnoException | null,
    address?: string | dnsModule.LookupAddress[],
    family?: number,
) => void;

export const SPOOF_ENV = "BYOK_SPOOF_DNS";

export function spoofDns(answers: Record<string, string>): () => void {
    const original = dnsModule.lookup;
    const spoofed = (hostname: string, options: unknown, callback?: Callback) => {
        const done = (typeof options === "function" ? options : callback) as Callback;
        const opts = (typeof options === "object" && options !== null ? options : {}) as { all?: boolean };
        const address = answers[hostname];
        if (address === undefined) {
            (original as (...args: unknown[]) => void)(hostname, options, callback);
            return;
        }
        const family = address.includes(":") ? 6 : 4;
        process.nextTick(() => (opts.all ? done(null, [{ address, family }]) : done(null, address, family)));
    };
    (dnsModule as { lookup: unknown }).lookup = spoofed;
    return () => {
        (dnsModule as { lookup: unknown }).lookup = original;
    };
}

/** The preload's answers, as BYOK_SPOOF_DNS spells them. */
export function spoofEnv(answers: Record<string, string>): string {
    return Object.entries(answers)
        .map(([name, address]) => `${name}=${address}`)
        .join(",");
}

const fromEnv = process.env[SPOOF_ENV];
if (fromEnv) spoofDns(Object.fromEntries(fromEnv.split(",").map((entry) => entry.split("=") as [string, string])));
