// The programs of examples/ as harness programs: each example runs under @pulumi/pulumi's mocks exactly as
// written (see ../capture.ts), and its @pulumi/aws resources are stood in for by kms-local calls.

import { resolve } from "node:path";
import { capturePulumiProgram, toProgram, type CapturedResource } from "../capture";
import type { Program } from "../program";
import { awsStandIns, type KmsEndpoint } from "./externalKey";

export const EXAMPLES = ["basic", "rotation", "multi-region", "asymmetric"] as const;
export type ExampleName = (typeof EXAMPLES)[number];

export interface ExampleRun {
    /** Stack config as `pulumi config set` would hold it (keys without ':' are the project's). */
    config: Record<string, string>;
    /** Which config keys are secrets (`pulumi config set --secret`). */
    secretConfig?: string[];
    project?: string;
    stack?: string;
}

/** Runs examples/<name>/index.ts under mocks and returns every registration it makes. */
export async function captureExample(name: ExampleName, run: ExampleRun): Promise<CapturedResource[]> {
    const entry = resolve(__dirname, "../../examples", name, "index.js");
    return capturePulumiProgram(
        () => {
            // A program runs once per `pulumi up`; so does each load here.
            delete require.cache[require.resolve(entry)];
            require(entry);
        },
        { project: run.project ?? "kms-byok", stack: run.stack ?? "dev", config: run.config, secretConfig: run.secretConfig },
    );
}

export async function exampleProgram(name: ExampleName, run: ExampleRun, kms: KmsEndpoint): Promise<Program> {
    return toProgram(await captureExample(name, run), awsStandIns(kms));
}
