// What every operation shares: the deployment context and the engine rules that are not
// specific to one kind of step.

import type { Plugin } from "./plugin";
import type { Program, ResourceDeclaration } from "./program";
import { DEFAULT_PROVIDER_TYPE, type ProviderRegistry } from "./providers";
import { Bail, type Recorder } from "./result";
import type { ProviderSerializer, SerializedProvider } from "./serialize";
import type { Snapshot } from "./snapshot";
import { StandInPlugin } from "./standin";
import type { ResourceState } from "./state";
import { UNKNOWN, isSecret, secret, type JsonValue } from "./values";

export interface Deployment {
    project: string;
    stack: string;
    /** The engine's DryRun: preview. */
    dryRun: boolean;
    snapshot: Snapshot;
    recorder: Recorder;
    registry: ProviderRegistry;
    serializer: ProviderSerializer;
    /** Serialized `__provider` per resource name, from this operation. */
    serialized: Map<string, SerializedProvider>;
    /** The program (for stand-ins; destroy and refresh do not run it). */
    program: Program;
    /** At most this many resource operations at once (`--parallel`); 1 = sequential. */
    parallel: number;
}

export const STANDIN_PROVIDER = "standin";

export function isDynamicState(res: ResourceState): boolean {
    return res.provider.includes(`::${DEFAULT_PROVIDER_TYPE}::`);
}

/** The stand-in for a stored resource: the declaration of the same name, else of the same type. */
function findStandIn(program: Program, res: ResourceState): ResourceDeclaration | undefined {
    const name = nameOf(res.urn);
    const withStandIn = program.filter((d) => d.standIn !== undefined);
    return withStandIn.find((d) => d.name === name && d.type === res.type) ?? withStandIn.find((d) => d.type === res.type);
}

/** The plugin that manages a stored resource. */
export function pluginFor(d: Deployment, res: ResourceState): Plugin {
    if (isDynamicState(res)) {
        return d.registry.dynamic;
    }
    const decl = findStandIn(d.program, res);
    if (!decl?.standIn) {
        throw new Error(`no stand-in declared for ${res.type} (${res.urn}); pass the program that declares it`);
    }
    return new StandInPlugin(decl.standIn);
}

/**
 * Secret outputs the step executor adds after every step with a new state: each key in
 * additionalSecretOutputs (`id` refused with the engine's warning), and every top-level output
 * whose same-named input is secret.
 */
export function markSecretOutputs(d: Deployment, res: ResourceState): void {
    for (const k of res.additionalSecretOutputs ?? []) {
        if (k === "id") {
            d.recorder.warn("The 'id' property cannot be made secret. See pulumi/pulumi#2717 for more details.", res.urn);
        } else if (k in res.outputs && !isSecret(res.outputs[k])) {
            res.outputs[k] = secret(res.outputs[k]);
        }
    }
    for (const [k, out] of Object.entries(res.outputs)) {
        if (!isSecret(out) && k in res.inputs && isSecret(res.inputs[k])) {
            res.outputs[k] = secret(out);
        }
    }
}

/** Go's `%v` of a PropertyValue as in the CLI's check-failure message (secrets never shown). */
export function formatPropertyValue(v: JsonValue | undefined): string {
    if (v === undefined || v === null) {
        return "{<nil>}";
    }
    if (isSecret(v)) {
        return "{[secret]}";
    }
    if (v === UNKNOWN) {
        return "output<string>{}";
    }
    return `{${typeof v === "string" ? v : JSON.stringify(v)}}`;
}

export function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

export function errorMessage(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** Records a failed step's error in the result and stops the operation. */
export function fail(d: Deployment, urn: string | undefined, e: unknown, reasons?: string[]): never {
    const message = errorMessage(e);
    d.recorder.errors.push({ urn, message, ...(reasons ? { reasons } : {}) });
    throw new Bail(message);
}
