import assert from "node:assert/strict";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal } from "../../kms-local";
import { runInLanes, type LaneRun } from "../support/cli/lanes";
import { kmsLocalArtifacts, leakRegistry } from "../support/leakScan";
import type { PipelineJob, PipelineOutcome } from "./sharedQuota/pipeline";

const PIPELINES = 3;
const MATERIALS = 10;
/**
 * kms-local's quotas: AWS's × 2 (GetParametersForImport 2/s), and every pipeline's provider paces as if it owned them.
 */
const QUOTA_SCALE = 2;

/**
 * Several pipelines, one account: PIPELINES stacks at once, each in its own lane process with its own
 * `pulumi` commands and so its own provider host, against one kms-local whose quotas they share. Each
 * provider paces itself at the whole quota, so together they offer several times what KMS allows: KMS
 * throttles, and no step may fail for it. maxAttempts is 2, so a throttle that used up an attempt (as the
 * SDK's retries do) would fail steps at once.
 */
describe(
    "real CLI: several pipelines share one account's KMS quota " + "(concurrent provider hosts, low quotas)",
    function () {
        this.timeout(900_000);
        let kms: KmsLocal;
        let lanes: LaneRun | undefined;
        let keyIds: string[][];

        before(async () => {
            const artifacts = kmsLocalArtifacts("of the shared-quota suite", leakRegistry);
            kms = await startKmsLocal({ quotas: { enabled: true, scale: QUOTA_SCALE }, log: artifacts.log });
            artifacts.attach(kms);
            const credentials = {
                AWS_ACCESS_KEY_ID: kms.env["AWS_ACCESS_KEY_ID"],
                AWS_SECRET_ACCESS_KEY: kms.env["AWS_SECRET_ACCESS_KEY"],
            };
            const operator = new KMSClient({
                endpoint: kms.url,
                region: "us-east-1",
                maxAttempts: 3,
                credentials: {
                    accessKeyId: credentials.AWS_ACCESS_KEY_ID,
                    secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
                },
            });
            // The keys are the platform team's, made beforehand: CreateKey's own quota is not what is tested.
            kms.control.quotas.set({ rps: { CreateKey: 1000 } });
            keyIds = [];
            for (let p = 0; p < PIPELINES; p++) {
                keyIds.push(
                    await Promise.all(
                        Array.from(
                            { length: MATERIALS },
                            async () =>
                                (await operator.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata!.KeyId!,
                        ),
                    ),
                );
            }
            kms.control.quotas.set({ rps: { CreateKey: undefined } });
            operator.destroy();
            kms.control.resetCounters();
            const jobs: PipelineJob[] = keyIds.map((ids, p) => ({
                id: String(p),
                kmsUrl: kms.url,
                credentials,
                keyIds: ids,
                requestRateScale: QUOTA_SCALE,
                maxAttempts: 2,
            }));
            lanes = runInLanes(jobs, { module: "cli/sharedQuota/pipeline", run: "runPipelineJob", lanes: PIPELINES });
        });

        after(async () => {
            lanes?.stop();
            await kms?.stop();
        });

        const outcome = async (p: number): Promise<PipelineOutcome> =>
            JSON.parse(await lanes!.results.get(String(p))!) as PipelineOutcome;

        for (let p = 0; p < PIPELINES; p++) {
            it(
                `pipeline ${p + 1}: up, preview --refresh, up (validTo moved) and destroy each complete ` +
                    `every step, none fails`,
                async () => {
                    const { commands } = await outcome(p);
                    assert.deepEqual(
                        commands.map((c) => ({
                            command: c.command,
                            ok: c.ok,
                            failedSteps: c.failedSteps,
                            steps: c.steps,
                        })),
                        ["up", "preview --refresh", "up (validTo moved)", "destroy"].map((command) => ({
                            command,
                            ok: true,
                            failedSteps: 0,
                            steps: MATERIALS,
                        })),
                        JSON.stringify(commands.filter((c) => !c.ok)),
                    );
                },
            );
        }

        it(
            "KMS did throttle them (the quota was shared, not idle), each material was imported " +
                "twice and deleted once",
            async () => {
                const outcomes = await Promise.all(Array.from({ length: PIPELINES }, (_, p) => outcome(p)));
                const counters = kms.control.counters();
                const parameters = counters["GetParametersForImport"];
                assert.ok(parameters.throttled > 0, `GetParametersForImport: ${JSON.stringify(parameters)}`);
                assert.equal(parameters.calls - parameters.throttled, 2 * PIPELINES * MATERIALS);
                assert.equal(
                    counters["ImportKeyMaterial"].calls - counters["ImportKeyMaterial"].throttled,
                    2 * PIPELINES * MATERIALS,
                );
                assert.ok(
                    outcomes.some((o) => o.pacing.some((m) => /KMS throttled GetParametersForImport/.test(m))),
                    "a provider host said that KMS throttled it and that it paces lower",
                );
                const keys = kms.control.keys("us-east-1").filter((k) => keyIds.flat().includes(k.keyId));
                assert.equal(keys.length, PIPELINES * MATERIALS);
                for (const key of keys)
                    assert.equal(key.keyState, "PendingImport", `${key.keyId}: its material deleted by destroy`);
            },
        );

        it(
            "nothing the pipelines' CLIs printed or left holds any of " + "their materials (each lane's own leak scan)",
            async () => {
                for (const report of await lanes!.leakReports) {
                    console.log(`      ${report.summary}`);
                    assert.equal(report.failure, undefined, report.failure);
                }
            },
        );
    },
);
