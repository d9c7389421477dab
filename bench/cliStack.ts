// A stack of the bench: the Automation-API driver's stack (tools/cli-driver: an inline program, a file
// backend and a PULUMI_HOME of the bench's own; nothing dialling out). Every CLI command the Automation API
// spawns goes through a timing wrapper, so a phase's wall time is the `pulumi` process's own, from spawn to exit,
// without the Automation API's follow-up commands (`stack output`, `stack history` after an up).

import { dirname } from "node:path";
import type { EngineEvent, PulumiCommand, PulumiFn } from "@pulumi/pulumi/automation";
import { CliHome } from "../tools/cli-driver/home";
import { DrivenStack, takesOption, type CommandName } from "../tools/cli-driver/stack";
import { MARKER_VARIABLE } from "./processes";

export const PROJECT = "kms-byok-bench";
const PASSPHRASE = "kms-byok-bench";

export type { CommandName };

/**
 * Set for every preview, as docs/guides/drift-detection-in-ci.md advises users of large stacks: the CLI (3.274)
 * serializes its in-memory snapshot after every step even of a preview, which writes nothing, so a preview of N new
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
    command: PulumiCommand;
    /** kms-local's credentials for the provider host, and any experiment's variables. */
    env: Record<string, string>;
    config: Record<string, string>;
    program: PulumiFn;
}

export class BenchStack {
    private hooks: { name: CommandName; hooks: CommandHooks } | undefined;

    private constructor(
        private readonly stack: DrivenStack,
        /** The experiment's own variables (--cli-env), which win over the bench's. */
        private readonly experimentEnv: Readonly<Record<string, string>>,
    ) {}

    static async create(settings: BenchStackSettings): Promise<BenchStack> {
        let created: BenchStack | undefined;
        const command = timedCommand(settings.command, (name) => created?.armed(name));
        const stack = await DrivenStack.create({
            project: PROJECT,
            stack: settings.name,
            program: settings.program,
            home: CliHome.at(settings.dir),
            passphrase: PASSPHRASE,
            env: settings.env,
            config: settings.config,
            pulumiCommand: command,
        });
        created = new BenchStack(stack, settings.env);
        return created;
    }

    get name(): string {
        return this.stack.name;
    }

    /** The directory the file backend keeps this stack's checkpoint in. */
    get stateDirectory(): string {
        return dirname(this.stack.stateFile);
    }

    get stateFile(): string {
        return this.stack.stateFile;
    }

    /**
     * Runs one CLI command with the marker in its environment (and so in its plugins'); `hooks` see the
     * `pulumi` process start and end. `parallel` undefined: the CLI's default. `refresh`: `preview --refresh`.
     */
    async run(
        name: CommandName,
        options: {
            program?: PulumiFn;
            parallel: number | undefined;
            marker: string;
            onEvent: (e: EngineEvent) => void;
            hooks: CommandHooks;
            refresh?: boolean;
        },
    ): Promise<CommandResult> {
        this.stack.setEnv(MARKER_VARIABLE, options.marker);
        // An experiment's --cli-env wins.
        const extra =
            name === "preview"
                ? Object.entries(PREVIEW_ENVIRONMENT).filter(([key]) => !(key in this.experimentEnv))
                : [];
        for (const [key, value] of extra) this.stack.setEnv(key, value);
        this.hooks = { name, hooks: options.hooks };
        const started = performance.now();
        try {
            const { ok, error } = await this.stack.run(name, {
                program: takesOption(name, "program") ? options.program : undefined,
                parallel: options.parallel,
                onEvent: options.onEvent,
                refresh: name === "preview" && options.refresh,
            });
            return { ok, error, apiWallMs: performance.now() - started };
        } finally {
            this.hooks = undefined;
            this.stack.unsetEnv(MARKER_VARIABLE);
            for (const [key] of extra) this.stack.unsetEnv(key);
        }
    }

    /** `pulumi stack export` as a user runs it, WITHOUT `--show-secrets`: secrets stay encrypted. */
    exportState(): Promise<string> {
        return this.stack.stackExport();
    }

    /** The hooks of the command about to be spawned, once (the Automation API's follow-up commands get none). */
    private armed(command: string): CommandHooks | undefined {
        if (this.hooks?.name !== command) return undefined;
        const { hooks } = this.hooks;
        this.hooks = undefined;
        return hooks;
    }
}

/**
 * `PulumiCommand.run` spawns every CLI command of the Automation API (automation/cmd.js, @pulumi/pulumi
 * 3.270); it is not in the SDK's typings, hence this declaration.
 */
interface RunnableCommand {
    run(
        args: string[],
        cwd: string,
        additionalEnv: Record<string, string>,
        onOutput?: unknown,
        onError?: unknown,
        signal?: unknown,
    ): Promise<unknown>;
}

/**
 * The Automation API's PulumiCommand with its `run` timed: `hooksFor(args[0])` may return hooks for the
 * command about to run. The wrapper inherits everything else (the binary, its version) from the original.
 */
function timedCommand(command: PulumiCommand, hooksFor: (name: string) => CommandHooks | undefined): PulumiCommand {
    const original = command as unknown as RunnableCommand;
    if (typeof original.run !== "function")
        throw new Error("this @pulumi/pulumi has no PulumiCommand.run: the bench cannot time CLI commands");
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
