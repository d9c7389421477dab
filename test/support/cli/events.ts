import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";

/**
 * What a test asserts about a CLI run, read from the engine's own event stream (`--event-log`): the step
 * each resource took, the diagnostics printed for it, the summary. Nothing here interprets what the engine
 * did; it only indexes it by resource name.
 */

export interface StepRecord {
    name: string;
    type: string;
    op: OpType;
    /** Properties the engine reports as changed (`diffs`), and those forcing a replacement (`keys`). */
    diffs: string[];
    keys: string[];
    failed: boolean;
}

export interface Diagnostic {
    /** The resource's name, or "" for stack-level and engine diagnostics. */
    name: string;
    severity: string;
    message: string;
}

export interface EventSummary {
    steps: StepRecord[];
    diagnostics: Diagnostic[];
    resourceChanges: Partial<Record<OpType, number>>;
}

export const nameOf = (urn: string | undefined): string => (urn ? (urn.split("::").pop() ?? "") : "");

export function summarize(events: EngineEvent[]): EventSummary {
    const steps = new Map<string, StepRecord>();
    const diagnostics: Diagnostic[] = [];
    let resourceChanges: Partial<Record<OpType, number>> = {};
    for (const event of events) {
        const pre = event.resourcePreEvent?.metadata;
        if (pre && pre.type !== "pulumi:pulumi:Stack" && !pre.type.startsWith("pulumi:providers:")) {
            const key = `${nameOf(pre.urn)}|${pre.op}`;
            steps.set(key, {
                name: nameOf(pre.urn),
                type: pre.type,
                op: pre.op,
                diffs: pre.diffs ?? [],
                keys: pre.keys ?? [],
                failed: false,
            });
        }
        const failed = event.resOpFailedEvent?.metadata;
        if (failed) {
            const step = steps.get(`${nameOf(failed.urn)}|${failed.op}`);
            if (step) step.failed = true;
        }
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && !diagnostic.ephemeral && (diagnostic.severity as string) !== "debug") {
            diagnostics.push({
                name: nameOf(diagnostic.urn),
                severity: diagnostic.severity,
                message: diagnostic.message,
            });
        }
        if (event.summaryEvent) resourceChanges = event.summaryEvent.resourceChanges;
    }
    return { steps: [...steps.values()], diagnostics, resourceChanges };
}
