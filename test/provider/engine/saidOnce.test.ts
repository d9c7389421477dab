import assert from "node:assert/strict";
import { dispatch } from "../../../provider/engine/runtime";
import { onceInThisHost } from "../../../provider/engine/saidOnce";
import { KEY_ID, materialOutputs } from "../../support/materialOutputs";

/**
 * One line per event: the engine calls diff twice for one resource in a deployment with refresh (the refresh's
 * drift, then the update's plan), and a host lives for one deployment.
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

    it(
        "diff through dispatch, twice with the same plan (refresh, " + "then update): the reimport line is said once",
        async () => {
            const olds = {
                ...materialOutputs({
                    materialCondition: "DELETED",
                    importState: "PENDING_IMPORT",
                    keyId: KEY_ID,
                    keyMaterialId: "c1".repeat(32),
                }),
                __provider: "shim",
            };
            const news = {
                keyId: KEY_ID,
                keyMaterial: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                validTo: olds.validTo,
                __provider: "shim",
            };
            const lines: string[] = [];
            const original = console.error;
            console.error = (...parts: unknown[]) => void lines.push(parts.join(" "));
            try {
                for (let i = 0; i < 2; i++) {
                    const outcome = (await dispatch(1, "diff", [
                        `${olds.keyArn}#${olds.keyMaterialId}`,
                        olds,
                        news,
                    ])) as {
                        changes: boolean;
                    };
                    assert.equal(outcome.changes, true, "both calls plan the repair");
                }
            } finally {
                console.error = original;
            }
            const reimports = lines.filter((line) => line.includes("reimporting the same material in place"));
            assert.equal(reimports.length, 1, lines.join("\n"));
            assert.match(
                reimports[0],
                /^pulumi-kms-byok: key 1234abcd… material c1c1c1c1c1c1…: reimporting the same material in place \(the material was DELETED outside Pulumi\)$/,
            );
        },
    );
});
