// engine-harness: a stand-in for the Pulumi engine that drives the real dynamic-provider host
// (`@pulumi/pulumi/cmd/dynamic-provider`) over gRPC, for tests, the demo and benchmarks.
// It knows nothing about any particular provider. Start at engine.ts (Stack) and program.ts.

export { Stack, type DestroyOptions, type OperationOptions, type PreviewOptions, type RefreshOptions, type StackOptions, type UpOptions } from "./engine";
export {
    OutputRef,
    dynamicType,
    makeUrn,
    ref,
    secret,
    unknown,
    type DynamicResourceDeclaration,
    type InputValue,
    type Inputs,
    type Program,
    type ResourceDeclaration,
    type ResourceOptions,
    type StandInDeclaration,
} from "./program";
export type { StandInResource } from "./standin";
export type { ConfigInput } from "./config";
export {
    Bail,
    type ChangeSummary,
    type CheckFailureRecord,
    type Diagnostic,
    type ErrorRecord,
    type OperationKind,
    type OperationResult,
    type ProgressEvent,
    type ProgressHook,
    type RefreshOutcome,
    type StepOp,
    type StepRecord,
} from "./result";
export { renderProgress, renderResult, formatDiff, type RenderOptions } from "./render";
export { SerializedProvider, serializeProvider } from "./serialize";
export { SharedHost } from "./providers";
export {
    ProviderHost,
    ProviderCallError,
    defaultProjectDir,
    splitUrn,
    type HostLogLine,
    type HostOptions,
    type InitFailure,
} from "./host";
export type { ConfigEntry, CustomTimeouts, PendingOperation, ResourceState, StackState } from "./state";
export {
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    isSecret,
    stripSecrets,
    unwrapSecret,
    type JsonValue,
    type KeyDiff,
    type PropertyMap,
} from "./values";
