import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";

/**
 * What `npm pack` puts in the tarball users install (the install route of docs/installation-configuration.md): the
 * entry points, the runtime the stored provider shim loads, every module they require, and the type declarations — and
 * nothing of the tests or kms-local. The full round trip (pack, install the tarball into a scratch project,
 * require it, type-check against it) takes 40 s, mostly installing @pulumi/aws; it is measured, not run here.
 */

const ROOT = join(__dirname, "../..");

interface PackedFile {
    path: string;
}

describe("package (npm pack)", function () {
    this.timeout(60_000);
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
        name: string;
        version: string;
        main: string;
        types: string;
        exports: Record<string, string | { types: string; default: string }>;
        engines: { node: string };
        repository?: { type?: string; url?: string };
    };
    let files: Set<string>;
    before(() => {
        // --ignore-scripts: the suite has just built dist/; `prepare` would build it again.
        const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        });
        files = new Set((JSON.parse(out.toString()) as { files: PackedFile[] }[])[0].files.map((f) => f.path));
    });

    it(
        "ships the entry points, the runtime the stored shim loads, declarations, LICENSE and README, and " +
            "no tests or kms-local",
        () => {
            const shim = readFileSync(join(ROOT, "provider/engine/storedProvider.ts"), "utf8");
            const runtime = /RUNTIME_MODULE = "pulumi-kms-byok\/(.+)"/.exec(shim)![1];
            for (const file of [
                manifest.main,
                manifest.types,
                `${runtime}.js`,
                "LICENSE",
                "README.md",
                "package.json",
            ]) {
                assert.ok(files.has(file), `${file} is in the tarball`);
            }
            const stray = [...files].filter(
                (f) =>
                    /^dist\/(test|kms-local|engine-harness|demo|bench|examples)\//.test(f) ||
                    (f.endsWith(".ts") && !f.endsWith(".d.ts")),
            );
            assert.deepEqual(stray, []);
        },
    );

    it(
        "declares its public entry points in exports: the API, the runtime every stored __provider " +
            "requires, and nothing else",
        () => {
            const exports = manifest.exports;
            const shim = readFileSync(join(ROOT, "provider/engine/storedProvider.ts"), "utf8");
            const runtime = /RUNTIME_MODULE = "pulumi-kms-byok\/(.+)"/.exec(shim)![1];
            assert.deepEqual(
                Object.keys(exports).sort(),
                [".", `./${runtime}`, `./${runtime}.js`, "./package.json"].sort(),
            );
            for (const [subpath, target] of Object.entries(exports)) {
                for (const file of typeof target === "string" ? [target] : [target.types, target.default]) {
                    assert.ok(files.has(posix.normalize(file)), `${subpath} → ${file} is in the tarball`);
                }
            }
            assert.equal(
                require.resolve(`pulumi-kms-byok/${runtime}`),
                join(ROOT, `${runtime}.js`),
                "the stored stacks' require resolves through exports",
            );
            assert.throws(
                () => require.resolve("pulumi-kms-byok/dist/provider/engine/runtime"),
                { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" },
                "internal modules are not entry points",
            );
        },
    );

    it("every relative require of a shipped module, and every declaration import, resolves inside the tarball", () => {
        const missing: string[] = [];
        let checked = 0;
        for (const file of [...files].filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))) {
            const text = readFileSync(join(ROOT, file), "utf8");
            for (const [, spec] of text.matchAll(/(?:require\(|from )"(\.{1,2}\/[^"]+)"/g)) {
                const target = posix.join(posix.dirname(file), spec);
                const candidates = file.endsWith(".d.ts")
                    ? [`${target}.d.ts`, `${target}/index.d.ts`]
                    : [`${target}.js`, target, `${target}/index.js`];
                checked++;
                if (!candidates.some((c) => files.has(c))) missing.push(`${file} → ${spec}`);
            }
        }
        assert.ok(checked > 50, `${checked} relative imports checked`);
        assert.deepEqual(missing, []);
    });

    it("declares the tested Node versions, and no repository URL that does not exist", () => {
        assert.equal(manifest.engines.node, ">=22");
        assert.equal(manifest.repository?.type, "git");
        assert.equal(
            manifest.repository?.url,
            undefined,
            "no public remote yet: the installation page says how to install from a checkout",
        );
    });

    it("the installation page's install line names the tarball npm pack writes", () => {
        const readme = readFileSync(join(ROOT, "docs", "installation-configuration.md"), "utf8");
        const tarball = `${manifest.name}-${manifest.version}.tgz`;
        assert.match(readme, new RegExp(`npm install /path/to/pulumi-kms-byok/${tarball.replace(/\./g, "\\.")}`));
        assert.match(readme, /npm ci && npm pack/);
    });
});
