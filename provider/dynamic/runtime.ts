import { ConfigSource, ProviderSettings, configProblems, readProviderSettings } from "../client/settings";
import { materialTextForms } from "../wrapping/encodings";
import { checkInputs } from "./check";
import { PartialFailure } from "./afterImport";
import { exitWhenCliDies } from "./orphanWatch";
import { ProviderContext, createMaterial, deleteMaterial, diffMaterial, readMaterial, updateMaterial } from "./operations";
import { MaterialInputs, MaterialOutputs, plainInputs } from "./properties";
import { RotationInputs, RotationOutputs, applyRotation, checkRotation, deleteRotation, diffRotation, readRotation } from "./rotation";

/**
 * The provider implementation as the dynamic-provider host runs it. The serialized `__provider` stored in
 * every stack is only a small shim that requires this module by package path at run time, so:
 * - stored state stays small and never embeds this code;
 * - a stack created with an older version runs the installed version on refresh and destroy;
 * - the shim → runtime contract (`dispatch(apiVersion, method, args)`) must stay backward compatible, and
 *   this file must stay at `dist/provider/dynamic/runtime.js`.
 */

export const API_VERSION = 1;

type Props = Record<string, unknown>;

/** Stack configuration from `configure` (called once per host process, before any other method). */
let providerSettings: ProviderSettings = {};

/** The resource kinds this runtime implements; every shim names its own. */
export type ResourceKind = "ImportedKeyMaterial" | "KeyMaterialRotation";

export async function dispatch(apiVersion: number, method: string, args: unknown[], kind: ResourceKind = "ImportedKeyMaterial"): Promise<unknown> {
    if (apiVersion > API_VERSION) {
        throw new Error(`this stack was written by a newer pulumi-kms-byok (provider API ${apiVersion}); upgrade the package`);
    }
    const secrets = secretsIn(args);
    const context: ProviderContext = {
        settings: providerSettings,
        env: process.env,
        log: (message) => console.error(`pulumi-kms-byok: ${redact(message, secrets)}`),
    };
    // Its own logger: the watch outlives this call, and context.log carries this call's secrets for redaction.
    exitWhenCliDies((message) => console.error(`pulumi-kms-byok: ${message}`));
    try {
        if (method === "configure") {
            const config = (args[0] as { config: ConfigSource }).config;
            providerSettings = readProviderSettings(config);
            for (const problem of configProblems(config)) context.log(problem);
            return undefined;
        }
        return kind === "KeyMaterialRotation" ? await run(ROTATION, context, method, args) : await run(MATERIAL, context, method, args);
    } catch (error) {
        throw redactError(error, secrets);
    }
}

/**
 * One resource kind's operations, on engine-shaped arguments: `inputs` are checked inputs (plain values),
 * `olds` the stored outputs. Every kind answers the same seven calls; `run` unpacks them once.
 */
interface ResourceOperations<I, O> {
    check(olds: Props, news: Props): unknown;
    diff(context: ProviderContext, olds: O, news: I, providerChanged: boolean): unknown;
    create(context: ProviderContext, inputs: I): Promise<{ id: string; outs: O }>;
    read(context: ProviderContext, id: string, olds: O): Promise<unknown>;
    update(context: ProviderContext, id: string, olds: O, news: I): Promise<O>;
    delete(context: ProviderContext, olds: O): unknown;
}

const MATERIAL: ResourceOperations<MaterialInputs, MaterialOutputs> = {
    check: (olds, news) => checkInputs(olds, news, new Date()),
    diff: diffMaterial,
    create: createMaterial,
    read: readMaterial,
    update: updateMaterial,
    delete: deleteMaterial,
};

const ROTATION: ResourceOperations<RotationInputs, RotationOutputs> = {
    check: (_olds, news) => checkRotation(news),
    diff: diffRotation,
    create: applyRotation,
    read: readRotation,
    update: async (context, _id, _olds, news) => (await applyRotation(context, news)).outs,
    delete: deleteRotation,
};

async function run<I, O>(ops: ResourceOperations<I, O>, context: ProviderContext, method: string, args: unknown[]): Promise<unknown> {
    const [a, b, c] = args as [unknown, unknown, unknown];
    // The engine strips secrets from what it sends; plainInputs tolerates an envelope anyway.
    const inputs = (props: unknown) => plainInputs(props as Props) as unknown as I;
    const outputs = (props: unknown) => props as O;
    switch (method) {
        case "check":
            return ops.check(a as Props, b as Props);
        case "diff":
            return ops.diff(context, outputs(b), inputs(c), (b as Props)["__provider"] !== (c as Props)["__provider"]);
        case "create":
            return withProvider(a as Props, () => ops.create(context, inputs(a)));
        case "read":
            return ops.read(context, a as string, outputs(b));
        case "update":
            return withProvider(c as Props, async () => ({ outs: await ops.update(context, a as string, outputs(b), inputs(c)) }));
        case "delete":
            return ops.delete(context, outputs(b));
        default:
            throw new Error(`pulumi-kms-byok: unknown provider method ${method}`);
    }
}

/** A partial failure's outputs must carry `__provider`, or the engine could not run delete on them later. */
async function withProvider<T>(props: Props, operation: () => Promise<T>): Promise<T> {
    try {
        return await operation();
    } catch (error) {
        if (error instanceof PartialFailure) error.properties["__provider"] = props["__provider"];
        throw error;
    }
}

/** Every form in which a material could leak into a message (see materialTextForms). */
export function secretsIn(args: unknown[]): string[] {
    const found = new Set<string>();
    for (const arg of args) {
        if (!arg || typeof arg !== "object") continue;
        const value = plainInputs(arg as Props)["keyMaterial"];
        if (typeof value === "string" && value.length >= 8) for (const form of materialTextForms(value)) found.add(form);
    }
    return [...found];
}

function redact(text: string, secrets: string[]): string {
    return secrets.reduce((t, secret) => t.split(secret).join("[secret]"), text);
}

/** Defence in depth: no message is built from material, but none may carry it even by accident. */
function redactError(error: unknown, secrets: string[]): unknown {
    if (!(error instanceof Error) || secrets.length === 0) return error;
    error.message = redact(error.message, secrets);
    if (error.stack) error.stack = redact(error.stack, secrets);
    return error;
}
