import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime";

/**
 * A Pulumi program run under `pulumi.runtime.setMocks` — Pulumi's own unit-test path, where no provider code
 * runs — and every resource registration captured as the engine would receive it: type, name, inputs with
 * their secret envelopes, the serialized `__provider` of dynamic resources, dependencies and
 * additionalSecretOutputs. Used for the programs in examples/, which declare @pulumi/aws resources whose
 * provider plugin cannot run offline; what our provider does is tested through the real CLI (test/cli).
 *
 * The mocks answer each registration with placeholder outputs (`__ref__:<name>:<output>`), so a value one
 * resource passes to another (key.arn → keyId) shows up as that placeholder in the other's inputs.
 */

export const isSecretEnvelope = (value: unknown): boolean =>
    !!value && typeof value === "object" && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;

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
    inputs: Record<string, unknown>;
}

export interface CaptureOptions {
    project: string;
    stack: string;
    /** Stack config, keys as `namespace:key` (a key without ':' gets the project's namespace). */
    config?: Record<string, string>;
    /** Config keys whose values are secrets (as `pulumi config set --secret`). */
    secretConfig?: string[];
}

const PLACEHOLDER_OUTPUTS = ["arn", "keyId", "keyArn", "keyMaterialId", "keyMaterialState", "publicKey", "region"];

/** Runs `load` (which requires or builds the program) under mocks and returns every registration. */
export async function capturePulumiProgram(load: () => unknown, options: CaptureOptions): Promise<CapturedResource[]> {
    const qualify = (key: string) => (key.includes(":") ? key : `${options.project}:${key}`);
    const config = Object.fromEntries(Object.entries(options.config ?? {}).map(([k, v]) => [qualify(k), v]));
    pulumi.runtime.setAllConfig(config, (options.secretConfig ?? []).map(qualify));
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: `__ref__:${args.name}:id`,
                state: {
                    ...(args.inputs as Record<string, unknown>),
                    ...Object.fromEntries(PLACEHOLDER_OUTPUTS.map((o) => [o, `__ref__:${args.name}:${o}`])),
                },
            }),
            call: (args) => args.inputs as Record<string, unknown>,
        },
        options.project,
        options.stack,
        false,
    );
    const captured: CapturedResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource: (req: RegisterRequest, cb: unknown) => unknown;
    };
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

/** The parts of pulumirpc.RegisterResourceRequest read here. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getCustom(): boolean;
    getParent(): string;
    getDependenciesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
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

export const EXAMPLES = ["basic", "rotation", "multi-region", "asymmetric"] as const;
export type ExampleName = (typeof EXAMPLES)[number];
/** Config keys the examples read as secrets. */
export const EXAMPLE_SECRET_CONFIG = ["keyMaterial", "nextKeyMaterial", "signingKey", "rsaKey", "macKey"];

/** Runs examples/<name>/index.ts under mocks with this stack config and returns every registration it makes. */
export async function captureExample(name: ExampleName, config: Record<string, string>): Promise<CapturedResource[]> {
    const entry = resolve(__dirname, "../../examples", name, "index.js");
    return capturePulumiProgram(
        () => {
            // A program runs once per `pulumi up`; so does each load here.
            delete require.cache[require.resolve(entry)];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- re-runs the program
            require(entry);
        },
        { project: "kms-byok", stack: "dev", config, secretConfig: EXAMPLE_SECRET_CONFIG },
    );
}
