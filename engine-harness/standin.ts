// Stand-in resources: resources of OTHER providers in the same program.
//
// A real program declares e.g. `aws.kms.ExternalKey` next to the dynamic resource. Its provider
// plugin (pulumi-resource-aws) cannot run offline, so a test supplies a tiny in-process object
// that does the real work (for example SDK calls against a local KMS) and the harness drives it
// with the same step logic as every other resource: create, same, update/replace, refresh,
// delete, dependencies, secrets, state.
//
// This is deliberately small and NOT an emulation of that provider's plugin:
//  - no Check: inputs are taken as given (no provider defaults, no validation);
//  - Diff compares each new input with the stored output of the same name (what bridged
//    providers effectively do); any difference replaces, unless `update` is implemented;
//  - during preview nothing is called: outputs are the inputs and the id is unknown (the real
//    aws provider would preview computed outputs as unknown too);
//  - secrets are stripped from the inputs it receives; same-named outputs are made secret again.

import type { Plugin, PluginCheckResult, PluginDiffResult, PluginReadResult, PluginUpdateRequest } from "./plugin";
import { annotateSecrets, stripSecrets, stripSecretsMap, valuesEqual, type PropertyMap } from "./values";

export interface StandInResource {
    /** Creates the real thing. Outputs are JSON; wrap values with secret(...) to store them as secrets. */
    create(inputs: PropertyMap): Promise<{ id: string; outputs: PropertyMap }>;
    /**
     * For refresh: the current outputs, or undefined when the thing is gone (removed from state).
     * Without it, refresh keeps the stored outputs.
     */
    read?(id: string, outputs: PropertyMap): Promise<{ id?: string; outputs: PropertyMap } | undefined>;
    /** In-place update. Without it, any changed input replaces the resource. */
    update?(id: string, outputs: PropertyMap, inputs: PropertyMap): Promise<{ outputs: PropertyMap }>;
    /** Deletes the real thing. Without it, delete only removes the resource from state. */
    delete?(id: string, outputs: PropertyMap): Promise<void>;
}

/** Drives a {@link StandInResource} through the engine's plugin interface (see the rules above). */
export class StandInPlugin implements Plugin {
    constructor(private readonly standIn: StandInResource) {}

    async check(_urn: string, _olds: PropertyMap, news: PropertyMap): Promise<PluginCheckResult> {
        return { inputs: news, failures: [] };
    }

    async diff(_urn: string, _id: string, _oldInputs: PropertyMap, oldOutputs: PropertyMap, newInputs: PropertyMap): Promise<PluginDiffResult> {
        const changed = Object.keys(newInputs)
            .filter((k) => !valuesEqual(stripSecrets(newInputs[k]), stripSecrets(oldOutputs[k] ?? null)))
            .sort();
        return {
            changes: changed.length > 0 ? "some" : "none",
            replaceKeys: this.standIn.update ? [] : changed,
            changedKeys: changed.length > 0 ? changed : undefined,
            deleteBeforeReplace: false,
        };
    }

    async create(_urn: string, inputs: PropertyMap, _timeout: number | undefined, preview: boolean): Promise<{ id: string; outputs: PropertyMap }> {
        if (preview) {
            return { id: "", outputs: inputs };
        }
        const result = await this.standIn.create(stripSecretsMap(inputs));
        return { id: result.id, outputs: annotateSecrets({ ...result.outputs }, inputs) };
    }

    async read(_urn: string, id: string, _inputs: PropertyMap, outputs: PropertyMap): Promise<PluginReadResult | undefined> {
        if (!this.standIn.read) {
            return { id, outputs, inputs: undefined };
        }
        const result = await this.standIn.read(id, stripSecretsMap(outputs));
        if (!result) {
            return undefined;
        }
        return { id: result.id ?? id, outputs: annotateSecrets({ ...result.outputs }, outputs), inputs: undefined };
    }

    async update({ urn, id, oldOutputs, newInputs, preview }: PluginUpdateRequest): Promise<{ outputs: PropertyMap }> {
        if (preview) {
            return { outputs: newInputs };
        }
        if (!this.standIn.update) {
            throw new Error(`stand-in for ${urn} cannot be updated in place`);
        }
        const result = await this.standIn.update(id, stripSecretsMap(oldOutputs), stripSecretsMap(newInputs));
        return { outputs: annotateSecrets({ ...result.outputs }, newInputs) };
    }

    async delete(_urn: string, id: string, _inputs: PropertyMap, outputs: PropertyMap): Promise<void> {
        await this.standIn.delete?.(id, stripSecretsMap(outputs));
    }
}
