// Prints an operation result the way the Pulumi CLI prints it in non-interactive mode, so a demo
// can show what a Pulumi user would see:
//
//   Previewing update (dev):
//       + pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial byok-material create
//       ~ pulumi-nodejs:dynamic/aws-kms:ImportedKeyMaterial byok-material update [diff: ~validTo]
//
//   Resources:
//       + 1 to create
//       ~ 1 to update
//
// The `[diff: …]` text follows the CLI's getDiffInfo: `+added-deleted~updated` keys, each group
// sorted. What is approximate: no colours, no tree, no stack resource row, and host output is
// shown as a plain block rather than interleaved as the CLI streams it.

import type { OperationResult, ProgressEvent, StepOp, StepRecord } from "./result";
import type { KeyDiff } from "./values";

const SYMBOL: Record<StepOp, string> = {
    same: " ",
    create: "+",
    update: "~",
    delete: "-",
    replace: "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    refresh: "~",
    "remove-pending-replace": "-",
};

const PLANNED: Record<StepOp, string> = {
    same: "",
    create: "create",
    update: "update",
    delete: "delete",
    replace: "replace",
    "create-replacement": "create-replacement",
    "delete-replaced": "delete-replaced",
    refresh: "refresh",
    "remove-pending-replace": "discard",
};

const DONE: Record<StepOp, string> = {
    same: "",
    create: "created",
    update: "updated",
    delete: "deleted",
    replace: "replaced",
    "create-replacement": "created replacement",
    "delete-replaced": "deleted original",
    refresh: "refreshed",
    "remove-pending-replace": "discarded",
};

const ACTIVE: Record<StepOp, string> = {
    same: "",
    create: "creating",
    update: "updating",
    delete: "deleting",
    replace: "replacing",
    "create-replacement": "creating replacement",
    "delete-replaced": "deleting original",
    refresh: "refreshing",
    "remove-pending-replace": "discarding",
};

/** `diff: +a,b-c~d` as the CLI writes it; empty when nothing changed. */
export function formatDiff(d: KeyDiff | undefined): string {
    if (!d) {
        return "";
    }
    let s = "";
    if (d.adds.length) s += "+" + d.adds.join(",");
    if (d.deletes.length) s += "-" + d.deletes.join(",");
    if (d.updates.length) s += "~" + d.updates.join(",");
    return s ? `diff: ${s}` : "";
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

function stepLine(r: OperationResult, s: StepRecord): string {
    let symbol = SYMBOL[s.op];
    let word: string;
    let diff = formatDiff(s.diff);
    if (s.op === "refresh") {
        const outcome = s.refresh?.result ?? "same";
        symbol = outcome === "delete" ? "-" : outcome === "update" ? "~" : " ";
        // `pulumi refresh` shows what changed in the outputs.
        diff = outcome === "update" ? formatDiff(s.refresh?.outputDiff) : "";
        word = r.kind === "refresh" ? { same: "", update: r.dryRun ? "update" : "updated", delete: r.dryRun ? "delete" : "deleted" }[outcome] : `refreshed (${outcome === "delete" ? "gone" : outcome === "update" ? "drift" : "no change"})`;
    } else if (s.status === "failed") {
        word = `${ACTIVE[s.op]} failed`;
    } else {
        word = s.status === "planned" ? PLANNED[s.op] : `${DONE[s.op]} (${seconds(s.durationMs)})`;
    }
    const extras = [diff, s.retained ? "retain" : ""].filter((x) => x).map((x) => `[${x}]`);
    return `    ${symbol} ${s.type} ${s.name} ${word}${extras.length ? " " + extras.join(" ") : ""}`.trimEnd();
}

function header(r: OperationResult, stack: string): string {
    const what: Record<OperationResult["kind"], [string, string]> = {
        preview: ["Previewing update", "Previewing update"],
        update: ["Updating", "Previewing update"],
        refresh: ["Refreshing", "Previewing refresh"],
        destroy: ["Destroying", "Previewing destroy"],
    };
    return `${what[r.kind][r.dryRun ? 1 : 0]} (${stack}):`;
}

function summary(r: OperationResult): string[] {
    const planned = r.dryRun;
    const rows: [string, number, string, string][] = [
        ["+ ", r.summary.create, "to create", "created"],
        ["~ ", r.summary.update, "to update", "updated"],
        ["- ", r.summary.delete, "to delete", "deleted"],
        ["+-", r.summary.replace, "to replace", "replaced"],
    ];
    const out = rows.filter(([, n]) => n > 0).map(([sym, n, p, d]) => `    ${sym}${n} ${planned ? p : d}`);
    // (the CLI aligns "+-1 to replace" with "+ 1 to create", hence the two-character symbols)
    if (r.summary.same > 0) {
        out.push(`    ${r.summary.same} unchanged`);
    }
    return out;
}

export interface RenderOptions {
    /** Stack name for the header. Default "stack". */
    stack?: string;
    /** Also list same steps and the physical halves of replacements. */
    verbose?: boolean;
    /** Include the host's output. Default true. */
    showLogs?: boolean;
}

/** The whole result as the CLI would print it. */
export function renderResult(r: OperationResult, opts: RenderOptions = {}): string {
    const lines: string[] = [header(r, opts.stack ?? "stack")];
    for (const s of r.steps) {
        // Like the CLI: unchanged resources and the physical halves of a replacement are not listed.
        const unchanged = s.op === "same" || (s.op === "refresh" && s.refresh?.result === "same");
        const shown = opts.verbose || s.status === "failed" || ((s.logical || s.op === "refresh") && !unchanged);
        if (shown) {
            lines.push(stepLine(r, s));
        }
    }
    if (opts.showLogs !== false && r.logs.length > 0) {
        lines.push("", "Provider output:");
        lines.push(...r.logs.map((l) => `    ${l.text}`));
    }
    const diags: string[] = [];
    for (const f of r.checkFailures) {
        diags.push(`  ${f.type} (${f.name}):`, `    error: ${f.message}`);
    }
    for (const e of r.errors) {
        const who = e.urn ? `${e.urn.split("::")[2]} (${e.urn.slice(e.urn.lastIndexOf("::") + 2)})` : "pulumi:pulumi:Stack";
        diags.push(`  ${who}:`, `    error: ${e.message}`, ...(e.reasons ?? []).map((x) => `      * ${x}`));
    }
    for (const w of r.diagnostics) {
        diags.push(`  ${w.urn ? w.urn.split("::")[2] : "pulumi:pulumi:Stack"}:`, ...w.message.split("\n").map((x, i) => (i === 0 ? `    ${w.severity}: ${x}` : `    ${x}`)));
    }
    if (diags.length > 0) {
        lines.push("", "Diagnostics:", ...diags);
    }
    const sum = summary(r);
    if (sum.length > 0) {
        lines.push("", "Resources:", ...sum);
    }
    lines.push("", `Duration: ${seconds(r.durationMs)}`);
    return lines.join("\n");
}

/** One line for a progress event, e.g. "    + <type> <name> creating..." / "… created (1.2s)". */
export function renderProgress(e: ProgressEvent): string {
    const symbol = SYMBOL[e.op];
    if (e.phase === "start") {
        return `    ${symbol} ${e.type} ${e.name} ${e.dryRun && e.op !== "refresh" ? PLANNED[e.op] : ACTIVE[e.op] + "..."}`;
    }
    const word = e.status === "failed" ? `${ACTIVE[e.op]} failed` : e.status === "planned" ? PLANNED[e.op] : DONE[e.op];
    return `    ${symbol} ${e.type} ${e.name} ${word} (${seconds(e.elapsedMs ?? 0)})`;
}
