// Deleting resources: the delete step, and the order deletes run in.
//
// DeleteStep.Apply (step.go): nothing happens in preview; a retainOnDelete resource is dropped
// from state without calling the provider; otherwise Delete is called with the stored OUTPUTS as
// `properties` (so the host runs the `__provider` stored in the outputs: the code as of the last
// create/update) and the old inputs as `oldInputs`. For a delete-before-replace the resource
// then stays in state marked pendingReplacement until its replacement exists.
//
// ScheduleDeletes (step_generator.go): condemned resources are peeled into antichains, each the
// resources that depend on no other condemned resource; the list is reversed, so dependents go
// first. Deletes run at most `parallel` at once (schedule.ts), each once every condemned resource
// that depends on it is deleted; with parallel 1 an antichain runs in reverse state order.

import { fail, nameOf, pluginFor, type Deployment } from "./deployment";
import type { StepOp } from "./result";
import { runTasks } from "./schedule";
import type { ResourceState } from "./state";

export interface Condemned {
    res: ResourceState;
    op: Extract<StepOp, "delete" | "delete-replaced" | "remove-pending-replace">;
}

function dependenciesOf(res: ResourceState): Set<string> {
    return new Set([...res.dependencies, ...Object.values(res.propertyDependencies).flat()]);
}

/** Condemned resources in execution order (dependents before what they depend on). */
export function scheduleDeletes(condemned: Condemned[]): Condemned[] {
    const antichains: Condemned[][] = [];
    let remaining = [...condemned];
    while (remaining.length > 0) {
        const left = remaining;
        let chain = left.filter((c) => {
            const deps = dependenciesOf(c.res);
            return !left.some((o) => o !== c && deps.has(o.res.urn));
        });
        if (chain.length === 0) {
            chain = left; // a dependency cycle cannot come from a program; do not loop forever
        }
        antichains.push(chain.reverse());
        remaining = left.filter((c) => !chain.includes(c));
    }
    return antichains.reverse().flat();
}

/**
 * One delete step. With `pendingReplacement` (delete-before-replace) the resource stays in state
 * flagged, instead of leaving it.
 */
export async function deleteStep(d: Deployment, res: ResourceState, op: Condemned["op"], pendingReplacement: boolean = false): Promise<void> {
    const retained = res.retainOnDelete === true && op !== "remove-pending-replace";
    await d.recorder.step({ urn: res.urn, name: nameOf(res.urn), type: res.type, op, ...(retained ? { retained } : {}) }, async () => {
        if (!d.dryRun && op !== "remove-pending-replace" && !retained) {
            await d.snapshot.begin(res, "deleting");
            try {
                await pluginFor(d, res).delete(res.urn, res.id, res.inputs, res.outputs, res.customTimeouts?.delete);
            } catch (e) {
                d.snapshot.end(res);
                await d.snapshot.persist();
                fail(d, res.urn, e);
            }
            d.snapshot.end(res);
        }
        if (pendingReplacement) {
            res.pendingReplacement = true;
        } else {
            d.snapshot.retire(res);
        }
        await d.snapshot.persist();
    });
}

/** Runs the deletes in dependency order, in parallel; no delete starts after a failure. */
export async function deleteResources(d: Deployment, condemned: Condemned[]): Promise<void> {
    const order = scheduleDeletes(condemned);
    // A delete waits for the deletes of the condemned resources that depend on it.
    const dependents = (i: number): number[] =>
        order.flatMap((c, j) => (j !== i && dependenciesOf(c.res).has(order[i].res.urn) ? [j] : []));
    await runTasks(order, dependents, d.parallel, (c) => deleteStep(d, c.res, c.op));
}

/** What a destroy deletes: everything in state. */
export function condemnAll(d: Deployment): Condemned[] {
    return d.snapshot.remainingOlds().map((res) => ({
        res,
        op: res.pendingReplacement ? "remove-pending-replace" : res.delete ? "delete-replaced" : "delete",
    }));
}

/** GenerateDeletes after an update: pending deletes of replacements, and resources no longer in the program. */
export function condemnedAfterUpdate(d: Deployment, seen: Set<string>): Condemned[] {
    const out: Condemned[] = [];
    for (const res of d.snapshot.remainingOlds()) {
        if (res.delete) {
            out.push({ res, op: "delete-replaced" });
        } else if (!seen.has(res.urn)) {
            out.push({ res, op: res.pendingReplacement ? "remove-pending-replace" : "delete" });
        }
    }
    return out;
}
