// Command-line flags of `npm run bench` (`node dist/bench/main.js [flags]`).

export interface BenchArgs {
    /** ImportedKeyMaterial resources in the measured stack. */
    materials: number;
    /** Multiplier on every AWS quota, set the same on kms-local and on the provider (requestRateScale). */
    quotaScale: number;
    /** Engine parallelism (`pulumi up --parallel`). */
    parallel: number;
    /** Cold-start trials (each a fresh host and a one-material stack). */
    coldStarts: number;
    /** Where latest.json / latest.md / latest.svg go. */
    out: string | undefined;
    help: boolean;
}

export const DEFAULTS: Omit<BenchArgs, "out" | "help"> = { materials: 200, quotaScale: 5, parallel: 16, coldStarts: 3 };

export const USAGE = `usage: npm run bench -- [flags]
  --materials N     ImportedKeyMaterial resources in the measured stack (default ${DEFAULTS.materials})
  --quota-scale S   multiply every AWS KMS quota by S, on kms-local and on the provider
                    (pulumi-kms-byok:requestRateScale); default ${DEFAULTS.quotaScale}; 1 = AWS's own rates
  --parallel P      engine parallelism, like pulumi up --parallel (default ${DEFAULTS.parallel})
  --cold-starts K   cold-start trials (default ${DEFAULTS.coldStarts})
  --out DIR         results directory (default bench/results)
  --help`;

const NUMERIC_FLAGS: Record<string, { key: "materials" | "quotaScale" | "parallel" | "coldStarts"; integer: boolean }> = {
    "--materials": { key: "materials", integer: true },
    "--quota-scale": { key: "quotaScale", integer: false },
    "--parallel": { key: "parallel", integer: true },
    "--cold-starts": { key: "coldStarts", integer: true },
};

export function parseArgs(argv: readonly string[]): BenchArgs {
    const args: BenchArgs = { ...DEFAULTS, out: undefined, help: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const [name, inline] = flag.includes("=") ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)] : [flag, undefined];
        const value = (): string => {
            const v = inline ?? argv[++i];
            if (v === undefined) throw new Error(`${name} needs a value`);
            return v;
        };
        const numeric = NUMERIC_FLAGS[name];
        if (numeric) {
            args[numeric.key] = positive(name, value(), numeric.integer);
        } else if (name === "--out") {
            args.out = value();
        } else if (name === "--help" || name === "-h") {
            args.help = true;
        } else {
            throw new Error(`unknown flag ${flag}\n${USAGE}`);
        }
    }
    return args;
}

function positive(name: string, text: string, integer: boolean): number {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
        throw new Error(`${name} must be a positive ${integer ? "integer" : "number"}, got ${text}`);
    }
    return n;
}
