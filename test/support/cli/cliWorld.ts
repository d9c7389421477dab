import {
    CreateKeyCommand,
    DescribeKeyCommand,
    KMSClient,
    ListKeyRotationsCommand,
    type CreateKeyCommandInput,
    type KeyMetadata,
    type RotationsListEntry,
} from "@aws-sdk/client-kms";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from "../../../kms-local";
import { QUOTA_SCALE } from "../kms";
import { kmsLocalArtifacts, leakRegistry, type LeakRegistry } from "../leakScan";
import { CliStack, type ConfigInput } from "./cliStack";
import { CliHome } from "../../../tools/cli-driver/home";
import { pulumiCli } from "../../../tools/pulumi-cli/cli";

/**
 * The world of a real-CLI test file: one kms-local (AWS quotas enforced, scaled), an operator's KMS client
 * for what happens behind Pulumi's back, and stacks driven through the official Pulumi CLI, each with the
 * config of a user's stack pointing at kms-local. The @pulumi/aws plugin cannot be downloaded offline, so the
 * EXTERNAL keys are created with the AWS SDK before a stack, as a platform team owning the key would, and
 * passed to the program as config.
 * Everything the CLI leaves (backend, PULUMI_HOME, temporary files) is handed to the leak scan at the end.
 */

export const PASSPHRASE = "kms-byok-tests";
export const PROJECT = "kms-byok";

export interface CliWorld {
    kms: KmsLocal;
    /** The operator's client (us-east-1): no retries beyond 3, so out-of-band steps fail loudly. */
    client: KMSClient;
    clientIn(region: string): KMSClient;
    /** A new stack with this program and config on top of the world's defaults (secrets as `{ secret }`). */
    newStack(
        name: string,
        program: PulumiFn,
        config?: Record<string, ConfigInput>,
        env?: Record<string, string>,
    ): Promise<CliStack>;
    /** A symmetric EXTERNAL key unless the input says otherwise. */
    createKey(input?: CreateKeyCommandInput, region?: string): Promise<KeyMetadata>;
    describeKey(keyId: string, region?: string): Promise<KeyMetadata>;
    materials(keyId: string, region?: string): Promise<RotationsListEntry[]>;
    /** The env every stack's CLI runs get: the provider host's credentials for kms-local. */
    readonly credentials: Record<string, string>;
    readonly dir: string;
    /** The file backend (PULUMI_BACKEND_URL=file://…). */
    readonly backendDir: string;
}

export interface CliWorldOptions extends KmsLocalOptions {
    /** Where this world's artifacts go: the suite's registry unless a test proves the scan with its own. */
    registry?: LeakRegistry;
}

/**
 * A world outside mocha's hooks (several at once, e.g. one per fault plan); `close` hands its files to the leak scan.
 */
export async function openCliWorld(options: CliWorldOptions = {}): Promise<CliWorld & { close(): Promise<void> }> {
    const registry = options.registry ?? leakRegistry;
    await pulumiCli(); // provisioned here, within the world's start-up time
    const home = CliHome.temporary("byok-cli-");
    const dir = home.dir;
    const { registry: _registry, ...kmsOptions } = options;
    const artifacts = kmsLocalArtifacts(`of ${dir}`, registry, options.log);
    const kms = await startKmsLocal({
        quotas: { enabled: true, scale: QUOTA_SCALE },
        rotationDelayMs: 50,
        ...kmsOptions,
        log: artifacts.log,
    });
    artifacts.attach(kms);
    const credentials = {
        AWS_ACCESS_KEY_ID: kms.env["AWS_ACCESS_KEY_ID"],
        AWS_SECRET_ACCESS_KEY: kms.env["AWS_SECRET_ACCESS_KEY"],
    };
    const clients = new Map<string, KMSClient>();
    const clientIn = (region = "us-east-1") => {
        if (!clients.has(region)) {
            clients.set(
                region,
                new KMSClient({
                    endpoint: kms.url,
                    region,
                    maxAttempts: 3,
                    credentials: {
                        accessKeyId: credentials.AWS_ACCESS_KEY_ID,
                        secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
                    },
                }),
            );
        }
        return clients.get(region)!;
    };
    return {
        kms,
        client: clientIn("us-east-1"),
        clientIn,
        credentials,
        dir,
        backendDir: home.backendDir,
        newStack: (name, program, config = {}, extraEnv = {}) =>
            CliStack.create({
                project: PROJECT,
                stack: name,
                program,
                home,
                passphrase: PASSPHRASE,
                env: { ...credentials, ...extraEnv },
                registry,
                config: {
                    "aws:region": "us-east-1",
                    "pulumi-kms-byok:endpoint": kms.url,
                    "pulumi-kms-byok:requestRateScale": String(options.quotas?.scale ?? QUOTA_SCALE),
                    "pulumi-kms-byok:propagationTimeoutSeconds": "20",
                    ...config,
                },
            }),
        createKey: async (input = {}, region) =>
            (await clientIn(region).send(new CreateKeyCommand({ Origin: "EXTERNAL", ...input }))).KeyMetadata!,
        describeKey: async (keyId, region) =>
            (await clientIn(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!,
        materials: async (keyId, region) =>
            (
                await clientIn(region).send(
                    new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }),
                )
            ).Rotations!,
        async close() {
            for (const client of clients.values()) client.destroy();
            await kms.stop();
            registry.addDirectory(dir, "CLI world (backend, PULUMI_HOME, temporary files, work dirs)");
            home.remove();
        },
    };
}

/** A world for one test file: started before its tests, closed after them. */
export function useCliWorld(options: CliWorldOptions = {}): () => CliWorld {
    let world: Awaited<ReturnType<typeof openCliWorld>> | undefined;
    before(async function () {
        this.timeout(30 * 60_000); // the first run on a machine may build the CLI
        world = await openCliWorld(options);
    });
    after(async () => {
        await world?.close();
    });
    return () => {
        if (!world) throw new Error("CLI world not started");
        return world;
    };
}
