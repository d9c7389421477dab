// The engine's provider-plugin layer (sdk/go/common/resource/plugin/provider_plugin.go) between
// the step logic and a provider. Everything the engine does to a request or response on its way
// to or from the plugin happens here, for the dynamic-provider host:
//
//  - secrets: the host answered Configure with acceptSecrets=false, so every request is marshalled
//    with KeepSecrets=false (envelopes stripped), and after Check/Create/Update/Read the secret
//    bit is copied back onto same-named results (`annotateSecrets`);
//  - preview: the host answered supportsPreview=false, so Create/Update during preview are not
//    sent at all; the checked inputs are returned as the outputs;
//  - Create with an empty id fails like the engine: "plugin for package 'pulumi-nodejs' returned
//    empty resource.ID from create '<urn>'";
//  - an error carrying ErrorResourceInitFailed becomes a partial failure (InitError) that keeps
//    the id, the properties and the reasons;
//  - Read with an empty id means the resource is gone.

import { randomBytes } from "node:crypto";
import type { CheckFailure, DiffChanges, ProviderHost } from "./host";
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
function fromCallError(e: unknown, fallbackId: string, inputs: PropertyMap): unknown {
    if (e instanceof ProviderCallError && e.initFailure) {
        const outs = annotateSecrets(e.initFailure.properties, inputs);
        return new InitError(e.message, e.initFailure.id || fallbackId, outs, e.initFailure.reasons);
    }
    return e;
}

/** The `pulumi-nodejs` provider: the real dynamic-provider host, configured by the registry. */
export class DynamicPlugin implements Plugin {
    constructor(private readonly host: () => Promise<ProviderHost>) {}

    async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<PluginCheckResult> {
        const host = await this.host();
        const resp = await host.check({ urn, olds: stripSecretsMap(olds), news: stripSecretsMap(news), randomSeed: randomBytes(32) });
        return { inputs: annotateSecrets(resp.inputs ?? {}, news), failures: resp.failures };
    }

    async diff(urn: string, id: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, newInputs: PropertyMap): Promise<PluginDiffResult> {
        const host = await this.host();
        const resp = await host.diff({
            urn,
            id,
            olds: stripSecretsMap(oldOutputs),
            news: stripSecretsMap(newInputs),
            oldInputs: stripSecretsMap(oldInputs),
        });
        return {
            changes: resp.changes,
            replaceKeys: resp.replaces,
            changedKeys: resp.diffs.length > 0 ? resp.diffs : undefined,
            deleteBeforeReplace: resp.deleteBeforeReplace,
        };
    }

    async create(urn: string, inputs: PropertyMap, timeout: number | undefined, preview: boolean): Promise<{ id: string; outputs: PropertyMap }> {
        if (preview) {
            return { id: "", outputs: inputs };
        }
        const host = await this.host();
        let resp;
        try {
            resp = await host.create({ urn, properties: stripSecretsMap(inputs), timeout });
        } catch (e) {
            throw fromCallError(e, "", inputs);
        }
        if (resp.id === "") {
            throw new Error(`plugin for package 'pulumi-nodejs' returned empty resource.ID from create '${urn}'`);
        }
        return { id: resp.id, outputs: annotateSecrets(resp.properties, inputs) };
    }

    async read(urn: string, id: string, inputs: PropertyMap, outputs: PropertyMap): Promise<PluginReadResult | undefined> {
        const host = await this.host();
        const resp = await host.read({ urn, id, properties: stripSecretsMap(outputs), inputs: stripSecretsMap(inputs) });
        if (!resp.id) {
            return undefined;
        }
        return {
            id: resp.id,
            outputs: annotateSecrets(resp.properties ?? {}, outputs),
            inputs: resp.inputs ? annotateSecrets(resp.inputs, inputs) : undefined,
        };
    }

    async update({ urn, id, oldInputs, oldOutputs, newInputs, timeout, preview }: PluginUpdateRequest): Promise<{ outputs: PropertyMap }> {
        if (preview) {
            return { outputs: newInputs };
        }
        const host = await this.host();
        try {
            const resp = await host.update({
                urn,
                id,
                olds: stripSecretsMap(oldOutputs),
                news: stripSecretsMap(newInputs),
                oldInputs: stripSecretsMap(oldInputs),
                timeout,
            });
            return { outputs: annotateSecrets(resp.properties, newInputs) };
        } catch (e) {
            throw fromCallError(e, id, newInputs);
        }
    }

    async delete(urn: string, id: string, inputs: PropertyMap, outputs: PropertyMap, timeout: number | undefined): Promise<void> {
        const host = await this.host();
        await host.delete({ urn, id, properties: stripSecretsMap(outputs), oldInputs: stripSecretsMap(inputs), timeout });
    }
}
