import assert from "node:assert/strict";
import { onceInThisHost } from "../../../provider/engine/saidOnce";

/**
 * One line per event: the engine calls diff twice for one resource in a deployment with refresh (the refresh's
 * drift, then the update's plan), and a host lives for one deployment. That the engine's two diffs in one
 * `up --refresh` say the reimport reason once is asserted through the real CLI (test/cli/basic.test.ts).
 */
describe("provider/engine/saidOnce: diff's lines once per host", () => {
    it("passes a line once, and every other line", () => {
        const said: string[] = [];
        const log = onceInThisHost((line) => said.push(line));
        for (const line of [
            "a unique line 1f0c",
            "a unique line 1f0c",
            "another unique line 1f0c",
            "a unique line 1f0c",
        ])
            log(line);
        assert.deepEqual(said, ["a unique line 1f0c", "another unique line 1f0c"]);
    });

    it("stays bounded: the oldest digests make way, so a line said long ago may be said again", () => {
        const said: string[] = [];
        const log = onceInThisHost((line) => said.push(line));
        log("the first line of the bounded run");
        for (let i = 0; i < 5000; i++) log(`filler ${i} of the bounded run`);
        log("the first line of the bounded run");
        assert.equal(said.filter((line) => line === "the first line of the bounded run").length, 2);
    });
});
