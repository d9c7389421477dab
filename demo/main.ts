// `npm start`: the offline demo. kms-local stands in for AWS KMS; the official Pulumi CLI (built once on this
// machine, or the one on PATH) runs a one-resource BYOK stack through the Automation API, and what it prints
// is shown as it is. The story is what a platform team lives with: preview → up → someone deletes the key
// material → the CI drift check (`pulumi preview --refresh --expect-no-changes`) fails → `pulumi up --refresh`
// repairs it → old ciphertexts decrypt again → the key gets scheduled for deletion → `pulumi destroy` still
// succeeds.

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
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
import { startKmsLocal } from "../kms-local";
import { CliHome } from "../tools/cli-driver/home";
import { DrivenStack, type CommandName, type RunOptions, type RunResult } from "../tools/cli-driver/stack";
import { pulumiCli } from "../tools/pulumi-cli/cli";
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
    const home = CliHome.temporary("kms-byok-demo-");
    const credentials = {
        AWS_ACCESS_KEY_ID: kms.env["AWS_ACCESS_KEY_ID"],
        AWS_SECRET_ACCESS_KEY: kms.env["AWS_SECRET_ACCESS_KEY"],
    };
    const operator = new KMSClient({
        endpoint: kms.url,
        region: "us-east-1",
        credentials: { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY },
    });
    const printed: string[] = [];
    say.note(`kms-local (the AWS KMS stand-in, AWS request quotas enforced) listens on ${kms.url}`);
    say.command(
        `export AWS_ENDPOINT_URL_KMS=${kms.url} AWS_ACCESS_KEY_ID=${credentials.AWS_ACCESS_KEY_ID} ` +
            `AWS_SECRET_ACCESS_KEY=…   # kms-local's test credentials`,
    );
    say.note("the `aws kms …` lines are what an operator would type; the demo makes the same calls with the AWS SDK");

    try {
        say.step(
            "0. the platform team creates the EXTERNAL key (outside this stack: the @pulumi/aws plugin " +
                "cannot be downloaded offline)",
            "aws kms create-key --origin EXTERNAL",
        );
        const { KeyMetadata: key } = await operator.send(
            new CreateKeyCommand({ Origin: "EXTERNAL", Description: "payments BYOK" }),
        );
        if (!key?.KeyId || !key.Arn) throw new Error("CreateKey returned no KeyId or Arn");
        const keyId = key.KeyId;
        const keyArn = key.Arn;
        say.note(`key ${keyId} is ${key.KeyState}: it has no material yet`);

        const material = randomBytes(32);
        const validTo = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10) + "T00:00:00Z";
        const stack = await DrivenStack.create({
            project: "kms-byok-demo",
            stack: STACK,
            program: demoProgram,
            home,
            passphrase: PASSPHRASE,
            env: credentials,
        });
        say.command("pulumi stack init dev");
        say.command("pulumi config set aws:region us-east-1");
        say.command(`pulumi config set pulumi-kms-byok:endpoint ${kms.url}`);
        say.command(`pulumi config set keyId ${keyId}`);
        say.command('pulumi config set --secret keyMaterial "$(openssl rand -base64 32)"');
        say.command(`pulumi config set validTo ${validTo}`);
        await stack.setConfig({
            "aws:region": "us-east-1",
            "pulumi-kms-byok:endpoint": kms.url,
            keyId,
            keyMaterial: { secret: material.toString("base64") },
            validTo,
        });
        const output = (text: string) => {
            printed.push(text);
            say.cli(text);
        };
        const run = (command: CommandName, options: RunOptions = {}) =>
            stack.run(command, { ...options, onOutput: output, color: say.color });
        const pulumi = (command: CommandName, options: RunOptions = {}) => succeeded(run(command, options));

        say.step("1. preview", "pulumi preview");
        await pulumi("preview");

        say.step("2. up: import the material", "pulumi up --yes");
        const up = await pulumi("up");
        const keyMaterialId = up.outputs?.["keyMaterialId"];
        // Never a delete without the id meant (String(undefined) would send "undefined").
        if (typeof keyMaterialId !== "string") throw new Error("the stack exported no keyMaterialId");
        say.command(`aws kms encrypt --key-id ${keyId} --plaintext fileb://card.txt   # the key works`);
        const ciphertext = await encrypt(say, operator, keyArn, "card 4111-xxxx-xxxx-1111");

        say.step(
            "3. someone deletes the key material behind Pulumi's back",
            `aws kms delete-imported-key-material --key-id ${keyId} --key-material-id ${keyMaterialId}`,
        );
        await operator.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyArn, KeyMaterialId: keyMaterialId }));
        say.note(`the key is now ${await keyState(operator, keyArn)}: nothing encrypts or decrypts with it`);

        say.step("4. the CI drift check finds it", "pulumi preview --refresh --diff --expect-no-changes");
        const drift = await run("preview", { refresh: true, diff: true, expectNoChanges: true });
        if (drift.ok) throw new Error("the drift check passed, but the material was deleted");
        if (!/no changes were expected/i.test(drift.error ?? "")) throw new Error(drift.error);
        say.note(`exit code ${drift.exitCode ?? "unknown"}: the CI job fails, as it should`);

        say.step("5. up repairs it: the same material, reimported in place", "pulumi up --refresh --yes");
        await pulumi("up", { refresh: true });
        say.note(`the key is ${await keyState(operator, keyArn)} again, with the same KeyMaterialId`);

        say.step(
            "6. proof: the ciphertext from step 2 decrypts again",
            "aws kms decrypt --ciphertext-blob fileb://card.bin",
        );
        await decrypt(say, operator, ciphertext);

        say.step(
            "7. the key is scheduled for deletion outside Pulumi",
            `aws kms schedule-key-deletion --key-id ${keyId} --pending-window-in-days 7`,
        );
        await operator.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
        say.note(`the key is ${await keyState(operator, keyArn)}`);

        say.step("8. destroy still succeeds", "pulumi destroy --yes");
        await pulumi("destroy");

        say.title(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        leakCheck(say, [printed.join(""), ...filesUnder(home.dir)], material);
    } finally {
        operator.destroy();
        await kms.stop();
        home.remove();
    }
}

/** The demo stops at a command that failed, as a user would (the drift check catches the failure it expects). */
async function succeeded(run: Promise<RunResult>): Promise<RunResult> {
    const result = await run;
    if (!result.ok) throw new Error(result.error);
    return result;
}

async function keyState(client: KMSClient, keyId: string): Promise<string> {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState ?? "unknown";
}

async function encrypt(say: Narrator, client: KMSClient, keyId: string, text: string): Promise<Uint8Array> {
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }));
    if (!CiphertextBlob) throw new Error("Encrypt returned no CiphertextBlob");
    say.note(`"${text}" → ${CiphertextBlob.length}-byte ciphertext`);
    return CiphertextBlob;
}

async function decrypt(say: Narrator, client: KMSClient, ciphertext: Uint8Array): Promise<void> {
    const { Plaintext, KeyMaterialId } = await client.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    if (!Plaintext) throw new Error("Decrypt returned no Plaintext");
    say.note(`→ "${Buffer.from(Plaintext).toString()}" (KeyMaterialId ${KeyMaterialId?.slice(0, 12)}…)`);
}

function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : [readFileSync(path, "latin1")];
    });
}

/** Everything the CLI printed and every file it left (backend, PULUMI_HOME), searched for the material. */
function leakCheck(say: Narrator, haystacks: string[], material: Buffer): void {
    const forms = [
        material.toString("base64"),
        material.toString("base64url"),
        material.toString("hex"),
        material.toString("hex").toUpperCase(),
        material.toString("latin1"),
    ];
    const leaked = haystacks.some((text) => forms.some((form) => text.includes(form)));
    say.note(
        leaked
            ? "LEAK: the key material appears in the CLI's output or files!"
            : `Checked: the key material appears nowhere in what the CLI printed or in its ` +
                  `${haystacks.length - 1} files (state, history, PULUMI_HOME); the state holds it only as ` +
                  `an encrypted secret.`,
    );
    if (leaked) process.exitCode = 1;
}

main().catch((error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});
