import assert from "node:assert/strict";
import { quotaBound } from "../../bench/bound";

describe("bench/bound", () => {
    const rates: Record<string, number> = {
        GetParametersForImport: 1,
        ImportKeyMaterial: 15,
        DescribeKey: 2000,
        ListKeyRotations: 100,
    };
    const rateOf = (op: string): number => rates[op];

    it("is the slowest operation's accepted calls ÷ its rate: the bottleneck", () => {
        const bound = quotaBound(
            { GetParametersForImport: 200, ImportKeyMaterial: 200, DescribeKey: 400, ListKeyRotations: 200 },
            rateOf,
        );
        assert.equal(bound.ms, 200_000);
        assert.equal(bound.bottleneck?.operation, "GetParametersForImport");
        assert.deepEqual(
            bound.byOperation.map((b) => [b.operation, b.ms]),
            [
                ["GetParametersForImport", 200_000],
                ["ImportKeyMaterial", (200 / 15) * 1000],
                ["ListKeyRotations", 2000],
                ["DescribeKey", 200],
            ],
        );
    });

    it("takes a higher quota's operation as the bottleneck when it has more calls", () => {
        const bound = quotaBound({ GetParametersForImport: 1, ListKeyRotations: 300 }, rateOf);
        assert.equal(bound.bottleneck?.operation, "ListKeyRotations");
        assert.equal(bound.ms, 3000);
    });

    it("is zero, with no bottleneck, when no call was made", () => {
        const bound = quotaBound({ DescribeKey: 0 }, rateOf);
        assert.equal(bound.ms, 0);
        assert.equal(bound.bottleneck, undefined);
        assert.deepEqual(bound.byOperation, []);
    });
});
