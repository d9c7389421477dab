// What the benchmark reports (latest.json), and the figures derived from the measured phases.

import type { Stack } from "../engine-harness";
import type { PhaseName, PhaseResult } from "./phase";
import { materialName } from "./world";

export interface ColdStartTrial {
    /** From up() until the host is launched and configured (Handshake, GetPluginInfo, Configure). */
    toHostReadyMs: number | undefined;
    /** From up() to the first completed create. */
    toFirstCreateMs: number | undefined;
    /** Host CPU ms used by then (process start, module loading, Configure). */
    hostCpuAtReadyMs: number | undefined;
    /** Host CPU ms when the create had completed. */
    hostCpuAtCreateMs: number | undefined;
    ok: boolean;
}

export interface ColdStart {
    trials: ColdStartTrial[];
    medianToHostReadyMs: number | undefined;
    medianToFirstCreateMs: number | undefined;
    medianHostStartupCpuMs: number | undefined;
    /** The same in the measured create phase (all resources competing from the start). */
    inRunToHostReadyMs: number | undefined;
    inRunToFirstCreateMs: number | undefined;
}

export interface Sizes {
    /** Bytes of the serialized provider (`__provider`) of one material. */
    providerBytes: number;
    /** The state file after the create phase (pretty-printed like Pulumi's local backend). */
    stateFileBytes: number;
    stateBytesPerResource: number;
    /** One material's entry in the state file, as compact JSON (encrypted secrets). */
    entryBytes: number;
    entryInputsBytes: number;
    entryOutputsBytes: number;
    /** How many copies of `__provider` the entry holds (inputs and outputs). */
    providerCopiesInEntry: number;
}

export interface CallsRow {
    phase: PhaseName;
    resources: number;
    /** Accepted calls per resource, by operation. */
    byOperation: Record<string, number>;
    total: number;
    /** Throttled attempts per resource (retried, not counted in total). */
    throttledPerResource: number;
    minimum: number;
    minimumByOperation: Record<string, number>;
    minimumNote: string;
}

export interface BenchResults {
    generatedAt: string;
    command: string;
    /** loadAverage: the 1-minute load average of the machine when the bench started and ended. */
    machine: { cpus: number; cpuModel: string; node: string; loadAverage: { atStart: number; atEnd: number } };
    params: { materials: number; quotaScale: number; parallel: number; coldStarts: number };
    /** Every phase completed every resource with no failure. */
    ok: boolean;
    phases: PhaseResult[];
    callsPerResource: CallsRow[];
    sizes: Sizes;
    coldStart: ColdStart;
    benchWallMs: number;
}

/** The fewest KMS calls each operation of a symmetric material needs, and why. */
export const MINIMUM_CALLS: Record<PhaseName, { byOperation: Record<string, number>; note: string }> = {
    create: {
        byOperation: { GetParametersForImport: 1, ImportKeyMaterial: 1 },
        note:
            "a wrapping key and import token (GetParametersForImport), then the import; a key's first material needs no " +
            "ImportType and the answer carries the KeyMaterialId, so no read is required",
    },
    refresh: {
        byOperation: { DescribeKey: 1, ListKeyRotations: 1 },
        note: "the key's state (DescribeKey) and this material's import state and expiry (ListKeyRotations: a symmetric key may hold several materials)",
    },
    update: {
        byOperation: { GetParametersForImport: 1, ImportKeyMaterial: 1 },
        note: "a validTo change is a reimport of the same bytes (EXISTING_KEY_MATERIAL with the stored KeyMaterialId): a fresh token, then the import",
    },
    delete: {
        byOperation: { DeleteImportedKeyMaterial: 1 },
        note: "DeleteImportedKeyMaterial by the stored KeyMaterialId; 'already gone' (NotFoundException, pending deletion) can be read from its error",
    },
};

export function callsPerResource(phases: PhaseResult[]): CallsRow[] {
    return phases.map((p) => {
        const n = Math.max(1, p.resources);
        const byOperation = Object.fromEntries(Object.entries(p.accepted).map(([op, calls]) => [op, calls / n]));
        const min = MINIMUM_CALLS[p.phase];
        return {
            phase: p.phase,
            resources: p.resources,
            byOperation,
            total: Object.values(byOperation).reduce((a, b) => a + b, 0),
            throttledPerResource: p.throttled / n,
            minimum: Object.values(min.byOperation).reduce((a, b) => a + b, 0),
            minimumByOperation: min.byOperation,
            minimumNote: min.note,
        };
    });
}

interface StoredResource {
    urn: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

export function measureSizes(stack: Stack, materials: number): Sizes {
    const raw = stack.rawStateText() ?? "";
    const stored = JSON.parse(raw) as { checkpoint: { latest: { resources: StoredResource[] } } };
    const name = materialName(0);
    const entry = stored.checkpoint.latest.resources.find((r) => r.urn.endsWith(`::${name}`));
    const provider = stack.serializedProviders()[name];
    if (!entry || !provider) {
        throw new Error(`no stored ${name} to measure`);
    }
    const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));
    return {
        providerBytes: Buffer.byteLength(provider.text),
        stateFileBytes: Buffer.byteLength(raw),
        stateBytesPerResource: Buffer.byteLength(raw) / materials,
        entryBytes: bytes(entry),
        entryInputsBytes: bytes(entry.inputs),
        entryOutputsBytes: bytes(entry.outputs),
        providerCopiesInEntry: ["inputs", "outputs"].filter((k) => "__provider" in (k === "inputs" ? entry.inputs : entry.outputs)).length,
    };
}

export function median(xs: (number | undefined)[]): number | undefined {
    const v = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    if (v.length === 0) return undefined;
    const mid = Math.floor(v.length / 2);
    return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function summarizeCold(trials: ColdStartTrial[], createPhase: PhaseResult | undefined): ColdStart {
    return {
        trials,
        medianToHostReadyMs: median(trials.map((t) => t.toHostReadyMs)),
        medianToFirstCreateMs: median(trials.map((t) => t.toFirstCreateMs)),
        medianHostStartupCpuMs: median(trials.map((t) => t.hostCpuAtReadyMs)),
        inRunToHostReadyMs: createPhase?.hostReadyMs,
        inRunToFirstCreateMs: createPhase?.stepEndsMs[0],
    };
}

/** The host's CPU ms over a phase: from Configure answered to the last step's end. */
export function hostCpuMs(p: PhaseResult): number | undefined {
    return p.hostCpuAtReadyMs === undefined || p.hostCpuAtLastStepMs === undefined ? undefined : p.hostCpuAtLastStepMs - p.hostCpuAtReadyMs;
}

/** Host CPU ms per resource over a phase. */
export function cpuPerResource(p: PhaseResult): number | undefined {
    const total = hostCpuMs(p);
    return total === undefined || p.resources === 0 ? undefined : total / p.resources;
}
