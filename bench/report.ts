// Writes latest.json (everything), latest.md (the tables) and latest.svg (the chart) into the results directory.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PhaseResult } from "./phase";
import {
    MINIMUM_CALLS,
    TARGETS,
    callsPerResource,
    checkTarget,
    describeTarget,
    fixedCosts,
    kmsWindowRatio,
    type BenchResults,
    type ParallelismRun,
} from "./results";

export function writeResults(dir: string, results: BenchResults): { markdown: string; paths: string[] } {
    mkdirSync(dir, { recursive: true });
    const markdown = renderMarkdown(results);
    const paths = [join(dir, "latest.json"), join(dir, "latest.md"), join(dir, "latest.svg")];
    writeFileSync(paths[0], JSON.stringify(results, null, 2) + "\n");
    writeFileSync(paths[1], markdown);
    writeFileSync(paths[2], renderSvg(results));
    return { markdown, paths };
}

// ---- Formatting ----

const OPERATIONS = [
    "DescribeKey",
    "ListKeyRotations",
    "GetParametersForImport",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
];

export const seconds = (ms: number | undefined): string => (ms === undefined ? "–" : `${(ms / 1000).toFixed(1)} s`);
const millis = (ms: number | undefined): string =>
    ms === undefined ? "–" : `${Math.round(ms).toLocaleString("en-US")} ms`;
const num = (n: number, digits = 2): string => (Number.isInteger(n) ? String(n) : n.toFixed(digits));
const bytes = (n: number): string => `${Math.round(n).toLocaleString("en-US")} B`;
const megabytes = (n: number): string => `${(n / 1_000_000).toFixed(1)} MB`;
const ratio = (x: number | undefined): string => (x === undefined ? "–" : x.toFixed(2));

export function parallelLabel(run: Pick<ParallelismRun, "setting" | "effective">): string {
    return run.setting === "default" ? `default (${run.effective})` : `--parallel ${run.setting}`;
}

function bottleneck(p: PhaseResult): string {
    const b = p.bound.bottleneck;
    return b ? `${seconds(p.bound.ms)} (${b.operation}: ${b.calls} ÷ ${num(b.rate)}/s)` : "– (no KMS calls)";
}

function targetCell(p: PhaseResult | undefined): string {
    if (!p) return "–";
    const check = checkTarget(p);
    const value = check.target.kind === "ratio" ? `${ratio(check.measured)} × bound` : seconds(check.measured);
    return `${value}: ${check.met ? "met" : "**not met**"}`;
}

const phaseRows = (r: BenchResults): { run: ParallelismRun; p: PhaseResult }[] =>
    r.runs.flatMap((run) => run.phases.map((p) => ({ run, p })));

// ---- Markdown ----

export function renderMarkdown(r: BenchResults): string {
    const { params, machine } = r;
    const lines: string[] = [];
    const push = (...xs: string[]): void => void lines.push(...xs);
    const load = machine.loadAverage;
    const busyNote =
        load.mean > machine.cpus
            ? " — the machine was busy with other work, so CPU-bound figures are slower than on a quiet machine"
            : "";
    push(
        `Produced by \`${r.command}\` on ${r.generatedAt.slice(0, 10)}: ${machine.cpus} CPUs ` +
            `(${machine.cpuModel}), node ${machine.node}, ` +
            `the official Pulumi CLI v${machine.pulumiCli} through the Automation API (inline program, ` +
            `file backend, offline). ` +
            `**Load average** (1 min, sampled every 5 s): ${load.atStart.toFixed(1)} at start, ` +
            `${load.atEnd.toFixed(1)} at end, ` +
            `mean ${load.mean.toFixed(1)}, max ` +
            `${load.max.toFixed(1)}${busyNote}. ` +
            `Bench wall time ${seconds(r.benchWallMs)}.`,
        "",
        `${params.materials} ImportedKeyMaterial resources (symmetric, 32 random bytes each; one per ` +
            `EXTERNAL key created beforehand with the AWS SDK, ` +
            `outside the stack, because the @pulumi/aws plugin cannot be downloaded offline); every AWS ` +
            `KMS quota × ${num(params.quotaScale)} on kms-local ` +
            `and on the provider (\`pulumi-kms-byok:requestRateScale\`). Default parallelism: no ` +
            `\`--parallel\` flag; the CLI's default is 4 × CPUs = ` +
            `${machine.cliDefaultParallelism} here.` +
            (Object.keys(params.cliEnv).length > 0
                ? ` Experiment: CLI environment ${Object.entries(params.cliEnv)
                      .map(([k, v]) => `\`${k}=${v}\``)
                      .join(", ")}.`
                : "") +
            (r.ok ? "" : " **Some resources failed: see latest.json.**"),
        "",
        "**Targets** (issue 9)",
        "",
        `| phase | target | ${r.runs.map(parallelLabel).join(" | ")} |`,
        `|---|---|${r.runs.map(() => "--:").join("|")}|`,
    );
    for (const phase of Object.keys(TARGETS) as (keyof typeof TARGETS)[]) {
        push(
            `| ${phase} | ${describeTarget(TARGETS[phase])} | ` +
                `${r.runs.map((run) => targetCell(run.phases.find((p) => p.phase === phase))).join(" | ")} |`,
        );
    }
    push(
        "",
        `**1. ${params.materials} materials, one CLI command per phase**`,
        "",
        "| phase | parallelism | steps | wall | quota bound (bottleneck: calls ÷ rate) | wall ÷ bound | " +
            "throttled attempts | failures | max steps in flight |",
        "|---|---|--:|--:|---|--:|--:|--:|--:|",
    );
    for (const { run, p } of phaseRows(r)) {
        push(
            `| ${p.phase} (\`${p.command}\`) | ${parallelLabel(run)} | ${p.resources}/${p.expected} | ` +
                `${seconds(p.wallMs)} | ${bottleneck(p)} | ${ratio(p.ratio)} | ` +
                `${p.throttled} | ${p.failedSteps + p.errors.length} | ${p.maxInFlight} |`,
        );
    }
    push(
        "",
        "Wall: the `pulumi` process from spawn to exit (the Automation API's `up` adds `--skip-preview`; a " +
            "terminal `pulumi up` would run the preview row first). " +
            "Quota bound: for each KMS operation the calls KMS accepted ÷ its rate; the largest. Max steps " +
            "in flight: the most resource steps " +
            "the engine had started and not finished at once.",
        "",
        "**2. Where the wall time goes** (ms from the `pulumi` spawn)",
        "",
        "| phase | parallelism | program started | host process seen | first step started | first KMS " +
            "answer | last KMS answer | CLI exit | before first KMS answer | after last KMS answer | " +
            "KMS window ÷ bound |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const { run, p } of phaseRows(r)) {
        const fixed = fixedCosts(p);
        const t = p.timeline;
        push(
            `| ${p.phase} | ${parallelLabel(run)} | ${millis(t.programStartedMs)} | ` +
                `${millis(t.hostSeenMs)} | ${millis(t.firstStepStartMs)} | ${millis(t.firstKmsAnswerMs)} | ` +
                `${millis(t.lastKmsAnswerMs)} | ` +
                `${millis(p.wallMs)} | ${millis(fixed?.beforeFirstKmsMs)} | ` +
                `${millis(fixed?.afterLastKmsMs)} | ${ratio(kmsWindowRatio(p))} |`,
        );
    }
    push(
        "",
        "**3. CPU time** (utime + stime from /proc, 10 ms ticks; waiting costs none)",
        "",
        "| phase | parallelism | CLI (`pulumi`) | provider host | plugin wrapper | all three, exact | per " +
            "resource: CLI / host | bench process (program, kms-local) | peak RSS: CLI / host |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const { run, p } of phaseRows(r)) {
        const per = (ms: number): string => (ms / Math.max(1, p.expected)).toFixed(1);
        const rss = (role: "cli" | "host"): string => {
            const peaks = p.processes.filter((x) => x.role === role).map((x) => x.peakRssBytes ?? 0);
            return peaks.length > 0 ? `${Math.round(Math.max(...peaks) / 1_000_000)} MB` : "–";
        };
        push(
            `| ${p.phase} | ${parallelLabel(run)} | ${seconds(p.cpu.cliMs)} | ${seconds(p.cpu.hostMs)} | ` +
                `${seconds(p.cpu.otherMs)} | ${seconds(p.cpu.allProcessesMs)} | ` +
                `${per(p.cpu.cliMs)} / ${per(p.cpu.hostMs)} ms | ${seconds(p.cpu.benchProcessMs)} | ` +
                `${rss("cli")} / ${rss("host")} |`,
        );
    }
    push(
        "",
        "CLI, host and wrapper: each process's last /proc sample (every 100 ms) before it exited; all " +
            "three, exact: the CPU of the " +
            "bench's exited children (cutime + cstime), which includes them whatever their lifetime. The " +
            "plugin wrapper is the shell script " +
            "`pulumi-resource-pulumi-nodejs` and the `node -e` it runs to resolve the host's path.",
        "",
        "**4. Checkpoint writes of the file backend** (each write is the whole stack state, rewritten in place)",
        "",
        "| phase | parallelism | checkpoint writes | per completed step | bytes written | largest checkpoint |",
        "|---|---|--:|--:|--:|--:|",
    );
    for (const { run, p } of phaseRows(r)) {
        push(
            `| ${p.phase} | ${parallelLabel(run)} | ${p.state.checkpointWrites} | ` +
                `${p.resources > 0 ? num(p.state.checkpointWrites / p.resources) : "–"} | ` +
                `${megabytes(p.state.checkpointBytesWritten)} | ${bytes(p.state.largestCheckpointBytes)} |`,
        );
    }
    push("", "**5. KMS calls per resource** (accepted calls ÷ resources, from kms-local's counters)", "");
    push(
        `| phase | parallelism | ${OPERATIONS.join(" | ")} | total | minimum | throttled attempts |`,
        `|---|---|${OPERATIONS.map(() => "--:").join("|")}|--:|--:|--:|`,
    );
    for (const { run, p } of phaseRows(r)) {
        const c = callsPerResource(p);
        const others = Object.keys(c.byOperation).filter((op) => !OPERATIONS.includes(op));
        const cells = OPERATIONS.map((op) => (c.byOperation[op] ? num(c.byOperation[op]) : "·"));
        const otherCalls =
            others.length > 0 ? ` (+ ${others.map((op) => `${op} ${num(c.byOperation[op])}`).join(", ")})` : "";
        push(
            `| ${c.phase}${otherCalls} | ${parallelLabel(run)} | ${cells.join(" | ")} | ` +
                `**${num(c.total)}** | ${c.minimum} | ${num(c.throttledPerResource)} |`,
        );
    }
    push("", "Minimum:");
    for (const [phase, m] of Object.entries(MINIMUM_CALLS)) {
        const ops = Object.entries(m.byOperation).map(([op, n]) => `${n} ${op}`);
        push(`- ${phase} (${ops.length > 0 ? ops.join(" + ") : "none"}): ${m.note}.`);
    }
    if (r.sizes) {
        const s = r.sizes;
        push(
            "",
            "**6. Sizes** (after the create)",
            "",
            "| what | bytes |",
            "|---|--:|",
            `| serialized provider (\`__provider\`), per material | ${bytes(s.providerBytes)} |`,
            `| one material in \`pulumi stack export\`, compact JSON (inputs ${bytes(s.entryInputsBytes)}, ` +
                `outputs ${bytes(s.entryOutputsBytes)}; \`__provider\` stored ${s.providerCopiesInEntry}×) | ` +
                `${bytes(s.entryBytes)} |`,
            `| \`pulumi stack export\` ÷ ${params.materials} | ${bytes(s.exportBytesPerMaterial)} |`,
            `| checkpoint file ÷ ${params.materials} | ${bytes(s.stateFileBytesPerMaterial)} |`,
            `| checkpoint file, ${params.materials} materials (rewritten at every save) | ${bytes(s.stateFileBytes)} |`,
        );
        if (s.entryFieldBytes) {
            const top = s.entryFieldBytes.slice(0, 12).map(([field, n]) => `\`${field}\` ${n.toLocaleString("en-US")}`);
            push(
                "",
                `What one material's ${bytes(s.entryBytes)} are (largest first, compact JSON, key ` +
                    `included): ${top.join(", ")}.`,
            );
        }
    }
    const cold = r.coldStart;
    if (cold.trials.length > 0) {
        const m = cold.median;
        push(
            "",
            `**7. Cold start**: \`pulumi up\` of a new one-material stack (median of ` +
                `${cold.trials.length}; ms from the \`pulumi\` spawn)`,
            "",
            "| what | value |",
            "|---|--:|",
            `| provider host process seen | ${millis(m.hostSeenMs)} |`,
            `| first KMS answer (the provider's first call) | ${millis(m.firstKmsAnswerMs)} |`,
            `| **create done** (the engine's resOutputsEvent) | ${millis(m.createDoneMs)} |`,
            `| \`pulumi up\` exited | ${millis(m.wallMs)} |`,
            `| CPU: CLI / host | ${millis(m.cliCpuMs)} / ${millis(m.hostCpuMs)} |`,
        );
    }
    push("");
    return lines.join("\n");
}

// ---- SVG chart ----

const COLORS: Record<string, string> = {
    preview: "#9467bd",
    create: "#1f77b4",
    refresh: "#2ca02c",
    update: "#ff7f0e",
    delete: "#d62728",
};
const DASHES = ["", "6,3", "2,2", "8,2,2,2"];

function esc(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Two panels: wall vs quota bound per phase and parallelism; completed resources over time vs what the quota allows.
 */
export function renderSvg(r: BenchResults): string {
    const width = 1000;
    const out: string[] = [];
    const text = (x: number, y: number, s: string, attrs = ""): void =>
        void out.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`);

    // Panel A: wall (solid) and bound (dashed outline) per phase and parallelism.
    const rows = phaseRows(r);
    const top = 50;
    const barH = 12;
    const rowH = 34;
    const left = 230;
    const barW = width - left - 330;
    const maxMs = Math.max(1, ...rows.flatMap(({ p }) => [p.wallMs, p.bound.ms]));
    text(
        20,
        28,
        `${r.params.materials} materials through the official Pulumi CLI, quotas × ` +
            `${num(r.params.quotaScale)}: wall time vs quota bound`,
        'font-weight="bold"',
    );
    rows.forEach(({ run, p }, i) => {
        const y = top + i * rowH;
        const color = COLORS[p.phase] ?? "#555";
        text(20, y + 11, `${p.phase}, ${parallelLabel(run)}`, 'font-size="12"');
        out.push(
            `<rect x="${left}" y="${y}" width="${Math.max(1, (p.wallMs / maxMs) * barW).toFixed(1)}" ` +
                `height="${barH}" fill="${color}"/>`,
        );
        if (p.bound.ms > 0) {
            out.push(
                `<rect x="${left}" y="${y + barH + 2}" ` +
                    `width="${Math.max(1, (p.bound.ms / maxMs) * barW).toFixed(1)}" height="${barH / 2}" ` +
                    `fill="none" stroke="${color}" stroke-dasharray="3,2"/>`,
            );
        }
        const check = checkTarget(p);
        const rightText =
            p.bound.ms > 0
                ? `${seconds(p.wallMs)} / bound ${seconds(p.bound.ms)} (×${ratio(p.ratio)})`
                : seconds(p.wallMs);
        text(
            left + barW + 8,
            y + 11,
            `${rightText} ${check.met ? "✓" : "✗"} ${describeTarget(check.target)}`,
            'font-size="11"',
        );
    });
    const legendY = top + rows.length * rowH + 4;
    out.push(`<rect x="${left}" y="${legendY - 8}" width="14" height="8" fill="#888"/>`);
    text(left + 18, legendY, "wall (pulumi process)", 'font-size="11"');
    out.push(
        `<rect x="${left + 140}" y="${legendY - 8}" width="14" height="6" fill="none" stroke="#888" ` +
            `stroke-dasharray="3,2"/>`,
    );
    text(left + 158, legendY, "quota bound (calls ÷ quota of the bottleneck operation)", 'font-size="11"');

    // Panel B: completed steps over time of the quota-bound phases, with the quota line.
    const bTop = legendY + 50;
    const bH = 260;
    const bLeft = 70;
    const bW = width - bLeft - 40;
    const series = rows.filter(
        ({ p }) => p.timeline.stepEndsMs.length > 0 && (p.phase === "create" || p.phase === "update"),
    );
    const maxT = Math.max(1, ...series.map(({ p }) => p.wallMs));
    const maxN = Math.max(1, r.params.materials);
    const x = (ms: number): number => bLeft + (Math.min(ms, maxT) / maxT) * bW;
    const y = (n: number): number => bTop + bH - (n / maxN) * bH;
    text(
        20,
        bTop - 18,
        "create and update: resources completed over time (solid) vs the most the quota allows from the spawn (thin)",
        'font-weight="bold"',
    );
    out.push(`<line x1="${bLeft}" y1="${bTop + bH}" x2="${bLeft + bW}" y2="${bTop + bH}" stroke="#333"/>`);
    out.push(`<line x1="${bLeft}" y1="${bTop}" x2="${bLeft}" y2="${bTop + bH}" stroke="#333"/>`);
    for (let k = 0; k <= 5; k++) {
        const t = (maxT / 5) * k;
        text(x(t) - 10, bTop + bH + 16, `${(t / 1000).toFixed(0)} s`, 'font-size="11"');
        const n = Math.round((maxN / 5) * k);
        text(bLeft - 36, y(n) + 4, String(n), 'font-size="11"');
    }
    series.forEach(({ run, p }, i) => {
        const color = COLORS[p.phase] ?? "#555";
        const dash = DASHES[r.runs.indexOf(run) % DASHES.length];
        const dashAttr = dash ? ` stroke-dasharray="${dash}"` : "";
        const pts = [`${x(0).toFixed(1)},${y(0).toFixed(1)}`];
        p.timeline.stepEndsMs.forEach((t, k) =>
            pts.push(`${x(t).toFixed(1)},${y(k).toFixed(1)}`, `${x(t).toFixed(1)},${y(k + 1).toFixed(1)}`),
        );
        out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${color}" stroke-width="1.8"${dashAttr}/>`);
        const b = p.bound.bottleneck;
        if (b && p.expected > 0) {
            const perSecond = b.rate / (b.calls / p.expected);
            const tEnd = Math.min((p.expected / perSecond) * 1000, maxT);
            out.push(
                `<line x1="${x(0).toFixed(1)}" y1="${y(0).toFixed(1)}" x2="${x(tEnd).toFixed(1)}" ` +
                    `y2="${y((tEnd / 1000) * perSecond).toFixed(1)}" stroke="${color}" stroke-width="0.7"/>`,
            );
        }
        text(
            bLeft + 12,
            bTop + 16 + i * 16,
            `${p.phase}, ${parallelLabel(run)}: ${p.resources} in ${seconds(p.wallMs)}`,
            `font-size="12" fill="${color}"`,
        );
    });
    const height = bTop + bH + 40;
    return (
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ` +
        `${height}" font-family="sans-serif" font-size="13">\n` +
        `<rect width="100%" height="100%" fill="white"/>\n` +
        out.join("\n") +
        "\n</svg>\n"
    );
}
