// What the benchmark reports (latest.json), the figures derived from the measured phases, and the targets.

import type { PhaseName, PhaseResult } from "./phase";

/** One pass over the measured stack at one engine parallelism. */
export interface ParallelismRun {
    /** "default" (no --parallel flag) or the flag's value. */
    setting: "default" | number;
    /** The parallelism the engine used: the flag, or the CLI's default (4 × GOMAXPROCS). */
    effective: number;
    phases: PhaseResult[];
}

export interface ColdStartTrial {
    /** From the `pulumi up` spawn: the host process first seen (25 ms sampling). */
    hostSeenMs: number | undefined;
    /** The first KMS request answered (the provider's first call of the create). */
    firstKmsAnswerMs: number | undefined;
    /** The create step completed (the engine's resOutputsEvent, streamed over gRPC). */
    createDoneMs: number | undefined;
    /** The `pulumi up` process exited. */
    wallMs: number;
    /** CPU of the CLI and of the host over the whole command (sampled). */
    cliCpuMs: number;
    hostCpuMs: number;
    ok: boolean;
}

export interface ColdStart {
    trials: ColdStartTrial[];
    median: {
        hostSeenMs: number | undefined;
        firstKmsAnswerMs: number | undefined;
        createDoneMs: number | undefined;
        wallMs: number | undefined;
        cliCpuMs: number | undefined;
        hostCpuMs: number | undefined;
    };
}

export interface Sizes {
    /** Bytes of the serialized provider (`__provider`) stored with one material. */
    providerBytes: number;
    /** The checkpoint file the backend rewrites at every save, after the create. */
    stateFileBytes: number;
    stateFileBytesPerMaterial: number;
    /** `pulumi stack export` (no --show-secrets), after the create. */
    exportBytes: number;
    exportBytesPerMaterial: number;
    /** One material's entry in the export, as compact JSON (secrets encrypted). */
    entryBytes: number;
    entryInputsBytes: number;
    entryOutputsBytes: number;
    /** How many copies of `__provider` the entry holds (inputs and outputs). */
    providerCopiesInEntry: number;
    /** The entry's bytes by field (`inputs.x`, `outputs.x`, or the entry's own key, e.g. `urn`), largest first. */
    entryFieldBytes?: [string, number][];
}

export interface LoadAverage {
    atStart: number;
    atEnd: number;
    /** 1-minute load average sampled every 5 s while the bench ran. */
    mean: number;
    max: number;
}

export interface BenchResults {
    generatedAt: string;
    command: string;
    machine: {
        cpus: number;
        cpuModel: string;
        node: string;
        pulumiCli: string;
        cliDefaultParallelism: number;
        loadAverage: LoadAverage;
    };
    params: {
        materials: number;
        quotaScale: number;
        parallel: ("default" | number)[];
        coldStarts: number;
        cliEnv: Record<string, string>;
    };
    /** Every phase completed every resource with no failure, and every cold start too. */
    ok: boolean;
    runs: ParallelismRun[];
    sizes: Sizes | undefined;
    coldStart: ColdStart;
    benchWallMs: number;
}

// ---- Targets (issue 9) ----

export type Target = { kind: "ratio"; max: number } | { kind: "wall"; maxMs: number };

export const TARGETS: Record<PhaseName, Target> = {
    preview: { kind: "wall", maxMs: 10_000 },
    create: { kind: "ratio", max: 1.1 },
    refresh: { kind: "ratio", max: 2 },
    update: { kind: "ratio", max: 1.1 },
    delete: { kind: "ratio", max: 1.1 },
};

export interface TargetCheck {
    phase: PhaseName;
    target: Target;
    /** The ratio (wall ÷ bound) or the wall in ms. */
    measured: number | undefined;
    met: boolean;
}

export function checkTarget(p: PhaseResult): TargetCheck {
    const target = TARGETS[p.phase];
    const measured = target.kind === "ratio" ? p.ratio : p.wallMs;
    const limit = target.kind === "ratio" ? target.max : target.maxMs;
    const complete = p.resources === p.expected && p.failedSteps === 0 && p.errors.length === 0;
    return { phase: p.phase, target, measured, met: complete && measured !== undefined && measured <= limit };
}

export function describeTarget(t: Target): string {
    return t.kind === "ratio" ? `≤ ${t.max.toFixed(2)} × bound` : `≤ ${t.maxMs / 1000} s`;
}

// ---- KMS calls per resource ----

export interface CallsRow {
    phase: PhaseName;
    resources: number;
    /** Accepted calls per resource, by operation. */
    byOperation: Record<string, number>;
    total: number;
    /** Throttled attempts per resource (retried, not counted in total). */
    throttledPerResource: number;
    minimum: number;
}

/** The fewest KMS calls each operation of a symmetric material needs, and why. */
export const MINIMUM_CALLS: Record<PhaseName, { byOperation: Record<string, number>; note: string }> = {
    preview: { byOperation: {}, note: "a create preview runs Check only, which makes no AWS call" },
    create: {
        byOperation: { GetParametersForImport: 1, ImportKeyMaterial: 1 },
        note:
            "a wrapping key and import token (GetParametersForImport), then the import; a key's " +
            "first material needs no " +
            "ImportType and the answer carries the KeyMaterialId, so no read is required",
    },
    refresh: {
        byOperation: { DescribeKey: 1, ListKeyRotations: 1 },
        note:
            "the key's state (DescribeKey) and this material's import state and expiry (ListKeyRotations: a " +
            "symmetric key may hold several materials)",
    },
    update: {
        byOperation: { GetParametersForImport: 1, ImportKeyMaterial: 1 },
        note:
            "a validTo change is a reimport of the same bytes (EXISTING_KEY_MATERIAL with the stored " +
            "KeyMaterialId): a fresh token, then the import",
    },
    delete: {
        byOperation: { DeleteImportedKeyMaterial: 1 },
        note:
            "DeleteImportedKeyMaterial by the stored KeyMaterialId; 'already gone' (NotFoundException, pending " +
            "deletion) can be read from its error",
    },
};

export function callsPerResource(p: PhaseResult): CallsRow {
    const n = Math.max(1, p.expected);
    const byOperation = Object.fromEntries(
        Object.entries(p.accepted)
            .filter(([, calls]) => calls > 0)
            .map(([op, calls]) => [op, calls / n]),
    );
    return {
        phase: p.phase,
        resources: p.resources,
        byOperation,
        total: Object.values(byOperation).reduce((a, b) => a + b, 0),
        throttledPerResource: p.throttled / n,
        minimum: Object.values(MINIMUM_CALLS[p.phase].byOperation).reduce((a, b) => a + b, 0),
    };
}

// ---- Sizes ----

interface ExportedResource {
    urn: string;
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** Sizes from `pulumi stack export` (without --show-secrets) and the checkpoint file's size on disk. */
export function measureSizes(exportText: string, stateFileBytes: number, materials: number, name: string): Sizes {
    const exported = JSON.parse(exportText) as { deployment?: { resources?: ExportedResource[] } };
    const entry = (exported.deployment?.resources ?? []).find((r) => r.urn.endsWith(`::${name}`));
    if (!entry) throw new Error(`no ${name} in the stack export`);
    const inputs = entry.inputs ?? {};
    const outputs = entry.outputs ?? {};
    const provider = outputs["__provider"] ?? inputs["__provider"];
    const bytes = (v: unknown): number => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v));
    return {
        providerBytes: provider === undefined ? 0 : bytes(provider),
        stateFileBytes,
        stateFileBytesPerMaterial: stateFileBytes / materials,
        exportBytes: Buffer.byteLength(exportText),
        exportBytesPerMaterial: Buffer.byteLength(exportText) / materials,
        entryBytes: bytes(entry),
        entryInputsBytes: bytes(inputs),
        entryOutputsBytes: bytes(outputs),
        providerCopiesInEntry: ["inputs", "outputs"].filter((k) => "__provider" in (k === "inputs" ? inputs : outputs))
            .length,
        entryFieldBytes: fieldBytes(entry as unknown as Record<string, unknown>),
    };
}

/**
 * What an entry's bytes are: each input and output property, and each of the entry's own keys (as compact JSON, key
 * included).
 */
function fieldBytes(entry: Record<string, unknown>): [string, number][] {
    const size = (key: string, value: unknown): number => Buffer.byteLength(JSON.stringify({ [key]: value })) - 1;
    const fields: [string, number][] = [];
    for (const [key, value] of Object.entries(entry)) {
        if ((key === "inputs" || key === "outputs") && value && typeof value === "object") {
            for (const [name, v] of Object.entries(value)) fields.push([`${key}.${name}`, size(name, v)]);
        } else {
            fields.push([key, size(key, value)]);
        }
    }
    return fields.sort((a, b) => b[1] - a[1]);
}

// ---- Helpers ----

export function median(xs: readonly (number | undefined)[]): number | undefined {
    const v = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    if (v.length === 0) return undefined;
    const mid = Math.floor(v.length / 2);
    return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function summarizeCold(trials: ColdStartTrial[]): ColdStart {
    const of = (key: keyof Omit<ColdStartTrial, "ok">): number | undefined => median(trials.map((t) => t[key]));
    return {
        trials,
        median: {
            hostSeenMs: of("hostSeenMs"),
            firstKmsAnswerMs: of("firstKmsAnswerMs"),
            createDoneMs: of("createDoneMs"),
            wallMs: of("wallMs"),
            cliCpuMs: of("cliCpuMs"),
            hostCpuMs: of("hostCpuMs"),
        },
    };
}

export function phaseOk(p: PhaseResult): boolean {
    return p.resources === p.expected && p.failedSteps === 0 && p.errors.length === 0;
}

/** Time the phase spent before its first and after its last KMS answer (ms): the fixed costs around the KMS work. */
export function fixedCosts(p: PhaseResult): { beforeFirstKmsMs: number; afterLastKmsMs: number } | undefined {
    const { firstKmsAnswerMs: first, lastKmsAnswerMs: last } = p.timeline;
    return first === undefined || last === undefined
        ? undefined
        : { beforeFirstKmsMs: first, afterLastKmsMs: p.wallMs - last };
}

/** (last − first KMS answer) ÷ bound: how close the phase ran to the quota once its KMS work had started. */
export function kmsWindowRatio(p: PhaseResult): number | undefined {
    const { firstKmsAnswerMs: first, lastKmsAnswerMs: last } = p.timeline;
    return first === undefined || last === undefined || p.bound.ms <= 0 ? undefined : (last - first) / p.bound.ms;
}
