// Command-line flags of `npm run bench` (`node dist/bench/main.js [flags]`).

export type ParallelSetting = "default" | number;

export interface BenchArgs {
    /** ImportedKeyMaterial resources in the measured stack (with --stacks: in each stack). */
    materials: number;
    /** The fleet bench: this many stacks at once, each its own process (undefined: the single-stack bench). */
    stacks: number | undefined;
    /** Multiplier on every AWS quota, set the same on kms-local and on the provider (requestRateScale). */
    quotaScale: number;
    /** Engine parallelism of each pass over the measured stack: "default" = no --parallel flag. */
    parallel: ParallelSetting[];
    /** Cold-start trials (each a one-material stack). */
    coldStarts: number;
    /** Extra environment for every CLI command (experiments, e.g. PULUMI_SKIP_CHECKPOINTS=true). */
    cliEnv: Record<string, string>;
    /** Where latest.json / latest.md / latest.svg go. */
    out: string | undefined;
    help: boolean;
}

export const DEFAULTS: Omit<BenchArgs, "out" | "help" | "cliEnv" | "stacks"> = {
    materials: 200,
    quotaScale: 1,
    parallel: ["default", 16],
    coldStarts: 3,
};

/** Materials per stack of the fleet bench when --materials is not given (the issue's measured case: 4 × 25). */
export const FLEET_MATERIALS = 25;

export const USAGE = `usage: npm run bench -- [flags]
  --materials N      ImportedKeyMaterial resources in the measured stack (default ${DEFAULTS.materials};
                     with --stacks, in each stack: default ${FLEET_MATERIALS})
  --stacks K         the fleet bench: K stacks at once against one kms-local, each its own process and
                     backend (\`pulumi up\`, \`preview --refresh\`, \`up\`, \`destroy\`), one line per phase
  --quota-scale S    multiply every AWS KMS quota by S, on kms-local and on the provider
                     (pulumi-kms-byok:requestRateScale); default ${DEFAULTS.quotaScale}; 1 = AWS's own rates
  --parallel LIST    engine parallelism of each pass, comma-separated: "default" (no --parallel flag:
                     the CLI's 4 × CPUs) or a number (default ${DEFAULTS.parallel.join(",")})
  --cold-starts K    cold-start trials, one-material \`pulumi up\` each (default ${DEFAULTS.coldStarts}; 0 = none)
  --cli-env NAME=V   set a variable for every CLI command (repeatable; an experiment, recorded with the results)
  --out DIR          results directory (default bench/results)
  --help`;

const NUMERIC_FLAGS: Partial<
    Record<string, { key: "materials" | "quotaScale" | "coldStarts" | "stacks"; integer: boolean; zero: boolean }>
> = {
    "--materials": { key: "materials", integer: true, zero: false },
    "--stacks": { key: "stacks", integer: true, zero: false },
    "--quota-scale": { key: "quotaScale", integer: false, zero: false },
    "--cold-starts": { key: "coldStarts", integer: true, zero: true },
};

export function parseArgs(argv: readonly string[]): BenchArgs {
    const args: BenchArgs = {
        ...DEFAULTS,
        stacks: undefined,
        parallel: [...DEFAULTS.parallel],
        cliEnv: {},
        out: undefined,
        help: false,
    };
    const given = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const eq = flag.indexOf("=");
        const [name, inline] =
            flag.startsWith("--") && eq > 0 ? [flag.slice(0, eq), flag.slice(eq + 1)] : [flag, undefined];
        const value = (): string => {
            const v = inline ?? argv.at(++i);
            if (v === undefined) throw new Error(`${name} needs a value`);
            return v;
        };
        given.add(name);
        const numeric = NUMERIC_FLAGS[name];
        if (numeric) {
            args[numeric.key] = number(name, value(), numeric);
        } else if (name === "--parallel") {
            args.parallel = parallelList(value());
        } else if (name === "--cli-env") {
            const [key, val] = environmentAssignment(value());
            args.cliEnv[key] = val;
        } else if (name === "--out") {
            args.out = value();
        } else if (name === "--help" || name === "-h") {
            args.help = true;
        } else {
            throw new Error(`unknown flag ${flag}\n${USAGE}`);
        }
    }
    if (args.stacks !== undefined) {
        const unused = ["--parallel", "--cold-starts"].filter((f) => given.has(f));
        if (unused.length > 0)
            throw new Error(
                `${unused.join(" and ")}: not used by the fleet bench (--stacks), which runs each stack at ` +
                    `the CLI's default parallelism`,
            );
        if (!given.has("--materials")) args.materials = FLEET_MATERIALS;
    }
    return args;
}

/** The command line that reproduces these arguments (defaults left out). */
export function commandLine(args: BenchArgs): string {
    const flags: string[] = [];
    if (args.stacks !== undefined) flags.push(`--stacks ${args.stacks}`);
    if (args.materials !== (args.stacks !== undefined ? FLEET_MATERIALS : DEFAULTS.materials))
        flags.push(`--materials ${args.materials}`);
    if (args.quotaScale !== DEFAULTS.quotaScale) flags.push(`--quota-scale ${args.quotaScale}`);
    if (args.parallel.join(",") !== DEFAULTS.parallel.join(",")) flags.push(`--parallel ${args.parallel.join(",")}`);
    if (args.coldStarts !== DEFAULTS.coldStarts) flags.push(`--cold-starts ${args.coldStarts}`);
    for (const [key, val] of Object.entries(args.cliEnv)) flags.push(`--cli-env ${key}=${val}`);
    return `npm run bench${flags.length > 0 ? ` -- ${flags.join(" ")}` : ""}`;
}

function number(name: string, text: string, rule: { integer: boolean; zero: boolean }): number {
    const n = Number(text);
    const ok =
        text.trim() !== "" &&
        Number.isFinite(n) &&
        (rule.zero ? n >= 0 : n > 0) &&
        (!rule.integer || Number.isInteger(n));
    if (!ok)
        throw new Error(
            `${name} must be a ${rule.zero ? "non-negative" : "positive"} ` +
                `${rule.integer ? "integer" : "number"}, got ${text}`,
        );
    return n;
}

function parallelList(text: string): ParallelSetting[] {
    const items = text.split(",").map((s) => s.trim());
    const settings = items.map((item): ParallelSetting => {
        if (item === "default") return "default";
        const n = Number(item);
        if (item === "" || !Number.isInteger(n) || n <= 0)
            throw new Error(
                `--parallel takes "default" or positive integers, comma-separated; got ${item || "an empty item"}`,
            );
        return n;
    });
    if (new Set(settings).size !== settings.length) throw new Error(`--parallel lists ${text}: each setting once`);
    return settings;
}

function environmentAssignment(text: string): [string, string] {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
    if (!match) throw new Error(`--cli-env takes NAME=VALUE, got ${text}`);
    return [match[1], match[2]];
}
