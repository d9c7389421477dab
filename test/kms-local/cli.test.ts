import * as assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DEFAULT_SWITCHES } from "../../kms-local/index.js";
import { rawRequest } from "./wire/raw.js";

const CLI = join(__dirname, "..", "..", "kms-local", "cli.js");

/** Spawns the CLI and resolves with the printed lines once the environment block is complete. */
function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; lines: string[] }> {
    const child = spawn(process.execPath, [CLI, ...args]);
    return new Promise((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("Control surface:")) resolve({ child, lines: out.split("\n") });
        });
        child.on("exit", (code) => reject(new Error(`kms-local exited early with ${code}: ${out}`)));
    });
}

describe("kms-local CLI", () => {
    it("prints the URL and environment, serves the SDK, applies flags, and stops on SIGTERM", async function () {
        this.timeout(30_000);
        const { child, lines } = await startCli([
            "--port",
            "0",
            "--region",
            "eu-west-1",
            "--no-quotas",
            "--timing",
            "aws",
            "--switch",
            "deleteOnPendingDeletion=reject",
            "--quiet",
        ]);
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines.join("\n"))?.[1];
        assert.ok(url, lines.join("\n"));
        const env = Object.fromEntries(
            lines.filter((l) => l.startsWith("export ")).map((l) => l.slice(7).split("=") as [string, string]),
        );
        assert.equal(env.AWS_ENDPOINT_URL_KMS, url);
        assert.equal(env.AWS_REGION, "eu-west-1");
        assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);

        const client = new KMSClient({
            endpoint: url,
            region: env.AWS_REGION,
            maxAttempts: 1,
            credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
        });
        const { KeyMetadata } = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
        assert.match(KeyMetadata?.Arn ?? "", /^arn:aws:kms:eu-west-1:/);
        client.destroy();
        const switches = JSON.parse(
            (await rawRequest(url, { method: "GET", path: "/_kms-local/switches" })).text,
        ) as Record<string, unknown>;
        assert.equal(switches.deleteOnPendingDeletion, "reject");
        assert.equal(switches.wrappingKeyPerCall, "fresh", "--timing aws");
        assert.equal(switches.newKeyInvisibleMs, 1000);
        const quotas = JSON.parse(
            (await rawRequest(url, { method: "GET", path: "/_kms-local/quotas" })).text,
        ) as Record<string, unknown>;
        assert.equal(quotas.enabled, false);

        const code = await new Promise<number | null>((resolve) => {
            child.on("exit", (c) => resolve(c));
            child.kill("SIGTERM");
        });
        assert.equal(code, 0);
    });

    it("--help lists every flag and switch; bad flags exit 2", () => {
        const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
        assert.equal(help.status, 0);
        for (const flag of [
            "--port",
            "--timing",
            "--allow-non-loopback",
            "--allowed-host",
            "--max-connections",
            "--state-file",
            "--quota-scale",
            "--no-quotas",
            "--switch",
            "--region",
            "--fault-rate",
        ])
            assert.ok(help.stdout.includes(flag), flag);
        for (const name of Object.keys(DEFAULT_SWITCHES)) assert.ok(help.stdout.includes(name), name);
        const bad = spawnSync(process.execPath, [CLI, "--bogus"], { encoding: "utf8" });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /unknown option --bogus/);
        const open = spawnSync(process.execPath, [CLI, "--port", "0", "--host", "0.0.0.0"], {
            encoding: "utf8",
            timeout: 10_000,
        });
        assert.equal(open.status, 1);
        assert.match(open.stderr, /refuses to listen on 0\.0\.0\.0/);
        const badSwitch = spawnSync(process.execPath, [CLI, "--port", "0", "--switch", "tokenReuse=maybe"], {
            encoding: "utf8",
            timeout: 10_000,
        });
        assert.equal(badSwitch.status, 1);
        assert.match(badSwitch.stderr, /must be one of/);
    });
});
