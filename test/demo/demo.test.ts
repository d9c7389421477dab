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

    it("walks preview → up → drift → repair → decrypt → scheduled deletion → destroy with the real CLI's output, and succeeds", async () => {
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
            /── 4\. the CI drift check[\s\S]*materialCondition\s*: "IMPORTED" => "DELETED"[\s\S]*~ 1 to update[\s\S]*exit code 255/,
            /── 5\. up repairs it[\s\S]*~ 1 updated[\s\S]*the key is Enabled again/,
            /── 6\. proof[\s\S]*→ "card 4111-xxxx-xxxx-1111"/,
            /── 7\. the key is scheduled for deletion[\s\S]*the key is PendingDeletion/,
            /── 8\. destroy still succeeds[\s\S]*Destroying \(dev\)[\s\S]*- 2 deleted/,
            /Checked: the key material appears nowhere/,
        ];
        for (const pattern of expected) assert.match(stdout, pattern);
    });
});
