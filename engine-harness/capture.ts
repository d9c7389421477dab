// From a real Pulumi program to a harness Program. The program (for example examples/basic/index.ts)
// runs under @pulumi/pulumi's mocks, exactly as the language host would run it, and every resource
// registration is captured from the wire request the engine would receive: type, name, inputs with
// their secret envelopes, the serialized `__provider` of dynamic resources, dependencies and
// additionalSecretOutputs. The captured registrations then become harness declarations: dynamic
// resources keep their captured `__provider` text; other providers' resources get stand-ins.
//
// The mocks answer each registration with placeholder outputs (`__ref__:<name>:<output>`), so a value
// one resource passes to another (key.arn → keyId) is recognised and turned back into ref(name, output).

import * as pulumi from "@pulumi/pulumi";
import { ref, secret, type InputValue, type Program, type ResourceDeclaration } from "./program";
import { SerializedProvider } from "./serialize";
import type { StandInResource } from "./standin";
import { SECRET_SIG, SIG_KEY, type JsonValue, type PropertyMap } from "./values";

export interface CapturedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parentUrn: string;
    dependencies: string[];
    additionalSecretOutputs: string[];
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    /** Wire form: secrets as envelopes, references to other resources as `__ref__:<name>:<output>`. */
    inputs: PropertyMap;
}

export interface CaptureOptions {
    project: string;
    stack: string;
    /** Stack config, keys as `namespace:key` (a key without ':' gets the project's namespace). */
    config?: Record<string, string>;
    /** Config keys whose values are secrets (as `pulumi config set --secret`). */
    secretConfig?: string[];
    /** Output names the mocks answer with placeholders, in addition to the common ones. */
    outputs?: string[];
}

const COMMON_OUTPUTS = ["arn", "keyId", "keyArn", "keyMaterialId", "keyMaterialState", "publicKey", "region"];
const REF = /^__ref__:([^:]+):(.+)$/;

/** Runs `load` (which requires or builds the program) under mocks and returns every registration. */
export async function capturePulumiProgram(load: () => unknown, options: CaptureOptions): Promise<CapturedResource[]> {
    const qualify = (key: string) => (key.includes(":") ? key : `${options.project}:${key}`);
    const config = Object.fromEntries(Object.entries(options.config ?? {}).map(([k, v]) => [qualify(k), v]));
    pulumi.runtime.setAllConfig(config, (options.secretConfig ?? []).map(qualify));
    const placeholders = [...COMMON_OUTPUTS, ...(options.outputs ?? [])];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: `__ref__:${args.name}:id`,
                state: { ...args.inputs, ...Object.fromEntries(placeholders.map((o) => [o, `__ref__:${args.name}:${o}`])) },
            }),
            call: (args) => args.inputs,
        },
        options.project,
        options.stack,
        false,
    );
    const captured: CapturedResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterRequest, cb: unknown) => unknown };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        captured.push(fromRequest(req));
        return register(req, callback);
    };
    await load();
    // Registrations are chains of promises; the SDK's own (internal) drain waits for all of them.
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return captured;
}

/** The parts of pulumirpc.RegisterResourceRequest we read. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getObject(): { toJavaScript(): PropertyMap } | undefined;
}

function fromRequest(req: RegisterRequest): CapturedResource {
    const name = req.getName();
    const type = req.getType();
    return {
        urn: `${type}::${name}`,
        type,
        name,
        custom: req.getCustom(),
        parentUrn: req.getParent(),
        dependencies: req.getDependenciesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        retainOnDelete: req.getRetainondelete(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        inputs: req.getObject()?.toJavaScript() ?? {},
    };
}

/**
 * Harness declarations for the captured resources. Provider resources (`pulumi:providers:*`) and
 * components are left out: stand-ins carry their own endpoint, and the harness has no components (their
 * children are declared directly). A resource of another provider without a stand-in is an error.
 */
export function toProgram(captured: CapturedResource[], standIns: Record<string, StandInResource>): Program {
    return captured
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
        .map((r): ResourceDeclaration => {
            const { __provider: providerText, ...rest } = r.inputs;
            const inputs = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toInput(v)]));
            const options = {
                additionalSecretOutputs: r.additionalSecretOutputs,
                dependsOn: r.dependencies.map(nameOfUrn),
                retainOnDelete: r.retainOnDelete || undefined,
                deleteBeforeReplace: r.deleteBeforeReplace || undefined,
            };
            if (r.type.startsWith("pulumi-nodejs:dynamic")) {
                if (typeof providerText !== "string") throw new Error(`${r.name}: a dynamic resource without __provider`);
                return { name: r.name, type: r.type, provider: new SerializedProvider(providerText), inputs, options };
            }
            const standIn = standIns[r.type];
            if (!standIn) throw new Error(`${r.name}: no stand-in for ${r.type}`);
            return { name: r.name, type: r.type, standIn, inputs, options };
        });
}

function toInput(value: JsonValue): InputValue {
    if (typeof value === "string") {
        const match = REF.exec(value);
        if (match) return ref(match[1]!, match[2] === "id" ? "id" : match[2]!);
        if (value.includes("__ref__:")) throw new Error(`a reference inside a larger string is not supported: ${value}`);
        return value;
    }
    if (Array.isArray(value)) return value.map(toInput);
    if (value && typeof value === "object") {
        if (value[SIG_KEY] === SECRET_SIG) return secret(toInput(value["value"] ?? null));
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toInput(v)]));
    }
    return value;
}

const nameOfUrn = (urn: string): string => urn.slice(urn.lastIndexOf("::") + 2);
