import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Stack, dynamicType, secret, type InputValue, type Program } from "../../engine-harness";
import { startKmsLocal } from "../../kms-local";
import { checkInputs } from "../../provider/dynamic/check";
import { assertNoMaterial } from "./assertions";
import { LeakRegistry, formatLeakReport, kmsLocalArtifacts, leakRegistry, materialPatterns, type LeakReport } from "./leakScan";
import { RecordedStack } from "./recordedStack";

/**
 * The leak scan proves it works: leaks planted on purpose, in every form and in every kind of artifact the
 * suite-wide scan covers, are each found and reported with where they are — by a registry of this test's own,
 * so the planted leaks never reach the real scan. The report itself never contains the material.
 */
describe("leak scan", function () {
    this.timeout(60_000);
    const hits = (report: LeakReport, kind: string, form?: string) =>
        report.hits.filter((h) => h.kind === kind && (form === undefined || h.form === form));

    it("is installed for the whole suite: the root hook is loaded through .mocharc.json", () => {
        const mocharc = JSON.parse(readFileSync(join(__dirname, "../../../.mocharc.json"), "utf8")) as { require?: string[] };
        assert.ok(mocharc.require?.includes("dist/test/support/leakScanHook.js"));
        assert.equal(leakRegistry.hookInstalled, true);
    });

    it("finds a material in every form: raw, hex, HEX, base64, base64url (alone or inside longer blobs at any offset), JSON Buffer", async () => {
        const registry = new LeakRegistry();
        const material = randomBytes(32);
        registry.addMaterial(material, "planted");
        const embedded = (shift: number, encoding: "base64" | "base64url") =>
            Buffer.concat([randomBytes(shift + 3 * 5), material, randomBytes(7)]).toString(encoding);
        const planted: [string, string | Buffer, string][] = [
            ["raw in text", `x${material.toString("latin1")}y`, "raw bytes"],
            ["raw in a file", Buffer.concat([randomBytes(100), material, randomBytes(3)]), "raw bytes"],
            ["hex", `key=${material.toString("hex")};`, "hex"],
            ["HEX", material.toString("hex").toUpperCase(), "HEX"],
            ["base64", JSON.stringify({ v: material.toString("base64") }), "base64"],
            ["base64url", material.toString("base64url"), "base64url"],
            ["base64 offset 1", embedded(1, "base64"), "base64 (at byte offset 1 mod 3 inside a longer blob)"],
            ["base64 offset 2", embedded(2, "base64"), "base64 (at byte offset 2 mod 3 inside a longer blob)"],
            ["base64url offset 0", embedded(0, "base64url"), "base64url"],
            ["base64url offset 2", embedded(2, "base64url"), "base64url (at byte offset 2 mod 3 inside a longer blob)"],
            ["JSON of a Buffer", JSON.stringify({ key: material }), "decimal byte list"],
        ];
        for (const [where, text] of planted) registry.addText("planted", where, text);
        registry.addText("planted", "clean", randomBytes(4096).toString("base64") + randomBytes(2048).toString("hex"));
        const report = await registry.scan();
        for (const [where, , form] of planted) {
            assert.ok(report.hits.some((h) => h.where === where && h.form === form), `${where}: not found as ${form}: ${JSON.stringify(report.hits)}`);
        }
        assert.equal(report.hits.filter((h) => h.where === "clean").length, 0);
        assert.equal(materialPatterns(material).length, 10);

        const other = new LeakRegistry();
        other.addMaterial(randomBytes(32), "another material");
        for (const [where, text] of planted) other.addText("planted", where, text);
        assert.deepEqual((await other.scan()).hits, [], "no false positives");
    });

    it("finds leaks planted through the real provider host: state, outputs, host log, errors, check failures, serialized provider", async () => {
        const registry = new LeakRegistry();
        const dir = mkdtempSync(join(tmpdir(), "leak-scan-"));
        const material = randomBytes(32);
        const hex = material.toString("hex");
        const stack = new RecordedStack({ project: "leaks", stack: "planted", dir, sharedHost: true }, registry);
        try {
            // The material reaches the registry only through the program (as a secret input, as programs carry it).
            const provider = leakyProvider(material.toString("base64url"));
            const resource = (name: string, inputs: Record<string, InputValue>): Program => [
                { name, type: dynamicType("planted", "Leaky"), provider, inputs: { ...inputs, keyMaterial: secret(material.toString("base64")) } },
            ];
            // Leaks: an input not marked secret (state file, in clear), an output echoing it, a log line.
            assert.equal((await stack.up(resource("a", { leak: material.toString("base64"), leakHex: hex }))).ok, true);
            // A check failure whose reason shows it.
            assert.equal((await stack.preview(resource("b", { mode: "check", leak: material.toString("base64") }))).ok, false);
            // An error message that shows it.
            assert.equal((await stack.up(resource("c", { mode: "error", leakHex: hex }))).ok, false);
            registry.addDirectory(dir, "planted state dir");
        } finally {
            await stack.close();
            rmSync(dir, { recursive: true, force: true });
        }
        const report = await registry.scan();
        assert.ok(hits(report, "state file", "base64").length > 0, "non-secret input in the state file");
        assert.ok(hits(report, "state dir file", "base64").length > 0, "the same, in the files of the state directory");
        assert.ok(hits(report, "host log", "hex").length > 0, "host log line");
        assert.ok(hits(report, "serialized provider", "base64url").length > 0, "value captured by the serialized provider");
        assert.ok(report.hits.some((h) => h.kind === "operation result" && h.where.endsWith("preview #2") && h.form === "base64"), "check failure");
        assert.ok(report.hits.some((h) => h.kind === "operation result" && h.where.endsWith("up #3") && h.form === "hex"), "error message");
        const message = formatLeakReport(report);
        assert.match(message, /host log "stack leaks\/planted in .*: host output": material #1 \(32 bytes, sha256 [0-9a-f]{12}…, program of stack leaks\/planted/);
        assertNoMaterial(message, material, "the leak report");
    });

    it("recovers materials from stored states (decrypting their secrets) and scans kms-local logs and provider calls", async () => {
        const registry = new LeakRegistry();
        const dir = mkdtempSync(join(tmpdir(), "leak-scan-"));
        const material = randomBytes(32);
        // A plain Stack: nothing registers the material except the state it stores (encrypted, as a secret).
        const stack = new Stack({ project: "leaks", stack: "state", dir, passphrase: "pass phrase" });
        const kms = await startKmsLocal({ quotas: { enabled: false } });
        try {
            const program: Program = [
                { name: "s", type: dynamicType("planted", "Leaky"), provider: leakyProvider("-"), inputs: { keyMaterial: secret(material.toString("base64")) } },
            ];
            assert.equal((await stack.up(program)).ok, true);
            assert.ok(!stack.rawStateText()!.includes(material.toString("base64")), "stored encrypted");
            registry.addStateText("planted state", stack.rawStateText(), "pass phrase");
            const artifacts = kmsLocalArtifacts("planted", registry);
            artifacts.attach(kms);
            artifacts.log(`2026-11-23T00:00:00.000Z planted line ${material.toString("hex").toUpperCase()}`);
            await stack.destroy(program);
        } finally {
            await kms.stop();
            rmSync(dir, { recursive: true, force: true });
        }
        const report = await registry.scan();
        assert.equal(report.materials, 1, "the material was recovered from the state");
        assert.deepEqual(
            report.hits.map((h) => [h.kind, h.form]),
            [["kms-local log", "HEX"]],
        );

        // In-process provider calls register the materials in their arguments with the suite-wide registry.
        const before = leakRegistry.materialCount;
        for (let i = 0; i < 2; i++) checkInputs({}, { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", keyMaterial: randomBytes(32).toString("base64") }, new Date());
        assert.equal(leakRegistry.materialCount, before + 2);
    });
});

/** A dynamic provider that leaks on purpose (its code is serialized into state, as dynamic.Resource does). */
function leakyProvider(captured: string): object {
    return {
        async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
            const failures = news["mode"] === "check" ? [{ property: "mode", reason: `refused ${String(news["leak"])}` }] : [];
            return { inputs: news, failures };
        },
        async diff() {
            return {};
        },
        async create(inputs: Record<string, unknown>) {
            if (inputs["mode"] === "error") throw new Error(`create failed for ${String(inputs["leakHex"])}`);
            if (inputs["leakHex"]) console.error(`provider log ${String(inputs["leakHex"])}`);
            return { id: "planted-1", outs: { captured, echoed: inputs["leak"] ?? null } };
        },
        async delete() {},
    };
}
