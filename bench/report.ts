// Writes latest.json, latest.md (the tables) and latest.svg (the chart) into the results directory.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PhaseResult } from "./phase";
import { MINIMUM_CALLS, cpuPerResource, hostCpuMs, type BenchResults } from "./results";

export function writeResults(dir: string, results: BenchResults): { markdown: string; paths: string[] } {
    mkdirSync(dir, { recursive: true });
    const markdown = renderMarkdown(results);
    const paths = [join(dir, "latest.json"), join(dir, "latest.md"), join(dir, "latest.svg")];
    writeFileSync(paths[0], JSON.stringify(results, null, 2) + "\n");
    writeFileSync(paths[1], markdown);
    writeFileSync(paths[2], renderSvg(results));
    return { markdown, paths };
}

// ---- Markdown ----

const OPERATIONS = ["DescribeKey", "ListKeyRotations", "GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial"];

const seconds = (ms: number | undefined): string => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`);
const millis = (ms: number | undefined): string => (ms === undefined ? "–" : `${Math.round(ms).toLocaleString("en-US")} ms`);
const num = (n: number, digits = 2): string => (Number.isInteger(n) ? String(n) : n.toFixed(digits));
const bytes = (n: number): string => `${Math.round(n).toLocaleString("en-US")} B`;

function bottleneck(p: PhaseResult): string {
    const b = p.bound.bottleneck;
    return b ? `${b.operation} (${b.calls} ÷ ${num(b.rate)}/s)` : "no KMS calls";
}

export function renderMarkdown(r: BenchResults): string {
    const { params, machine, sizes, coldStart } = r;
    const lines: string[] = [];
    const push = (...xs: string[]): void => {
        lines.push(...xs);
    };
    push(
        `Produced by \`${r.command}\` on ${r.generatedAt.slice(0, 10)} (${machine.cpus} CPUs, ${machine.cpuModel}, node ${machine.node}, ` +
            `load average ${machine.loadAverage.atStart.toFixed(1)} at start, ${machine.loadAverage.atEnd.toFixed(1)} at end); bench wall time ${seconds(r.benchWallMs)}.`,
        `${params.materials} ImportedKeyMaterial resources (symmetric, one per EXTERNAL key created beforehand, outside the stack), ` +
            `engine parallelism ${params.parallel}, every AWS KMS quota × ${num(params.quotaScale)} on kms-local and on the provider ` +
            `(\`pulumi-kms-byok:requestRateScale\`).` +
            (r.ok ? "" : " **Some resources failed: see latest.json.**"),
        "",
        `**1. ${params.materials} materials through the real provider host**`,
        "",
        "| phase | resources | wall | of which host start | host CPU | quota bound | bottleneck (calls ÷ rate) | wall ÷ bound | throttled attempts | failures |",
        "|---|--:|--:|--:|--:|--:|---|--:|--:|--:|",
    );
    for (const p of r.phases) {
        push(
            `| ${p.phase} | ${p.resources} | ${seconds(p.wallMs)} | ${seconds(p.hostReadyMs)} | ${seconds(hostCpuMs(p))} | ${seconds(p.bound.ms)} | ${bottleneck(p)} | ` +
                `${p.ratio === undefined ? "–" : p.ratio.toFixed(2)} | ${p.throttled} | ${p.failedSteps + p.errors.length} |`,
        );
    }
    push(
        "",
        "Wall: the whole operation as `pulumi up/refresh/destroy` runs it, without the preview; host start: launching and configuring " +
            "the provider host, as every CLI command does; host CPU: the host's CPU time from then to the last step (it runs on one thread, " +
            "so this is a floor too). " +
            "Quota bound: for each KMS operation, the calls KMS accepted in the phase ÷ its quota; the largest. " +
            "Throttled attempts: ThrottlingException answers counted by kms-local (each retried). Failures: failed steps + operation errors.",
        "",
        "**2. KMS calls per resource** (accepted calls ÷ resources, from kms-local's counters)",
        "",
        `| phase | ${OPERATIONS.join(" | ")} | total | minimum | throttled attempts |`,
        `|---|${OPERATIONS.map(() => "--:").join("|")}|--:|--:|--:|`,
    );
    for (const c of r.callsPerResource) {
        const others = Object.keys(c.byOperation).filter((op) => !OPERATIONS.includes(op));
        const cells = OPERATIONS.map((op) => (c.byOperation[op] ? num(c.byOperation[op]) : "·"));
        push(
            `| ${c.phase}${others.length > 0 ? ` (+ ${others.map((op) => `${op} ${num(c.byOperation[op])}`).join(", ")})` : ""} | ${cells.join(" | ")} | ` +
                `**${num(c.total)}** | ${c.minimum} | ${num(c.throttledPerResource)} |`,
        );
    }
    push("", "Minimum:");
    for (const [phase, m] of Object.entries(MINIMUM_CALLS)) {
        push(`- ${phase} (${Object.entries(m.byOperation).map(([op, n]) => `${n} ${op}`).join(" + ")}): ${m.note}.`);
    }
    push(
        "",
        "**3. Sizes**",
        "",
        "| what | bytes |",
        "|---|--:|",
        `| serialized provider (\`__provider\`), per resource | ${bytes(sizes.providerBytes)} |`,
        `| stored state per resource (state file ÷ ${params.materials}) | ${bytes(sizes.stateBytesPerResource)} |`,
        `| one material's state entry, compact JSON (inputs ${bytes(sizes.entryInputsBytes)}, outputs ${bytes(sizes.entryOutputsBytes)}; ` +
            `\`__provider\` stored ${sizes.providerCopiesInEntry}×) | ${bytes(sizes.entryBytes)} |`,
        `| whole state file, ${params.materials} materials | ${bytes(sizes.stateFileBytes)} |`,
        "",
        "**4. Cold start and CPU**",
        "",
        "| what | value |",
        "|---|--:|",
        `| host cold start → first completed create (median of ${coldStart.trials.length}, one-material stack) | ${millis(coldStart.medianToFirstCreateMs)} |`,
        `| … of which host launch, Handshake and Configure | ${millis(coldStart.medianToHostReadyMs)} |`,
        `| host cold start → first completed create, in the ${params.materials}-material run | ${millis(coldStart.inRunToFirstCreateMs)} |`,
        `| host CPU for startup (process start to Configure answered) | ${millis(coldStart.medianHostStartupCpuMs)} |`,
    );
    for (const p of r.phases) {
        push(`| host CPU per ${p.phase}, excluding KMS wait | ${cpuMs(cpuPerResource(p))} |`);
    }
    push(
        "",
        "Host CPU: utime + stime of the provider host process (/proc/<pid>/stat, 10 ms ticks) from Configure answered to the phase's last step " +
            "(so the engine's Check/Diff calls are included), " +
            "÷ resources; waiting for KMS or the pacer costs none. kms-local and the engine stand-in run in the bench process and are not counted.",
        "",
    );
    return lines.join("\n");
}

const cpuMs = (ms: number | undefined): string => (ms === undefined ? "–" : `${ms.toFixed(1)} ms`);

// ---- SVG chart ----

const COLORS: Record<string, string> = { create: "#1f77b4", refresh: "#2ca02c", update: "#ff7f0e", delete: "#d62728" };

function esc(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Two panels: wall vs quota bound per phase; completed resources over time vs what the quota allows. */
export function renderSvg(r: BenchResults): string {
    const width = 860;
    const out: string[] = [];
    const text = (x: number, y: number, s: string, attrs = ""): void => {
        out.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`);
    };

    // Panel A: bars.
    const top = 50;
    const barH = 16;
    const rowH = 44;
    const left = 90;
    const barW = width - left - 215;
    const maxMs = Math.max(1, ...r.phases.flatMap((p) => [p.wallMs, p.bound.ms]));
    text(20, 28, `${r.params.materials} materials, parallel ${r.params.parallel}, quotas × ${num(r.params.quotaScale)}: wall time vs quota bound`, 'font-weight="bold"');
    r.phases.forEach((p, i) => {
        const y = top + i * rowH;
        const color = COLORS[p.phase] ?? "#555";
        text(20, y + 12, p.phase);
        out.push(`<rect x="${left}" y="${y}" width="${((p.wallMs / maxMs) * barW).toFixed(1)}" height="${barH}" fill="${color}"/>`);
        out.push(`<rect x="${left}" y="${y + barH + 2}" width="${Math.max(1, (p.bound.ms / maxMs) * barW).toFixed(1)}" height="${barH / 2}" fill="none" stroke="${color}" stroke-dasharray="3,2"/>`);
        const ratio = p.ratio === undefined ? "" : ` (×${p.ratio.toFixed(2)})`;
        text(left + barW + 8, y + 12, `${seconds(p.wallMs)} / bound ${seconds(p.bound.ms)}${ratio}`, 'font-size="12"');
    });
    const legendY = top + r.phases.length * rowH;
    out.push(`<rect x="${left}" y="${legendY - 8}" width="14" height="8" fill="#888"/>`);
    text(left + 18, legendY, "wall", 'font-size="11"');
    out.push(`<rect x="${left + 60}" y="${legendY - 8}" width="14" height="6" fill="none" stroke="#888" stroke-dasharray="3,2"/>`);
    text(left + 78, legendY, "quota bound (calls ÷ quota of the bottleneck operation)", 'font-size="11"');

    // Panel B: completed resources over time, per phase, with the quota line of create/update.
    const bTop = legendY + 50;
    const bH = 260;
    const bLeft = 70;
    const bW = width - bLeft - 40;
    const phases = r.phases.filter((p) => p.stepEndsMs.length > 0);
    const maxT = Math.max(1, ...phases.map((p) => p.wallMs));
    const maxN = Math.max(1, r.params.materials);
    const x = (ms: number): number => bLeft + (ms / maxT) * bW;
    const y = (n: number): number => bTop + bH - (n / maxN) * bH;
    text(20, bTop - 18, "resources completed over time (solid) vs the most the quotas allow (dashed)", 'font-weight="bold"');
    out.push(`<line x1="${bLeft}" y1="${bTop + bH}" x2="${bLeft + bW}" y2="${bTop + bH}" stroke="#333"/>`);
    out.push(`<line x1="${bLeft}" y1="${bTop}" x2="${bLeft}" y2="${bTop + bH}" stroke="#333"/>`);
    for (let k = 0; k <= 5; k++) {
        const t = (maxT / 5) * k;
        text(x(t) - 10, bTop + bH + 16, `${(t / 1000).toFixed(0)} s`, 'font-size="11"');
        const n = Math.round((maxN / 5) * k);
        text(bLeft - 36, y(n) + 4, String(n), 'font-size="11"');
    }
    phases.forEach((p, i) => {
        const color = COLORS[p.phase] ?? "#555";
        const pts = [`${x(0).toFixed(1)},${y(0).toFixed(1)}`];
        p.stepEndsMs.forEach((t, k) => pts.push(`${x(t).toFixed(1)},${y(k).toFixed(1)}`, `${x(t).toFixed(1)},${y(k + 1).toFixed(1)}`));
        out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
        // The quota line: the bottleneck operation's calls per resource at its rate.
        const b = p.bound.bottleneck;
        if (b && p.resources > 0) {
            const perSecond = b.rate / (b.calls / p.resources);
            const tFull = (p.resources / perSecond) * 1000;
            const tEnd = Math.min(tFull, maxT);
            out.push(
                `<line x1="${x(0).toFixed(1)}" y1="${y(0).toFixed(1)}" x2="${x(tEnd).toFixed(1)}" y2="${y((tEnd / 1000) * perSecond).toFixed(1)}" stroke="${color}" stroke-dasharray="5,3"/>`,
            );
        }
        // Top, a third of the way in: above the quota-bound phases' curves, right of the quick phases'.
        text(bLeft + bW * 0.3, bTop + 16 + i * 16, `${p.phase}: ${p.resources} in ${seconds(p.wallMs)}`, `font-size="12" fill="${color}"`);
    });
    const height = bTop + bH + 40;
    return (
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">\n` +
        `<rect width="100%" height="100%" fill="white"/>\n` +
        out.join("\n") +
        "\n</svg>\n"
    );
}
