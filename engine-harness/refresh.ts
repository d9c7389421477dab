// Refresh: `pulumi refresh`, and the refresh phase of `preview --refresh` / `up --refresh`
// (RefreshStep.Apply in step.go).
//
// Each resource in state (except one pending replacement) is Read with `properties` = stored
// OUTPUTS (so the host runs the `__provider` stored in the outputs) and `inputs` = stored inputs.
//  - An empty id means the resource is gone: it leaves the state (and a later up recreates it).
//  - Otherwise the read outputs replace the stored ones, returned `inputs` (ReadResult.inputs)
//    replace the stored inputs, and init errors are cleared (set again only by a partial failure).
//  - To decide what the user is shown, the engine then calls Diff "the other way round":
//    olds = refreshed outputs, news = stored inputs, oldInputs = refreshed inputs, falling back to
//    its own input diff on DIFF_UNKNOWN. No changes → the resource shows as unchanged; changes →
//    as an update. The CLI's `[diff: …]` for `pulumi refresh` lists the output keys that changed.
// In a preview the reads really happen, but nothing is written. Refreshes run in parallel.

import { fail, markSecretOutputs, nameOf, pluginFor, type Deployment } from "./deployment";
import type { PluginReadResult } from "./plugin";
import { runTasks } from "./schedule";
import type { ResourceState } from "./state";
import { anyChanges, diffKeys, valueChanges, valuesEqual } from "./values";

export async function refreshResources(d: Deployment): Promise<void> {
    const olds = d.snapshot.remainingOlds().filter((res) => !res.pendingReplacement);
    // Refresh steps do not depend on each other: all of them run, at most `parallel` at once.
    await runTasks(olds, () => [], d.parallel, (res) => refreshStep(d, res));
}

async function refreshStep(d: Deployment, old: ResourceState): Promise<void> {
    const record = { urn: old.urn, name: nameOf(old.urn), type: old.type, op: "refresh" as const };
    await d.recorder.step(
        record,
        async (rec) => {
            const plugin = pluginFor(d, old);
            let read: PluginReadResult | undefined;
            try {
                read = await plugin.read(old.urn, old.id, old.inputs, old.outputs);
            } catch (e) {
                fail(d, old.urn, e);
            }
            if (!read) {
                rec.refresh = { result: "delete", outputDiff: diffKeys(old.outputs, {}), outputChanges: {}, inputDiff: diffKeys(old.inputs, {}) };
                d.snapshot.retire(old);
                await d.snapshot.persist();
                return;
            }
            const neu: ResourceState = { ...old, id: read.id || old.id, inputs: read.inputs ?? old.inputs, outputs: read.outputs };
            delete neu.initErrors;
            markSecretOutputs(d, neu);
            if (!valuesEqual(neu.inputs, old.inputs) || !valuesEqual(neu.outputs, old.outputs)) {
                neu.modified = new Date().toISOString();
            }

            let diff;
            try {
                diff = await plugin.diff(old.urn, neu.id, neu.inputs, neu.outputs, old.inputs, d.dryRun);
            } catch (e) {
                fail(d, old.urn, e);
            }
            const changes = diff.changes === "unknown" ? (anyChanges(diffKeys(neu.inputs, old.inputs)) ? "some" : "none") : diff.changes;
            rec.providerDiff = diff.changes;
            rec.changes = changes;
            rec.refresh = {
                result: changes === "none" ? "same" : "update",
                outputDiff: diffKeys(old.outputs, neu.outputs),
                outputChanges: valueChanges(old.outputs, neu.outputs, diffKeys(old.outputs, neu.outputs).updates),
                inputDiff: diffKeys(old.inputs, neu.inputs),
            };
            d.snapshot.replaceInPlace(old, neu);
            await d.snapshot.persist();
        },
        true,
    );
}
