import { CliHome } from "../../../tools/cli-driver/home";
import { CliStack, type CliRun, type ConfigInput } from "../../support/cli/cliStack";
import { PASSPHRASE, PROJECT } from "../../support/cli/cliWorld";
import { materialsProgram } from "../../support/cli/programs";
import { leakRegistry } from "../../support/leakScan";
import { randomMaterial } from "../../support/materials";

/**
 * One CI pipeline of the shared-quota suite, run in a lane process (support/cli/lanes.ts): its own stack,
 * backend and PULUMI_HOME, its own `pulumi` commands (so its own provider host) against the kms-local the
 * test process shares between every pipeline. The whole lifecycle a pipeline runs: up, a drift check
 * (`preview --refresh`), an update (validTo moved: every material reimported), destroy.
 */
export interface PipelineJob {
    id: string;
    kmsUrl: string;
    credentials: Record<string, string>;
    keyIds: string[];
    /** The provider's pacing: as if this pipeline owned the account's quotas (× this scale). */
    requestRateScale: number;
    maxAttempts: number;
}

export interface PipelineOutcome {
    commands: { command: string; ok: boolean; failedSteps: number; steps: number; error?: string }[];
    /** The provider hosts' messages about throttling and pacing. */
    pacing: string[];
}

const DAY = 86_400_000;
const inDays = (days: number): string => new Date(Date.now() + days * DAY).toISOString().replace(/\.\d{3}Z$/, "Z");

export async function runPipelineJob(job: PipelineJob): Promise<string> {
    const home = CliHome.temporary(`byok-pipeline-${job.id}-`);
    try {
        const names = job.keyIds.map((_, i) => `material-${i}`);
        const config: Record<string, ConfigInput> = {
            "aws:region": "us-east-1",
            "pulumi-kms-byok:endpoint": job.kmsUrl,
            "pulumi-kms-byok:requestRateScale": String(job.requestRateScale),
            "pulumi-kms-byok:maxAttempts": String(job.maxAttempts),
        };
        job.keyIds.forEach((keyId, i) => {
            config[`keyId${i}`] = keyId;
            config[`keyMaterial${i}`] = { secret: randomMaterial().toString("base64") };
        });
        const program = (validTo: string) =>
            materialsProgram(
                ...names.map((name, i) => ({
                    name,
                    keyId: `keyId${i}`,
                    materialConfig: `keyMaterial${i}`,
                    args: { validTo },
                })),
            );
        const stack = await CliStack.create({
            project: PROJECT,
            stack: `pipeline-${job.id}`,
            program: program(inDays(180)),
            home,
            passphrase: PASSPHRASE,
            env: job.credentials,
            config,
        });
        const outcome: PipelineOutcome = { commands: [], pacing: [] };
        const record = (command: string, run: CliRun, op: string): boolean => {
            const steps = run.steps.filter((s) => s.op === op);
            outcome.commands.push({
                command,
                ok: run.ok,
                failedSteps: run.steps.filter((s) => s.failed).length,
                steps: steps.length,
                ...(run.ok ? {} : { error: run.error?.slice(0, 800) }),
            });
            outcome.pacing.push(
                ...run.diagnostics.map((d) => d.message.trim()).filter((m) => /throttl|pacing KMS/i.test(m)),
            );
            return run.ok;
        };
        if (
            record("up", await stack.up(), "create") &&
            record("preview --refresh", await stack.preview({ refresh: true }), "refresh")
        ) {
            record("up (validTo moved)", await stack.up({ program: program(inDays(300)) }), "update");
        }
        record("destroy", await stack.destroy(), "delete");
        return JSON.stringify(outcome);
    } finally {
        leakRegistry.addDirectory(home.dir, `pipeline ${job.id} (backend, PULUMI_HOME, temporary files)`);
        home.remove();
    }
}
