// The engine's provider-plugin layer (sdk/go/common/resource/plugin/provider_plugin.go) between
// the step logic and a provider. Everything the engine does to a request or response on its way
// to or from the plugin happens here, for the dynamic-provider host:
//
//  - secrets: the host answers Configure with acceptSecrets=false, so every request is marshalled
//    with KeepSecrets=false (envelopes stripped), and after Check/Create/Update/Read the secret
//    bit is copied back onto same-named results (`annotateSecrets`);
//  - preview: the host answers supportsPreview=false, so Create/Update during preview are not
//    sent at all; the checked inputs are returned as the outputs;
//  - Create with an empty id fails like the engine: "plugin for package 'pulumi-nodejs' returned
//    empty resource.ID from create '<urn>'";
//  - an error carrying ErrorResourceInitFailed becomes a partial failure (InitError) that keeps
//    the id, the properties and the reasons;
//  - Read with an empty id means the resource is gone.

import { randomBytes } from "node:crypto";
import type { CheckFailure, ConfigureResult, DiffChanges, ProviderHost } from "./host";
import { ProviderCallError } from "./host";
import { annotateSecrets, stripSecretsMap, type PropertyMap } from "./values";

export interface PluginCheckResult {
    inputs: PropertyMap;
    failures: CheckFailure[];
}

export interface PluginDiffResult {
    changes: DiffChanges;
    replaceKeys: string[];
    /** Keys the provider (or the engine's own input diff) reported as changed; undefined = not reported. */
    changedKeys: string[] | undefined;
    deleteBeforeReplace: boolean;
}

export interface PluginReadResult {
    id: string;
    outputs: PropertyMap;
    /** Inputs the provider reported (ReadResult.inputs); undefined keeps the stored inputs. */
    inputs: PropertyMap | undefined;
}

/** A partial failure: the resource exists (id, outputs) but failed to initialize (reasons). */
export class InitError extends Error {
    constructor(
        message: string,
        readonly id: string,
        readonly outputs: PropertyMap,
        readonly reasons: string[],
    ) {
        super(message);
        this.name = "InitError";
    }
}

export interface PluginUpdateRequest {
    urn: string;
    id: string;
    oldInputs: PropertyMap;
    oldOutputs: PropertyMap;
    newInputs: PropertyMap;
    timeout: number | undefined;
    preview: boolean;
}

/** What the step logic needs from a provider. `preview` is the engine's DryRun. */
export interface Plugin {
    check(urn: string, olds: PropertyMap, news: PropertyMap, preview: boolean): Promise<PluginCheckResult>;
    diff(urn: string, id: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, newInputs: PropertyMap, preview: boolean): Promise<PluginDiffResult>;
    create(urn: string, inputs: PropertyMap, timeout: number | undefined, preview: boolean): Promise<{ id: string; outputs: PropertyMap }>;
    /** Undefined when the resource no longer exists. */
    read(urn: string, id: string, inputs: PropertyMap, outputs: PropertyMap): Promise<PluginReadResult | undefined>;
    update(req: PluginUpdateRequest): Promise<{ outputs: PropertyMap }>;
    delete(urn: string, id: string, inputs: PropertyMap, outputs: PropertyMap, timeout: number | undefined): Promise<void>;
}

/** Turns a host error into the engine's view: a partial failure or a plain error. */
function fromCallError(e: unknown, fallbackId: string, inputs: PropertyMap, back: (outs: PropertyMap, ins: PropertyMap) => PropertyMap): unknown {
    if (e instanceof ProviderCallError && e.initFailure) {
        const outs = back(e.initFailure.properties, inputs);
        return new InitError(e.message, e.initFailure.id || fallbackId, outs, e.initFailure.reasons);
    }
    return e;
}

/** A configured host and what it answered to Configure. */
export interface ConfiguredHost {
    host: ProviderHost;
    caps: ConfigureResult;
    /** GetPluginInfo's version. */
    version: string;
}

/**
 * The `pulumi-nodejs` provider: the real dynamic-provider host, configured by the registry. What
 * the engine does depends on the capabilities the host answered to Configure, as in the engine:
 * secrets are kept in requests only if acceptSecrets, and Create/Update run during preview only
 * if supportsPreview. (The 3.270 host answers false to both.)
 */
export class DynamicPlugin implements Plugin {
    constructor(private readonly connect: () => Promise<ConfiguredHost>) {}

    /** The host, and marshal/unmarshal functions for its capabilities. */
    private async session(): Promise<{
        host: ProviderHost;
        caps: ConfigureResult;
        out: (m: PropertyMap) => PropertyMap;
        back: (outs: PropertyMap, ins: PropertyMap) => PropertyMap;
    }> {
        const { host, caps } = await this.connect();
        return {
            host,
            caps,
            out: (m) => (caps.acceptSecrets ? m : stripSecretsMap(m)),
            back: (outs, ins) => (caps.acceptSecrets ? outs : annotateSecrets(outs, ins)),
        };
    }

    async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<PluginCheckResult> {
        const { host, out, back } = await this.session();
        const resp = await host.check({ urn, olds: out(olds), news: out(news), randomSeed: randomBytes(32) });
        return { inputs: back(resp.inputs ?? {}, news), failures: resp.failures };
    }

    async diff(urn: string, id: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, newInputs: PropertyMap): Promise<PluginDiffResult> {
        const { host, out } = await this.session();
        const resp = await host.diff({ urn, id, olds: out(oldOutputs), news: out(newInputs), oldInputs: out(oldInputs) });
        return {
            changes: resp.changes,
            replaceKeys: resp.replaces,
            changedKeys: resp.diffs.length > 0 ? resp.diffs : undefined,
            deleteBeforeReplace: resp.deleteBeforeReplace,
        };
    }

    async create(urn: string, inputs: PropertyMap, timeout: number | undefined, preview: boolean): Promise<{ id: string; outputs: PropertyMap }> {
        const { host, caps, out, back } = await this.session();
        if (preview && !caps.supportsPreview) {
            return { id: "", outputs: inputs };
        }
        let resp;
        try {
            resp = await host.create({ urn, properties: out(inputs), timeout, preview });
        } catch (e) {
            throw fromCallError(e, "", inputs, back);
        }
        if (resp.id === "" && !preview) {
            throw new Error(`plugin for package 'pulumi-nodejs' returned empty resource.ID from create '${urn}'`);
        }
        return { id: resp.id, outputs: back(resp.properties, inputs) };
    }

    async read(urn: string, id: string, inputs: PropertyMap, outputs: PropertyMap): Promise<PluginReadResult | undefined> {
        const { host, out, back } = await this.session();
        const resp = await host.read({ urn, id, properties: out(outputs), inputs: out(inputs) });
        if (!resp.id) {
            return undefined;
        }
        return {
            id: resp.id,
            outputs: back(resp.properties ?? {}, outputs),
            inputs: resp.inputs ? back(resp.inputs, inputs) : undefined,
        };
    }

    async update({ urn, id, oldInputs, oldOutputs, newInputs, timeout, preview }: PluginUpdateRequest): Promise<{ outputs: PropertyMap }> {
        const { host, caps, out, back } = await this.session();
        if (preview && !caps.supportsPreview) {
            return { outputs: newInputs };
        }
        try {
            const resp = await host.update({ urn, id, olds: out(oldOutputs), news: out(newInputs), oldInputs: out(oldInputs), timeout, preview });
            return { outputs: back(resp.properties, newInputs) };
        } catch (e) {
            throw fromCallError(e, id, newInputs, back);
        }
    }

    async delete(urn: string, id: string, inputs: PropertyMap, outputs: PropertyMap, timeout: number | undefined): Promise<void> {
        const { host, out } = await this.session();
        await host.delete({ urn, id, properties: out(outputs), oldInputs: out(inputs), timeout });
    }
}
