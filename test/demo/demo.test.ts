import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

/**
 * `npm start` is the README's first command: the demo must run through, offline, through the official Pulumi
 * CLI, and tell its story with the CLI's own output.
 */
describe("demo (npm start)", function () {
    this.timeout(30 * 60_000); // a first run on a machine may build the CLI

    it(
        "walks preview → up → drift → repair → decrypt → scheduled deletion → destroy with the real CLI's " +
            "output, and succeeds",
        async () => {
            const { stdout } = await promisify(execFile)(process.execPath, [resolve(__dirname, "../../demo/main.js")], {
                env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
                timeout: 30 * 60_000,
                maxBuffer: 64 << 20,
            });
            const expected = [
                /Pulumi CLI: \/.*\/bin\/pulumi/,
                /── 1\. preview[\s\S]*Previewing update \(dev\)[\s\S]*\+ 2 to create/,
                /── 2\. up[\s\S]*Updating \(dev\)[\s\S]*\+ 2 created/,
                /── 3\. someone deletes the key material[\s\S]*the key is now PendingImport/,
                /── 4\. the CI drift check[\s\S]*materialCondition\s*: "IMPORTED" => "DELETED"[\s\S]*~ 1 to update[\s\S]*exit code [1-9]\d*:/,
                /── 5\. up repairs it[\s\S]*~ 1 updated[\s\S]*the key is Enabled again/,
                /── 6\. proof[\s\S]*→ "card 4111-xxxx-xxxx-1111"/,
                /── 7\. the key is scheduled for deletion[\s\S]*the key is PendingDeletion/,
                /── 8\. destroy still succeeds[\s\S]*Destroying \(dev\)[\s\S]*- 2 deleted/,
                /Checked: the key material appears nowhere/,
            ];
            for (const pattern of expected) assert.match(stdout, pattern);
            const steps = stepsOf(stdout);

            // The destroy on a PendingDeletion key says what KMS answered, in the key's real state.
            const destroy = steps.get("8")!;
            assert.match(
                destroy,
                /pulumi-kms-byok: key [0-9a-f]{8}… material [0-9a-f]{12}…: .*key was PendingDeletion/,
            );
            assert.doesNotMatch(destroy, /would become unusable|PendingImport/);
            // The drift preview shows real drift only: validTo read back is the instant the program gave, spelled
            // alike.
            assert.doesNotMatch(steps.get("4")!, /[vV]alidTo\s*: "[^"]*" => "[^"]*"/);
            for (const [step, text] of steps) {
                const lines = diagnosticsOf(text);
                assert.equal(
                    new Set(lines).size,
                    lines.length,
                    `step ${step}: a diagnostic line repeats:\n${lines.join("\n")}`,
                );
                for (const line of lines)
                    assert.ok(
                        line.length <= 160,
                        `step ${step}: a diagnostic line of ${line.length} characters: ${line}`,
                    );
                assert.doesNotMatch(
                    lines.join("\n"),
                    /arn:aws:kms|[0-9a-f]{64}/,
                    `step ${step}: diagnostics name short ids, not ARNs or material ids`,
                );
            }
            assert.ok(diagnosticsOf(steps.get("5")!).length > 0, "the repair's Diagnostics are read");
        },
    );
});

/** The demo's output by step number ("── 4. …" up to the next step). */
function stepsOf(stdout: string): Map<string, string> {
    return new Map(
        stdout
            .split(/\n(?=── \d+\.)/)
            .slice(1)
            .map((text) => [/^── (\d+)\./.exec(text)![1], text]),
    );
}

/** The lines of a step's Diagnostics sections, as printed (indented under the resource they belong to). */
function diagnosticsOf(step: string): string[] {
    const lines: string[] = [];
    for (const section of step.split(/^Diagnostics:$/m).slice(1)) {
        for (const line of section.split("\n").slice(1)) {
            if (line !== "" && !line.startsWith("  ")) break;
            if (line.trim().startsWith("pulumi-kms-byok:")) lines.push(line);
        }
    }
    return lines;
}
