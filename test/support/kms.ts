import { CreateKeyCommand, CreateKeyCommandInput, KMSClient, KeyMetadata } from "@aws-sdk/client-kms";
import { KmsLocal, KmsLocalOptions, startKmsLocal } from "../../kms-local";
import type { ProviderContext } from "../../provider/client/context";
import { kmsLocalArtifacts, leakRegistry } from "./leakScan";

/**
 * A kms-local for provider tests, with the AWS quotas enforced (scaled, so tests stay fast) and the provider
 * pacing at the same scale; `{ timing: "aws" }` for AWS-like timing (new keys invisible for a while, state changes
 * propagating late, rotation taking seconds, a fresh wrapping key pair per GetParametersForImport), so that the
 * provider's waits are exercised (the lifecycle tests use it), otherwise fast timing with 50 ms rotations. A plain
 * SDK client for out-of-band actions and assertions (what an operator or another tool would do to the key behind
 * Pulumi's back); and a ProviderContext as `configure` would build it.
 */

export const QUOTA_SCALE = 20;

export interface ProviderKms {
    kms: KmsLocal;
    /** An operator's client: no retries, so out-of-band steps fail loudly. */
    client: KMSClient;
    context: ProviderContext;
    logs: string[];
    createKey(input?: CreateKeyCommandInput): Promise<KeyMetadata>;
    /** Requests kms-local received for an operation since the last resetCounters(). */
    calls(operation: string): ReturnType<KmsLocal["control"]["requests"]>;
}

export function useProviderKms(options: KmsLocalOptions = {}): () => ProviderKms {
    let fixture: ProviderKms | undefined;
    before(async () => {
        const artifacts = kmsLocalArtifacts("of the provider tests", leakRegistry, options.log);
        const timing = options.timing === "aws" ? {} : { rotationDelayMs: 50 };
        const kms = await startKmsLocal({
            quotas: { enabled: true, scale: QUOTA_SCALE },
            ...timing,
            ...options,
            log: artifacts.log,
        });
        artifacts.attach(kms);
        // The provider builds its clients with the SDK's default credential chain, as it does in real use.
        process.env["AWS_ACCESS_KEY_ID"] ??= kms.env["AWS_ACCESS_KEY_ID"];
        process.env["AWS_SECRET_ACCESS_KEY"] ??= kms.env["AWS_SECRET_ACCESS_KEY"];
        const client = new KMSClient({
            endpoint: kms.url,
            region: "us-east-1",
            maxAttempts: 3,
            credentials: {
                accessKeyId: kms.env["AWS_ACCESS_KEY_ID"],
                secretAccessKey: kms.env["AWS_SECRET_ACCESS_KEY"],
            },
        });
        const logs: string[] = [];
        leakRegistry.addArtifact("provider log", "in-process provider tests: context.log", () => logs.join("\n"));
        fixture = {
            kms,
            client,
            logs,
            context: {
                settings: {
                    region: "us-east-1",
                    endpoint: kms.url,
                    requestRateScale: QUOTA_SCALE,
                    propagationTimeoutSeconds: 20,
                    rotationTimeoutSeconds: 20,
                },
                env: {},
                log: (message) => logs.push(message),
            },
            createKey: async (input = {}) => {
                const { KeyMetadata: key } = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL", ...input }));
                return key!;
            },
            calls: (operation) => kms.control.requests().filter((r) => r.operation === operation),
        };
    });
    after(async () => {
        fixture?.client.destroy();
        await fixture?.kms.stop();
    });
    return () => {
        if (!fixture) throw new Error("kms-local not started");
        return fixture;
    };
}
