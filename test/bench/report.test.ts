import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parallelLabel, renderMarkdown, renderSvg, writeResults } from "../../bench/report";
import { benchResults } from "./fixture";

describe("bench/report", () => {
    it("labels the parallelism as the user sets it, with what the default came to", () => {
        assert.equal(parallelLabel({ setting: "default", effective: 8 }), "default (8)");
        assert.equal(parallelLabel({ setting: 16, effective: 16 }), "--parallel 16");
    });

    it("states the command, the machine and its load average", () => {
        const md = renderMarkdown(benchResults());
        assert.match(
            md,
            /^Produced by `npm run bench` on 2026-12-01: 2 CPUs \(Test CPU\), node v20\.20\.2, the official Pulumi CLI v3\.274\.1/,
        );
        assert.match(
            md,
            /\*\*Load average\*\* \(1 min, sampled every 5 s\): 3\.5 at start, 2\.5 at end, mean 4\.3, max 6\.0 — the machine was busy/,
        );
        assert.match(md, /the CLI's default is 4 × CPUs = 8 here/);
        assert.match(md, /the @pulumi\/aws plugin cannot be downloaded offline/);
    });

    it("shows each target per parallelism, met or not", () => {
        const md = renderMarkdown(benchResults());
        assert.match(md, /\| phase \| target \| default \(8\) \| --parallel 16 \|/);
        assert.match(md, /\| preview \| ≤ 10 s \| 6\.0 s: met \| 10\.5 s: \*\*not met\*\* \|/);
        assert.match(md, /\| create \| ≤ 1\.10 × bound \| 1\.06 × bound: met \| 1\.06 × bound: met \|/);
        assert.match(md, /\| refresh \| ≤ 2\.00 × bound \| 1\.95 × bound: met \| 2\.05 × bound: \*\*not met\*\* \|/);
        assert.match(md, /\| delete \| ≤ 1\.10 × bound \| 1\.05 × bound: met \|/);
    });

    it("tabulates every phase of every parallelism: bound, calls, CPU, checkpoint writes, sizes, cold start", () => {
        const md = renderMarkdown(benchResults());
        assert.match(
            md,
            /\| create \(`pulumi up`\) \| default \(8\) \| 200\/200 \| 212\.0 s \| 200\.0 s \(GetParametersForImport: 200 ÷ 1\/s\) \| 1\.06 \| 0 \| 0 \| 8 \|/,
        );
        assert.match(md, /\| create \| --parallel 16 \| 2 \| 1 \| 1 \| 1 \| · \| \*\*5\*\* \| 2 \| 0 \|/);
        assert.match(md, /\| delete \| default \(8\) \| 402 \| 2\.01 \| 330\.0 MB \| 1,600,000 B \|/);
        assert.match(
            md,
            /\| update \| default \(8\) \| 6\.0 s \| 2\.9 s \| 0\.1 s \| 9\.0 s \| 30\.0 \/ 14\.5 ms \| 3\.0 s \| 200 MB \/ 170 MB \|/,
        );
        assert.match(md, /serialized provider \(`__provider`\), per material \| 2,418 B/);
        assert.match(md, /\*\*create done\*\* \(the engine's resOutputsEvent\) \| 2,300 ms/);
        assert.equal(
            (
                md.match(
                    /^\| (preview|create|refresh|update|delete) \| (default \(8\)|--parallel 16) \| \d+ ms \| /gm,
                ) ?? []
            ).length,
            10,
            "one timeline row per phase and parallelism",
        );
    });

    it("says when resources failed", () => {
        const results = { ...benchResults(), ok: false };
        assert.match(renderMarkdown(results), /\*\*Some resources failed: see latest\.json\.\*\*/);
    });

    it("draws a well-formed chart with a bar per phase and parallelism", () => {
        const svg = renderSvg(benchResults());
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.match(svg, /<\/svg>\n$/);
        assert.equal(
            (svg.match(/<text [^>]*font-size="12">(preview|create|refresh|update|delete), /g) ?? []).length,
            10,
        );
        assert.equal((svg.match(/<polyline /g) ?? []).length, 4, "create and update at both parallelisms");
        assert.doesNotMatch(svg, /NaN|undefined/);
    });

    it("writes latest.json, latest.md and latest.svg", () => {
        const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
        try {
            const { paths, markdown } = writeResults(dir, benchResults());
            assert.deepEqual(
                paths.map((p) => p.slice(dir.length + 1)),
                ["latest.json", "latest.md", "latest.svg"],
            );
            assert.deepEqual(JSON.parse(readFileSync(paths[0], "utf8")), JSON.parse(JSON.stringify(benchResults())));
            assert.equal(readFileSync(paths[1], "utf8"), markdown);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
