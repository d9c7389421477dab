import assert from "node:assert/strict";
import type { OperationResult } from "../../engine-harness";

/** An operation must succeed; the failure message says what happened (never material: host output is redacted). */
export function expectOk(result: OperationResult, context = "operation"): OperationResult {
    if (!result.ok) {
        const details = {
            errors: result.errors,
            checkFailures: result.checkFailures.map((f) => f.message),
            failedSteps: result.steps.filter((s) => s.status === "failed").map((s) => `${s.op} ${s.name}: ${s.error}`),
            logs: result.logs.slice(-15).map((l) => l.text),
        };
        assert.fail(`${context}: ${result.kind} failed: ${JSON.stringify(details, null, 2)}`);
    }
    return result;
}
