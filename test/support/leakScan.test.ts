import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startKmsLocal } from "../../kms-local";
import { checkInputs } from "../../provider/material/check";
import { assertNoMaterial } from "./assertions";
import {
    LeakRegistry,
    formatLeakReport,
    kmsLocalArtifacts,
    leakRegistry,
    materialPatterns,
    type LeakReport,
} from "./leakScan";
import { useCliWorld } from "./cli/cliWorld";

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
        const mocharc = JSON.parse(readFileSync(join(__dirname, "../../../.mocharc.json"), "utf8")) as {
            require?: string[];
        };
        assert.ok(mocharc.require?.includes("dist/test/support/leakScanHook.js"));
        assert.equal(leakRegistry.hookInstalled, true);
    });

    it(
        "finds a material in every form: raw, hex, HEX, base64, base64url (alone or inside longer blobs at any " +
            "offset), JSON Buffer",
        async () => {
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
                [
                    "base64url offset 2",
                    embedded(2, "base64url"),
                    "base64url (at byte offset 2 mod 3 inside a longer blob)",
                ],
                ["JSON of a Buffer", JSON.stringify({ key: material }), "decimal byte list"],
            ];
            for (const [where, text] of planted) registry.addText("planted", where, text);
            registry.addText(
                "planted",
                "clean",
                randomBytes(4096).toString("base64") + randomBytes(2048).toString("hex"),
            );
            const report = await registry.scan();
            for (const [where, , form] of planted) {
                assert.ok(
                    report.hits.some((h) => h.where === where && h.form === form),
                    `${where}: not found as ${form}: ${JSON.stringify(report.hits)}`,
                );
            }
            assert.equal(report.hits.filter((h) => h.where === "clean").length, 0);
            assert.equal(materialPatterns(material).length, 10);

            const other = new LeakRegistry();
            other.addMaterial(randomBytes(32), "another material");
            for (const [where, text] of planted) other.addText("planted", where, text);
            assert.deepEqual((await other.scan()).hits, [], "no false positives");
        },
    );

    it(
        "registers a material given as PEM or PKCS#1/SEC1: its own bytes, the PKCS#8 the provider imports and " +
            "each PEM line are searched",
        async () => {
            const registry = new LeakRegistry();
            const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
            const sec1 = privateKey.export({ type: "sec1", format: "der" });
            registry.addMaterialsIn(
                { keyMaterial: String(privateKey.export({ type: "sec1", format: "pem" })) },
                "planted PEM",
            );
            registry.addText("planted", "sec1", sec1.toString("hex"));
            registry.addText(
                "planted",
                "imported",
                privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
            );
            const pkcs8Pem = String(privateKey.export({ type: "pkcs8", format: "pem" }));
            registry.addMaterialsIn({ keyMaterial: pkcs8Pem }, "planted PEM");
            registry.addText("planted", "one PEM line", `{"message":"…${pkcs8Pem.split("\n")[2]}…"}`);
            registry.addText("planted", "JSON-escaped PEM", JSON.stringify({ outputs: { keyMaterial: pkcs8Pem } }));
            // A public key given by mistake is no material: the publicKey output shows it by design.
            const publicPem = String(
                generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({
                    type: "spki",
                    format: "pem",
                }),
            );
            registry.addMaterialsIn({ keyMaterial: publicPem }, "planted public key");
            registry.addText(
                "planted",
                "public key output",
                JSON.stringify({ publicKey: publicPem.split("\n").slice(1, -2).join("") }),
            );
            const report = await registry.scan();
            assert.deepEqual([...new Set(report.hits.map((h) => h.where))].sort(), [
                "JSON-escaped PEM",
                "imported",
                "one PEM line",
                "sec1",
            ]);
        },
    );

    describe("through the real Pulumi CLI", () => {
        const registry = new LeakRegistry();
        const world = useCliWorld({ registry });

        it(
            "finds leaks planted in a stack: CLI output, engine events, check failures, errors, stack " +
                "export, backend files",
            async () => {
                const material = randomBytes(32);
                const hex = material.toString("hex");
                const program = (name: string, inputs: Record<string, unknown>) => async () => {
                    // The material reaches the registry only as secret config, as stacks carry it.
                    new Leaky(name, { ...inputs, keyMaterial: new pulumi.Config().requireSecret("keyMaterial") });
                };
                const stack = await world().newStack(
                    "planted",
                    program("a", { leak: material.toString("base64"), leakHex: hex }),
                    {
                        keyMaterial: { secret: material.toString("base64") },
                    },
                );
                // Leaks: an input not marked secret (state, in clear), an output echoing it, a log line of the
                // provider.
                assert.ok((await stack.up()).ok);
                await stack.exportState();
                // A check failure whose reason shows it; an error message that shows it.
                assert.ok(
                    !(
                        await stack.preview({
                            program: program("b", { mode: "check", leak: material.toString("base64url") }),
                        })
                    ).ok,
                );
                assert.ok(
                    !(await stack.up({ program: program("c", { mode: "error", leakHex: hex.toUpperCase() }) })).ok,
                );
                registry.addDirectory(world().dir, "planted world");
                const report = await registry.scan();
                assert.ok(hits(report, "state file", "base64").length > 0, "non-secret input in pulumi stack export");
                assert.ok(hits(report, "state dir file", "base64").length > 0, "the same, in the backend's files");
                assert.ok(
                    report.hits.some(
                        (h) => h.kind === "operation result" && h.where.endsWith("up #1") && h.form === "hex",
                    ),
                    "the provider's log line, relayed by the CLI",
                );
                assert.ok(
                    report.hits.some(
                        (h) => h.kind === "operation result" && h.where.includes("preview") && h.form === "base64url",
                    ),
                    "check failure",
                );
                assert.ok(
                    report.hits.some((h) => h.kind === "operation result" && h.form === "HEX"),
                    "error message",
                );
                const message = formatLeakReport(report);
                assert.match(
                    message,
                    /material #1 \(32 bytes, sha256 [0-9a-f]{12}…, secret config keyMaterial of stack kms-byok\/planted\)/,
                );
                assertNoMaterial(message, material, "the leak report");
            },
        );
    });

    it("scans kms-local logs; in-process provider calls register the materials of their arguments", async () => {
        const registry = new LeakRegistry();
        const material = randomBytes(32);
        registry.addMaterial(material, "planted");
        const kms = await startKmsLocal({ quotas: { enabled: false } });
        try {
            const artifacts = kmsLocalArtifacts("planted", registry);
            artifacts.attach(kms);
            artifacts.log(`2026-11-23T00:00:00.000Z planted line ${material.toString("hex").toUpperCase()}`);
        } finally {
            await kms.stop();
        }
        const report = await registry.scan();
        assert.deepEqual(
            report.hits.map((h) => [h.kind, h.form]),
            [["kms-local log", "HEX"]],
        );
        const before = leakRegistry.materialCount;
        for (let i = 0; i < 2; i++)
            checkInputs(
                {},
                { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", keyMaterial: randomBytes(32).toString("base64") },
                new Date(),
            );
        assert.equal(leakRegistry.materialCount, before + 2);
    });
});

/** A dynamic resource that leaks on purpose. */
class Leaky extends pulumi.dynamic.Resource {
    constructor(name: string, props: Record<string, unknown>) {
        super(leakyProvider, name, props, {}, "planted", "Leaky");
    }
}

/** A dynamic provider that leaks on purpose (its code is serialized into state, as dynamic.Resource does). */
const leakyProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        const failures =
            news["mode"] === "check" ? [{ property: "mode", reason: `refused ${String(news["leak"])}` }] : [];
        return { inputs: news, failures };
    },
    async diff() {
        return {};
    },
    async create(inputs: Record<string, unknown>) {
        if (inputs["mode"] === "error") throw new Error(`create failed for ${String(inputs["leakHex"])}`);
        const leakHex = inputs["leakHex"];
        if (typeof leakHex === "string" && leakHex) console.error(`provider log ${leakHex}`);
        return { id: "planted-1", outs: { echoed: inputs["leak"] ?? null } };
    },
    async delete() {},
};
