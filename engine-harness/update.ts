// `pulumi preview` / `pulumi up`: the step generator and executor for a program
// (step_generator.go generateSteps / continueStepsFromDiff, step.go Apply). Resources are
// registered in program order, at most `parallel` at once (schedule.ts): a resource starts once
// every resource it references or names in dependsOn has finished. Simplification: a resource's
// Check and Diff run in its slot with its steps (the engine runs them in the step generator).
//
// Per resource: Check (olds = old inputs, or {} when new; news = program inputs + __provider),
// then Create when there is no old state, else Diff (olds = old OUTPUTS, news = checked inputs,
// oldInputs). DIFF_UNKNOWN makes the engine diff old inputs against new inputs itself,
// `__provider` included. Changes with replace keys replace (Check again with olds = {}; create
// before delete unless the options or the provider ask for delete-before-replace); other changes
// update; no changes is a SameStep that keeps the OLD outputs, unless the resource has init errors
// from a partial failure, which always gets an Update. After the program, pending deletes of
// replacements and resources no longer in the program are deleted, dependents first.
// A failure stops the operation (steps in flight finish); deletes then do not run.

import { condemnedAfterUpdate, deleteResources, deleteStep } from "./deletes";
import { STANDIN_PROVIDER, fail, formatPropertyValue, markSecretOutputs, nameOf, type Deployment } from "./deployment";
import { referencedNames, resolveInputs } from "./inputs";
import { InitError, type Plugin, type PluginDiffResult } from "./plugin";
import { makeUrn, type Program, type ResourceDeclaration } from "./program";
import { defaultProviderRef } from "./providers";
import { Bail, type StepRecord } from "./result";
import { runTasks } from "./schedule";
import type { SerializedProvider } from "./serialize";
import { StandInPlugin } from "./standin";
import type { ResourceState } from "./state";
import { anyChanges, changedKeys, clone, diffKeys, secret, type KeyDiff, type PropertyMap } from "./values";

/** What a diff decided, as recorded on the step. */
type DiffInfo = Pick<StepRecord, "diff" | "providerDiff" | "changes" | "replaceKeys">;

export async function runProgram(d: Deployment): Promise<void> {
    const registered = new Map<string, ResourceState>();
    // Which declaration `registered` holds for a name: the latest one, as in a sequential run.
    const registeredIndex = new Map<string, number>();
    const seen = new Set<string>();
    await runTasks(d.program, (i) => prerequisites(d.program, i), d.parallel, async (decl, i) => {
        const res = await registerResource(d, decl, registered, seen);
        if ((registeredIndex.get(decl.name) ?? -1) < i) {
            registered.set(decl.name, res);
            registeredIndex.set(decl.name, i);
        }
    });
    await deleteResources(d, condemnedAfterUpdate(d, seen));
}

/**
 * The declarations a resource waits for: every earlier declaration of a name it references
 * (ref(...) in its inputs) or names in dependsOn. A name not declared earlier is left to
 * registerResource, which reports it.
 */
function prerequisites(program: Program, i: number): number[] {
    const decl = program[i];
    const names = new Set([...referencedNames(decl.inputs), ...(decl.options?.dependsOn ?? [])]);
    const out: number[] = [];
    for (let j = 0; j < i; j++) {
        if (names.has(program[j].name)) {
            out.push(j);
        }
    }
    return out;
}

async function registerResource(d: Deployment, decl: ResourceDeclaration, registered: Map<string, ResourceState>, seen: Set<string>): Promise<ResourceState> {
    const urn = makeUrn(d.stack, d.project, decl.type, decl.name);
    if (seen.has(urn)) {
        fail(d, urn, new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`));
    }
    seen.add(urn);
    const opts = decl.options ?? {};

    let resolved;
    try {
        resolved = resolveInputs(decl.inputs, registered, d.dryRun);
    } catch (e) {
        fail(d, urn, e);
    }
    const dependencies = [...resolved.dependencies];
    for (const name of opts.dependsOn ?? []) {
        const target = registered.get(name);
        if (!target) {
            fail(d, urn, new Error(`dependsOn "${name}": no resource "${name}" was declared before this one`));
        }
        if (!dependencies.includes(target.urn)) {
            dependencies.push(target.urn);
        }
    }

    const goal: PropertyMap = { ...resolved.props };
    let plugin: Plugin;
    let provider: string;
    if (decl.standIn) {
        plugin = new StandInPlugin(decl.standIn);
        provider = STANDIN_PROVIDER;
    } else {
        let sp: SerializedProvider;
        try {
            sp = await d.serializer.serialize(decl.provider);
        } catch (e) {
            fail(d, urn, e);
        }
        d.serialized.set(decl.name, sp);
        // dynamic.Resource: __provider is an Output that is secret iff the closure captured a secret.
        goal.__provider = sp.containsSecrets ? secret(sp.text) : sp.text;
        plugin = d.registry.dynamic;
        provider = defaultProviderRef(d.stack, d.project);
    }

    const neu: ResourceState = {
        urn,
        custom: true,
        type: decl.type,
        id: "",
        inputs: goal,
        outputs: {},
        provider,
        dependencies,
        propertyDependencies: resolved.propertyDependencies,
        ...(opts.additionalSecretOutputs ? { additionalSecretOutputs: [...opts.additionalSecretOutputs] } : {}),
        ...(opts.retainOnDelete ? { retainOnDelete: true } : {}),
        ...(opts.customTimeouts ? { customTimeouts: { ...opts.customTimeouts } } : {}),
    };
    const old = d.snapshot.old(urn);
    neu.inputs = await check(d, plugin, neu, old ? old.inputs : {}, goal);
    if (!old) {
        await createStep(d, plugin, neu, "create", {}, () => d.snapshot.add(neu));
        return neu;
    }
    return stepsFromDiff(d, decl, plugin, old, neu, goal);
}

/** Check; failures are reported like the CLI (every one of them) and stop the operation. */
async function check(d: Deployment, plugin: Plugin, neu: ResourceState, olds: PropertyMap, goal: PropertyMap): Promise<PropertyMap> {
    let resp;
    try {
        resp = await plugin.check(neu.urn, olds, goal, d.dryRun);
    } catch (e) {
        fail(d, neu.urn, e);
    }
    if (resp.failures.length > 0) {
        const name = nameOf(neu.urn);
        for (const f of resp.failures) {
            const message = f.property
                ? `${neu.type} resource '${name}'s property '${f.property}' value ${formatPropertyValue(goal[f.property])} has a problem: ${f.reason}`
                : `${neu.type} resource '${name}' has a problem: ${f.reason}`;
            d.recorder.checkFailures.push({ urn: neu.urn, name, type: neu.type, property: f.property, reason: f.reason, message });
        }
        throw new Bail();
    }
    return resp.inputs;
}

/** The CLI's `[diff: …]`: old inputs → new inputs, limited to the changed keys the diff reported. */
function displayDiff(oldInputs: PropertyMap, newInputs: PropertyMap, keys: string[] | undefined): KeyDiff {
    const all = diffKeys(oldInputs, newInputs);
    if (!keys) {
        return all;
    }
    const keep = (xs: string[]): string[] => xs.filter((k) => keys.includes(k));
    return { adds: keep(all.adds), deletes: keep(all.deletes), updates: keep(all.updates) };
}

async function stepsFromDiff(
    d: Deployment,
    decl: ResourceDeclaration,
    plugin: Plugin,
    old: ResourceState,
    neu: ResourceState,
    goal: PropertyMap,
): Promise<ResourceState> {
    let diff: PluginDiffResult;
    let providerDiff: StepRecord["providerDiff"];
    if (old.provider !== neu.provider) {
        // The provider reference changed: the engine replaces, blaming "provider".
        diff = { changes: "some", replaceKeys: ["provider"], changedKeys: undefined, deleteBeforeReplace: false };
    } else {
        try {
            diff = await plugin.diff(neu.urn, old.id, old.inputs, old.outputs, neu.inputs, d.dryRun);
        } catch (e) {
            fail(d, neu.urn, e);
        }
        providerDiff = diff.changes;
        if (diff.changes === "unknown") {
            // diffResource: the provider could not tell, so the engine diffs the inputs itself.
            const own = diffKeys(old.inputs, neu.inputs);
            diff = { ...diff, changes: anyChanges(own) ? "some" : "none", changedKeys: changedKeys(own) };
        }
    }
    const info: DiffInfo = {
        diff: displayDiff(old.inputs, neu.inputs, diff.changedKeys),
        providerDiff,
        changes: diff.changes === "some" ? "some" : "none",
        replaceKeys: diff.replaceKeys,
    };

    if (diff.changes === "some" || old.pendingReplacement) {
        if (diff.replaceKeys.length > 0 || old.pendingReplacement) {
            // The deleteBeforeReplace option, when set, overrides what the provider asked for.
            return replaceSteps(d, plugin, old, neu, goal, info, decl.options?.deleteBeforeReplace ?? diff.deleteBeforeReplace);
        }
        return updateStep(d, plugin, old, neu, info);
    }
    if ((old.initErrors?.length ?? 0) > 0) {
        // "If resource was unchanged, but there were initialization errors, generate an empty update step."
        return updateStep(d, plugin, old, neu, { ...info, diff: undefined });
    }
    await d.recorder.step({ ...base(neu), op: "same", ...info }, async () => {
        // SameStep.Apply: keep the old ID and the OLD outputs (with their old __provider).
        neu.id = old.id;
        neu.outputs = clone(old.outputs);
        neu.created = old.created;
        neu.modified = old.modified;
        markSecretOutputs(d, neu);
        d.snapshot.supersede(old, neu);
        await d.snapshot.persist();
    });
    return neu;
}

function base(res: ResourceState): { urn: string; name: string; type: string } {
    return { urn: res.urn, name: nameOf(res.urn), type: res.type };
}

/** Records a partial failure on the state, saves it, and stops the operation. */
async function partialFailure(d: Deployment, neu: ResourceState, e: InitError, rec: StepRecord, place: () => void): Promise<never> {
    neu.id = e.id;
    neu.outputs = e.outputs;
    neu.initErrors = e.reasons;
    rec.initErrors = e.reasons;
    markSecretOutputs(d, neu);
    place();
    await d.snapshot.persist();
    fail(d, neu.urn, e, e.reasons);
}

async function createStep(
    d: Deployment,
    plugin: Plugin,
    neu: ResourceState,
    op: "create" | "create-replacement",
    info: DiffInfo & { deleteBeforeReplace?: boolean },
    place: () => void,
): Promise<void> {
    await d.recorder.step({ ...base(neu), op, ...info }, async (rec) => {
        if (!d.dryRun) {
            await d.snapshot.begin(neu, "creating");
        }
        try {
            const r = await plugin.create(neu.urn, neu.inputs, neu.customTimeouts?.create, d.dryRun);
            neu.id = r.id;
            neu.outputs = r.outputs;
        } catch (e) {
            d.snapshot.end(neu);
            if (e instanceof InitError) {
                await partialFailure(d, neu, e, rec, place);
            }
            await d.snapshot.persist();
            fail(d, neu.urn, e);
        }
        if (!d.dryRun) {
            neu.created = neu.modified = new Date().toISOString();
        }
        markSecretOutputs(d, neu);
        d.snapshot.end(neu);
        place();
        await d.snapshot.persist();
    });
}

async function updateStep(d: Deployment, plugin: Plugin, old: ResourceState, neu: ResourceState, info: DiffInfo): Promise<ResourceState> {
    await d.recorder.step({ ...base(neu), op: "update", ...info }, async (rec) => {
        if (!d.dryRun) {
            await d.snapshot.begin(neu, "updating");
        }
        neu.id = old.id;
        neu.created = old.created;
        neu.modified = old.modified;
        try {
            const r = await plugin.update({
                urn: neu.urn,
                id: old.id,
                oldInputs: old.inputs,
                oldOutputs: old.outputs,
                newInputs: neu.inputs,
                timeout: neu.customTimeouts?.update,
                preview: d.dryRun,
            });
            neu.outputs = r.outputs;
        } catch (e) {
            d.snapshot.end(neu);
            if (e instanceof InitError) {
                await partialFailure(d, neu, e, rec, () => d.snapshot.supersede(old, neu));
            }
            await d.snapshot.persist();
            fail(d, neu.urn, e);
        }
        if (!d.dryRun) {
            neu.modified = new Date().toISOString();
        }
        markSecretOutputs(d, neu);
        d.snapshot.end(neu);
        d.snapshot.supersede(old, neu);
        await d.snapshot.persist();
    });
    return neu;
}

async function replaceSteps(
    d: Deployment,
    plugin: Plugin,
    old: ResourceState,
    neu: ResourceState,
    goal: PropertyMap,
    info: DiffInfo,
    deleteBeforeReplace: boolean,
): Promise<ResourceState> {
    // A replacement gets fresh defaults: Check again, as for a new resource.
    neu.inputs = await check(d, plugin, neu, {}, goal);
    const rec = { ...info, deleteBeforeReplace };
    if (deleteBeforeReplace) {
        if (!old.pendingReplacement) {
            await deleteStep(d, old, "delete-replaced", true);
        }
        await d.recorder.step({ ...base(neu), op: "replace", ...rec });
        await createStep(d, plugin, neu, "create-replacement", rec, () => d.snapshot.supersede(old, neu));
    } else {
        await createStep(d, plugin, neu, "create-replacement", rec, () => {
            // The old copy stays in state marked for deletion; it is deleted after the program.
            old.delete = true;
            d.snapshot.add(neu);
        });
        await d.recorder.step({ ...base(neu), op: "replace", ...rec });
    }
    return neu;
}
