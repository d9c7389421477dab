import { dirname, join, resolve } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { provisionPulumiCli } from "./provision";

/**
 * The official Pulumi CLI, as the real-engine tests, the demo and the benchmarks run it: provisioned once per
 * process (`npm run -s pulumi-cli` does the same from the command line), then driven through the Automation
 * API's `PulumiCommand`.
 */

/** The repository root: inline programs run from here, so the provider host resolves `pulumi-kms-byok`. */
export const REPOSITORY_ROOT = resolve(__dirname, "..", "..", "..");

let provisioned: Promise<{ root: string; command: PulumiCommand }> | undefined;

export function pulumiCli(
    log: (line: string) => void = (line) => console.error(`    ${line}`),
): Promise<{ root: string; command: PulumiCommand }> {
    provisioned ??= (async () => {
        const root = await provisionPulumiCli({ log });
        return { root, command: await PulumiCommand.get({ root }) };
    })();
    return provisioned;
}

/**
 * The environment of every CLI run: offline and hermetic. A file backend and a PULUMI_HOME of the caller's,
 * no update check, no plugin download, this Node first on PATH (the dynamic-provider plugin script runs
 * `node` from PATH), and the CLI's own directory on PATH so its bundled plugin script is found.
 */
export function cliEnvironment(options: {
    root: string;
    backendDir: string;
    homeDir: string;
    tmpDir: string;
    passphrase: string;
}): Record<string, string> {
    return {
        PATH: [dirname(process.execPath), join(options.root, "bin"), process.env["PATH"] ?? ""].join(":"),
        PULUMI_BACKEND_URL: `file://${options.backendDir}`,
        PULUMI_HOME: options.homeDir,
        PULUMI_CONFIG_PASSPHRASE: options.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        TMPDIR: options.tmpDir,
        // Ambient credentials and endpoints of the machine must not leak into a test's stacks.
        AWS_CONFIG_FILE: join(options.homeDir, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(options.homeDir, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
}
