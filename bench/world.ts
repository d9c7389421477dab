// The benchmark's world: kms-local in this process enforcing AWS's quotas (times the scale), and the
// EXTERNAL keys the materials go into.
//
// The keys are created here with the AWS SDK, before and outside the measured stacks, paced at CreateKey's
// quota: the @pulumi/aws plugin cannot be downloaded offline, so they are made as a platform team that owns
// the key would (and CreateKey's 5/s would otherwise set the pace of the create phase). What is measured is
// the ImportedKeyMaterial resources. Each material references its key by ID, as `keyId: key.id` resolves to.

import { CreateKeyCommand, GetParametersForImportCommand, KMSClient } from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal, type OperationCounters } from "../kms-local";
import { TokenBucket } from "../provider/client/rateLimiter";

export const REGION = "us-east-1";
/** CreateKey requests/s kms-local allows while the bench sets up its keys (AWS: 5/s). */
const SETUP_CREATE_KEY_RATE = 100;
const SETUP_CONCURRENCY = 16;

export interface BenchWorld {
    kms: KmsLocal;
    quotaScale: number;
    /** kms-local's credentials, for the provider host's environment. */
    credentials: Record<string, string>;
    /** Effective requests/s kms-local allows an operation (AWS quota × scale). */
    rate(operation: string): number;
    /** Creates `count` EXTERNAL keys (CreateKey's quota raised meanwhile: setup is not measured); returns their IDs. */
    createKeys(count: number, onProgress?: (done: number) => void): Promise<string[]>;
    /**
     * One GetParametersForImport for the provider's default wrapping (RSA_4096), so kms-local has generated
     * that key pair before anything is measured (it generates pairs in the background at start).
     */
    warmUp(keyId: string): Promise<void>;
    stop(): Promise<void>;
}

export async function startWorld(options: { quotaScale: number }): Promise<BenchWorld> {
    const kms = await startKmsLocal({ quotas: { enabled: true, scale: options.quotaScale } });
    const credentials = {
        AWS_ACCESS_KEY_ID: kms.env["AWS_ACCESS_KEY_ID"],
        AWS_SECRET_ACCESS_KEY: kms.env["AWS_SECRET_ACCESS_KEY"],
    };
    const operator = new KMSClient({
        endpoint: kms.url,
        region: REGION,
        maxAttempts: 10,
        credentials: { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY },
    });
    const rate = (operation: string): number => kms.control.quotas.rate(operation, REGION);
    const createPaced = async (count: number, onProgress?: (done: number) => void): Promise<string[]> => {
        const bucket = new TokenBucket(rate("CreateKey"));
        const ids: string[] = [];
        let next = 0;
        // A few requests at a time: the SDK's HTTP handler warns beyond 50 open sockets.
        const worker = async (): Promise<void> => {
            for (let i = next++; i < count; i = next++) {
                await bucket.acquire();
                const { KeyMetadata: key } = await operator.send(
                    new CreateKeyCommand({ Origin: "EXTERNAL", Description: `bench key ${i}` }),
                );
                const keyId = key?.KeyId;
                if (keyId === undefined) throw new Error(`CreateKey for bench key ${i} returned no KeyId`);
                ids[i] = keyId;
                onProgress?.(ids.filter(Boolean).length);
            }
        };
        await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
        return ids;
    };
    return {
        kms,
        quotaScale: options.quotaScale,
        credentials,
        rate,
        async createKeys(count, onProgress) {
            // Setup is not measured: CreateKey's quota (5/s) is raised while the keys are made, then restored.
            const before = kms.control.quotas.get().rps["CreateKey"];
            kms.control.quotas.set({ rps: { CreateKey: SETUP_CREATE_KEY_RATE } });
            try {
                return await createPaced(count, onProgress);
            } finally {
                kms.control.quotas.set({ rps: { CreateKey: before } });
            }
        },
        async warmUp(keyId) {
            await operator.send(
                new GetParametersForImportCommand({
                    KeyId: keyId,
                    WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                    WrappingKeySpec: "RSA_4096",
                }),
            );
            // Let the quota bucket refill.
            await new Promise((resolve) => setTimeout(resolve, 1000 / rate("GetParametersForImport") + 100));
        },
        async stop() {
            operator.destroy();
            await kms.stop();
        },
    };
}

const DAY = 86_400_000;

/** An ISO time `days` from now, to the second (what a user writes for validTo). */
export function inDays(days: number): string {
    return new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function materialName(i: number): string {
    return `material-${String(i).padStart(4, "0")}`;
}

/** Calls per operation KMS accepted, i.e. without throttled attempts. */
export function acceptedCalls(counters: Record<string, OperationCounters>): Record<string, number> {
    return Object.fromEntries(Object.entries(counters).map(([op, c]) => [op, c.calls - c.throttled]));
}
