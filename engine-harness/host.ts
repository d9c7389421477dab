// The real dynamic-provider host process (`@pulumi/pulumi/cmd/dynamic-provider`) and a typed
// gRPC client for it: the part of the engine that launches the `pulumi-nodejs` plugin.
//
// Launch as the engine does (reference §4.1, provider_plugin.go NewProvider): the only argument
// is the engine address, which the host never dials; the working directory is the project
// directory (`cmd.Dir = ctx.Pwd`), so `require("pkg")` inside serialized provider code resolves
// through the project's node_modules; PULUMI_NODEJS_PROJECT / PULUMI_PROJECT name the project.
// PULUMI_NODEJS_ENGINE / PULUMI_NODEJS_MONITOR are removed: with them set, `pulumi.log` inside the
// host would try to reach an engine that does not exist.
//
// The first stdout line is the port. Every later stdout/stderr line is captured: the engine
// passes plugin output through to the user, so tests assert on it and scan it for leaks.
//
// This module only marshals: it sends exactly the property maps it is given. Engine decisions
// (stripping secrets, what olds/news mean) live in the engine modules.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { dynamicProviderEntry, emptypb, grpc, providerpb, providergrpc, statuspb, structpb, type ResourceProviderClient } from "./sdk";
import type { PropertyMap } from "./values";

/** One line the host printed. */
export interface HostLogLine {
    stream: "stdout" | "stderr";
    text: string;
    /** Milliseconds since the epoch when the harness received the line. */
    time: number;
    pid: number;
}

export interface HostOptions {
    /** Project name: PULUMI_NODEJS_PROJECT (the Config namespace) and PULUMI_PROJECT. */
    project: string;
    /** Working directory of the host. Default: the repository root, found relative to this file. */
    cwd?: string;
    /** Extra environment, e.g. AWS_* for a local KMS. Applied last. */
    env?: Record<string, string>;
    /**
     * PULUMI_CONFIG for the plugin. The engine only puts `pulumi-nodejs:`-namespaced keys there
     * (reference §1.5); the engine layer computes it. Omitted when undefined.
     */
    pulumiConfigJson?: string;
    /** How long to wait for the port line. Default 30 s. */
    startTimeoutMs?: number;
    /** Called for every captured line, as it arrives. */
    onLog?: (line: HostLogLine) => void;
}

/**
 * The repository root: the nearest directory above this file with a package.json (this file is
 * `<root>/engine-harness/host.ts`, compiled to `<root>/dist/engine-harness/host.js`).
 */
export function defaultProjectDir(): string {
    let dir = dirname(__filename);
    while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) {
        dir = dirname(dir);
    }
    return dir;
}

// ---- request/response shapes (engine-side view of provider.proto) ----

export interface ConfigureArgs {
    args: PropertyMap;
    variables?: Record<string, string>;
    acceptSecrets?: boolean;
    acceptResources?: boolean;
    sendsOldInputs?: boolean;
    sendsOldInputsToDelete?: boolean;
    urn?: string;
    name?: string;
    type?: string;
    id?: string;
}
export interface ConfigureResult {
    acceptSecrets: boolean;
    supportsPreview: boolean;
    acceptResources: boolean;
    acceptOutputs: boolean;
    supportsAutonamingConfiguration: boolean;
}
export interface CheckArgs {
    urn: string;
    olds: PropertyMap;
    news: PropertyMap;
    randomSeed?: Uint8Array;
}
export interface CheckFailure {
    property: string;
    reason: string;
}
export interface CheckResult {
    /** Undefined when the host sent no inputs (it always does). */
    inputs: PropertyMap | undefined;
    failures: CheckFailure[];
}
export interface DiffArgs {
    urn: string;
    id: string;
    olds: PropertyMap;
    news: PropertyMap;
    oldInputs?: PropertyMap;
    ignoreChanges?: string[];
}
export type DiffChanges = "unknown" | "none" | "some";
export interface DiffResult {
    changes: DiffChanges;
    replaces: string[];
    stables: string[];
    diffs: string[];
    deleteBeforeReplace: boolean;
    hasDetailedDiff: boolean;
}
export interface CreateArgs {
    urn: string;
    properties: PropertyMap;
    timeout?: number;
    preview?: boolean;
}
export interface CreateResult {
    id: string;
    properties: PropertyMap;
}
export interface ReadArgs {
    urn: string;
    id: string;
    properties?: PropertyMap;
    inputs?: PropertyMap;
    timeout?: number;
}
export interface ReadResult {
    id: string;
    properties: PropertyMap | undefined;
    inputs: PropertyMap | undefined;
}
export interface UpdateArgs {
    urn: string;
    id: string;
    olds: PropertyMap;
    news: PropertyMap;
    oldInputs?: PropertyMap;
    timeout?: number;
    preview?: boolean;
    ignoreChanges?: string[];
}
export interface UpdateResult {
    properties: PropertyMap;
}
export interface DeleteArgs {
    urn: string;
    id: string;
    properties: PropertyMap;
    oldInputs?: PropertyMap;
    timeout?: number;
}

/** `pulumirpc.ErrorResourceInitFailed`: the resource exists but failed to initialize. */
export interface InitFailure {
    id: string;
    properties: PropertyMap;
    reasons: string[];
    inputs: PropertyMap | undefined;
}

/** A failed RPC. `initFailure` is set when the host attached ErrorResourceInitFailed details. */
export class ProviderCallError extends Error {
    constructor(
        readonly rpc: string,
        readonly code: number,
        readonly details: string,
        readonly initFailure: InitFailure | undefined,
    ) {
        super(details);
        this.name = "ProviderCallError";
    }
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → the name and type fields the engine sends alongside. */
export function splitUrn(urn: string): { name: string; type: string } {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    const types = qualified.split("$");
    return { type: types[types.length - 1], name: parts.slice(3).join("::") };
}

// ---- marshalling ----

interface Targeted {
    setUrn(value: string): unknown;
    setName(value: string): unknown;
    setType(value: string): unknown;
}

/** Sets the urn and the name/type fields the engine derives from it. */
function target<T extends Targeted>(req: T, urn: string): T {
    const { name, type } = splitUrn(urn);
    req.setUrn(urn);
    req.setName(name);
    req.setType(type);
    return req;
}

type Struct = InstanceType<typeof structpb.Struct>;
type StructInput = Parameters<typeof structpb.Struct.fromJavaScript>[0];

function toStruct(m: PropertyMap): Struct {
    return structpb.Struct.fromJavaScript(m as StructInput);
}
function fromStruct(s: Struct | undefined): PropertyMap | undefined {
    return s ? (s.toJavaScript() as PropertyMap) : undefined;
}

const diffChanges: Record<number, DiffChanges> = {
    [providerpb.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
    [providerpb.DiffResponse.DiffChanges.DIFF_NONE]: "none",
    [providerpb.DiffResponse.DiffChanges.DIFF_SOME]: "some",
};

interface GrpcError {
    code?: number;
    details?: string;
    message?: string;
    metadata?: { get(key: string): unknown[] };
}

/** Decodes `grpc-status-details-bin` the way the engine's parseError does. */
function decodeInitFailure(err: GrpcError): InitFailure | undefined {
    const raw = err.metadata?.get("grpc-status-details-bin")?.[0];
    if (!(raw instanceof Uint8Array)) {
        return undefined;
    }
    const status = statuspb.Status.deserializeBinary(raw);
    for (const detail of status.getDetailsList()) {
        if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") {
            continue;
        }
        const init = providerpb.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
        return {
            id: init.getId(),
            properties: fromStruct(init.getProperties()) ?? {},
            reasons: init.getReasonsList(),
            inputs: fromStruct(init.getInputs()),
        };
    }
    return undefined;
}

// ---- the host ----

export class ProviderHost {
    private readonly lines: HostLogLine[] = [];
    private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private killed = false;
    /** Resolves when the process has exited. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

    private constructor(
        private readonly proc: ChildProcess,
        readonly port: number,
        private readonly client: ResourceProviderClient,
        exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
        earlyLines: HostLogLine[],
    ) {
        this.exited = exited.then((info) => (this.exitInfo = info));
        this.lines.push(...earlyLines);
    }

    /**
     * Resolves once the host has printed nothing for `idleMs` (at most `maxMs`): stdout/stderr travel on
     * pipes that are not ordered with the gRPC socket, so a line printed during a call can trail its answer.
     */
    async outputSettled(idleMs = 30, maxMs = 500): Promise<void> {
        const started = Date.now();
        let seen = this.lines.length;
        for (;;) {
            await new Promise((resolve) => setTimeout(resolve, idleMs));
            if (this.lines.length === seen || Date.now() - started >= maxMs || !this.alive) return;
            seen = this.lines.length;
        }
    }

    /** Spawns the host and resolves once it printed its port and a client is connected. */
    static async start(options: HostOptions): Promise<ProviderHost> {
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.PULUMI_NODEJS_ENGINE;
        delete env.PULUMI_NODEJS_MONITOR;
        env.PULUMI_NODEJS_PROJECT = options.project;
        env.PULUMI_PROJECT = options.project;
        if (options.pulumiConfigJson !== undefined) {
            env.PULUMI_CONFIG = options.pulumiConfigJson;
        }
        Object.assign(env, options.env ?? {});

        const proc = spawn(process.execPath, [dynamicProviderEntry, "127.0.0.1:0"], {
            cwd: options.cwd ?? defaultProjectDir(),
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const pid = proc.pid ?? -1;
        const early: HostLogLine[] = [];
        let host: ProviderHost | undefined;
        const record = (stream: "stdout" | "stderr", text: string): void => {
            const line: HostLogLine = { stream, text, time: Date.now(), pid };
            if (host) {
                host.lines.push(line);
            } else {
                early.push(line);
            }
            options.onLog?.(line);
        };

        // "close" (not "exit"): fires once stdout/stderr are drained, so no line is lost.
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
            proc.once("close", (code, signal) => res({ code, signal }));
        });
        let portLine: ((port: number) => void) | undefined;
        const portPromise = new Promise<number>((res) => (portLine = res));
        let sawPort = false;
        createInterface({ input: proc.stdout! }).on("line", (text) => {
            if (!sawPort) {
                sawPort = true;
                portLine?.(Number(text.trim()));
                return;
            }
            record("stdout", text);
        });
        createInterface({ input: proc.stderr! }).on("line", (text) => record("stderr", text));

        const timeoutMs = options.startTimeoutMs ?? 30_000;
        let timer: NodeJS.Timeout | undefined;
        const port = await Promise.race([
            portPromise,
            exited.then(({ code, signal }) => {
                const output = early.map((l) => l.text).join("\n");
                throw new Error(`dynamic-provider host exited before printing its port (code ${code}, signal ${signal}):\n${output}`);
            }),
            new Promise<never>((_, rej) => {
                timer = setTimeout(() => rej(new Error(`dynamic-provider host printed no port within ${timeoutMs} ms`)), timeoutMs);
            }),
        ])
            .catch((error: unknown) => {
                // A host that never became usable must not outlive the attempt (it would idle forever).
                proc.kill("SIGKILL");
                throw error;
            })
            .finally(() => clearTimeout(timer));
        if (!Number.isInteger(port) || port <= 0) {
            proc.kill("SIGKILL");
            throw new Error(`dynamic-provider host printed an invalid port line`);
        }

        // Same channel limits the SDK itself uses (runtime/settings.js grpcChannelOptions).
        const client = new providergrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        host = new ProviderHost(proc, port, client, exited, early);
        return host;
    }

    get pid(): number {
        return this.proc.pid ?? -1;
    }

    /** True until the process has exited (or was killed through {@link kill}). */
    get alive(): boolean {
        return this.exitInfo === undefined && !this.killed && this.proc.exitCode === null && this.proc.signalCode === null;
    }

    /** Every stdout/stderr line captured so far (after the port line). */
    logs(): HostLogLine[] {
        return [...this.lines];
    }

    /** Sends a signal to the host, e.g. SIGKILL to simulate a crash mid-operation. */
    kill(signal: NodeJS.Signals = "SIGKILL"): void {
        if (this.alive) {
            this.killed = true;
            this.proc.kill(signal);
        }
    }

    /** Closes the client and ends the process (SIGTERM, then SIGKILL after 2 s). */
    async stop(): Promise<void> {
        this.client.close();
        if (!this.alive) {
            return;
        }
        this.proc.kill("SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
            this.exited,
            new Promise<void>((res) => {
                timer = setTimeout(() => {
                    this.proc.kill("SIGKILL");
                    res();
                }, 2000);
            }),
        ]);
        clearTimeout(timer);
        await this.exited;
    }

    // ---- typed RPC wrappers ----

    private unary<Req, Res>(rpc: string, req: Req): Promise<Res> {
        const method = (this.client as unknown as Record<string, unknown>)[rpc] as (
            req: Req,
            cb: (err: GrpcError | null, res: Res) => void,
        ) => void;
        return new Promise<Res>((res, rej) => {
            method.call(this.client, req, (err, value) => {
                if (err) {
                    rej(new ProviderCallError(rpc, err.code ?? -1, err.details ?? err.message ?? "", decodeInitFailure(err)));
                } else {
                    res(value);
                }
            });
        });
    }

    async getPluginInfo(): Promise<{ version: string }> {
        type PluginInfo = { getVersion(): string };
        const info = await this.unary<InstanceType<typeof emptypb.Empty>, PluginInfo>("getPluginInfo", new emptypb.Empty());
        return { version: info.getVersion() };
    }

    /**
     * The engine sends Handshake when it launches a provider; the dynamic host answers
     * UNIMPLEMENTED and the engine falls back to Configure. Resolves `false` in that case.
     */
    async handshake(projectDir: string): Promise<boolean> {
        const req = new providerpb.ProviderHandshakeRequest();
        req.setEngineAddress("127.0.0.1:0");
        req.setRootDirectory(projectDir);
        req.setProgramDirectory(projectDir);
        req.setConfigureWithUrn(true);
        req.setSupportsViews(true);
        req.setSupportsRefreshBeforeUpdate(true);
        try {
            await this.unary("handshake", req);
            return true;
        } catch (e) {
            if (e instanceof ProviderCallError && e.code === grpc.status.UNIMPLEMENTED) {
                return false;
            }
            throw e;
        }
    }

    async configure(a: ConfigureArgs): Promise<ConfigureResult> {
        const req = new providerpb.ConfigureRequest();
        req.setArgs(toStruct(a.args));
        const vars = req.getVariablesMap();
        for (const [k, v] of Object.entries(a.variables ?? {})) {
            vars.set(k, v);
        }
        req.setAcceptsecrets(a.acceptSecrets ?? true);
        req.setAcceptresources(a.acceptResources ?? true);
        req.setSendsOldInputs(a.sendsOldInputs ?? true);
        req.setSendsOldInputsToDelete(a.sendsOldInputsToDelete ?? true);
        if (a.urn !== undefined) req.setUrn(a.urn);
        if (a.name !== undefined) req.setName(a.name);
        if (a.type !== undefined) req.setType(a.type);
        if (a.id !== undefined) req.setId(a.id);
        const resp = await this.unary<typeof req, InstanceType<typeof providerpb.ConfigureResponse>>("configure", req);
        return {
            acceptSecrets: resp.getAcceptsecrets(),
            supportsPreview: resp.getSupportspreview(),
            acceptResources: resp.getAcceptresources(),
            acceptOutputs: resp.getAcceptoutputs(),
            supportsAutonamingConfiguration: resp.getSupportsAutonamingConfiguration(),
        };
    }

    async check(a: CheckArgs): Promise<CheckResult> {
        const req = target(new providerpb.CheckRequest(), a.urn);
        req.setOlds(toStruct(a.olds));
        req.setNews(toStruct(a.news));
        if (a.randomSeed) req.setRandomseed(a.randomSeed);
        const resp = await this.unary<typeof req, InstanceType<typeof providerpb.CheckResponse>>("check", req);
        return {
            inputs: fromStruct(resp.getInputs()),
            failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(a: DiffArgs): Promise<DiffResult> {
        const req = target(new providerpb.DiffRequest(), a.urn);
        req.setId(a.id);
        req.setOlds(toStruct(a.olds));
        req.setNews(toStruct(a.news));
        if (a.oldInputs) req.setOldInputs(toStruct(a.oldInputs));
        req.setIgnorechangesList(a.ignoreChanges ?? []);
        const resp = await this.unary<typeof req, InstanceType<typeof providerpb.DiffResponse>>("diff", req);
        return {
            changes: diffChanges[resp.getChanges()] ?? "unknown",
            replaces: resp.getReplacesList(),
            stables: resp.getStablesList(),
            diffs: resp.getDiffsList(),
            deleteBeforeReplace: resp.getDeletebeforereplace(),
            hasDetailedDiff: resp.getHasdetaileddiff(),
        };
    }

    async create(a: CreateArgs): Promise<CreateResult> {
        const req = target(new providerpb.CreateRequest(), a.urn);
        req.setProperties(toStruct(a.properties));
        req.setTimeout(a.timeout ?? 0);
        req.setPreview(a.preview ?? false);
        const resp = await this.unary<typeof req, InstanceType<typeof providerpb.CreateResponse>>("create", req);
        return { id: resp.getId(), properties: fromStruct(resp.getProperties()) ?? {} };
    }

    async read(a: ReadArgs): Promise<ReadResult> {
        const req = target(new providerpb.ReadRequest(), a.urn);
        req.setId(a.id);
        if (a.properties) req.setProperties(toStruct(a.properties));
        if (a.inputs) req.setInputs(toStruct(a.inputs));
        req.setTimeout(a.timeout ?? 0);
        const resp = await this.unary<typeof req, InstanceType<typeof providerpb.ReadResponse>>("read", req);
        return { id: resp.getId(), properties: fromStruct(resp.getProperties()), inputs: fromStruct(resp.getInputs()) };
    }

    async update(a: UpdateArgs): Promise<UpdateResult> {
        const req = target(new providerpb.UpdateRequest(), a.urn);
        req.setId(a.id);
        req.setOlds(toStruct(a.olds));
        req.setNews(toStruct(a.news));
        if (a.oldInputs) req.setOldInputs(toStruct(a.oldInputs));
        req.setTimeout(a.timeout ?? 0);
        req.setPreview(a.preview ?? false);
        req.setIgnorechangesList(a.ignoreChanges ?? []);
        const resp = await this.unary<typeof req, InstanceType<typeof providerpb.UpdateResponse>>("update", req);
        return { properties: fromStruct(resp.getProperties()) ?? {} };
    }

    async delete(a: DeleteArgs): Promise<void> {
        const req = target(new providerpb.DeleteRequest(), a.urn);
        req.setId(a.id);
        req.setProperties(toStruct(a.properties));
        if (a.oldInputs) req.setOldInputs(toStruct(a.oldInputs));
        req.setTimeout(a.timeout ?? 0);
        await this.unary("delete", req);
    }
}
