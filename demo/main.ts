// `npm start`: the offline demo. kms-local stands in for AWS KMS; the real Pulumi dynamic-provider host runs
// the basic example (examples/basic/index.ts, executed under mocks and driven by engine-harness, as the tests
// do). It walks one stack through what a platform team lives with: preview → up → someone deletes the key
// material → `pulumi preview --refresh` shows the drift → `pulumi up` repairs it → the key encrypts and
// decrypts → the key gets scheduled for deletion → `pulumi destroy` still succeeds.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal } from "../kms-local";
import { Stack, renderProgress, renderResult, type OperationResult, type Program } from "../engine-harness";
import { exampleProgram } from "../engine-harness/byok/examples";
import { kmsEndpointOf, operatorClient, type KmsEndpoint } from "../engine-harness/byok/externalKey";
import { Narrator } from "./narrator";

// The demo runs on Node 20; the SDK's notice about its future Node 22 requirement is not the demo's story.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const PROJECT = "kms-byok";
const STACK = "dev";

async function main(): Promise<void> {
    const say = new Narrator();
    const started = Date.now();
    say.title("pulumi-kms-byok demo: AWS KMS imported key material as code, offline");

    const kms = await startKmsLocal({ log: undefined });
    const dir = mkdtempSync(join(tmpdir(), "kms-byok-demo-"));
    const endpoint: KmsEndpoint = kmsEndpointOf(kms);
    const operator = operatorClient(endpoint);
    say.note(`kms-local (AWS KMS stand-in, AWS request quotas enforced) listens on ${kms.url}`);

    const material = randomBytes(32);
    const config = {
        keyMaterial: material.toString("base64"),
        validTo: new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10) + "T00:00:00Z",
        kmsEndpoint: kms.url,
    };
    say.command(`export AWS_ACCESS_KEY_ID=${endpoint.accessKeyId} AWS_SECRET_ACCESS_KEY=${endpoint.secretAccessKey}   # kms-local's test credentials`);
    say.command("pulumi config set aws:region us-east-1");
    say.command("pulumi config set --secret keyMaterial \"$(openssl rand -base64 32)\"");
    say.command(`pulumi config set validTo ${config.validTo}`);
    say.command(`pulumi config set kmsEndpoint ${kms.url}`);

    const stack = new Stack({
        project: PROJECT,
        stack: STACK,
        dir,
        config: { "aws:region": "us-east-1" },
        hostEnv: { AWS_ACCESS_KEY_ID: endpoint.accessKeyId, AWS_SECRET_ACCESS_KEY: endpoint.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        onProgress: (event) => say.progress(renderProgress(event)),
    });
    const program = (): Promise<Program> => exampleProgram("basic", { config, secretConfig: ["keyMaterial"] }, endpoint);

    try {
        say.step("1. preview", "pulumi preview");
        show(say, await stack.preview(await program()));

        say.step("2. up: create the EXTERNAL key and import the material", "pulumi up --yes");
        show(say, await stack.up(await program()));
        const material1 = (await stack.resource("byok-material"))!;
        const keyArn = String(material1.outputs["keyArn"]);
        const keyMaterialId = String(material1.outputs["keyMaterialId"]);
        // The stack outputs examples/basic exports.
        say.outputs({ keyArn, keyMaterialId, keyState: material1.outputs["keyState"], materialValidTo: material1.outputs["validTo"] });
        say.command(`aws kms encrypt --key-id ${keyArn} --plaintext fileb://card.txt   # the key works`);
        const ciphertext = await encrypt(say, operator, keyArn, "card 4111-xxxx-xxxx-1111");

        say.step("3. someone deletes the key material behind Pulumi's back", `aws kms delete-imported-key-material --key-id ${keyArn} --key-material-id ${keyMaterialId}`);
        await operator.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyArn, KeyMaterialId: keyMaterialId }));
        say.note(`the key is now ${await keyState(operator, keyArn)}: nothing encrypts or decrypts with it`);

        say.step("4. the CI drift check finds it", "pulumi preview --refresh --diff --expect-no-changes");
        const drift = await stack.preview(await program(), { refresh: true });
        show(say, drift, { drift: true });
        if (drift.summary.update + drift.summary.create + drift.summary.delete + drift.summary.replace > 0) {
            say.result("error: no changes were expected but changes were proposed   (exit code 255: the CI job fails)");
        }

        say.step("5. up repairs it: the same material, reimported in place", "pulumi up --refresh --yes");
        show(say, await stack.up(await program(), { refresh: true }));
        say.note(`the key is ${await keyState(operator, keyArn)} again, with the same KeyMaterialId`);

        say.step("6. proof: the ciphertext from step 2 decrypts again", "aws kms decrypt --ciphertext-blob fileb://card.bin");
        await decrypt(say, operator, ciphertext);
        say.command(`aws kms encrypt --key-id ${keyArn} --plaintext fileb://note.txt   # and a new one round-trips`);
        const fresh = await encrypt(say, operator, keyArn, "another secret");
        say.command("aws kms decrypt --ciphertext-blob fileb://note.bin");
        await decrypt(say, operator, fresh);

        say.step("7. the key is scheduled for deletion outside Pulumi", `aws kms schedule-key-deletion --key-id ${keyArn} --pending-window-in-days 7`);
        await operator.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
        say.note(`the key is ${await keyState(operator, keyArn)}`);

        say.step("8. destroy still succeeds", "pulumi destroy --yes");
        show(say, await stack.destroy(await program()));

        say.title(`Done in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
        leakCheck(say, stack, material);
    } finally {
        operator.destroy();
        await stack.close();
        await kms.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * What the CLI prints for an operation: its steps, the refreshed values when asked (as `--diff` shows
 * them), and the provider's output.
 */
function show(say: Narrator, result: OperationResult, options: { drift?: boolean } = {}): void {
    say.result(renderResult(result, { stack: STACK, showLogs: false }));
    for (const step of options.drift ? result.steps : []) {
        const changes = Object.entries(step.refresh?.outputChanges ?? {}).filter(([key]) => DRIFT_FIELDS.includes(key));
        if (changes.length > 0) say.drift(step.name, changes.map(([key, change]) => [key, change.old, change.new]));
    }
    say.providerOutput(result.logs.map((l) => l.text));
    if (!result.ok) throw new Error(`the ${result.kind} failed`);
}

/** The outputs that tell a user what drifted. */
const DRIFT_FIELDS = ["keyState", "importState", "materialCondition", "keyMaterialState", "validTo", "expirationModel", "deletionImpact"];

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

/** The stack's state and every line the provider printed, searched for the material in every encoding. */
function leakCheck(say: Narrator, stack: Stack, material: Buffer): void {
    const haystack = [stack.rawStateText() ?? "", ...stack.hostLogs().map((l) => l.text)].join("\n");
    const forms = [material.toString("base64"), material.toString("hex"), material.toString("base64url")];
    const leaked = forms.some((form) => haystack.includes(form));
    say.note(leaked ? "LEAK: the key material appears in state or logs!" : "Checked: the key material appears nowhere in the state file or the provider's logs (it is stored only as an encrypted secret).");
    if (leaked) process.exitCode = 1;
}

main().catch((error: unknown) => {
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
});

export type { KmsLocal };
