import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { assertNoMaterial } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";

/**
 * The provider as the dynamic-provider host runs it (dispatch: configure, then an operation), in a host
 * process of its own (test/support/hostProbe.ts) against kms-local: what one call leaves behind in the host's
 * memory, and what its messages contain when KMS quotes a secret back.
 */
describe("provider/engine/runtime (dispatch in a host process, against kms-local)", () => {
    const fixture = useProviderKms();
    const dir = mkdtempSync(join(tmpdir(), "byok-host-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    interface ProbeReport {
        ok: boolean;
        texts: string[];
        lines: string[];
    }

    async function probe(mode: "heap" | "error", inputs: Record<string, unknown>, snapshot = ""): Promise<ProbeReport> {
        const config = {
            "aws:region": "us-east-1",
            "aws:accessKey": fixture().kms.env["AWS_ACCESS_KEY_ID"],
            "aws:secretKey": fixture().kms.env["AWS_SECRET_ACCESS_KEY"],
            "pulumi-kms-byok:endpoint": fixture().kms.url,
            "pulumi-kms-byok:propagationTimeoutSeconds": "1",
        };
        const env = {
            PATH: process.env["PATH"],
            PROBE_CONFIG: JSON.stringify(config),
            PROBE_INPUTS: JSON.stringify({ ...inputs, __provider: "shim" }),
            PROBE_SNAPSHOT: snapshot,
        };
        const { stdout } = await promisify(execFile)(
            process.execPath,
            [join(__dirname, "../../support/hostProbe.js"), mode],
            { env, maxBuffer: 1 << 24 },
        );
        return JSON.parse(stdout.trim().split("\n").at(-1)!) as ProbeReport;
    }

    it(
        "keeps nothing derived from a material after the call: no other encoding of it " +
            "anywhere in the host's heap",
        async function () {
            this.timeout(120_000);
            const key = await fixture().createKey();
            const material = randomBytes(32);
            const snapshot = join(dir, "host.heapsnapshot");
            const report = await probe(
                "heap",
                { keyId: key.KeyId, keyMaterial: material.toString("base64") },
                snapshot,
            );
            assert.ok(report.ok, report.texts.join("\n"));
            // The snapshot is written after the call returned (and after garbage collection). The forms a
            // redaction or a log would derive: hex in either case, base64url. (The base64 as given is the
            // program's input, which the host legitimately held.)
            const heap = readFileSync(snapshot, "latin1");
            assert.ok(heap.length > 1_000_000, "a real heap snapshot");
            const derived = [
                material.toString("hex"),
                material.toString("hex").toUpperCase(),
                material.toString("base64url"),
            ];
            assert.deepEqual(
                derived.filter((form) => heap.includes(form)).map((form) => `${form.length} chars`),
                [],
                "a derived form of the material outlived the call",
            );
        },
    );

    it(
        "redacts a call's error graph and log lines: the " + "material, in upper-case hex, quoted back by KMS",
        async function () {
            this.timeout(30_000);
            const material = randomBytes(32);
            // An unchecked create (the engine runs check first, which refuses this): KMS echoes the key ID in its
            // error.
            const report = await probe("error", {
                keyId: material.toString("hex").toUpperCase(),
                keyMaterial: material.toString("base64"),
            });
            assert.equal(report.ok, false);
            assert.ok(report.texts.length >= 6, "the cause chain reaches KMS's own error");
            assert.match(report.texts[0], /KMS key \[secret\] was not found/);
            assert.ok(
                report.lines.some((l) => /KMS key \[secret\] was not found/.test(l)),
                "the first NotFound was logged, redacted",
            );
            assertNoMaterial([report.texts, report.lines], material, "error graph and log");
        },
    );
});
