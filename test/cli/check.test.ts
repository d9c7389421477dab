import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial, type ImportedKeyMaterialArgs } from "../../provider";
import { assertNoMaterial } from "../support/assertions";
import { badInputs, validInputs } from "../support/badInputs";
import { failed, ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { leakRegistry } from "../support/leakScan";

/**
 * The table of bad inputs as `pulumi preview` runs it, through the official Pulumi CLI: every row refused at
 * check with its reason, nothing of any material in what the CLI prints (stdout, stderr, the error, the
 * engine's event log), and not a single KMS call.
 */
describe("real CLI: check refuses bad input before any AWS call", function () {
    this.timeout(300_000);
    const world = useCliWorld();
    const rows = badInputs(new Date());

/** What a user's program does with such inputs: ImportedKeyMaterial (which makes keyMaterial a secret). */
    const programOf = (table: Record<string, unknown>[]) => async () => {
        table.forEach((inputs, i) => new ImportedKeyMaterial(`material-${i}`, inputs as unknown as ImportedKeyMaterialArgs));
    };

    it(`refuses every one of the ${rows.length} rows at preview, with its reason, no material in any output, zero KMS calls`, async () => {
        world().kms.control.resetCounters();
        // The engine stops a preview at the first check failure: one preview per row, on a few stacks at a time.
        const lanes = await Promise.all([0, 1, 2, 3].map((lane) => world().newStack(`bad-inputs-${lane}`, programOf([]))));
        const queue = [...rows.entries()];
        await Promise.all(
            lanes.map(async (stack) => {
                for (let next = queue.shift(); next; next = queue.shift()) {
                    const [i, [what, inputs, , reason]] = next;
                    leakRegistry.addMaterialBase64(inputs["keyMaterial"], `bad-input row ${i} "${what}"`);
                    const preview = failed(await stack.preview({ program: programOf([inputs]) }));
                    const messages = preview.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
                    assert.ok(messages.some((m) => reason.test(m)), `${what}: no failure matching ${reason} in ${JSON.stringify(messages)}`);
                    const material = inputs["keyMaterial"];
                    if (typeof material === "string" && material.length >= 8) {
                        assertNoMaterial(preview.output, material, `${what}: the CLI's output`);
                        assertNoMaterial(JSON.stringify(preview.events), material, `${what}: the engine's events`);
                    }
                }
            }),
        );
        assert.deepEqual(world().kms.control.counters(), {}, "check made no KMS call");
        for (const stack of lanes) assert.deepEqual((await stack.exportState()).resources, [], "a failed preview writes nothing");
    });

    it("passes the valid inputs the table starts from", async () => {
        const stack = await world().newStack("good-inputs", programOf([{ ...validInputs(new Date()), keyMaterial: pulumi.secret(String(validInputs(new Date())["keyMaterial"])) }]));
        ok(await stack.preview());
    });
});
