// The default `pulumi-nodejs` provider of a deployment: one host process, configured once.
//
// The engine loads a default provider the first time a resource needs it: it launches the
// plugin (Handshake, which the dynamic host answers UNIMPLEMENTED), asks GetPluginInfo, and calls
// Configure with the whole stack config before any resource call reaches it. The host is
// started lazily the same way, so an operation with no dynamic resources starts no process.
//
// By default every operation gets a fresh host, as every CLI command starts its plugins anew.
// A shared host (option `sharedHost`) is kept between operations for speed; it is restarted when
// the config changed or it died, so Configure still happens exactly once per process. Note that
// the host caches deserialized providers per `__provider` text, so with a shared host a
// provider's own `configure` runs only once across operations.

import { createHash } from "node:crypto";
import { configureRequest, pluginConfigJson } from "./config";
import { ProviderHost, defaultProjectDir, type HostLogLine } from "./host";
import { DynamicPlugin, type ConfiguredHost } from "./plugin";
import type { ConfigEntry } from "./state";

export interface HostSettings {
    project: string;
    stack: string;
    /** Host working directory (the project directory). Default: the repository root. */
    cwd?: string;
    /** Extra environment for the host (e.g. AWS_* for a local KMS). */
    env?: Record<string, string>;
    onLog: (line: HostLogLine) => void;
}

/** A host kept across operations; see the module comment. */
export class SharedHost {
    private current: { configured: ConfiguredHost; configKey: string } | undefined;
    /** Where the host's output goes: the operation that acquired it last. */
    private sink: ((line: HostLogLine) => void) | undefined;

    async acquire(
        configKey: string,
        onLog: (line: HostLogLine) => void,
        start: (onLog: (line: HostLogLine) => void) => Promise<ConfiguredHost>,
    ): Promise<ConfiguredHost> {
        this.sink = onLog;
        if (this.current && this.current.configured.host.alive && this.current.configKey === configKey) {
            return this.current.configured;
        }
        await this.close();
        const configured = await start((line) => this.sink?.(line));
        this.current = { configured, configKey };
        return configured;
    }

    async close(): Promise<void> {
        const cur = this.current;
        this.current = undefined;
        await cur?.configured.host.stop();
    }
}

export const DEFAULT_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";

/** The provider reference stored with dynamic resources (the engine appends the provider's id). */
export function defaultProviderRef(stack: string, project: string): string {
    const urn = `urn:pulumi:${stack}::${project}::${DEFAULT_PROVIDER_TYPE}::default`;
    const h = createHash("sha256").update(urn).digest("hex");
    const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    return `${urn}::${id}`;
}

export class ProviderRegistry {
    private hostPromise: Promise<ConfiguredHost> | undefined;
    private started: ProviderHost | undefined;
    /** GetPluginInfo's version, once the host was started. */
    pluginVersion: string | undefined;
    readonly dynamic: DynamicPlugin;

    constructor(
        private readonly settings: HostSettings,
        private readonly config: Record<string, ConfigEntry>,
        private readonly shared: SharedHost | undefined,
    ) {
        this.dynamic = new DynamicPlugin(() => this.host());
    }

    /** The configured host, started on first use. */
    host(): Promise<ConfiguredHost> {
        if (!this.hostPromise) {
            // A shared host is reused only by an operation that would have started the same one.
            const { project, cwd, env } = this.settings;
            const configKey = JSON.stringify({ project, cwd, env, config: this.config });
            this.hostPromise = this.shared
                ? this.shared.acquire(configKey, this.settings.onLog, (onLog) => this.launch(onLog))
                : this.launch(this.settings.onLog);
            this.hostPromise
                .then((c) => {
                    this.started = c.host;
                    this.pluginVersion = c.version;
                })
                .catch(() => undefined);
        }
        return this.hostPromise;
    }

    /** The host if one was started during this operation (for tests that kill it). */
    get startedHost(): ProviderHost | undefined {
        return this.started;
    }

    private async launch(onLog: (line: HostLogLine) => void): Promise<ConfiguredHost> {
        const cwd = this.settings.cwd ?? defaultProjectDir();
        const host = await ProviderHost.start({
            project: this.settings.project,
            cwd,
            env: this.settings.env,
            pulumiConfigJson: pluginConfigJson(this.config),
            onLog,
        });
        try {
            await host.handshake(cwd);
            const version = (await host.getPluginInfo()).version;
            const ref = defaultProviderRef(this.settings.stack, this.settings.project);
            const { args, variables } = configureRequest(this.config);
            const caps = await host.configure({
                args,
                variables,
                acceptSecrets: true,
                acceptResources: true,
                sendsOldInputs: true,
                sendsOldInputsToDelete: true,
                urn: ref.slice(0, ref.lastIndexOf("::")),
                name: "default",
                type: DEFAULT_PROVIDER_TYPE,
                id: ref.slice(ref.lastIndexOf("::") + 2),
            });
            return { host, caps, version };
        } catch (e) {
            await host.stop();
            throw e;
        }
    }

    /**
     * Ends the host unless it is shared. A shared host keeps running, so its output is settled instead:
     * lines it printed during the last call may still be in the pipe when the gRPC answer arrives.
     */
    async close(): Promise<void> {
        if (!this.hostPromise) {
            return;
        }
        const configured = await this.hostPromise.catch(() => undefined);
        if (this.shared) {
            await configured?.host.outputSettled();
            return;
        }
        await configured?.host.stop();
    }
}
