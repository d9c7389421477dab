import assert from "node:assert/strict";
import { ImportedKeyMaterial, type ImportedKeyMaterialArgs } from "../../../provider";
import { assertNoMaterial } from "../../support/assertions";
import { badInputRows, type BadInputRow } from "../../support/badInputs";
import { failed } from "../../support/cli/assertions";
import type { CliStack } from "../../support/cli/cliStack";
import { openCliWorld, type CliWorld } from "../../support/cli/cliWorld";
import { leakRegistry } from "../../support/leakScan";

/**
 * One row of the bad-input table as `pulumi preview` runs it through the official Pulumi CLI (a lane job, see
 * ../../support/cli/lanes.ts): the row's stack config and provider environment set, its inputs in a one-
 * resource program, and then what the engine printed checked:
 * - the preview failed with the row's reason, before any KMS call;
 * - the failure names the row's property, or — where the value may be secret — none: the engine then prints
 *   `resource '<name>' has a problem: …` and no value;
 * - no property holding key material is named (the engine would print its value);
 * - no form of the row's materials is in stdout, stderr, the error or the engine's event log.
 */

const RESOURCE = "bad";
/** Defaults of the test stacks that the table's rows set themselves (or must be without, like the dispatch test). */
const DEFAULT_CONFIG = [
    "aws:region",
    "pulumi-kms-byok:endpoint",
    "pulumi-kms-byok:requestRateScale",
    "pulumi-kms-byok:propagationTimeoutSeconds",
];

let world: (CliWorld & { close(): Promise<void> }) | undefined;
let stack: CliStack | undefined;

const programOf = (inputs: Record<string, unknown>) => async () => {
    // What a user's program does with such inputs: ImportedKeyMaterial (which makes keyMaterial a secret).
    new ImportedKeyMaterial(RESOURCE, inputs as unknown as ImportedKeyMaterialArgs);
};

export async function runRowJob(job: { id: string }): Promise<string> {
    const row = badInputRows(new Date())[Number(job.id)];
    if (!row) throw new Error(`no bad-input row ${job.id}`);
    world ??= await openCliWorld();
    if (!stack) {
        stack = await world.newStack("bad-inputs", programOf({}));
        await stack.removeConfig(...DEFAULT_CONFIG);
    }
    for (const secret of row.secrets) leakRegistry.addMaterialText(secret, `bad-input row "${row.what}"`);
    const preview = await withRowSettings(stack, row, () => stack!.preview({ program: programOf(row.inputs) }));
    failed(preview);
    const errors = preview.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    const failure = errors.find((m) => row.reason.test(m));
    assert.ok(failure, `${row.what}: no failure matching ${row.reason} in ${JSON.stringify(errors)}`);
    if (row.property === "")
        assert.match(
            failure,
            new RegExp(`resource '${RESOURCE}' has a problem: `),
            `${row.what}: the failure names a property (its value is printed): ${failure}`,
        );
    else
        assert.match(
            failure,
            new RegExp(`property ${row.property} value `),
            `${row.what}: the failure does not name ${row.property}: ${failure}`,
        );
    for (const name of row.materialIn) {
        for (const message of errors)
            assert.ok(
                !message.includes(`property ${name} value`),
                `${row.what}: a failure names ${name}, which holds key material: ${message}`,
            );
    }
    for (const secret of row.secrets) {
        assertNoMaterial(preview.output, secret, `${row.what}: the CLI's output`);
        assertNoMaterial(JSON.stringify(preview.events), secret, `${row.what}: the engine's events`);
    }
    assert.deepEqual(world.kms.control.counters(), {}, `${row.what}: check made a KMS call`);
    return "refused";
}

async function withRowSettings<T>(stack: CliStack, row: BadInputRow, run: () => Promise<T>): Promise<T> {
    await stack.setConfig(row.config ?? {});
    for (const [name, value] of Object.entries(row.env ?? {})) stack.setEnv(name, value);
    try {
        return await run();
    } finally {
        if (row.config) await stack.removeConfig(...Object.keys(row.config));
        for (const name of Object.keys(row.env ?? {})) stack.unsetEnv(name);
    }
}

export async function closeRows(): Promise<void> {
    if (stack) assert.deepEqual((await stack.exportState()).resources, [], "a failed preview writes nothing");
    await world?.close();
}
