import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliEnvironment } from "../pulumi-cli/cli";

/**
 * Where the official Pulumi CLI keeps everything of a run of the demo, the bench or the tests: a file
 * backend (backend/), a PULUMI_HOME (home/), the CLI's temporary files (tmp/) and one workspace directory a
 * stack (work/<stack>). Nothing outside this directory is touched, so removing it removes every trace.
 */
export class CliHome {
    readonly backendDir: string;
    readonly homeDir: string;
    readonly tmpDir: string;

    private constructor(readonly dir: string) {
        this.backendDir = join(dir, "backend");
        this.homeDir = join(dir, "home");
        this.tmpDir = join(dir, "tmp");
        for (const path of [this.backendDir, this.homeDir, this.tmpDir]) mkdirSync(path, { recursive: true });
    }

    /** The directories under `dir` (created when missing). */
    static at(dir: string): CliHome {
        return new CliHome(dir);
    }

    /** A fresh directory in the system's temporary directory, its name starting with `prefix`. */
    static temporary(prefix: string): CliHome {
        return new CliHome(mkdtempSync(join(tmpdir(), prefix)));
    }

    /** The workspace directory of one stack (Pulumi.yaml and the stack's settings file go there). */
    workDir(stack: string): string {
        return join(this.dir, "work", stack);
    }

    /** The directory the file backend keeps a project's checkpoints in (`<stack>.json`). */
    stateDirectory(project: string): string {
        return join(this.backendDir, ".pulumi", "stacks", project);
    }

    /** The CLI's offline, hermetic environment for this home (see cliEnvironment). */
    environment(root: string, passphrase: string): Record<string, string> {
        return cliEnvironment({
            root,
            passphrase,
            backendDir: this.backendDir,
            homeDir: this.homeDir,
            tmpDir: this.tmpDir,
        });
    }

    remove(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}
