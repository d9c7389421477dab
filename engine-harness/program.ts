// What a test writes instead of a Pulumi program: an ordered list of resource declarations.
//
// Order matters as registration order does in a real program: a resource may only reference
// resources declared before it, and the engine processes them in this order.

import type { SerializedProvider } from "./serialize";
import type { StandInResource } from "./standin";
import type { CustomTimeouts } from "./state";
import { SECRET_SIG, SIG_KEY, UNKNOWN, type JsonValue } from "./values";

/**
 * A reference to an output of a resource declared earlier in the program, like passing
 * `other.id` or `other.someOutput` as an input. During preview it is UNKNOWN while the
 * referenced resource is still to be created (or replaced); a secret output stays secret.
 */
export class OutputRef {
    constructor(
        readonly resource: string,
        readonly property: string,
    ) {}
}

/** `ref("byok", "id")`: the id (or `"urn"`, or any output key) of the resource named "byok". */
export function ref(resource: string, property: string = "id"): OutputRef {
    return new OutputRef(resource, property);
}

/** An input: plain JSON, secret(...), ref(...), or the UNKNOWN sentinel, nested freely. */
export type InputValue = JsonValue | OutputRef | InputValue[] | { [key: string]: InputValue };
export type Inputs = { [key: string]: InputValue };

/** Marks an input (or config value) secret, as `pulumi.secret(x)` does on the wire. */
export function secret(value: JsonValue): { [key: string]: JsonValue };
export function secret(value: InputValue): { [key: string]: InputValue };
export function secret(value: InputValue): { [key: string]: InputValue } {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** An input whose value is not known, as a computed value is during preview. */
export const unknown: string = UNKNOWN;

/** The resource options the harness honours, with the engine's meaning. */
export interface ResourceOptions {
    /** Output keys to store as secrets (`id` is refused with a warning, as the engine does). */
    additionalSecretOutputs?: string[];
    /** On delete, drop the resource from state without calling the provider. */
    retainOnDelete?: boolean;
    /** Overrides the provider's deleteBeforeReplace when the resource is replaced. */
    deleteBeforeReplace?: boolean;
    /** Names of earlier resources this one depends on (besides those its refs name). */
    dependsOn?: string[];
    /** Seconds; sent as the `timeout` of Create/Update/Delete. */
    customTimeouts?: CustomTimeouts;
}

/** A resource of the dynamic provider, run in the real dynamic-provider host. */
export interface DynamicResourceDeclaration {
    name: string;
    /** Full type token, e.g. `pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial` (see {@link dynamicType}). */
    type: string;
    /**
     * The provider object (serialized like dynamic.Resource does, cached per object), or ready
     * `__provider` text: a SerializedProvider (with its containsSecrets flag) or a plain string.
     */
    provider: object | SerializedProvider | string;
    inputs: Inputs;
    options?: ResourceOptions;
    standIn?: undefined;
}

/** A resource of another provider, stood in for in-process (see standin.ts). */
export interface StandInDeclaration {
    name: string;
    /** The other provider's type token, e.g. `aws:kms/externalKey:ExternalKey`. */
    type: string;
    standIn: StandInResource;
    inputs: Inputs;
    options?: ResourceOptions;
    provider?: undefined;
}

export type ResourceDeclaration = DynamicResourceDeclaration | StandInDeclaration;
export type Program = readonly ResourceDeclaration[];

/** The type token `dynamic.Resource` builds: `pulumi-nodejs:dynamic[/module]:type`. */
export function dynamicType(module?: string, type: string = "Resource"): string {
    return `pulumi-nodejs:dynamic${module ? "/" + module : ""}:${type}`;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` (top-level resources: no parent type). */
export function makeUrn(stack: string, project: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}
