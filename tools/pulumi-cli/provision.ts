import { spawn, spawnSync } from "node:child_process";
import {
    chmodSync,
    copyFileSync,
    existsSync,
    mkdirSync,
    readFileSync,
    renameSync,
    rmSync,
    statSync,
    symlinkSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Provisions the official Pulumi CLI for tests, the demo and the benchmarks, as a directory ROOT laid out
 * like Pulumi's installer (`ROOT/bin/pulumi`), which is what the Automation API's `PulumiCommand.get({ root })`
 * runs, plus `ROOT/bin/pulumi-resource-pulumi-nodejs`, the dynamic-provider plugin script that ships inside
 * `@pulumi/pulumi` (the CLI finds plugins next to its own binary).
 *
 * - A `pulumi` on PATH of version ≥ MINIMUM_VERSION is used as it is (ROOT then only links to it).
 * - Otherwise the CLI is built once from its Go module (the wrapper module beside this file pins it) into a
 *   cache outside the checkout, reused by every later run and checkout on the machine.
 *
 * `npm run -s pulumi-cli` prints progress on stderr and ROOT as the last line of stdout.
 */

/** The version this repository builds, pinned by go.mod/go.sum beside this file. */
export const PINNED_VERSION = "v3.274.1";
/** The oldest CLI the tests are known to run with (ReadResult.inputs, inline refresh/destroy). */
export const MINIMUM_VERSION = "3.216.0";

const CLI_PACKAGE = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";
const VERSION_VARIABLE = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
const PLUGIN_SCRIPT = "pulumi-resource-pulumi-nodejs";

export type ProgressLog = (line: string) => void;

export interface ProvisionOptions {
    log?: ProgressLog;
    /** Ignore a `pulumi` on PATH (the pinned build is always used). */
    ignorePath?: boolean;
    env?: NodeJS.ProcessEnv;
}

/** The cache for this project's downloads and builds: $PULUMI_KMS_BYOK_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
    if (env["PULUMI_KMS_BYOK_CACHE"]) return resolve(env["PULUMI_KMS_BYOK_CACHE"]);
    return join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "pulumi-kms-byok");
}

export async function provisionPulumiCli(options: ProvisionOptions = {}): Promise<string> {
    const env = options.env ?? process.env;
    const log = options.log ?? (() => undefined);
    const cliRoot = join(cacheDirectory(env), "pulumi-cli");
    const onPath = options.ignorePath ? undefined : pulumiOnPath(env, cliRoot);
    if (onPath) {
        const root = join(cliRoot, `path-v${onPath.version}`);
        linkInto(root, onPath.path);
        installPluginScript(root);
        log(`using the Pulumi CLI on PATH: ${onPath.path} (v${onPath.version})`);
        return root;
    }
    const root = join(cliRoot, PINNED_VERSION);
    if (versionOf(join(root, "bin", "pulumi")) !== PINNED_VERSION.slice(1)) {
        await withLock(join(cliRoot, `${PINNED_VERSION}.lock`), log, async () => {
            if (versionOf(join(root, "bin", "pulumi")) === PINNED_VERSION.slice(1)) return;
            await buildPinnedCli(root, env, log);
        });
    }
    installPluginScript(root);
    return root;
}

/** A usable `pulumi` on PATH (not one of ours), with its version. */
function pulumiOnPath(env: NodeJS.ProcessEnv, ownRoot: string): { path: string; version: string } | undefined {
    for (const dir of (env["PATH"] ?? "").split(delimiter)) {
        if (!dir || resolve(dir).startsWith(ownRoot)) continue;
        const candidate = join(dir, "pulumi");
        if (!isFile(candidate)) continue;
        const version = versionOf(candidate);
        return version && atLeast(version, MINIMUM_VERSION) ? { path: candidate, version } : undefined;
    }
    return undefined;
}

/** `pulumi version` without the leading v, or undefined (missing, broken, or built without a version stamp). */
function versionOf(binary: string): string | undefined {
    if (!isFile(binary)) return undefined;
    const run = spawnSync(binary, ["version"], {
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- null if spawn fails
    const match = /v?(\d+\.\d+\.\d+)/.exec(run.stdout ?? "");
    return run.status === 0 && match ? match[1] : undefined;
}

export function atLeast(version: string, minimum: string): boolean {
    const parse = (v: string) => v.split(".").map((part) => Number.parseInt(part, 10));
    const [a, b] = [parse(version), parse(minimum)];
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
    return true;
}

function linkInto(root: string, binary: string): void {
    const link = join(root, "bin", "pulumi");
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(binary, link);
}

/** Copied (not linked) from this checkout's @pulumi/pulumi: the script resolves the SDK from its cwd anyway. */
function installPluginScript(root: string): void {
    const source = join(dirname(require.resolve("@pulumi/pulumi/package.json")), PLUGIN_SCRIPT);
    const target = join(root, "bin", PLUGIN_SCRIPT);
    if (existsSync(target) && readFileSync(target, "utf8") === readFileSync(source, "utf8")) return;
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, `${target}.tmp`);
    chmodSync(`${target}.tmp`, 0o755);
    renameSync(`${target}.tmp`, target);
}

async function buildPinnedCli(root: string, env: NodeJS.ProcessEnv, log: ProgressLog): Promise<void> {
    const go = goBinary(env);
    if (!go) throw new Error(MISSING_TOOLS);
    const module = join(__dirname, "..", "..", "..", "tools", "pulumi-cli");
    if (!existsSync(join(module, "go.mod"))) throw new Error(`the Go wrapper module is missing: ${module}/go.mod`);
    const started = Date.now();
    log(
        `building the Pulumi CLI ${PINNED_VERSION} from its Go module (once per machine; about 5 minutes ` +
            `on 2 cores, plus ~1 GB of module downloads the first time)`,
    );
    await runWithProgress(go, ["mod", "download", "-json"], module, env, log, {
        what: "downloading Go modules",
        counts: (line) => line.trim().startsWith('"Path"'),
    });
    const packages = spawnSync(go, ["list", "-deps", CLI_PACKAGE], {
        cwd: module,
        env,
        encoding: "utf8",
        maxBuffer: 64 << 20,
    });
    const total = packages.status === 0 ? packages.stdout.split("\n").filter(Boolean).length : undefined;
    const staging = `${root}.building-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    await runWithProgress(
        go,
        [
            "build",
            "-v",
            "-trimpath",
            "-ldflags",
            `-s -w -X ${VERSION_VARIABLE}=${PINNED_VERSION}`,
            "-o",
            join(staging, "bin", "pulumi"),
            CLI_PACKAGE,
        ],
        module,
        env,
        log,
        { what: "compiling packages", counts: (line) => line.trim() !== "" && !line.startsWith("#"), total },
    );
    if (versionOf(join(staging, "bin", "pulumi")) !== PINNED_VERSION.slice(1)) {
        throw new Error(
            `the built Pulumi CLI does not report version ${PINNED_VERSION}; the build is broken (see above)`,
        );
    }
    rmSync(root, { recursive: true, force: true });
    renameSync(staging, root);
    log(
        `built the Pulumi CLI ${PINNED_VERSION} in ${Math.round((Date.now() - started) / 1000)} s: ` +
            join(root, "bin", "pulumi"),
    );
}

const MISSING_TOOLS =
    "The tests, the demo and the benchmarks drive the official Pulumi CLI, and neither a `pulumi` (≥ " +
    MINIMUM_VERSION +
    ") nor `go` was found on PATH. Either install the Pulumi CLI (https://www.pulumi.com/docs/install/, e.g. " +
    "`curl -fsSL https://get.pulumi.com | sh`, then add ~/.pulumi/bin to PATH), or install Go 1.26.8 or later " +
    "(https://go.dev/dl/) so that it can be built from its Go module.";

function goBinary(env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of [...(env["PATH"] ?? "").split(delimiter), "/usr/local/go/bin"]) {
        if (dir && isFile(join(dir, "go"))) return join(dir, "go");
    }
    return undefined;
}

interface Progress {
    what: string;
    counts: (line: string) => boolean;
    total?: number | undefined;
}

/** Runs a go command, reporting how many lines of interest it printed every 10 s; fails with its last output. */
function runWithProgress(
    command: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    log: ProgressLog,
    progress: Progress,
): Promise<void> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
        let count = 0;
        const tail: string[] = [];
        const onData = (chunk: Buffer) => {
            for (const line of chunk.toString("utf8").split("\n")) {
                if (progress.counts(line)) count++;
                if (line.trim()) tail.push(line);
                if (tail.length > 40) tail.shift();
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        const started = Date.now();
        const timer = setInterval(() => {
            const of = progress.total ? `/${progress.total}` : "";
            log(`  ${progress.what}: ${count}${of} (${Math.round((Date.now() - started) / 1000)} s)`);
        }, 10_000);
        child.on("error", (error) => {
            clearInterval(timer);
            reject(error);
        });
        child.on("close", (code) => {
            clearInterval(timer);
            log(`  ${progress.what}: done, ${count} in ${Math.round((Date.now() - started) / 1000)} s`);
            if (code === 0) resolvePromise();
            else
                reject(
                    new Error(`${command} ${args.slice(0, 2).join(" ")} failed (exit ${code}):\n${tail.join("\n")}`),
                );
        });
    });
}

/** One build per machine at a time: other runs wait for it (a lock older than an hour is stale). */
async function withLock(lock: string, log: ProgressLog, work: () => Promise<void>): Promise<void> {
    mkdirSync(dirname(lock), { recursive: true });
    let reported = false;
    for (;;) {
        try {
            mkdirSync(lock);
            break;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
            if (Date.now() - statSync(lock).mtimeMs > 3_600_000) {
                rmSync(lock, { recursive: true, force: true });
                continue;
            }
            if (!reported) log(`waiting for another run that is building the Pulumi CLI (${lock})`);
            reported = true;
            await sleep(2_000);
        }
    }
    try {
        await work();
    } finally {
        rmSync(lock, { recursive: true, force: true });
    }
}

function isFile(path: string): boolean {
    try {
        return statSync(path).isFile();
    } catch {
        return false;
    }
}

if (require.main === module) {
    provisionPulumiCli({ log: (line) => console.error(line) }).then(
        (root) => console.log(root),
        (error: unknown) => {
            console.error(error instanceof Error ? error.message : String(error));
            process.exit(1);
        },
    );
}
