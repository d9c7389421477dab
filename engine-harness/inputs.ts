// Turning a declaration's inputs into the property map the program would have registered.
//
// What the language SDK does before RegisterResource: every ref(...) becomes the referenced
// resource's current value, secret if that output is secret, and UNKNOWN during preview when it
// is not known yet (the referenced resource is being created or replaced, or the output is not
// among its preview outputs). The referenced resources become the resource's dependencies and
// property dependencies.

import { OutputRef, type InputValue, type Inputs } from "./program";
import type { ResourceState } from "./state";
import { UNKNOWN, type JsonValue, type PropertyMap } from "./values";

export interface ResolvedInputs {
    props: PropertyMap;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

/** `registered`: this operation's new state of every resource declared so far, by name. */
export function resolveInputs(inputs: Inputs, registered: Map<string, ResourceState>, dryRun: boolean): ResolvedInputs {
    const props: PropertyMap = {};
    const all = new Set<string>();
    const propertyDependencies: Record<string, string[]> = {};

    const resolve = (v: InputValue, deps: Set<string>): JsonValue | undefined => {
        if (v instanceof OutputRef) {
            const target = registered.get(v.resource);
            if (!target) {
                throw new Error(`ref("${v.resource}", "${v.property}"): no resource "${v.resource}" was declared before this one`);
            }
            deps.add(target.urn);
            if (v.property === "urn") {
                return target.urn;
            }
            if (v.property === "id") {
                return target.id === "" ? UNKNOWN : target.id;
            }
            if (v.property in target.outputs) {
                return target.outputs[v.property];
            }
            // Preview: a property the resource did not (yet) report is unknown. Update: undefined.
            return dryRun ? UNKNOWN : undefined;
        }
        if (Array.isArray(v)) {
            return v.map((x) => resolve(x, deps) ?? null);
        }
        if (typeof v === "object" && v !== null) {
            const out: { [key: string]: JsonValue } = {};
            for (const [k, x] of Object.entries(v)) {
                const r = resolve(x, deps);
                if (r !== undefined) {
                    out[k] = r;
                }
            }
            return out;
        }
        return v;
    };

    for (const [key, value] of Object.entries(inputs)) {
        const deps = new Set<string>();
        const r = resolve(value, deps);
        if (r !== undefined) {
            props[key] = r;
        }
        if (deps.size > 0) {
            propertyDependencies[key] = [...deps];
            deps.forEach((u) => all.add(u));
        }
    }
    return { props, dependencies: [...all], propertyDependencies };
}

/** Names of the resources a declaration's inputs reference (ref(...) anywhere in them). */
export function referencedNames(inputs: Inputs): Set<string> {
    const names = new Set<string>();
    const visit = (v: InputValue): void => {
        if (v instanceof OutputRef) {
            names.add(v.resource);
        } else if (Array.isArray(v)) {
            v.forEach(visit);
        } else if (typeof v === "object" && v !== null) {
            Object.values(v).forEach(visit);
        }
    };
    Object.values(inputs).forEach(visit);
    return names;
}
