import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalWorkspace, type ConfigMap, type EngineEvent, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { leakRegistry, type LeakRegistry } from "../leakScan";
import { isolateInlineRuns } from "../../../tools/pulumi-cli/inlineRuns";
import { summarize, type Diagnostic, type EventSummary, type StepRecord } from "./events";
import { REPOSITORY_ROOT, pulumiCli } from "../../../tools/pulumi-cli/cli";

/**
 * A stack driven through the official Pulumi CLI with the Automation API: an inline program (no nodejs
 * language plugin needed) run from the repository root, a file backend, and the environment the world gives
 * it. Every run's stdout, stderr, engine events and error, and every state export, are handed to the leak
 * scan; every secret config value is registered as a material to search for.
 */

export type ConfigInput = string | { secret: string };

export interface CliStackSettings {
    project: string;
    stack: string;
    program: PulumiFn;
    config: Record<string, ConfigInput>;
    /** The CLI's environment (backend, PULUMI_HOME, credentials for the provider host, …). */
    env: Record<string, string>;
    workDir: string;
    registry?: LeakRegistry;
}

export interface RunOptions {
    /** `--refresh`. */
    refresh?: boolean;
    /** `--expect-no-changes`. */
    expectNoChanges?: boolean;
    /** Another program for this run only. */
    program?: PulumiFn;
    /** `--parallel`; the CLI's default (4 × CPUs) when omitted. */
    parallel?: number;
    /** Run `pulumi preview` first, as a plain `pulumi up` does (the Automation API's up skips it). */
    previewFirst?: boolean;
    /** Kills or aborts the run (see processes.ts). */
    signal?: AbortSignal;
    /** Called with each engine event as it arrives. */
    onEvent?: (event: EngineEvent) => void;
    /** `pulumi refresh --clear-pending-creates`. */
    clearPendingCreates?: boolean;
    /** `pulumi up --continue-on-error`: every step runs, whichever failed first. */
    continueOnError?: boolean;
    /** `--target` (URNs): destroy only these resources. */
    target?: string[];
}

/** One CLI command's outcome. A failed command is a result (ok false), not an exception. */
export interface CliRun extends EventSummary {
    command: string;
    ok: boolean;
    stdout: string;
    stderr: string;
    /** The Automation API's error (it quotes the CLI's stderr), when the command failed. */
    error: string | undefined;
    events: EngineEvent[];
    /** The last step the engine took for a resource (its refresh step when op is "refresh"). */
    step(name: string, op?: string): StepRecord | undefined;
    /** Every diagnostic (provider logs, engine messages) about a resource; "" for the stack's. */
    messages(name?: string): string[];
    /** Everything the user saw: stdout, stderr and the error. */
    readonly output: string;
}

export interface StateResource {
    urn: string;
    name: string;
    type: string;
    id?: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    dependencies?: string[];
    initErrors?: string[];
    retainOnDelete?: boolean;
    protect?: boolean;
}

export interface StateExport {
    resources: StateResource[];
    pendingOperations: { type: string; resource: StateResource }[];
    text: string;
}

export class CliStack {
    private runs = 0;

    private constructor(
        private readonly stack: Stack,
        private readonly settings: CliStackSettings,
        private program: PulumiFn,
    ) {}

    static async create(settings: CliStackSettings): Promise<CliStack> {
        const { command } = await pulumiCli();
        isolateInlineRuns();
        mkdirSync(settings.workDir, { recursive: true });
        const stack = await LocalWorkspace.createStack(
            { projectName: settings.project, stackName: settings.stack, program: settings.program },
            {
                pulumiCommand: command,
                workDir: settings.workDir,
                envVars: settings.env,
                projectSettings: { name: settings.project, runtime: "nodejs", main: REPOSITORY_ROOT },
            },
        );
        const created = new CliStack(stack, settings, settings.program);
        await created.setConfig(settings.config);
        return created;
    }

    get name(): string {
        return this.settings.stack;
    }

    private get registry(): LeakRegistry {
        return this.settings.registry ?? leakRegistry;
    }

    private get where(): string {
        return `stack ${this.settings.project}/${this.settings.stack}`;
    }

    /** Replaces the program later runs use (what a user's edit of index.ts is). */
    setProgram(program: PulumiFn): void {
        this.program = program;
    }

    async setConfig(config: Record<string, ConfigInput>): Promise<void> {
        const map: ConfigMap = {};
        for (const [key, value] of Object.entries(config)) {
            if (typeof value === "string") map[key] = { value };
            else {
                map[key] = { value: value.secret, secret: true };
                this.registry.addMaterialBase64(value.secret, `secret config ${key} of ${this.where}`);
            }
        }
        if (Object.keys(map).length > 0) await this.stack.setAllConfig(map);
    }

    async removeConfig(...keys: string[]): Promise<void> {
        await this.stack.removeAllConfig(keys);
    }

    /** `pulumi preview` (with `--refresh` when asked). */
    preview(options: RunOptions = {}): Promise<CliRun> {
        return this.run("preview", options, async (common) => {
            const result = await this.stack.preview({ ...common, program: options.program ?? this.program, refresh: options.refresh, expectNoChanges: options.expectNoChanges, parallel: options.parallel });
            return result;
        });
    }

    /** `pulumi up --yes` (the Automation API skips the preview unless previewFirst). */
    async up(options: RunOptions = {}): Promise<CliRun> {
        if (options.previewFirst) {
            const preview = await this.preview(options);
            if (!preview.ok) return preview;
        }
        return this.run("up", options, (common) =>
            this.stack.up({ ...common, program: options.program ?? this.program, refresh: options.refresh, expectNoChanges: options.expectNoChanges, parallel: options.parallel, continueOnError: options.continueOnError }),
        );
    }

    refresh(options: RunOptions = {}): Promise<CliRun> {
        return this.run("refresh", options, (common) =>
            this.stack.refresh({ ...common, expectNoChanges: options.expectNoChanges, clearPendingCreates: options.clearPendingCreates, parallel: options.parallel }),
        );
    }

    destroy(options: RunOptions = {}): Promise<CliRun> {
        return this.run("destroy", options, (common) => this.stack.destroy({ ...common, parallel: options.parallel, target: options.target }));
    }

    /** `pulumi cancel`: what a user runs after a killed CLI left the stack locked. */
    async cancel(): Promise<void> {
        await this.stack.cancel();
    }

    /**
     * `pulumi stack export` as a user runs it, without `--show-secrets` (the Automation API's exportStack adds
     * that flag and so prints every secret in plaintext), recorded for the leak scan.
     */
    async exportState(): Promise<StateExport> {
        const result = await this.cli(["stack", "export", "--stack", this.settings.stack]);
        const text = result.stdout;
        this.registry.addText("state file", `${this.where}: stack export #${++this.runs}`, text);
        const deployment = JSON.parse(text) as { deployment?: unknown };
        const raw = (deployment.deployment ?? {}) as { resources?: RawResource[]; pending_operations?: { type: string; resource: RawResource }[] };
        return {
            resources: (raw.resources ?? []).filter((r) => !r.type.startsWith("pulumi:")).map(toStateResource),
            pendingOperations: (raw.pending_operations ?? []).map((p) => ({ type: p.type, resource: toStateResource(p.resource) })),
            text,
        };
    }

    /** `pulumi stack import` of an earlier export (what restoring a backup of the state does). */
    async importState(exportText: string): Promise<void> {
        const file = join(this.settings.workDir, `import-${++this.runs}.json`);
        writeFileSync(file, exportText, { mode: 0o600 });
        await this.cli(["stack", "import", "--file", file, "--stack", this.settings.stack]);
        rmSync(file);
    }

    async resource(name: string): Promise<StateResource | undefined> {
        return (await this.exportState()).resources.find((r) => r.name === name);
    }

    async outputs(): Promise<Record<string, unknown>> {
        const outputs = await this.stack.outputs();
        return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, value.value]));
    }

    /** Sets a variable in the environment of this stack's later CLI runs (and so of its provider host). */
    setEnv(key: string, value: string): void {
        (this.stack.workspace as LocalWorkspace).envVars[key] = value;
    }

    unsetEnv(key: string): void {
        delete (this.stack.workspace as LocalWorkspace).envVars[key];
    }

    /** A CLI command outside the Automation API's vocabulary, run in this stack's workspace and environment. */
    async cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
        const { root } = await pulumiCli();
        const workspace = this.stack.workspace as LocalWorkspace;
        const result = spawnSync(join(root, "bin", "pulumi"), [...args, "--non-interactive"], {
            cwd: this.settings.workDir,
            env: { ...process.env, ...workspace.envVars },
            encoding: "utf8",
            maxBuffer: 256 << 20,
        });
        this.registry.addText("operation result", `${this.where}: pulumi ${args.slice(0, 2).join(" ")} #${++this.runs}`, `${result.stdout}\n${result.stderr}`);
        if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
        return { stdout: result.stdout, stderr: result.stderr, code: result.status ?? -1 };
    }

    /** A config value set outside setConfig (e.g. by `pulumi config set` in shell()); a secret one is registered as a material. */
    async configValue(key: string): Promise<string> {
        const { value, secret } = await this.stack.getConfig(key);
        if (secret) this.registry.addMaterialBase64(value, `secret config ${key} of ${this.where}`);
        return value;
    }

    /**
     * A shell command line as a user types it (e.g. copied from the README), run by bash in this stack's
     * workspace directory with its environment and the CLI first on PATH (this stack is the workspace's selected one).
     */
    async shell(command: string): Promise<{ stdout: string; stderr: string }> {
        const workspace = this.stack.workspace as LocalWorkspace;
        const result = spawnSync("bash", ["-euo", "pipefail", "-c", command], {
            cwd: this.settings.workDir,
            env: { ...process.env, ...workspace.envVars },
            encoding: "utf8",
            maxBuffer: 256 << 20,
        });
        this.registry.addText("operation result", `${this.where}: shell #${++this.runs}`, `${result.stdout}\n${result.stderr}`);
        if (result.status !== 0) throw new Error(`\`${command}\` failed (${result.status}): ${result.stderr}`);
        return { stdout: result.stdout, stderr: result.stderr };
    }

    private async run(command: string, options: RunOptions, call: (common: CommonOptions) => Promise<{ stdout: string; stderr: string }>): Promise<CliRun> {
        const events: EngineEvent[] = [];
        let stdout = "";
        let stderr = "";
        let error: string | undefined;
        const common: CommonOptions = {
            onOutput: (text) => void (stdout += text),
            onError: (text) => void (stderr += text),
            onEvent: (event) => {
                events.push(event);
                options.onEvent?.(event);
            },
            color: "never",
            signal: options.signal,
        };
        try {
            const result = await call(common);
            stdout ||= result.stdout;
            stderr ||= result.stderr;
        } catch (caught) {
            error = caught instanceof Error ? caught.message : String(caught);
        }
        const run = runOf(command, { ok: error === undefined, stdout, stderr, error, events });
        this.registry.addText("operation result", `${this.where}: ${command} #${++this.runs}`, `${run.output}\n${JSON.stringify(events)}`);
        return run;
    }
}

interface CommonOptions {
    onOutput: (text: string) => void;
    onError: (text: string) => void;
    onEvent: (event: EngineEvent) => void;
    color: "never";
    signal: AbortSignal | undefined;
}

interface RawResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    dependencies?: string[];
    initErrors?: string[];
    retainOnDelete?: boolean;
    protect?: boolean;
}

function toStateResource(raw: RawResource): StateResource {
    return { ...raw, name: raw.urn.split("::").pop() ?? "", inputs: raw.inputs ?? {}, outputs: raw.outputs ?? {} };
}

function runOf(command: string, base: { ok: boolean; stdout: string; stderr: string; error: string | undefined; events: EngineEvent[] }): CliRun {
    const summary = summarize(base.events);
    return {
        command,
        ...base,
        ...summary,
        step(name: string, op?: string) {
            const matching = summary.steps.filter((s) => s.name === name && (op ? s.op === op : s.op !== "refresh"));
            // A replacement is three steps (create-replacement, replace, delete-replaced): report it as one.
            const replacing = !op && matching.find((s) => s.op === "replace" || s.op === "create-replacement");
            return replacing ? { ...replacing, op: "replace" } : matching[matching.length - 1];
        },
        messages(name?: string) {
            return summary.diagnostics.filter((d: Diagnostic) => name === undefined || d.name === name).map((d) => d.message);
        },
        get output() {
            return [base.stdout, base.stderr, base.error ?? ""].join("\n");
        },
    };
}
