// The Stack: what a test or the demo drives, in place of `pulumi preview/up/refresh/destroy`.
//
// Every operation loads the state file, builds the snapshot, starts the default pulumi-nodejs
// provider (a fresh host process per operation, as every CLI command starts its plugins, unless
// `sharedHost`), runs, and writes the state after every step. Like the CLI, refresh and destroy
// do not run the program; they take it only to find stand-ins for resources of other providers.
// Steps run one at a time unless `parallel` (the engine's --parallel) says otherwise.

import { join } from "node:path";
import { normalizeConfig, type ConfigInput } from "./config";
import { condemnAll, deleteResources } from "./deletes";
import { errorMessage, nameOf, type Deployment } from "./deployment";
import type { HostLogLine, ProviderHost } from "./host";
import type { Program } from "./program";
import { ProviderRegistry, SharedHost } from "./providers";
import { refreshResources } from "./refresh";
import { Bail, Recorder, type OperationKind, type OperationResult, type ProgressHook } from "./result";
import { checkParallel } from "./schedule";
import { defaultSerializer, type SerializedProvider } from "./serialize";
import { CliCrash, Snapshot } from "./snapshot";
import { StateStore, type ConfigEntry, type PendingOperationType, type ResourceState, type StackState } from "./state";
import { runProgram } from "./update";

export interface StackOptions {
    project: string;
    stack: string;
    /** Backend directory: the state is `<dir>/stacks/<project>/<stack>.json` (like the local backend). */
    dir: string;
    /** Stack config: `aws:region`, `<project>:key` or just `key` (project namespace); secret(...) for secrets. */
    config?: Record<string, ConfigInput>;
    /** Extra environment for the host process (e.g. AWS_* for a local KMS). */
    hostEnv?: Record<string, string>;
    /** Host working directory (project directory). Default: the repository root. */
    cwd?: string;
    /** Secrets passphrase of the stack. Default: "engine-harness". */
    passphrase?: string;
    /**
     * Keep one host process across operations (faster; see providers.ts for what that changes).
     * `true`: this stack owns it (close() stops it). A SharedHost object can be shared by several
     * stacks with the same config and project; its creator stops it.
     */
    sharedHost?: boolean | SharedHost;
    /** Progress hook for every operation (an operation's own hook wins). */
    onProgress?: ProgressHook;
    /**
     * `--parallel` for every operation (an operation's own value wins): at most this many resource
     * operations at once, each starting once what it depends on is done. Default 1 (sequential).
     */
    parallel?: number;
}

export interface OperationOptions {
    onProgress?: ProgressHook;
    /** `--parallel` for this operation (see StackOptions.parallel). */
    parallel?: number;
    /**
     * Simulates the CLI itself dying right after it recorded the pending operation of the named
     * resource's step: the state is left with that pending operation, as a killed CLI leaves it.
     */
    simulateCliCrash?: { name: string; operation: PendingOperationType };
}
export interface PreviewOptions extends OperationOptions {
    /** `pulumi preview --refresh`: read every resource first (not persisted), then plan. */
    refresh?: boolean;
}
export interface UpOptions extends OperationOptions {
    /** `pulumi up --refresh`: refresh (persisted) before the update. */
    refresh?: boolean;
}
export interface RefreshOptions extends OperationOptions {
    /** `pulumi refresh --preview-only`: read and report, write nothing. */
    preview?: boolean;
    /** Clear pending CREATE operations (what answering the interactive refresh prompt does). */
    clearPendingCreates?: boolean;
}
export interface DestroyOptions extends OperationOptions {
    /** `pulumi destroy --preview-only`: plan the deletes, call nothing. */
    preview?: boolean;
}

const PENDING_RESOLUTION =
    "These resources are in an unknown state because the Pulumi CLI was interrupted while " +
    "waiting for changes to these resources to complete. You should confirm whether or not the " +
    "operations listed completed successfully by checking the state of the appropriate provider. " +
    "For example, if you are using AWS, you can confirm using the AWS Console.\n" +
    "\n" +
    "Once you have confirmed the status of the interrupted operations, you can repair your stack " +
    "using `pulumi refresh` which will refresh the state from the provider you are using and " +
    "clear the pending operations if there are any.\n" +
    "\n" +
    "Note that `pulumi refresh` will need to be run interactively to clear pending CREATE operations.";

export class Stack {
    readonly project: string;
    readonly stack: string;
    /** Path of the state file. */
    readonly stateFile: string;
    private config: Record<string, ConfigEntry>;
    private readonly store: StateStore;
    private readonly shared: SharedHost | undefined;
    private readonly ownsSharedHost: boolean;
    private readonly logLines: HostLogLine[] = [];
    private readonly serialized = new Map<string, SerializedProvider>();
    private active: { recorder: Recorder; registry: ProviderRegistry } | undefined;

    constructor(private readonly options: StackOptions) {
        this.project = options.project;
        this.stack = options.stack;
        this.stateFile = join(options.dir, "stacks", options.project, `${options.stack}.json`);
        this.store = new StateStore(this.stateFile, options.passphrase ?? "engine-harness");
        this.config = normalizeConfig(options.project, options.config ?? {});
        this.shared = options.sharedHost instanceof SharedHost ? options.sharedHost : options.sharedHost ? new SharedHost() : undefined;
        this.ownsSharedHost = options.sharedHost === true;
    }

    /** `pulumi config set [--secret] key value` (secret(...) for a secret). Used from the next operation on. */
    setConfig(key: string, value: ConfigInput): void {
        this.config = { ...this.config, ...normalizeConfig(this.project, { [key]: value }) };
    }

    /** `pulumi config rm key`. */
    removeConfig(key: string): void {
        const full = key.includes(":") ? key : `${this.project}:${key}`;
        const { [full]: _removed, ...rest } = this.config;
        this.config = rest;
    }

    /** The current config (decrypted). */
    getConfig(): Record<string, ConfigEntry> {
        return { ...this.config };
    }

    preview(program: Program, opts: PreviewOptions = {}): Promise<OperationResult> {
        return this.run("preview", true, program, opts, async (d) => {
            if (opts.refresh) {
                await refreshResources(d);
            }
            await runProgram(d);
        });
    }

    up(program: Program, opts: UpOptions = {}): Promise<OperationResult> {
        return this.run("update", false, program, opts, async (d) => {
            if (opts.refresh) {
                await refreshResources(d);
            }
            await runProgram(d);
        });
    }

    /** `program` is only used to find stand-ins; it is not run. */
    refresh(program: Program = [], opts: RefreshOptions = {}): Promise<OperationResult> {
        return this.run("refresh", opts.preview ?? false, program, opts, refreshResources);
    }

    /** `program` is only used to find stand-ins; it is not run. */
    destroy(program: Program = [], opts: DestroyOptions = {}): Promise<OperationResult> {
        return this.run("destroy", opts.preview ?? false, program, opts, (d) => deleteResources(d, condemnAll(d)));
    }

    /** The state as stored, decrypted (secrets are envelopes). */
    state(): Promise<StackState> {
        return this.store.load(this.project, this.stack);
    }

    /** One resource of the stored state, by name (undefined when absent). */
    async resource(name: string): Promise<ResourceState | undefined> {
        return (await this.state()).resources.find((r) => nameOf(r.urn) === name && !r.delete);
    }

    /** The state file exactly as stored (encrypted secrets), or undefined before the first operation. */
    rawStateText(): string | undefined {
        return this.store.rawText();
    }

    /** Every line any host of this stack printed. */
    hostLogs(): HostLogLine[] {
        return [...this.logLines];
    }

    /** The last `__provider` serialized for each dynamic resource, by name. */
    serializedProviders(): Record<string, SerializedProvider> {
        return Object.fromEntries(this.serialized);
    }

    /** The host of the running operation, once started (e.g. to SIGKILL it mid-step). */
    activeHost(): ProviderHost | undefined {
        return this.active?.registry.startedHost;
    }

    /** Stops the shared host this stack owns (`sharedHost: true`). */
    async close(): Promise<void> {
        if (this.ownsSharedHost) {
            await this.shared?.close();
        }
    }

    private async run(
        kind: OperationKind,
        dryRun: boolean,
        program: Program,
        opts: OperationOptions & { clearPendingCreates?: boolean },
        body: (d: Deployment) => Promise<void>,
    ): Promise<OperationResult> {
        if (this.active) {
            throw new Error("another operation is running on this stack");
        }
        const recorder = new Recorder(kind, dryRun, opts.onProgress ?? this.options.onProgress);
        const onLog = (line: HostLogLine): void => {
            this.logLines.push(line);
            this.active?.recorder.logs.push(line);
        };
        const registry = new ProviderRegistry(
            { project: this.project, stack: this.stack, cwd: this.options.cwd, env: this.options.hostEnv, onLog },
            this.config,
            this.shared,
        );
        this.active = { recorder, registry };
        try {
            const base = await this.store.load(this.project, this.stack);
            const snapshot = new Snapshot(base, this.config, dryRun ? undefined : this.store, crashHook(opts));
            this.carryPendingOperations(kind, snapshot, recorder, opts.clearPendingCreates === true);
            const d: Deployment = {
                project: this.project,
                stack: this.stack,
                dryRun,
                snapshot,
                recorder,
                registry,
                serializer: defaultSerializer,
                serialized: new Map(),
                program,
                parallel: checkParallel(opts.parallel ?? this.options.parallel),
            };
            let crashed = false;
            try {
                await body(d);
            } catch (e) {
                crashed = e instanceof CliCrash;
                if (crashed) {
                    registry.startedHost?.kill("SIGKILL");
                }
                if (!(e instanceof Bail)) {
                    recorder.errors.push({ message: errorMessage(e) });
                }
            }
            d.serialized.forEach((sp, name) => this.serialized.set(name, sp));
            if (!crashed) {
                await snapshot.persist();
            }
        } catch (e) {
            recorder.errors.push({ message: errorMessage(e) });
        } finally {
            await registry.close();
            this.active = undefined;
        }
        const result = recorder.finish(registry.pluginVersion);
        if (!result.ok && result.errors.length > 0) {
            // A failed operation may have left a shared host dead or half-way; start afresh next time.
            // (Check failures are answers, not failures of the host: it stays.)
            await this.shared?.close();
        }
        return result;
    }

    /**
     * Pending operations left by an interrupted CLI. Before an update/destroy the engine warns and
     * keeps only the pending CREATEs; a non-interactive refresh clears the others and keeps CREATEs.
     */
    private carryPendingOperations(kind: OperationKind, snapshot: Snapshot, recorder: Recorder, clearCreates: boolean): void {
        const carried = snapshot.pendingOperations;
        if (carried.length === 0) {
            return;
        }
        if (kind !== "refresh") {
            const list = carried.map((p) => `  * ${p.resource.urn}, interrupted while ${p.type}\n`).join("");
            recorder.warn(
                `Attempting to deploy or update resources with ${carried.length} pending operations from previous deployment.\n` +
                    list +
                    PENDING_RESOLUTION,
            );
        }
        snapshot.setPendingOperations(carried.filter((p) => p.type === "creating" && !(kind === "refresh" && clearCreates)));
    }
}

function crashHook(opts: OperationOptions): ((res: ResourceState, type: PendingOperationType) => void) | undefined {
    const target = opts.simulateCliCrash;
    if (!target) {
        return undefined;
    }
    return (res, type) => {
        if (nameOf(res.urn) === target.name && type === target.operation) {
            throw new CliCrash();
        }
    };
}
