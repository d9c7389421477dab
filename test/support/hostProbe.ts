import { writeHeapSnapshot } from "node:v8";
import { dispatch } from "../../provider/engine/runtime";

/**
 * A provider host of its own, for what a test process cannot observe about itself: it runs one `configure`
 * and one `create` through dispatch, as the dynamic-provider host does, and reports on stdout (one JSON
 * line). Run as `node hostProbe.js <mode>` with PROBE_CONFIG (stack config, JSON) and PROBE_INPUTS (inputs,
 * JSON) in the environment:
 * - "heap": after the call, writes a heap snapshot to PROBE_SNAPSHOT (garbage is collected first);
 * - "error": reports the create's error (message and stack of every cause) and every log line.
 * No leak-scan hooks run here: what the host emits is the parent's to check.
 */

async function main(): Promise<void> {
    const mode = process.argv[2];
    const config = JSON.parse(process.env["PROBE_CONFIG"] ?? "{}") as Record<string, string>;
    const lines: string[] = [];
    console.error = (...parts: unknown[]) => void lines.push(parts.join(" "));
    await dispatch(1, "configure", [{ config: { get: (key: string) => config[key] } }]);
    const outcome = await dispatch(1, "create", [JSON.parse(process.env["PROBE_INPUTS"] ?? "{}")]).then(
        () => ({ ok: true, texts: [] as string[] }),
        (error: unknown) => {
            const texts: string[] = [];
            for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause)
                texts.push(String((e as { message?: unknown }).message), String((e as { stack?: unknown }).stack));
            return { ok: false, texts };
        },
    );
    delete process.env["PROBE_INPUTS"];
    if (mode === "heap") writeHeapSnapshot(process.env["PROBE_SNAPSHOT"]);
    process.stdout.write(`${JSON.stringify({ ...outcome, lines })}\n`);
}

void main().then(
    () => process.exit(0),
    (error: unknown) => {
        process.stdout.write(
            `${JSON.stringify({ ok: false, texts: [`probe failed: ${String(error)}`], lines: [] })}\n`,
        );
        process.exit(1);
    },
);
