import assert from "node:assert/strict";
import { DEFAULTS, commandLine, parseArgs } from "../../bench/args";

describe("bench/args", () => {
    it("defaults to 200 materials at AWS's own quotas, at the CLI's default parallelism and at 16", () => {
        const args = parseArgs([]);
        assert.equal(args.materials, 200);
        assert.equal(args.quotaScale, 1);
        assert.deepEqual(args.parallel, ["default", 16]);
        assert.equal(args.coldStarts, 3);
        assert.deepEqual(args.cliEnv, {});
        assert.equal(commandLine(args), "npm run bench");
    });

    it("reads every flag, with a separate or an inline value, and reproduces the command line", () => {
        const args = parseArgs([
            "--materials",
            "20",
            "--quota-scale=2.5",
            "--parallel",
            "16,default,4",
            "--cold-starts",
            "0",
            "--cli-env",
            "PULUMI_SKIP_CHECKPOINTS=true",
            "--out",
            "/tmp/x",
        ]);
        assert.equal(args.materials, 20);
        assert.equal(args.quotaScale, 2.5);
        assert.deepEqual(args.parallel, [16, "default", 4]);
        assert.equal(args.coldStarts, 0);
        assert.deepEqual(args.cliEnv, { PULUMI_SKIP_CHECKPOINTS: "true" });
        assert.equal(args.out, "/tmp/x");
        assert.equal(
            commandLine(args),
            "npm run bench -- --materials 20 --quota-scale 2.5 --parallel 16,default,4 --cold-starts 0 " +
                "--cli-env PULUMI_SKIP_CHECKPOINTS=true",
        );
    });

    it("keeps a value containing = whole (--cli-env NODE_OPTIONS=--require=x)", () => {
        assert.deepEqual(parseArgs(["--cli-env=NODE_OPTIONS=--require=x"]).cliEnv, { NODE_OPTIONS: "--require=x" });
    });

    it("refuses what it cannot use, saying what it expected", () => {
        const cases: [string[], RegExp][] = [
            [["--materials", "0"], /--materials must be a positive integer, got 0/],
            [["--materials", "2.5"], /--materials must be a positive integer/],
            [["--quota-scale", "-1"], /--quota-scale must be a positive number/],
            [["--quota-scale", ""], /--quota-scale must be a positive number/],
            [["--cold-starts", "-1"], /--cold-starts must be a non-negative integer/],
            [["--parallel", "0"], /--parallel takes "default" or positive integers/],
            [["--parallel", "8,,16"], /got an empty item/],
            [["--parallel", "16,16"], /each setting once/],
            [["--cli-env", "=x"], /--cli-env takes NAME=VALUE/],
            [["--materials"], /--materials needs a value/],
            [["--bogus"], /unknown flag --bogus/],
        ];
        for (const [argv, message] of cases) assert.throws(() => parseArgs(argv), message, argv.join(" "));
    });

    it("does not let a parse change the defaults", () => {
        parseArgs(["--parallel", "4"]);
        assert.deepEqual(DEFAULTS.parallel, ["default", 16]);
    });
});
