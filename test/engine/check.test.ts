import assert from "node:assert/strict";
import { IMPORTED_KEY_MATERIAL_TYPE, importedKeyMaterialProvider } from "../../provider";
import { secret, type InputValue, type Program } from "../../engine-harness";
import { badInputs, validInputs } from "../support/badInputs";
import { assertNoMaterial } from "../support/assertions";
import { useByokWorld } from "../support/byokStack";

/**
 * The table of bad inputs again, now through the real dynamic-provider host as `pulumi preview` runs it:
 * every one refused at check, naming the property, with no material in what the CLI prints, and not a
 * single KMS call.
 */
describe("engine: check refuses bad input before any AWS call", () => {
    const world = useByokWorld();

    function program(inputs: Record<string, unknown>): Program {
        const declared: Record<string, InputValue> = {};
        for (const [key, value] of Object.entries(inputs)) {
            // As ImportedKeyMaterial declares it: the material always a secret.
            declared[key] = key === "keyMaterial" ? secret(value as InputValue) : (value as InputValue);
        }
        return [{ name: "bad", type: IMPORTED_KEY_MATERIAL_TYPE, provider: importedKeyMaterialProvider, inputs: declared }];
    }

    const BAD_INPUTS = badInputs(new Date());

    it(`refuses all ${BAD_INPUTS.length} bad inputs in preview, property named, no material shown, zero KMS calls`, async () => {
        // One host for the whole table (as one `pulumi preview` of a big program would use).
        const stack = world().newStack("bad-inputs", {}, { sharedHost: true });
        world().kms.control.resetCounters();
        for (const [what, inputs, property, reason] of BAD_INPUTS) {
            const result = await stack.preview(program(inputs));
            assert.equal(result.ok, false, `${what} passed check`);
            const failure = result.checkFailures.find((f) => f.property === property);
            assert.ok(failure, `${what}: no failure on ${property}: ${JSON.stringify(result.checkFailures)}`);
            assert.match(failure.reason, reason, what);
            const material = inputs["keyMaterial"];
            if (typeof material === "string") assertNoMaterial([result.checkFailures, result.errors, result.logs], material, what);
        }
        assert.deepEqual(world().kms.control.counters(), {}, "check made no KMS call");
        assert.equal(await stack.resource("bad"), undefined);
    });

    it("passes the valid inputs the table starts from", async () => {
        const stack = world().newStack("good-inputs");
        const result = await stack.preview(program(validInputs(new Date())));
        assert.ok(result.ok, JSON.stringify(result.checkFailures));
    });
});
