import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
    LocalWorkspace,
    type ConfigMap,
    type EngineEvent,
    type PulumiCommand,
    type PulumiFn,
    type Stack,
} from "@pulumi/pulumi/automation";
import { REPOSITORY_ROOT, pulumiCli } from "../pulumi-cli/cli";
import { isolateInlineRuns } from "../pulumi-cli/inlineRuns";
import type { CliHome } from "./home";

/**
 * The one Automation-API driver of the demo, the bench and the tests: a stack of the official Pulumi CLI with
 * an inline program (no nodejs language plugin needed) run from the repository root, so the provider host
 * resolves `pulumi-kms-byok`; a file backend, PULUMI_HOME and passphrase of its CliHome's; and every command's
 * outcome returned as a result (ok or failed, what it printed, its engine events), never thrown. What is
 * each caller's own stays with it: the tests' leak scan and assertions (a subclass that observes everything
 * the CLI printed), the bench's timing, the demo's narration.
 */

/** A config value; `{ secret }` is set as a secret (`pulumi config set --secret`). */
export type ConfigInput = string | { secret: string };

export type CommandName = "preview" | "up" | "refresh" | "destroy";

export interface DrivenStackSettings {
    project: string;
    stack: string;
    program: PulumiFn;
    home: CliHome;
    passphrase: string;
    /** Added to the CLI's environment (and so its provider host's): kms-local's credentials, an experiment's. */
    env?: Record<string, string>;
    config?: Record<string, ConfigInput>;
    /** The Automation API's command that spawns the CLI: the provisioned CLI's unless given (the bench's is timed). */
    pulumiCommand?: PulumiCommand;
}

export interface RunOptions {
    /** Another program for this run only (preview and up). */
    program?: PulumiFn;
    /** `--refresh` (preview and up). */
    refresh?: boolean;
    /** `--diff` (preview and up). */
    diff?: boolean;
    /** `--expect-no-changes`. */
    expectNoChanges?: boolean;
    /** `--parallel`; the CLI's default (4 × CPUs) when omitted. */
    parallel?: number;
    /** `pulumi refresh --clear-pending-creates`. */
    clearPendingCreates?: boolean;
    /** `pulumi up --continue-on-error`: every step runs, whichever failed first. */
    continueOnError?: boolean;
    /** `--target` (URNs): destroy only these resources. */
    target?: string[];
    /** `destroy --run-program`: the current program runs first, as it does for preview and up. */
    runProgram?: boolean;
    /** Kills or aborts the run. */
    signal?: AbortSignal;
    /** The CLI's colours; "never" when omitted. */
    color?: "always" | "never";
    /** Called with each engine event as it arrives. */
    onEvent?: (event: EngineEvent) => void;
    /** Called with what the CLI prints on stdout as it prints it. */
    onOutput?: (text: string) => void;
}

/** One CLI command's outcome. A failed command is a result (ok false), not an exception. */
export interface RunResult {
    command: CommandName;
    ok: boolean;
    stdout: string;
    stderr: string;
    /** The Automation API's error (it quotes the CLI's stderr), when the command failed. */
    error: string | undefined;
    /** The exit code the CLI returned when the command failed (undefined when it succeeded or is not known). */
    exitCode: number | undefined;
    events: EngineEvent[];
    /** The stack's outputs after an up that succeeded. */
    outputs: Record<string, unknown> | undefined;
}

/** A CLI command run outside the Automation API's vocabulary. */
export interface CommandOutput {
    stdout: string;
    stderr: string;
    code: number;
}

interface AutomationResult {
    stdout: string;
    stderr: string;
    outputs?: Record<string, { value: unknown }>;
}

export class DrivenStack {
    private program: PulumiFn;

    protected constructor(
        private readonly stack: Stack,
        private readonly settings: DrivenStackSettings,
        private readonly root: string,
    ) {
        this.program = settings.program;
    }

    static async create(settings: DrivenStackSettings): Promise<DrivenStack> {
        const { stack, root } = await DrivenStack.workspaceStack(settings);
        const created = new DrivenStack(stack, settings, root);
        await created.setConfig(settings.config ?? {});
        return created;
    }

    /** The Automation API's stack in a workspace of its own, for create (and a subclass's). */
    protected static async workspaceStack(settings: DrivenStackSettings): Promise<{ stack: Stack; root: string }> {
        const { root, command } = await pulumiCli();
        isolateInlineRuns();
        const workDir = settings.home.workDir(settings.stack);
        mkdirSync(workDir, { recursive: true });
        const stack = await LocalWorkspace.createStack(
            { projectName: settings.project, stackName: settings.stack, program: settings.program },
            {
                pulumiCommand: settings.pulumiCommand ?? command,
                workDir,
                envVars: { ...settings.home.environment(root, settings.passphrase), ...settings.env },
                projectSettings: { name: settings.project, runtime: "nodejs", main: REPOSITORY_ROOT },
            },
        );
        return { stack, root };
    }

    get name(): string {
        return this.settings.stack;
    }

    get workDir(): string {
        return this.settings.home.workDir(this.settings.stack);
    }

    /** The file backend's checkpoint of this stack. */
    get stateFile(): string {
        return join(this.settings.home.stateDirectory(this.settings.project), `${this.settings.stack}.json`);
    }

    /** Replaces the program later runs use (what a user's edit of index.ts is). */
    setProgram(program: PulumiFn): void {
        this.program = program;
    }

    async setConfig(config: Record<string, ConfigInput>): Promise<void> {
        const map: ConfigMap = {};
        for (const [key, value] of Object.entries(config))
            map[key] = typeof value === "string" ? { value } : { value: value.secret, secret: true };
        if (Object.keys(map).length > 0) await this.stack.setAllConfig(map);
    }

    async removeConfig(...keys: string[]): Promise<void> {
        await this.stack.removeAllConfig(keys);
    }

    async config(key: string): Promise<{ value: string; secret: boolean }> {
        const { value, secret } = await this.stack.getConfig(key);
        return { value, secret: secret === true };
    }

    async outputs(): Promise<Record<string, unknown>> {
        const outputs = await this.stack.outputs();
        return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, value.value]));
    }

    /** Sets a variable in the environment of this stack's later CLI runs (and so of its provider host). */
    setEnv(key: string, value: string): void {
        this.workspace().envVars[key] = value;
    }

    unsetEnv(key: string): void {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- envVars is the Automation API's own record
        delete this.workspace().envVars[key];
    }

    /**
     * `pulumi preview`, `up --yes` (the Automation API skips up's preview), `refresh --yes` or `destroy --yes`. An
     * option the command does not take is refused: passed on silently, a caller would believe it applied.
     */
    run(command: CommandName, options: RunOptions = {}): Promise<RunResult> {
        const inapplicable = optionsNotTaken(command, options);
        if (inapplicable.length > 0)
            return Promise.reject(new Error(`pulumi ${command} takes no ${inapplicable.join(", ")} (RunOptions)`));
        return this.capture(command, options, (common) => {
            const { parallel, expectNoChanges } = options;
            const program = options.program ?? this.program;
            if (command === "preview")
                return this.stack.preview({
                    ...common,
                    program,
                    refresh: options.refresh,
                    diff: options.diff,
                    expectNoChanges,
                    parallel,
                });
            if (command === "up") {
                return this.stack.up({
                    ...common,
                    program,
                    refresh: options.refresh,
                    diff: options.diff,
                    expectNoChanges,
                    parallel,
                    continueOnError: options.continueOnError,
                });
            }
            if (command === "refresh")
                return this.stack.refresh({
                    ...common,
                    expectNoChanges,
                    clearPendingCreates: options.clearPendingCreates,
                    parallel,
                });
            // An inline destroy runs the workspace's program (with --run-program): the one later runs use.
            if (options.runProgram) this.workspace().program = program;
            return this.stack.destroy({ ...common, parallel, target: options.target, runProgram: options.runProgram });
        });
    }

    /** `pulumi cancel`: what a user runs after a killed CLI left the stack locked. */
    async cancel(): Promise<void> {
        await this.stack.cancel();
    }

    /**
     * `pulumi stack export` as a user runs it, WITHOUT `--show-secrets` (the Automation API's exportStack adds
     * that flag and so prints every secret in plaintext): secrets stay encrypted.
     */
    async stackExport(): Promise<string> {
        return (await this.cli(["stack", "export", "--stack", this.settings.stack])).stdout;
    }

    /** A CLI command the Automation API has no call for, run in this stack's workspace and environment. */
    async cli(args: string[]): Promise<CommandOutput> {
        const result = this.spawn(join(this.root, "bin", "pulumi"), [...args, "--non-interactive"]);
        this.observe(`pulumi ${args.slice(0, 2).join(" ")}`, `${result.stdout}\n${result.stderr}`);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
        return result;
    }

    /**
     * A shell command line as a user types it (e.g. copied from the README), run by bash in this stack's
     * workspace directory with its environment and the CLI first on PATH (this stack is the workspace's selected one).
     */
    async shell(command: string): Promise<CommandOutput> {
        const result = this.spawn("bash", ["-euo", "pipefail", "-c", command]);
        this.observe("shell", `${result.stdout}\n${result.stderr}`);
        if (result.code !== 0) throw new Error(`\`${command}\` failed (${result.code}): ${result.stderr}`);
        return result;
    }

    /**
     * Sees everything the CLI printed for a command (its stdout and stderr; for a run also its error and engine
     * events) before the caller does, whether it succeeded or not: where the tests' leak scan looks.
     */
    protected observe(_what: string, _text: string): void {}

    /** Every stack here is created by LocalWorkspace.createStack. */
    private workspace(): LocalWorkspace {
        const workspace = this.stack.workspace;
        if (!(workspace instanceof LocalWorkspace)) throw new Error("the stack's workspace is not a LocalWorkspace");
        return workspace;
    }

    private spawn(file: string, args: string[]): CommandOutput {
        const workspace = this.workspace();
        const result = spawnSync(file, args, {
            cwd: this.workDir,
            env: { ...process.env, ...workspace.envVars },
            encoding: "utf8",
            maxBuffer: 256 << 20,
        });
        return { stdout: result.stdout, stderr: result.stderr, code: result.status ?? -1 };
    }

    private async capture(
        command: CommandName,
        options: RunOptions,
        call: (common: CommonOptions) => Promise<AutomationResult>,
    ): Promise<RunResult> {
        const events: EngineEvent[] = [];
        let stdout = "";
        let stderr = "";
        let error: string | undefined;
        let exitCode: number | undefined;
        let outputs: Record<string, unknown> | undefined;
        const common: CommonOptions = {
            onOutput: (text) => {
                stdout += text;
                options.onOutput?.(text);
            },
            onError: (text) => void (stderr += text),
            onEvent: (event) => {
                events.push(event);
                options.onEvent?.(event);
            },
            color: options.color ?? "never",
            signal: options.signal,
        };
        try {
            const result = await call(common);
            stdout ||= result.stdout;
            stderr ||= result.stderr;
            if (result.outputs)
                outputs = Object.fromEntries(Object.entries(result.outputs).map(([key, value]) => [key, value.value]));
        } catch (caught) {
            error = caught instanceof Error ? caught.message : String(caught);
            exitCode = exitCodeOf(caught);
        }
        this.observe(command, `${[stdout, stderr, error ?? ""].join("\n")}\n${JSON.stringify(events)}`);
        return { command, ok: error === undefined, stdout, stderr, error, exitCode, events, outputs };
    }
}

/**
 * The exit code the CLI returned. The Automation API's CommandError keeps it in its commandResult, or, when the
 * process runner itself threw on the non-zero exit (its code is then -2), in the runner's error.
 */
function exitCodeOf(error: unknown): number | undefined {
    const result = (error as { commandResult?: { code?: unknown; err?: { exitCode?: unknown } } } | null)
        ?.commandResult;
    const code = typeof result?.code === "number" && result.code >= 0 ? result.code : result?.err?.exitCode;
    return typeof code === "number" ? code : undefined;
}

interface CommonOptions {
    onOutput: (text: string) => void;
    onError: (text: string) => void;
    onEvent: (event: EngineEvent) => void;
    color: "always" | "never";
    signal: AbortSignal | undefined;
}

/** The options each command takes, beyond those every command takes (signal, color, onEvent, onOutput). */
const OPTIONS_TAKEN: Record<CommandName, readonly (keyof RunOptions)[]> = {
    preview: ["program", "refresh", "diff", "expectNoChanges", "parallel"],
    up: ["program", "refresh", "diff", "expectNoChanges", "parallel", "continueOnError"],
    refresh: ["expectNoChanges", "clearPendingCreates", "parallel"],
    destroy: ["parallel", "target", "runProgram"],
};
const TAKEN_BY_EVERY_COMMAND: readonly (keyof RunOptions)[] = ["signal", "color", "onEvent", "onOutput"];

/** Does `command` take `option`? A program for destroy only with runProgram (optionsNotTaken checks that). */
export const takesOption = (command: CommandName, option: keyof RunOptions): boolean =>
    OPTIONS_TAKEN[command].includes(option) || TAKEN_BY_EVERY_COMMAND.includes(option);

/** The options given (not undefined or false) that `command` does not take; a program for destroy needs runProgram. */
export function optionsNotTaken(command: CommandName, options: RunOptions): string[] {
    const known = new Set<string>([...Object.values(OPTIONS_TAKEN).flat(), ...TAKEN_BY_EVERY_COMMAND]);
    const taken = new Set<string>([...OPTIONS_TAKEN[command], ...TAKEN_BY_EVERY_COMMAND]);
    if (command === "destroy" && options.runProgram === true) taken.add("program");
    return Object.entries(options)
        .filter(([name, value]) => known.has(name) && !taken.has(name) && value !== undefined && value !== false)
        .map(([name]) => name);
}
