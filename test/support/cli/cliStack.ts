import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { DrivenStack, type CommandName, type ConfigInput, type RunOptions as DriverRunOptions, type RunResult } from "../../../tools/cli-driver/stack";
import type { CliHome } from "../../../tools/cli-driver/home";
import { leakRegistry, type LeakRegistry } from "../leakScan";
import { summarize, type Diagnostic, type EventSummary, type StepRecord } from "./events";

/**
 * A stack of a real-CLI test: the Automation-API driver's stack (tools/cli-driver), with every run's stdout,
 * stderr, engine events and error, and every state export, handed to the leak scan; every secret config value
 * is registered as a material to search for. Runs come back with the events indexed for assertions.
 */

export type { ConfigInput };

export interface CliStackSettings {
    project: string;
    stack: string;
    program: PulumiFn;
    config: Record<string, ConfigInput>;
    /** The CLI's backend, PULUMI_HOME and work directories. */
    home: CliHome;
    passphrase: string;
    /** Added to the CLI's environment (credentials for the provider host, …). */
    env: Record<string, string>;
    registry?: LeakRegistry;
}

export interface RunOptions extends Omit<DriverRunOptions, "color" | "onOutput" | "diff"> {
    /** Run `pulumi preview` first, as a plain `pulumi up` does (the Automation API's up skips it). */
    previewFirst?: boolean;
}

/** One CLI command's outcome, its engine events indexed for assertions. A failed command is a result (ok false), not an exception. */
export interface CliRun extends RunResult, EventSummary {
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
        private readonly stack: DrivenStack,
        private readonly settings: CliStackSettings,
    ) {}

    static async create(settings: CliStackSettings): Promise<CliStack> {
        const { config, ...rest } = settings;
        const created = new CliStack(await DrivenStack.create({ ...rest }), settings);
        await created.setConfig(config);
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
        this.stack.setProgram(program);
    }

    async setConfig(config: Record<string, ConfigInput>): Promise<void> {
        for (const [key, value] of Object.entries(config)) {
            if (typeof value !== "string") this.registry.addMaterialBase64(value.secret, `secret config ${key} of ${this.where}`);
        }
        await this.stack.setConfig(config);
    }

    async removeConfig(...keys: string[]): Promise<void> {
        await this.stack.removeConfig(...keys);
    }

    /** `pulumi preview` (with `--refresh` when asked). */
    preview(options: RunOptions = {}): Promise<CliRun> {
        return this.run("preview", options);
    }

    /** `pulumi up --yes` (the Automation API skips the preview unless previewFirst). */
    async up(options: RunOptions = {}): Promise<CliRun> {
        if (options.previewFirst) {
            const preview = await this.preview(options);
            if (!preview.ok) return preview;
        }
        return this.run("up", options);
    }

    refresh(options: RunOptions = {}): Promise<CliRun> {
        return this.run("refresh", options);
    }

    destroy(options: RunOptions = {}): Promise<CliRun> {
        return this.run("destroy", options);
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
        const file = join(this.stack.workDir, `import-${++this.runs}.json`);
        writeFileSync(file, exportText, { mode: 0o600 });
        await this.cli(["stack", "import", "--file", file, "--stack", this.settings.stack]);
        rmSync(file);
    }

    async resource(name: string): Promise<StateResource | undefined> {
        return (await this.exportState()).resources.find((r) => r.name === name);
    }

    async outputs(): Promise<Record<string, unknown>> {
        return this.stack.outputs();
    }

    /** Sets a variable in the environment of this stack's later CLI runs (and so of its provider host). */
    setEnv(key: string, value: string): void {
        this.stack.setEnv(key, value);
    }

    unsetEnv(key: string): void {
        this.stack.unsetEnv(key);
    }

    /** A CLI command outside the Automation API's vocabulary, run in this stack's workspace and environment. */
    async cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
        const result = this.stack.cli(args);
        this.registry.addText("operation result", `${this.where}: pulumi ${args.slice(0, 2).join(" ")} #${++this.runs}`, `${result.stdout}\n${result.stderr}`);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
        return result;
    }

    /** A config value set outside setConfig (e.g. by `pulumi config set` in shell()); a secret one is registered as a material. */
    async configValue(key: string): Promise<string> {
        const { value, secret } = await this.stack.config(key);
        if (secret) this.registry.addMaterialBase64(value, `secret config ${key} of ${this.where}`);
        return value;
    }

    /**
     * A shell command line as a user types it (e.g. copied from the README), run by bash in this stack's
     * workspace directory with its environment and the CLI first on PATH (this stack is the workspace's selected one).
     */
    async shell(command: string): Promise<{ stdout: string; stderr: string }> {
        const result = this.stack.shell(command);
        this.registry.addText("operation result", `${this.where}: shell #${++this.runs}`, `${result.stdout}\n${result.stderr}`);
        if (result.code !== 0) throw new Error(`\`${command}\` failed (${result.code}): ${result.stderr}`);
        return { stdout: result.stdout, stderr: result.stderr };
    }

    private async run(command: CommandName, options: RunOptions): Promise<CliRun> {
        const run = runOf(await this.stack.run(command, options));
        this.registry.addText("operation result", `${this.where}: ${command} #${++this.runs}`, `${run.output}\n${JSON.stringify(run.events)}`);
        return run;
    }
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

function runOf(base: RunResult): CliRun {
    const summary = summarize(base.events);
    return {
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
