import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import {
    DrivenStack,
    type CommandName,
    type ConfigInput,
    type DrivenStackSettings,
    type RunOptions as DriverRunOptions,
    type RunResult,
} from "../../../tools/cli-driver/stack";
import { leakRegistry, type LeakRegistry } from "../leakScan";
import { summarize, type Diagnostic, type EventSummary, type StepRecord } from "./events";

/**
 * A stack of a real-CLI test: the Automation-API driver's stack (tools/cli-driver), with every run's stdout,
 * stderr, engine events and error, and every state export, handed to the leak scan; every secret config value
 * is registered as a material to search for. Runs come back with the events indexed for assertions.
 */

export type { ConfigInput };

export interface CliStackSettings extends DrivenStackSettings {
    config: Record<string, ConfigInput>;
    /** Where this stack's artifacts go: the suite's registry unless a test proves the scan with its own. */
    registry?: LeakRegistry;
}

export interface RunOptions extends Omit<DriverRunOptions, "color" | "onOutput" | "diff"> {
    /** Run `pulumi preview` first, as a plain `pulumi up` does (the Automation API's up skips it). */
    previewFirst?: boolean;
}

/** One CLI command's outcome, its engine events indexed for assertions. A failed command is a result (ok false). */
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

export class CliStack extends DrivenStack {
    private runs = 0;
    private readonly registry: LeakRegistry;
    private readonly where: string;

    private constructor(stack: Stack, settings: CliStackSettings, root: string) {
        super(stack, settings, root);
        this.registry = settings.registry ?? leakRegistry;
        this.where = `stack ${settings.project}/${settings.stack}`;
    }

    static override async create(settings: CliStackSettings): Promise<CliStack> {
        const { stack, root } = await DrivenStack.workspaceStack(settings);
        const created = new CliStack(stack, settings, root);
        await created.setConfig(settings.config);
        return created;
    }

    /** Sets the config; a secret value is registered as a material for the leak scan. */
    override async setConfig(config: Record<string, ConfigInput>): Promise<void> {
        for (const [key, value] of Object.entries(config)) {
            if (typeof value !== "string")
                this.registry.addMaterialBase64(value.secret, `secret config ${key} of ${this.where}`);
        }
        await super.setConfig(config);
    }

    override async run(command: CommandName, options: RunOptions = {}): Promise<CliRun> {
        return runOf(await super.run(command, options));
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

    /** `pulumi stack export` (without `--show-secrets`), recorded for the leak scan and parsed. */
    async exportState(): Promise<StateExport> {
        const text = await this.stackExport();
        this.registry.addText("state file", `${this.where}: stack export #${++this.runs}`, text);
        const deployment = JSON.parse(text) as { deployment?: unknown };
        const raw = (deployment.deployment ?? {}) as {
            resources?: RawResource[];
            pending_operations?: { type: string; resource: RawResource }[];
        };
        return {
            resources: (raw.resources ?? []).filter((r) => !r.type.startsWith("pulumi:")).map(toStateResource),
            pendingOperations: (raw.pending_operations ?? []).map((p) => ({
                type: p.type,
                resource: toStateResource(p.resource),
            })),
            text,
        };
    }

    /** `pulumi stack import` of an earlier export (what restoring a backup of the state does). */
    async importState(exportText: string): Promise<void> {
        const file = join(this.workDir, `import-${++this.runs}.json`);
        writeFileSync(file, exportText, { mode: 0o600 });
        await this.cli(["stack", "import", "--file", file, "--stack", this.name]);
        rmSync(file);
    }

    async resource(name: string): Promise<StateResource | undefined> {
        return (await this.exportState()).resources.find((r) => r.name === name);
    }

    /**
     * A config value set outside setConfig (e.g. by `pulumi config set` in shell()); a secret one is registered as a
     * material.
     */
    async configValue(key: string): Promise<string> {
        const { value, secret } = await this.config(key);
        if (secret) this.registry.addMaterialBase64(value, `secret config ${key} of ${this.where}`);
        return value;
    }

    /** Every run's stdout, stderr, engine events and error, and every CLI and shell command's output. */
    protected override observe(what: string, text: string): void {
        this.registry.addText("operation result", `${this.where}: ${what} #${++this.runs}`, text);
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
            return summary.diagnostics
                .filter((d: Diagnostic) => name === undefined || d.name === name)
                .map((d) => d.message);
        },
        get output() {
            return [base.stdout, base.stderr, base.error ?? ""].join("\n");
        },
    };
}
