import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

/** `npm start` is the README's first command: the demo must run through, offline, and tell its story. */
describe("demo (npm start)", () => {
    it("walks preview → up → drift → repair → encrypt/decrypt → scheduled deletion → destroy, and succeeds", async () => {
        const { stdout } = await promisify(execFile)(process.execPath, [resolve(__dirname, "../../demo/main.js")], {
            env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
            timeout: 120_000,
        });
        const expected = [
            /── 1\. preview[\s\S]*\+ 2 to create/,
            /── 2\. up[\s\S]*\+ 2 created/,
            /── 3\. someone deletes the key material[\s\S]*the key is now PendingImport/,
            /── 4\. the CI drift check[\s\S]*~ 1 to update[\s\S]*materialCondition: "IMPORTED" => "DELETED"[\s\S]*no changes were expected/,
            /── 5\. up repairs it[\s\S]*~ 1 updated[\s\S]*the key is Enabled again/,
            /── 6\. proof[\s\S]*→ "card 4111-xxxx-xxxx-1111"[\s\S]*→ "another secret"/,
            /── 7\. the key is scheduled for deletion[\s\S]*the key is PendingDeletion/,
            /── 8\. destroy still succeeds[\s\S]*- 2 deleted/,
            /Checked: the key material appears nowhere/,
        ];
        for (const pattern of expected) assert.match(stdout, pattern);
    });
});
