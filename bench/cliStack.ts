// A stack of the bench, driven through the official Pulumi CLI with the Automation API (an inline program,
// run from the repository root so the provider host resolves `pulumi-kms-byok`; a file backend and a
// PULUMI_HOME of the bench's own; nothing dialling out). Every CLI command the Automation API spawns goes
// through a timing wrapper, so a phase's wall time is the `pulumi` process's own, from spawn to exit,
// without the Automation API's follow-up commands (`stack output`, `stack history` after an up).

import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { LocalWorkspace, type EngineEvent, type PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { REPOSITORY_ROOT, cliEnvironment } from "../tools/pulumi-cli/cli";
import { isolateInlineRuns } from "../tools/pulumi-cli/inlineRuns";
import { MARKER_VARIABLE } from "./processes";

export const PROJECT = "kms-byok-bench";
const PASSPHRASE = "kms-byok-bench";

export type CommandName = "preview" | "up" | "refresh" | "destroy";

/**
 * Set for every preview, as docs/guides/drift-detection-in-ci.md advises users of large stacks: the CLI (3.274) serializes
 * its in-memory snapshot after every step even of a preview, which writes nothing, so a preview of N new
 * resources costs N² CPU (59 s of the CLI's CPU at 1,000 materials); with it, one serialization at the end.
 */
export const PREVIEW_ENVIRONMENT: Readonly<Record<string, string>> = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** Called when the measured `pulumi` process is spawned and when it has exited. */
export interface CommandHooks {
    started(): void;
    ended(): void;
}

export interface CommandResult {
    ok: boolean;
    /** The Automation API's error (it quotes the CLI's stderr), when the command failed. */
    error: string | undefined;
    /** The whole Automation API call, its follow-up commands included. */
    apiWallMs: number;
}

export interface BenchStackSettings {
    /** The bench's CLI directory: backend/, home/, tmp/ shared by every stack; work/<stack> each. */
    dir: string;
    name: string;
    root: string;
    command: PulumiCommand;
    /** kms-local's credentials for the provider host, and any experiment's variables. */
    env: Record<string, string>;
    config: Record<string, string>;
    program: PulumiFn;
}

export class BenchStack {
    private hooks: { name: CommandName; hooks: CommandHooks } | undefined;

    private constructor(
        private readonly stack: Stack,
        private readonly settings: BenchStackSettings,
    ) {}

    static async create(settings: BenchStackSettings): Promise<BenchStack> {
        const paths = benchPaths(settings.dir);
        const workDir = join(settings.dir, "work", settings.name);
        for (const path of [paths.backendDir, paths.homeDir, paths.tmpDir, workDir]) mkdirSync(path, { recursive: true });
        let created: BenchStack | undefined;
        const command = timedCommand(settings.command, (name) => created?.armed(name));
        isolateInlineRuns();
        const stack = await LocalWorkspace.createStack(
            { projectName: PROJECT, stackName: settings.name, program: settings.program },
            {
                pulumiCommand: command,
                workDir,
                envVars: { ...cliEnvironment({ root: settings.root, passphrase: PASSPHRASE, ...paths }), ...settings.env },
                projectSettings: { name: PROJECT, runtime: "nodejs", main: REPOSITORY_ROOT },
            },
        );
        created = new BenchStack(stack, settings);
        await stack.setAllConfig(Object.fromEntries(Object.entries(settings.config).map(([key, value]) => [key, { value }])));
        return created;
    }

    get name(): string {
        return this.settings.name;
    }

    /** The directory the file backend keeps this stack's checkpoint in. */
    get stateDirectory(): string {
        return join(benchPaths(this.settings.dir).backendDir, ".pulumi", "stacks", PROJECT);
    }

    get stateFile(): string {
        return join(this.stateDirectory, `${this.settings.name}.json`);
    }

    /**
     * Runs one CLI command with the marker in its environment (and so in its plugins'); `hooks` see the
     * `pulumi` process start and end. `parallel` undefined: the CLI's default. `refresh`: `preview --refresh`.
     */
    async run(
        name: CommandName,
        options: { program?: PulumiFn; parallel: number | undefined; marker: string; onEvent: (e: EngineEvent) => void; hooks: CommandHooks; refresh?: boolean },
    ): Promise<CommandResult> {
        const workspace = this.stack.workspace as LocalWorkspace;
        workspace.envVars[MARKER_VARIABLE] = options.marker;
        // An experiment's --cli-env (settings.env) wins.
        const extra = name === "preview" ? Object.fromEntries(Object.entries(PREVIEW_ENVIRONMENT).filter(([key]) => !(key in this.settings.env))) : {};
        Object.assign(workspace.envVars, extra);
        this.hooks = { name, hooks: options.hooks };
        const common = { onEvent: options.onEvent, color: "never" as const, ...(options.parallel ? { parallel: options.parallel } : {}) };
        const started = performance.now();
        let error: string | undefined;
        try {
            if (name === "preview") await this.stack.preview({ ...common, program: options.program ?? this.settings.program, ...(options.refresh ? { refresh: true } : {}) });
            else if (name === "up") await this.stack.up({ ...common, program: options.program ?? this.settings.program });
            else if (name === "refresh") await this.stack.refresh(common);
            else await this.stack.destroy(common);
        } catch (caught) {
            error = caught instanceof Error ? caught.message : String(caught);
        } finally {
            this.hooks = undefined;
            delete workspace.envVars[MARKER_VARIABLE];
            for (const key of Object.keys(extra)) delete workspace.envVars[key];
        }
        return { ok: error === undefined, error, apiWallMs: performance.now() - started };
    }

    /**
     * `pulumi stack export` as a user runs it, WITHOUT `--show-secrets` (the Automation API's exportStack
     * adds that flag and would print every secret in plaintext): secrets stay encrypted.
     */
    exportState(): string {
        const workspace = this.stack.workspace as LocalWorkspace;
        const result = spawnSync(join(this.settings.root, "bin", "pulumi"), ["stack", "export", "--stack", this.settings.name, "--non-interactive"], {
            cwd: workspace.workDir,
            env: { ...process.env, ...workspace.envVars },
            encoding: "utf8",
            maxBuffer: 256 << 20,
        });
        if (result.status !== 0) throw new Error(`pulumi stack export failed (exit ${result.status}): ${result.stderr}`);
        return result.stdout;
    }

    async remove(): Promise<void> {
        await this.stack.workspace.removeStack(this.settings.name);
    }

    /** The hooks of the command about to be spawned, once (the Automation API's follow-up commands get none). */
    private armed(command: string): CommandHooks | undefined {
        if (this.hooks?.name !== command) return undefined;
        const { hooks } = this.hooks;
        this.hooks = undefined;
        return hooks;
    }
}

export function benchPaths(dir: string): { backendDir: string; homeDir: string; tmpDir: string } {
    return { backendDir: join(dir, "backend"), homeDir: join(dir, "home"), tmpDir: join(dir, "tmp") };
}

/**
 * `PulumiCommand.run` spawns every CLI command of the Automation API (automation/cmd.js, @pulumi/pulumi
 * 3.270); it is not in the SDK's typings, hence this declaration.
 */
interface RunnableCommand {
    run(args: string[], cwd: string, additionalEnv: Record<string, string>, onOutput?: unknown, onError?: unknown, signal?: unknown): Promise<unknown>;
}

/**
 * The Automation API's PulumiCommand with its `run` timed: `hooksFor(args[0])` may return hooks for the
 * command about to run. The wrapper inherits everything else (the binary, its version) from the original.
 */
function timedCommand(command: PulumiCommand, hooksFor: (name: string) => CommandHooks | undefined): PulumiCommand {
    const original = command as unknown as RunnableCommand;
    if (typeof original.run !== "function") throw new Error("this @pulumi/pulumi has no PulumiCommand.run: the bench cannot time CLI commands");
    const timed = Object.create(command) as RunnableCommand;
    timed.run = async (args, ...rest) => {
        const hooks = hooksFor(args[0] ?? "");
        hooks?.started();
        try {
            return await original.run(args, ...rest);
        } finally {
            hooks?.ended();
        }
    };
    return timed as unknown as PulumiCommand;
}
