// The benchmark's world: kms-local in this process enforcing AWS's quotas (times the scale), the
// EXTERNAL keys the materials go into, and stacks configured like a user's stack pointing at it.
//
// The keys are created here, before and outside the measured stack, paced at CreateKey's quota.
// They stand for `aws.kms.ExternalKey` resources, whose calls belong to the AWS provider (and
// CreateKey's 5/s would otherwise set the pace of the create phase); what is measured is the
// ImportedKeyMaterial resources. Each material references its key by ID, as `keyId: key.id` does.

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { CreateKeyCommand, GetParametersForImportCommand } from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal, type OperationCounters } from "../kms-local";
import { Stack, type Program } from "../engine-harness";
import { materialDeclaration } from "../engine-harness/byok/basic";
import { kmsEndpointOf, operatorClient } from "../engine-harness/byok/externalKey";
import { TokenBucket } from "../provider/client/rateLimiter";

export const REGION = "us-east-1";

export interface BenchWorld {
    kms: KmsLocal;
    quotaScale: number;
    /** Effective requests/s kms-local allows an operation (AWS quota × scale). */
    rate(operation: string): number;
    /** Creates `count` EXTERNAL keys (paced at CreateKey's quota); returns their IDs. */
    createKeys(count: number, onProgress?: (done: number) => void): Promise<string[]>;
    /**
     * One GetParametersForImport for the provider's default wrapping (RSA_4096), so kms-local has generated
     * that key pair before anything is measured (it generates pairs in the background at start).
     */
    warmUp(keyId: string): Promise<void>;
    newStack(name: string, parallel: number): Stack;
    stop(): Promise<void>;
}

export async function startWorld(options: { quotaScale: number; dir: string }): Promise<BenchWorld> {
    const kms = await startKmsLocal({ quotas: { enabled: true, scale: options.quotaScale } });
    const env = { AWS_ACCESS_KEY_ID: kms.env["AWS_ACCESS_KEY_ID"]!, AWS_SECRET_ACCESS_KEY: kms.env["AWS_SECRET_ACCESS_KEY"]! };
    const operator = operatorClient(kmsEndpointOf(kms, REGION), REGION, 10);
    const rate = (operation: string): number => kms.control.quotas.rate(operation, REGION);
    return {
        kms,
        quotaScale: options.quotaScale,
        rate,
        async createKeys(count, onProgress) {
            const bucket = new TokenBucket(rate("CreateKey"));
            const ids: string[] = [];
            await Promise.all(
                Array.from({ length: count }, async (_, i) => {
                    await bucket.acquire();
                    const { KeyMetadata: key } = await operator.send(
                        new CreateKeyCommand({ Origin: "EXTERNAL", Description: `bench key ${i}` }),
                    );
                    ids[i] = key!.KeyId!;
                    onProgress?.(ids.filter(Boolean).length);
                }),
            );
            return ids;
        },
        async warmUp(keyId) {
            await operator.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096" }));
            // Let the quota bucket refill.
            await new Promise((resolve) => setTimeout(resolve, 1000 / rate("GetParametersForImport") + 100));
        },
        newStack(name, parallel) {
            return new Stack({
                project: "kms-byok-bench",
                stack: name,
                dir: options.dir,
                parallel,
                config: {
                    "aws:region": REGION,
                    "pulumi-kms-byok:endpoint": kms.url,
                    "pulumi-kms-byok:requestRateScale": String(options.quotaScale),
                },
                hostEnv: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
            });
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

/** One ImportedKeyMaterial per key, each with fresh random symmetric material (never printed). */
export interface MaterialSet {
    keyIds: string[];
    /** Base64 materials, one per key. */
    materials: string[];
    program(validTo: string): Program;
}

export function materialSet(keyIds: string[]): MaterialSet {
    const materials = keyIds.map(() => randomBytes(32).toString("base64"));
    return {
        keyIds,
        materials,
        program: (validTo) =>
            keyIds.map((keyId, i) =>
                // A plain keyId (the key exists already) overrides the declaration's ref to a key resource.
                materialDeclaration({ name: materialName(i), key: "(outside the stack)", material: materials[i], inputs: { keyId, validTo } }),
            ),
    };
}

export function materialName(i: number): string {
    return `material-${String(i).padStart(4, "0")}`;
}

/** Calls per operation KMS accepted, i.e. without throttled attempts. */
export function acceptedCalls(counters: Record<string, OperationCounters>): Record<string, number> {
    return Object.fromEntries(Object.entries(counters).map(([op, c]) => [op, c.calls - c.throttled]));
}

export function stackDir(resultsDir: string): string {
    return join(resultsDir, "tmp");
}
