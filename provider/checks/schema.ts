import type * as pulumi from "@pulumi/pulumi";
import type { InputType } from "./rules";

/**
 * What a resource schema is made of (material/schema.ts, rotation/schema.ts, resource/byokKeySchema.ts), and the
 * types and lists derived from one. A schema is a `const` object per direction (inputs, outputs; a name in both is
 * an input the resource also reports), one entry per property: its type, whether it is secret, what a change
 * does, its default, and its doc, which is the JSDoc written on the entry: the mapped types below keep it, so
 * the user's editor shows it on the Args and on the resource's outputs, and tools/docs/generate.ts writes it into
 * docs/resources/*.md. Modelled on terraform-provider-aws's schema maps
 * (Optional / Computed / ForceNew / Sensitive on each attribute), with Pulumi's split of inputs and outputs.
 */

/** A property's type: how the reference shows it and, for the compiler only, the type of its plain value. */
export interface ShownType<TPlain> {
    readonly shown: string;
    /** Never set: carries the TypeScript type of the value (as the provider receives or stores it). */
    readonly plain?: TPlain;
}

/** An input's type: also what check enforces, and the type a program passes (with pulumi.Input inside). */
export interface InputKind<TPlain, TArg = TPlain> extends ShownType<TPlain> {
    readonly check: InputType;
    /** Never set: the type of the argument inside its pulumi.Input. */
    readonly arg?: TArg;
}

export const string = <T extends string = string>(shown = "string"): InputKind<T> => ({ check: "string", shown });
export const boolean = (): InputKind<boolean> => ({ check: "boolean", shown: "boolean" });
export const number = (shown = "number"): InputKind<number> => ({ check: "number", shown });
export const stringList = (shown: string): InputKind<string[], pulumi.Input<string>[]> => ({
    check: "string list",
    shown,
});
export const object = <TPlain, TArg>(shown: string): InputKind<TPlain, TArg> => ({ check: "object", shown });
/** An output's type: the JSON value the state stores (null where KMS reports nothing). */
export const output = <T>(shown: string): ShownType<T> => ({ shown });

/**
 * What changing an input does at the next `pulumi up`: nothing (no effect on the plan); recorded (in the outputs,
 * no KMS call; used from the next import or call on); reimport (the same material imported again in place, the
 * key usable throughout); rotate (RotateKeyOnDemand); replace (a new resource, created before the old one is
 * deleted); refused (a preview error). ByokKey's own key arguments: key (as aws.kms.ExternalKey applies them).
 */
export type ChangeEffect = "nothing" | "recorded" | "reimport" | "rotate" | "replace" | "refused" | "key";

export interface InputSpec {
    readonly type: InputKind<unknown, unknown>;
    /** Required by the type (a missing one is also refused at preview). */
    readonly required?: true;
    /**
     * Stored only as a secret, never in the outputs. "material": its value is key material (redaction derives its
     * encodings); "credential": what unlocks it (a PIN, a library's parameters).
     */
    readonly secret?: "material" | "credential";
    readonly change: ChangeEffect;
    /** The default, in the reference's words (Markdown); none when absent. */
    readonly default?: string;
}

export interface OutputSpec {
    readonly type: ShownType<unknown>;
    /** The input of the same name as applied, or this value when the input is omitted (buildOutputs copies it). */
    readonly echo?: null | false;
    /** Absent from states written by older versions (read as null, or false): optional in the stored type. */
    readonly absentInOldStates?: true;
}

export type InputSchema = Readonly<Record<string, InputSpec>>;
export type OutputSchema = Readonly<Record<string, OutputSpec>>;

type PlainOf<P> = P extends { readonly type: { readonly plain?: infer T } } ? T : never;
type ArgOf<P> = P extends { readonly type: { readonly arg?: infer T } } ? T : never;
type RequiredNames<S> = { [K in keyof S]: S[K] extends { readonly required: true } ? K : never }[keyof S];
type OldStateNames<S> = { [K in keyof S]: S[K] extends { readonly absentInOldStates: true } ? K : never }[keyof S];

/** The inputs as the provider receives them: plain values (the engine resolved the pulumi.Inputs). */
export type PlainInputs<S extends InputSchema> = {
    -readonly [K in keyof S as K extends RequiredNames<S> ? K : never]: PlainOf<S[K]>;
} & {
    -readonly [K in keyof S as K extends RequiredNames<S> ? never : K]?: PlainOf<S[K]>;
};

/** What a program writes: each input as a pulumi.Input, unless `Override` types it otherwise (a type parameter). */
export type ArgsOf<S extends InputSchema, Override = object> = {
    -readonly [K in keyof S as K extends RequiredNames<S> ? K : never]: K extends keyof Override
        ? Override[K]
        : pulumi.Input<ArgOf<S[K]>>;
} & {
    -readonly [K in keyof S as K extends RequiredNames<S> ? never : K]?: K extends keyof Override
        ? Override[K]
        : pulumi.Input<ArgOf<S[K]>>;
};

/** The outputs as the state stores them (JSON: null, never undefined; optional where old states lack them). */
export type StoredOutputs<S extends OutputSchema> = {
    -readonly [K in keyof S as K extends OldStateNames<S> ? never : K]: PlainOf<S[K]>;
} & {
    -readonly [K in keyof S as K extends OldStateNames<S> ? K : never]?: PlainOf<S[K]>;
};

/** The outputs a resource object declares: each a pulumi.Output, unless `Override` types it otherwise. */
export type DeclaredOutputs<S extends OutputSchema, Override = object> = {
    readonly [K in keyof S]: K extends keyof Override ? Override[K] : pulumi.Output<Exclude<PlainOf<S[K]>, undefined>>;
};

export const namesOf = <S extends object>(schema: S): readonly (keyof S & string)[] =>
    Object.keys(schema) as (keyof S & string)[];

/**
 * The secret inputs (of one kind): the resource wraps them in pulumi.secret and lists them in additionalSecretOutputs.
 */
export const secretNames = (schema: InputSchema, kind?: InputSpec["secret"]): readonly string[] =>
    namesOf(schema).filter((name) =>
        kind === undefined ? schema[name].secret !== undefined : schema[name].secret === kind,
    );

/** check's type rules: the type each input must have. */
export const typeRules = (schema: InputSchema): ReadonlyMap<string, InputType> =>
    new Map(namesOf(schema).map((name) => [name, schema[name].type.check]));

type EchoedNames<S> = { [K in keyof S]: S[K] extends { readonly echo: unknown } ? K : never }[keyof S];

/** The outputs that are inputs as applied (`echo`), each the input's value, or the echo when it is omitted. */
export function echoedInputs<S extends OutputSchema>(
    schema: S,
    inputs: object,
): Pick<StoredOutputs<S>, Extract<EchoedNames<S>, keyof StoredOutputs<S>>> {
    const given = inputs as Record<string, unknown>;
    const echoes = namesOf(schema).flatMap((name) => {
        const echo = schema[name].echo;
        return echo === undefined ? [] : [[name, given[name] ?? echo] as const];
    });
    return Object.fromEntries(echoes) as Pick<StoredOutputs<S>, Extract<EchoedNames<S>, keyof StoredOutputs<S>>>;
}

/**
 * Which of the echoed inputs `names` an update would change in the outputs: the stored value (absent from an old
 * state: the echo) against what applying `news` stores (omitted: the echo). Compared as JSON (lists, objects).
 */
export function changedEchoes<S extends OutputSchema>(
    schema: S,
    names: readonly Extract<EchoedNames<S>, string>[],
    olds: object,
    news: object,
): string[] {
    const stored = olds as Record<string, unknown>;
    const given = news as Record<string, unknown>;
    return names.filter((name) => {
        const echo = schema[name].echo;
        return JSON.stringify(stored[name] ?? echo) !== JSON.stringify(given[name] ?? echo);
    });
}

/** The props a resource registers: every output seeded (a resource resolves only the properties present). */
export const seededOutputs = (schema: OutputSchema): Record<string, undefined> =>
    Object.fromEntries(namesOf(schema).map((name) => [name, undefined]));
