// `npm start`: the offline demo. kms-local stands in for AWS KMS; the official Pulumi CLI (built once on this
// machine, or the one on PATH) runs a one-resource BYOK stack through the Automation API, and what it prints
// is shown as it is. The story is what a platform team lives with: preview → up → someone deletes the key
// material → the CI drift check (`pulumi preview --refresh --expect-no-changes`) fails → `pulumi up --refresh`
// repairs it → old ciphertexts decrypt again → the key gets scheduled for deletion → `pulumi destroy` still
// succeeds.

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    CreateKeyCommand,
    DecryptCommand,
    DeleteImportedKeyMaterialCommand,
    DescribeKeyCommand,
    EncryptCommand,
    KMSClient,
    ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { startKmsLocal } from "../kms-local";
import { REPOSITORY_ROOT, cliEnvironment, pulumiCli } from "../tools/pulumi-cli/cli";
import { isolateInlineRuns } from "../tools/pulumi-cli/inlineRuns";
import { Narrator } from "./narrator";
import { demoProgram } from "./program";

process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const STACK = "dev";
const PASSPHRASE = "demo passphrase";

async function main(): Promise<void> {
    const say = new Narrator();
    const started = Date.now();
    say.title("pulumi-kms-byok demo: AWS KMS imported key material as code, offline, through the official Pulumi CLI");
    const { root } = await pulumiCli((line) => say.note(line));
    say.note(`Pulumi CLI: ${join(root, "bin", "pulumi")}`);

    const kms = await startKmsLocal({ log: undefined });
    const dir = mkdtempSync(join(tmpdir(), "kms-byok-demo-"));
    const credentials = { AWS_ACCESS_KEY_ID: kms.env["AWS_ACCESS_KEY_ID"], AWS_SECRET_ACCESS_KEY: kms.env["AWS_SECRET_ACCESS_KEY"] };
    const operator = new KMSClient({ endpoint: kms.url, region: "us-east-1", credentials: { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY } });
    const printed: string[] = [];
    say.note(`kms-local (the AWS KMS stand-in, AWS request quotas enforced) listens on ${kms.url}`);
    say.command(`export AWS_ENDPOINT_URL_KMS=${kms.url} AWS_ACCESS_KEY_ID=${credentials.AWS_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=…   # kms-local's test credentials`);
    say.note("the `aws kms …` lines are what an operator would type; the demo makes the same calls with the AWS SDK");

    try {
        say.step("0. the platform team creates the EXTERNAL key (outside this stack: the @pulumi/aws plugin cannot be downloaded offline)", "aws kms create-key --origin EXTERNAL");
        const { KeyMetadata: key } = await operator.send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: "payments BYOK" }));
        say.note(`key ${key!.KeyId} is ${key!.KeyState}: it has no material yet`);

        const material = randomBytes(32);
        const validTo = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10) + "T00:00:00Z";
        const stack = await createStack(dir, root, credentials);
        say.command("pulumi stack init dev");
        say.command("pulumi config set aws:region us-east-1");
        say.command(`pulumi config set pulumi-kms-byok:endpoint ${kms.url}`);
        say.command(`pulumi config set keyId ${key!.KeyId}`);
        say.command('pulumi config set --secret keyMaterial "$(openssl rand -base64 32)"');
        say.command(`pulumi config set validTo ${validTo}`);
        await stack.setAllConfig({
            "aws:region": { value: "us-east-1" },
            "pulumi-kms-byok:endpoint": { value: kms.url },
            keyId: { value: key!.KeyId! },
            keyMaterial: { value: material.toString("base64"), secret: true },
            validTo: { value: validTo },
        });
        const output = (text: string) => {
            printed.push(text);
            say.cli(text);
        };
        const keyArn = key!.Arn!;

        say.step("1. preview", "pulumi preview");
        await stack.preview({ onOutput: output, color: say.color });

        say.step("2. up: import the material", "pulumi up --yes");
        const up = await stack.up({ onOutput: output, color: say.color });
        const keyMaterialId = String(up.outputs["keyMaterialId"]?.value);
        say.command(`aws kms encrypt --key-id ${key!.KeyId} --plaintext fileb://card.txt   # the key works`);
        const ciphertext = await encrypt(say, operator, keyArn, "card 4111-xxxx-xxxx-1111");

        say.step("3. someone deletes the key material behind Pulumi's back", `aws kms delete-imported-key-material --key-id ${key!.KeyId} --key-material-id ${keyMaterialId}`);
        await operator.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyArn, KeyMaterialId: keyMaterialId }));
        say.note(`the key is now ${await keyState(operator, keyArn)}: nothing encrypts or decrypts with it`);

        say.step("4. the CI drift check finds it", "pulumi preview --refresh --diff --expect-no-changes");
        try {
            await stack.preview({ refresh: true, diff: true, expectNoChanges: true, onOutput: output, color: say.color });
            throw new Error("the drift check passed, but the material was deleted");
        } catch (error) {
            if (!/exit code 255|no changes were expected/i.test(String(error))) throw error;
            say.note("exit code 255: the CI job fails, as it should");
        }

        say.step("5. up repairs it: the same material, reimported in place", "pulumi up --refresh --yes");
        await stack.up({ refresh: true, onOutput: output, color: say.color });
        say.note(`the key is ${await keyState(operator, keyArn)} again, with the same KeyMaterialId`);

        say.step("6. proof: the ciphertext from step 2 decrypts again", "aws kms decrypt --ciphertext-blob fileb://card.bin");
        await decrypt(say, operator, ciphertext);

        say.step("7. the key is scheduled for deletion outside Pulumi", `aws kms schedule-key-deletion --key-id ${key!.KeyId} --pending-window-in-days 7`);
        await operator.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
        say.note(`the key is ${await keyState(operator, keyArn)}`);

        say.step("8. destroy still succeeds", "pulumi destroy --yes");
        await stack.destroy({ onOutput: output, color: say.color });

        say.title(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        leakCheck(say, [printed.join(""), ...filesUnder(dir)], material);
    } finally {
        operator.destroy();
        await kms.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}

/** The stack, with a file backend and PULUMI_HOME of its own: nothing outside the temporary directory is touched. */
async function createStack(dir: string, root: string, credentials: Record<string, string>): Promise<Stack> {
    const paths = { backendDir: join(dir, "backend"), homeDir: join(dir, "home"), tmpDir: join(dir, "tmp") };
    for (const path of [...Object.values(paths), join(dir, "work")]) mkdirSync(path, { recursive: true });
    const { command } = await pulumiCli();
    isolateInlineRuns();
    return LocalWorkspace.createStack(
        { projectName: "kms-byok-demo", stackName: STACK, program: demoProgram },
        {
            pulumiCommand: command,
            workDir: join(dir, "work"),
            envVars: { ...cliEnvironment({ root, passphrase: PASSPHRASE, ...paths }), ...credentials },
            projectSettings: { name: "kms-byok-demo", runtime: "nodejs", main: REPOSITORY_ROOT },
        },
    );
}

async function keyState(client: KMSClient, keyId: string): Promise<string> {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState ?? "unknown";
}

async function encrypt(say: Narrator, client: KMSClient, keyId: string, text: string): Promise<Uint8Array> {
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }));
    say.note(`"${text}" → ${CiphertextBlob!.length}-byte ciphertext`);
    return CiphertextBlob!;
}

async function decrypt(say: Narrator, client: KMSClient, ciphertext: Uint8Array): Promise<void> {
    const { Plaintext, KeyMaterialId } = await client.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    say.note(`→ "${Buffer.from(Plaintext!).toString()}" (KeyMaterialId ${KeyMaterialId?.slice(0, 12)}…)`);
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, "latin1")];
    });
}

/** Everything the CLI printed and every file it left (backend, PULUMI_HOME), searched for the material. */
function leakCheck(say: Narrator, haystacks: string[], material: Buffer): void {
    const forms = [material.toString("base64"), material.toString("base64url"), material.toString("hex"), material.toString("hex").toUpperCase(), material.toString("latin1")];
    const leaked = haystacks.some((text) => forms.some((form) => text.includes(form)));
    say.note(
        leaked
            ? "LEAK: the key material appears in the CLI's output or files!"
            : `Checked: the key material appears nowhere in what the CLI printed or in its ${haystacks.length - 1} files (state, history, PULUMI_HOME); the state holds it only as an encrypted secret.`,
    );
    if (leaked) process.exitCode = 1;
}

main().catch((error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
