import assert from "node:assert/strict";
import { optionsNotTaken, takesOption } from "../../../tools/cli-driver/stack";

describe("tools/cli-driver/stack: options a command does not take are refused, not dropped", () => {
    const program = (): Promise<void> => Promise.resolve();

    it("names each option the command would ignore", () => {
        assert.deepEqual(optionsNotTaken("destroy", { program, refresh: true, parallel: 4 }), ["program", "refresh"]);
        assert.deepEqual(optionsNotTaken("refresh", { continueOnError: true, target: ["urn"] }), [
            "continueOnError",
            "target",
        ]);
        assert.deepEqual(optionsNotTaken("preview", { clearPendingCreates: true, runProgram: true }), [
            "clearPendingCreates",
            "runProgram",
        ]);
    });

    it("lets through what the command takes, what every command takes, and options left unset or false", () => {
        assert.deepEqual(optionsNotTaken("up", { program, refresh: true, continueOnError: true, parallel: 2 }), []);
        assert.deepEqual(optionsNotTaken("destroy", { program, runProgram: true, target: ["urn"] }), []);
        assert.deepEqual(optionsNotTaken("destroy", { program: undefined, refresh: false, onEvent: () => {} }), []);
        assert.deepEqual(optionsNotTaken("refresh", { expectNoChanges: true, color: "never" }), []);
    });

    it("takesOption answers from the same table: a program for preview and up, not for refresh or destroy", () => {
        assert.deepEqual(
            (["preview", "up", "refresh", "destroy"] as const).map((command) => takesOption(command, "program")),
            [true, true, false, false],
        );
        assert.ok(takesOption("destroy", "onEvent"), "every command takes onEvent");
    });
});
