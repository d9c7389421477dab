import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { PASSPHRASE, useCliWorld } from "../support/cli/cliWorld";
import { leakRegistry } from "../support/leakScan";
import { randomMaterial } from "../support/materials";
import { CliHome } from "../../tools/cli-driver/home";
import { REPOSITORY_ROOT, pulumiCli } from "../../tools/pulumi-cli/cli";

/**
 * docs/guides/automation-api.md promises a program that works as written. This runs exactly the text of the
 * guide's first ```typescript block: transpiled, written inside the repository (whose node_modules holds
 * pulumi-kms-byok, as a user's project would), and started as its own process against kms-local, with the
 * official Pulumi CLI on PATH and a file backend.
 */

const GUIDE = join(REPOSITORY_ROOT, "docs", "guides", "automation-api.md");

function firstTypescriptBlock(markdown: string): string {
    const match = /^```typescript\n([\s\S]*?)^```$/m.exec(markdown);
    if (!match?.[1]) throw new Error(`${GUIDE} has no \`\`\`typescript block`);
    return match[1];
}

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function runNode(script: string, env: Record<string, string>, timeoutMs: number): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script], {
            env,
            stdio: ["ignore", "pipe", "pipe"],
            timeout: timeoutMs,
            killSignal: "SIGKILL",
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

/** The machine's environment without its AWS and Pulumi settings: the run gets exactly the ones given here. */
function hermeticBase(): Record<string, string> {
    const base: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
        if (value !== undefined && !/^(AWS_|PULUMI_)/.test(name)) base[name] = value;
    }
    return base;
}

describe("docs/guides/automation-api.md", function () {
    this.timeout(180_000);
    const world = useCliWorld();

    it(
        "its program runs as written: up imports the material into kms-local, the drift check passes, destroy " +
            "deletes that material",
        async () => {
            const source = firstTypescriptBlock(readFileSync(GUIDE, "utf8"));
            const program = ts.transpileModule(source, {
                compilerOptions: {
                    module: ts.ModuleKind.CommonJS,
                    target: ts.ScriptTarget.ES2022,
                    esModuleInterop: true,
                    strict: true,
                },
                reportDiagnostics: true,
            });
            assert.deepEqual(program.diagnostics ?? [], [], "the guide's program is valid TypeScript");

            // Inside the repository, like a compiled program inside a user's project: main: __dirname must find
            // node_modules.
            const projectDir = mkdtempSync(join(REPOSITORY_ROOT, "dist", "automation-api-guide-"));
            const home = CliHome.at(mkdtempSync(join(world().dir, "automation-api-guide-")));
            try {
                const script = join(projectDir, "deploy.js");
                writeFileSync(script, program.outputText);
                const key = await world().createKey({ Description: "automation API guide" });
                const material = randomMaterial();
                const { root } = await pulumiCli();
                const env = {
                    ...hermeticBase(),
                    ...home.environment(root, PASSPHRASE),
                    ...world().credentials,
                    AWS_REGION: "us-east-1",
                    BYOK_KEY_ID: key.KeyId!,
                    BYOK_KEY_MATERIAL: material.toString("base64"),
                    BYOK_KMS_ENDPOINT: world().kms.url,
                };
                world().kms.control.resetCounters();

                const run = await runNode(script, env, 150_000);
                leakRegistry.addText("operation result", "docs/guides/automation-api.md program: stdout", run.stdout);
                leakRegistry.addText("operation result", "docs/guides/automation-api.md program: stderr", run.stderr);
                assert.equal(run.code, 0, `the guide's program failed:\n${run.stderr}\n${run.stdout.slice(-4000)}`);

                const imported = /imported keyMaterialId=([0-9a-f]{64}) \(key Enabled\)/.exec(run.stdout);
                assert.ok(imported, `the program reports the imported material:\n${run.stdout.slice(-4000)}`);
                const keyMaterialId = imported[1];
                assert.match(run.stdout, /no drift/);

                const requests = world()
                    .kms.control.requests()
                    .filter((r) => r.status === 200 && r.keyId?.endsWith(key.KeyId!) === true);
                const imports = requests.filter((r) => r.operation === "ImportKeyMaterial");
                assert.equal(imports.length, 1, "up imported the material once");
                const deletes = requests.filter((r) => r.operation === "DeleteImportedKeyMaterial");
                assert.deepEqual(
                    deletes.map((r) => r.keyMaterialId),
                    [keyMaterialId],
                    "destroy deleted exactly that material, by its id",
                );
                assert.ok(imports[0].time <= deletes[0].time);

                const after = (await world().materials(key.KeyId!)).find((m) => m.KeyMaterialId === keyMaterialId);
                assert.equal(after?.ImportState, "PENDING_IMPORT", "kms-local lists the material as deleted");
                assert.equal((await world().describeKey(key.KeyId!)).KeyState, "PendingImport");
            } finally {
                rmSync(projectDir, { recursive: true, force: true });
            }
        },
    );
});
