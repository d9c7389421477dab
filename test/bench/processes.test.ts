import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MARKER_VARIABLE, ProcessWatcher, cpuByRole, roleOf } from "../../bench/processes";
import { StateWriteWatcher } from "../../bench/stateWrites";

/** Polls until `done` or the bound passes (fs and /proc events arrive asynchronously). */
async function until(done: () => boolean, boundMs = 5000): Promise<void> {
    const deadline = Date.now() + boundMs;
    while (!done() && Date.now() < deadline) await sleep(20);
}

describe("bench/processes and bench/stateWrites (real processes and files)", () => {
    it("tells the CLI, the provider host and the plugin script's helpers apart", () => {
        assert.equal(roleOf("/root/.cache/pulumi-kms-byok/pulumi-cli/v3.274.1/bin/pulumi", ["pulumi", "up"]), "cli");
        assert.equal(
            roleOf("/usr/bin/node", [
                "node",
                "/repo/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js",
                "127.0.0.1:4000",
            ]),
            "host",
        );
        assert.equal(
            roleOf("/usr/bin/node", [
                "node",
                "-e",
                "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))",
            ]),
            "other",
        );
        assert.equal(roleOf("/usr/bin/dash", ["/bin/sh", "/x/bin/pulumi-resource-pulumi-nodejs"]), "other");
    });

    it("finds a process by the marker in its environment, and only that one", async () => {
        const watcher = new ProcessWatcher("marker-under-test", 20).start();
        const script = "const end = Date.now() + 400; while (Date.now() < end);";
        const marked = spawn(process.execPath, ["-e", script], {
            env: { ...process.env, [MARKER_VARIABLE]: "marker-under-test" },
        });
        const unmarked = spawn(process.execPath, ["-e", script], {
            env: { ...process.env, [MARKER_VARIABLE]: "another" },
        });
        await Promise.all([marked, unmarked].map((child) => new Promise((resolve) => child.on("exit", resolve))));
        const found = watcher.stop();
        assert.deepEqual(
            found.map((p) => [p.pid, p.role]),
            [[marked.pid, "other"]],
        );
        assert.equal(cpuByRole(found).other, found[0].cpuMs);
        assert.equal(cpuByRole(found).cli, 0);
    });

    it("counts the checkpoint's renames into the stack directory, with its size at each", async () => {
        const dir = mkdtempSync(join(tmpdir(), "bench-state-"));
        try {
            const watcher = new StateWriteWatcher(dir, "dev").start();
            for (const size of [100, 250]) {
                writeFileSync(join(dir, "tmp-write"), "x".repeat(size));
                renameSync(join(dir, "tmp-write"), join(dir, "dev.json"));
                writeFileSync(join(dir, "dev.json.attrs"), "{}");
                await until(() => false, 100);
            }
            writeFileSync(join(dir, "dev.json.bak"), "backup");
            await until(() => false, 200);
            const writes = watcher.stop();
            assert.equal(writes.checkpointWrites, 2);
            assert.equal(writes.largestCheckpointBytes, 250);
            assert.ok(
                writes.checkpointBytesWritten === 350 || writes.checkpointBytesWritten === 500,
                `sizes summed: ${writes.checkpointBytesWritten}`,
            );
            assert.ok(writes.fileEvents > 2);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
