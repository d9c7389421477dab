import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeKeyCommand, KMSClient, KeyMetadata, ListKeyRotationsCommand, RotationsListEntry } from "@aws-sdk/client-kms";
import { KmsLocal, KmsLocalOptions, startKmsLocal } from "../../kms-local";
import { Stack, isSecret, type Program, type ResourceState, type StackOptions } from "../../engine-harness";
import { exampleProgram, type ExampleName } from "../../engine-harness/byok/examples";

/** Config keys the examples read as secrets. */
export const SECRET_CONFIG = ["keyMaterial", "nextKeyMaterial", "signingKey", "rsaKey", "macKey"];
import { kmsEndpointOf, operatorClient, type KmsEndpoint } from "../../engine-harness/byok/externalKey";
import { assertNoMaterial } from "./assertions";
import { QUOTA_SCALE } from "./kms";
import { kmsLocalArtifacts, leakRegistry } from "./leakScan";
import { RecordedStack } from "./recordedStack";

/**
 * Engine-level fixture: kms-local (AWS quotas enforced, scaled) and stacks driven through the real
 * dynamic-provider host, configured like a user's stack pointing at kms-local.
 */

export interface ByokWorld {
    kms: KmsLocal;
    endpoint: KmsEndpoint;
    /** The operator's client, for out-of-band changes and for asserting what KMS holds. */
    client: KMSClient;
    newStack(name: string, config?: Record<string, string>, options?: Partial<StackOptions>): Stack;
    /** examples/<name> as a harness program, run under mocks with this stack config (secrets: see SECRET_CONFIG). */
    example(name: ExampleName, config: Record<string, string>): Promise<Program>;
    describeKey(keyId: string, region?: string): Promise<KeyMetadata>;
    materials(keyId: string, region?: string): Promise<RotationsListEntry[]>;
    clientIn(region: string): KMSClient;
}

export function useByokWorld(options: KmsLocalOptions = {}): () => ByokWorld {
    let world: ByokWorld | undefined;
    const stacks: Stack[] = [];
    let dir = "";
    before(async () => {
        dir = mkdtempSync(join(tmpdir(), "byok-engine-"));
        const artifacts = kmsLocalArtifacts(`of ${dir}`, leakRegistry, options.log);
        const kms = await startKmsLocal({ quotas: { enabled: true, scale: QUOTA_SCALE }, rotationDelayMs: 50, ...options, log: artifacts.log });
        artifacts.attach(kms);
        const endpoint: KmsEndpoint = kmsEndpointOf(kms);
        const clients = new Map<string, KMSClient>();
        const clientIn = (region = "us-east-1") => {
            if (!clients.has(region)) clients.set(region, operatorClient(endpoint, region));
            return clients.get(region)!;
        };
        const client = clientIn("us-east-1");
        world = {
            kms,
            endpoint,
            client,
            newStack(name, config = {}, options = {}) {
                const stack = new RecordedStack({
                    project: "kms-byok",
                    stack: name,
                    dir,
                    config: {
                        "aws:region": "us-east-1",
                        "pulumi-kms-byok:endpoint": kms.url,
                        "pulumi-kms-byok:requestRateScale": String(QUOTA_SCALE),
                        "pulumi-kms-byok:propagationTimeoutSeconds": "20",
                        ...config,
                    },
                    hostEnv: {
                        AWS_ACCESS_KEY_ID: endpoint.accessKeyId,
                        AWS_SECRET_ACCESS_KEY: endpoint.secretAccessKey,
                        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
                    },
                    ...options,
                });
                stacks.push(stack);
                return stack;
            },
            example: (name, config) =>
                exampleProgram(name, { config: { kmsEndpoint: kms.url, ...config }, secretConfig: SECRET_CONFIG }, endpoint),
            describeKey: async (keyId, region) => (await clientIn(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!,
            materials: async (keyId, region) =>
                (await clientIn(region).send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }))).Rotations!,
            clientIn,
        };
    });
    after(async () => {
        for (const stack of stacks) await stack.close();
        world?.client.destroy();
        await world?.kms.stop();
        leakRegistry.addDirectory(dir, "engine state dir");
        rmSync(dir, { recursive: true, force: true });
    });
    return () => {
        if (!world) throw new Error("world not started");
        return world;
    };
}

/**
 * What must hold after every step: the material input is stored as a secret; nothing in the state file
 * (inputs, outputs, `__provider`), the host's logs or the serialized providers contains the material in
 * any form.
 */
export async function assertStateKeepsSecrets(stack: Stack, material: Buffer, resourceName = "byok-material"): Promise<ResourceState | undefined> {
    assertNoMaterial(stack.rawStateText() ?? "", material, "the state file");
    assertNoMaterial(stack.hostLogs(), material, "the host logs");
    for (const [name, serialized] of Object.entries(stack.serializedProviders())) {
        assertNoMaterial(serialized.text, material, `the serialized provider of ${name}`);
        assert.equal(serialized.containsSecrets, false, `${name}'s __provider captures no secret`);
    }
    const resource = await stack.resource(resourceName);
    if (resource) {
        assert.ok(isSecret(resource.inputs["keyMaterial"]), "keyMaterial is stored as a secret");
        assert.ok(!("keyMaterial" in resource.outputs) || isSecret(resource.outputs["keyMaterial"]), "no plaintext keyMaterial output");
        assertNoMaterial(resource.outputs, material, "the outputs");
    }
    return resource;
}
