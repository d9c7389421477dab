#!/usr/bin/env node
// The kms-local command: starts the endpoint, prints the URL and the environment to export, stops cleanly on
// Ctrl-C / SIGTERM.   npm run kms-local -- --port 4599 [--state-file f] [--quota-scale 10] [--no-quotas] ...

import {
    DEFAULT_SWITCHES,
    SWITCH_CHOICES,
    SWITCH_REFS,
    startKmsLocal,
    type KmsLocalOptions,
    type Switches,
} from "./index.js";

const HELP_FLAGS = `Usage: kms-local [options]

Options:
  --port N               TCP port (default 4599; 0 = ephemeral)
  --host ADDR            listen address (default 127.0.0.1; a non-loopback address needs --allow-non-loopback)
  --allow-non-loopback   allow --host to be a non-loopback address (prints a warning: no authentication)
  --allowed-host NAME    also answer requests whose Host / Origin is NAME (e.g. a container's service name);
                         repeatable. Loopback names and the --host address are always answered, any other Host
                         gets 403 (DNS rebinding)
  --max-connections N    connections served at once (default 256; one more is answered 503)
  --region R             Region printed in the environment (default us-east-1; requests use their SigV4 Region)
  --account ID           account ID of all keys (default 111122223333)
  --state-file F         keep keys across restarts in F (atomic writes)
  --quota-scale X        multiply the AWS request quotas by X (default 1)
  --no-quotas            do not throttle at all
  --quota OP=RPS         override one operation's (or shared quota's) requests per second; repeatable
  --fault-rate P         fail a fraction P (0..1) of requests with injected faults
  --fault-kinds K,K      KMSInternalException,DependencyTimeoutException,DroppedConnection (default all)
  --fault-timing T       before | after | mixed (default before)
  --fault-ops OP,OP      only these operations
  --fault-seed N         PRNG seed (default 1)
  --timing fast|aws      timing preset (default fast; aws: new keys invisible 1 s, state changes propagate in 1 s,
                         rotation 3 s, replicas Creating 2 s, a fresh wrapping key pair per GetParametersForImport)
  --new-key-invisible-ms N   new keys answer NotFoundException for N ms (eventual consistency)
  --rotation-delay-ms N  on-demand rotation completion delay (default 300)
  --switch NAME=VALUE    set a switch; repeatable (see below)
  --quiet                no per-request log lines
  --help                 this text
`;

function helpText(): string {
    const names = Object.keys(DEFAULT_SWITCHES) as (keyof Switches)[];
    const refWidth = Math.max(...names.map((name) => SWITCH_REFS[name].length));
    const lines = names.map((key) => {
        const choices = SWITCH_CHOICES[key];
        const value = DEFAULT_SWITCHES[key];
        const kind = choices ? choices.join(" | ") : typeof value === "number" ? "number" : "text";
        return `  ${key.padEnd(36)} ${SWITCH_REFS[key].padEnd(refWidth)} default ${JSON.stringify(value)}  (${kind})`;
    });
    return (
        `${HELP_FLAGS}\nSwitches (--switch NAME=VALUE), with their item in ` +
        `docs/kms-behaviour.md:\n${lines.join("\n")}\n`
    );
}

function parseArgs(argv: string[]): KmsLocalOptions & { quiet: boolean } {
    const opts: KmsLocalOptions & { quiet: boolean } = { port: 4599, quiet: false, quotas: {}, switches: {} };
    const quotas = opts.quotas as NonNullable<KmsLocalOptions["quotas"]>;
    let faults: NonNullable<KmsLocalOptions["faults"]> | undefined;
    const fault = () => (faults ??= { rate: 0 });
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = (): string => {
            const v = argv.at(++i);
            if (v === undefined) throw new Error(`${flag} needs a value`);
            return v;
        };
        const num = (): number => {
            const n = Number(value());
            if (!Number.isFinite(n)) throw new Error(`${flag} needs a number`);
            return n;
        };
        const pair = (): [string, string] => {
            const v = value();
            const eq = v.indexOf("=");
            if (eq <= 0) throw new Error(`${flag} needs NAME=VALUE`);
            return [v.slice(0, eq), v.slice(eq + 1)];
        };
        switch (flag) {
            case "--help":
            case "-h":
                process.stdout.write(helpText());
                process.exit(0);
                break;
            case "--port":
                opts.port = num();
                break;
            case "--host":
                opts.host = value();
                break;
            case "--allow-non-loopback":
                opts.allowNonLoopback = true;
                break;
            case "--allowed-host":
                opts.allowedHosts = [...(opts.allowedHosts ?? []), value()];
                break;
            case "--max-connections":
                opts.maxConnections = num();
                break;
            case "--region":
                opts.region = value();
                break;
            case "--account":
                opts.accountId = value();
                break;
            case "--state-file":
                opts.stateFile = value();
                break;
            case "--quota-scale":
                quotas.scale = num();
                break;
            case "--no-quotas":
                quotas.enabled = false;
                break;
            case "--quota": {
                const [op, rps] = pair();
                quotas.rps = { ...quotas.rps, [op]: Number(rps) };
                break;
            }
            case "--fault-rate":
                fault().rate = num();
                break;
            case "--fault-kinds":
                fault().kinds = value().split(",") as NonNullable<KmsLocalOptions["faults"]>["kinds"];
                break;
            case "--fault-timing":
                fault().timing = value() as "before" | "after" | "mixed";
                break;
            case "--fault-ops":
                fault().operations = value().split(",");
                break;
            case "--fault-seed":
                fault().seed = num();
                break;
            case "--timing":
                opts.timing = value() as KmsLocalOptions["timing"];
                break;
            case "--new-key-invisible-ms":
                opts.consistency = { newKeyInvisibleMs: num() };
                break;
            case "--rotation-delay-ms":
                opts.rotationDelayMs = num();
                break;
            case "--switch": {
                const [name, v] = pair();
                opts.switches = { ...opts.switches, [name]: v };
                break;
            }
            case "--quiet":
                opts.quiet = true;
                break;
            default:
                throw new Error(`unknown option ${flag} (see --help)`);
        }
    }
    if (faults) opts.faults = faults;
    return opts;
}

async function main(): Promise<void> {
    let opts: ReturnType<typeof parseArgs>;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`kms-local: ${(e as Error).message}\n`);
        process.exit(2);
    }
    const { quiet, ...options } = opts;
    const kms = await startKmsLocal({
        ...options,
        log: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    const out = [
        `kms-local listening on ${kms.url}`,
        "Export this environment to point AWS SDKs, the aws CLI and Pulumi at it:",
        ...Object.entries(kms.env).map(([k, v]) => `export ${k}=${v}`),
        `Control surface: ${kms.url}/_kms-local/  (Ctrl-C to stop)`,
    ];
    process.stdout.write(`${out.join("\n")}\n`);
    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`kms-local: ${signal}, stopping\n`);
        kms.stop().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e: unknown) => {
    process.stderr.write(`kms-local: ${(e as Error).message}\n`);
    process.exit(1);
});
