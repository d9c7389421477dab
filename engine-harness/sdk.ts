// The gRPC and protobuf modules the harness talks to the dynamic-provider host with.
//
// They must be the very copies that @pulumi/pulumi loads (reference §4.2): the generated
// stubs in @pulumi/pulumi/proto check message classes by identity, so a second copy of
// google-protobuf or @grpc/grpc-js would produce messages the stubs reject. We therefore
// resolve every module from @pulumi/pulumi's own directory instead of from this file.
//
// Types come from the packages' .d.ts files (type-only imports: nothing is loaded twice).

import { dirname } from "node:path";

type GrpcModule = typeof import("@grpc/grpc-js");
type StructModule = typeof import("google-protobuf/google/protobuf/struct_pb");
type EmptyModule = typeof import("google-protobuf/google/protobuf/empty_pb");
type AnyModule = typeof import("google-protobuf/google/protobuf/any_pb");
type ProviderPbModule = typeof import("@pulumi/pulumi/proto/provider_pb");
type ProviderGrpcModule = typeof import("@pulumi/pulumi/proto/provider_grpc_pb");
type StatusPbModule = typeof import("@pulumi/pulumi/proto/status_pb");

/** Directory of the installed @pulumi/pulumi package (the one the host process runs from). */
export const sdkRoot: string = dirname(require.resolve("@pulumi/pulumi/package.json"));

/** Absolute path of the dynamic-provider host entry point (what `pulumi-resource-pulumi-nodejs` runs). */
export const dynamicProviderEntry: string = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");

function fromSdk<T>(specifier: string): T {
    return require(require.resolve(specifier, { paths: [sdkRoot] })) as T;
}

export const grpc: GrpcModule = fromSdk<GrpcModule>("@grpc/grpc-js");
export const structpb: StructModule = fromSdk<StructModule>("google-protobuf/google/protobuf/struct_pb");
export const emptypb: EmptyModule = fromSdk<EmptyModule>("google-protobuf/google/protobuf/empty_pb");
export const anypb: AnyModule = fromSdk<AnyModule>("google-protobuf/google/protobuf/any_pb");
// The proto stubs live inside @pulumi/pulumi itself, so a plain require resolves the same files.
export const providerpb: ProviderPbModule = fromSdk<ProviderPbModule>("@pulumi/pulumi/proto/provider_pb");
export const providergrpc: ProviderGrpcModule = fromSdk<ProviderGrpcModule>("@pulumi/pulumi/proto/provider_grpc_pb");
export const statuspb: StatusPbModule = fromSdk<StatusPbModule>("@pulumi/pulumi/proto/status_pb");

/** The client class generated for `pulumirpc.ResourceProvider`. */
export type ResourceProviderClient = InstanceType<ProviderGrpcModule["ResourceProviderClient"]>;
