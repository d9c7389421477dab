import { ProviderSettings, readProviderSettings } from "../client/settings";
import type { ConfigSource } from "../client/stackConfig";
import { PIN_ENV, SO_PIN_ENV } from "../hsm/pin";
import { checkInputs } from "../material/check";
import { checkSecretsElsewhere, failureCollector, oversizedInputs } from "../checks/rules";
import { CheckOutcome } from "../checks/answers";
import { checkHsmToken } from "../checks/hsmToken";
import { checkSettings } from "../checks/clientSettings";
import { Redactor } from "../checks/redaction";
import { safeError, safeFailures, safeText } from "./safeReplies";
import { PartialFailure } from "../material/finishImport";
import { KeyMaterialError } from "../kms/errors";
import { exitWhenCliDies } from "./orphanWatch";
import { createMaterial, deleteMaterial, diffMaterial, readMaterial, updateMaterial } from "../material/lifecycle";
import { ProviderContext } from "../client/context";
import { MaterialInputs, MaterialOutputs } from "../material/properties";
import { plainInputs } from "../checks/engineValues";
import { onceInThisHost } from "./saidOnce";
import {
    RotationInputs,
    RotationOutputs,
    applyRotation,
    checkRotation,
    deleteRotation,
    diffRotation,
    readRotation,
} from "../rotation/lifecycle";
import { newMaterialExpiryWarning } from "../material/renewal";

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

export async function dispatch(
    apiVersion: number,
    method: string,
    args: unknown[],
    kind: ResourceKind = "ImportedKeyMaterial",
): Promise<unknown> {
    if (apiVersion > API_VERSION) {
        throw new Error(
            `this stack was written by a newer pulumi-kms-byok (provider API ${apiVersion}); upgrade the package`,
        );
    }
    // This call's secrets, and nothing of them once it returns (see redaction.ts).
    const redactor = redactorFor(args, providerSettings);
    // The engine plans a resource twice in a deployment with refresh (see saidOnce.ts): one line per event.
    const say = method === "diff" ? onceInThisHost(console.error) : console.error;
    const context: ProviderContext = {
        settings: providerSettings,
        env: process.env,
        log: (message) => say(`pulumi-kms-byok: ${safeText(redactor, message)}`),
    };
    // Its own logger: the watch outlives this call, and context.log carries this call's secrets for redaction.
    exitWhenCliDies((message) => console.error(`pulumi-kms-byok: ${message}`));
    try {
        if (method === "configure") {
            // Never throws: the host caches the provider before configure returns, so a throw here would leave
            // it unconfigured for every later call. Problems are kept, reported by check (preview) and refused
            // by every operation before its first request.
            providerSettings = readProviderSettings((args[0] as { config: ConfigSource }).config);
            for (const problem of providerSettings.problems ?? []) context.log(`stack configuration: ${problem}`);
            return undefined;
        }
        const result =
            kind === "KeyMaterialRotation"
                ? await run(ROTATION, context, method, args)
                : await run(MATERIAL, context, method, args);
        if (method !== "check") return result;
        // The checked inputs carry the material to the engine (which stores it as a secret); the failures are shown.
        const outcome = result as CheckOutcome;
        return { ...outcome, failures: safeFailures(redactor, outcome.failures) };
    } catch (error) {
        throw safeError(redactor, error);
    } finally {
        redactor.dispose();
    }
}

/** The material in any argument (inputs, old inputs), and the secret credentials from stack configuration. */
function redactorFor(args: unknown[], settings: ProviderSettings): Redactor {
    const redactor = new Redactor();
    for (const arg of args) redactor.addFromProperties(arg);
    for (const secret of [settings.credentials?.secretKey, settings.credentials?.token])
        if (secret) redactor.addSecretText(secret);
    // Token PINs and module parameters (hsmKey): no message is built from one; these are scrubbed too (if 8 characters
    // or more).
    const fromArgs = (name: string) => args.map((arg) => plainInputs((arg ?? {}) as Props)[name]);
    const hsmSecrets = [
        settings.hsmPin,
        settings.hsmSoPin,
        settings.hsmModuleParameters,
        process.env[PIN_ENV],
        process.env[SO_PIN_ENV],
        ...fromArgs("hsmPin"),
        ...fromArgs("hsmModuleParameters"),
    ];
    for (const secret of hsmSecrets) {
        if (typeof secret === "string") redactor.addSecretText(secret);
    }
    return redactor;
}

/**
 * One resource kind's operations, on engine-shaped arguments: `inputs` are checked inputs (plain values),
 * `olds` the stored outputs. Every kind answers the same seven calls; `run` unpacks them once.
 */
interface ResourceOperations<I, O> {
    check(context: ProviderContext, olds: Props, news: Props): unknown;
    diff(context: ProviderContext, olds: O, news: I, providerChanged: boolean): unknown;
    create(context: ProviderContext, inputs: I): Promise<{ id: string; outs: O }>;
    read(context: ProviderContext, id: string, olds: O): Promise<unknown>;
    update(context: ProviderContext, id: string, olds: O, news: I): Promise<O>;
    delete(context: ProviderContext, olds: O, id: string): unknown;
}

const MATERIAL: ResourceOperations<MaterialInputs, MaterialOutputs> = {
    check: checkMaterial,
    diff: diffMaterial,
    create: createMaterial,
    read: readMaterial,
    update: updateMaterial,
    delete: deleteMaterial,
};

/**
 * check, then what the token says when the inputs passed (hsmKey), plus the expiry warning of a new resource's
 * fixed validTo (existing ones are warned about by diff).
 */
async function checkMaterial(context: ProviderContext, olds: Props, news: Props): Promise<CheckOutcome> {
    const now = new Date();
    const checked = withSettings(checkInputs(olds, news, now), news, context);
    const outcome =
        checked.failures.length > 0 ? checked : { ...checked, failures: await checkHsmToken(olds, news, context) };
    const warning =
        outcome.failures.length === 0 && Object.keys(olds).length === 0
            ? newMaterialExpiryWarning(plainInputs(news), now, context.settings)
            : undefined;
    if (warning) context.log(warning);
    return outcome;
}

const ROTATION: ResourceOperations<RotationInputs, RotationOutputs> = {
    check: (context, _olds, news) => withSettings(checkRotation(news), news, context),
    diff: diffRotation,
    create: applyRotation,
    read: readRotation,
    update: async (context, _id, _olds, news) => (await applyRotation(context, news)).outs,
    delete: deleteRotation,
};

async function run<I, O>(
    ops: ResourceOperations<I, O>,
    context: ProviderContext,
    method: string,
    args: unknown[],
): Promise<unknown> {
    const [a, b, c] = args as [unknown, unknown, unknown];
    // The engine strips secrets from what it sends; plainInputs tolerates an envelope anyway.
    const inputs = (props: unknown) => plainInputs(props as Props) as unknown as I;
    const outputs = (props: unknown) => props as O;
    switch (method) {
        case "check":
            return ops.check(context, a as Props, b as Props);
        case "diff":
            return ops.diff(context, outputs(b), inputs(c), (b as Props)["__provider"] !== (c as Props)["__provider"]);
        case "create":
            refuseOversized(method, a as Props);
            return withProvider(a as Props, () => ops.create(context, inputs(a)));
        case "read":
            return ops.read(context, a as string, outputs(b));
        case "update":
            refuseOversized(method, c as Props);
            return withProvider(c as Props, async () => ({
                outs: await ops.update(context, a as string, outputs(b), inputs(c)),
            }));
        case "delete":
            return ops.delete(context, outputs(b), a as string);
        default:
            throw new Error(`pulumi-kms-byok: unknown provider method ${method}`);
    }
}

/**
 * The input checks, then what they cannot see on their own: the material pasted into another input, and what
 * depends on the stack's configuration and the host's environment (endpoint trust, credentials, bounds).
 */
function withSettings(outcome: CheckOutcome, news: Props, context: ProviderContext): CheckOutcome {
    const inputs = plainInputs(news);
    if (oversizedInputs(inputs).length > 0) return outcome;
    const { fail, failures } = failureCollector(inputs);
    checkSecretsElsewhere(inputs, fail);
    return { inputs: outcome.inputs, failures: [...outcome.failures, ...failures(), ...checkSettings(news, context)] };
}

/**
 * Inputs check refuses for their length, reaching create or update anyway (check bypassed, or a state written
 * by an older version): refused before anything is derived from them, in a fixed text.
 */
function refuseOversized(method: string, props: Props | undefined): void {
    const oversized = oversizedInputs(plainInputs(props ?? {}));
    if (oversized.length === 0) return;
    throw new KeyMaterialError(
        `refusing to ${method}: ${oversized.map((o) => `${o.name} (${o.length} characters)`).join(", ")} ` +
            `${oversized.length > 1 ? "are" : "is"} longer ` +
            "than any valid value, and pulumi preview refuses it; nothing was sent to KMS and the values are not shown",
    );
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
