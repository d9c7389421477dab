import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ImportedKeyMaterial, type ImportedKeyMaterialArgs } from "../../provider";
import { badInputRows, validInputs } from "../support/badInputs";
import { ok } from "../support/cli/assertions";
import { useCliWorld } from "../support/cli/cliWorld";
import { runInLanes, type LaneRun } from "../support/cli/lanes";

/**
 * The whole bad-input table (test/support/badInputs.ts) as `pulumi preview` runs it, through the official
 * Pulumi CLI: every row refused at check with its reason, no property named whose value may be secret, no
 * form of any material in what the CLI printed (stdout, stderr, the error, the engine's event log), not one
 * KMS call (check/rows.ts). The engine stops a preview at its first check failure, so each row is a preview of
 * its own, four lanes at a time (support/cli/lanes.ts).
 */
describe("real CLI: check refuses bad input before any AWS call", function () {
    this.timeout(900_000);
    const world = useCliWorld();
    const rows = badInputRows(new Date());
    let lanes: LaneRun | undefined;

    before(() => {
        lanes = runInLanes(
            rows.map((_, i) => ({ id: String(i) })),
            { module: "cli/check/rows", run: "runRowJob", finish: "closeRows", lanes: 4 },
        );
    });

    after(() => lanes?.stop());

    for (const [i, row] of rows.entries()) {
        it(`refuses ${row.what} (${row.property ? `names ${row.property}` : "names no property"})`, async () => {
            await lanes!.results.get(String(i));
        });
    }

    it("nothing the lanes' CLIs printed or left holds any material (each lane's own leak scan)", async () => {
        for (const report of await lanes!.leakReports) {
            console.log(`      ${report.summary}`);
            assert.equal(report.failure, undefined, report.failure);
        }
    });

    it("passes the valid inputs the table starts from", async () => {
        const inputs = validInputs(new Date());
        const program = async () => {
            new ImportedKeyMaterial("good", {
                ...inputs,
                keyMaterial: pulumi.secret(String(inputs["keyMaterial"])),
            } as unknown as ImportedKeyMaterialArgs);
        };
        ok(await (await world().newStack("good-inputs", program)).preview());
    });
});
