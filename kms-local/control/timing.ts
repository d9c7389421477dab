// Timing presets: how long kms-local takes to do what AWS does asynchronously. "fast" (the default) answers at
// once wherever AWS allows it, for tests that do not care; "aws" behaves like the service as documented, in
// seconds rather than minutes so a test suite can afford it. Explicit switches override a preset's values.
//
// Sources for "aws" (each value is a choice inside what AWS documents, not a measurement):
//   newKeyInvisibleMs, stateChangePropagationMs: "Changes … typically take less than a few seconds to propagate …
//     in some cases it can take several minutes", e.g. NotFoundException from GetParametersForImport right after
//     CreateKey ("AWS KMS eventual consistency", docs/kms-behaviour.md#eventual-consistency).
//   rotationDelayMs: on-demand rotation completes asynchronously; AWS-validated tests poll for it (LocalStack:
//     up to 10 s at 1 s intervals; docs/kms-behaviour.md#rotatekeyondemand: up to 90 s).
//   replicaCreatingMs: a new replica is Creating for a while before it accepts material
//     (docs/kms-behaviour.md#replicatekey; LocalStack's AWS-validated test polls up to 120 s at 5 s intervals).
//   wrappingKeyPerCall "fresh": each GetParametersForImport response has its own key pair; "the public key and
//     its import token are permanently linked" (GetParametersForImport API reference).

import type { Switches } from "../model/switches.js";

export type TimingPreset = "fast" | "aws";
export const TIMING_PRESETS_NAMES: readonly TimingPreset[] = ["fast", "aws"];

export type TimingSwitches = Pick<
    Switches,
    "newKeyInvisibleMs" | "stateChangePropagationMs" | "rotationDelayMs" | "replicaCreatingMs" | "wrappingKeyPerCall"
>;

export const TIMING_PRESETS: Readonly<Record<TimingPreset, Readonly<TimingSwitches>>> = {
    fast: {
        newKeyInvisibleMs: 0,
        stateChangePropagationMs: 0,
        rotationDelayMs: 300,
        replicaCreatingMs: 200,
        wrappingKeyPerCall: "shared",
    },
    aws: {
        newKeyInvisibleMs: 1000,
        stateChangePropagationMs: 1000,
        rotationDelayMs: 3000,
        replicaCreatingMs: 2000,
        wrappingKeyPerCall: "fresh",
    },
};

export function timingSwitches(preset: string): TimingSwitches {
    if (!(TIMING_PRESETS_NAMES as readonly string[]).includes(preset))
        throw new Error(`timing must be one of: ${TIMING_PRESETS_NAMES.join(", ")}`);
    return { ...TIMING_PRESETS[preset as TimingPreset] };
}
