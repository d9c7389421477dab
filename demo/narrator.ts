// How the demo talks: titles, the command a user would type, what the CLI would print, and notes. Progress
// lines overwrite each other on a terminal, and are kept (one per line) when the output is a file or a pipe.

const tty = process.stdout.isTTY === true;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const cyan = (s: string) => (tty ? `\x1b[36m${s}\x1b[0m` : s);

export class Narrator {
    private progressShown = false;

    title(text: string): void {
        this.endProgress();
        console.log(`\n${bold(text)}`);
    }

    step(title: string, command: string): void {
        this.endProgress();
        console.log(`\n${bold(`── ${title}`)}`);
        this.command(command);
    }

    command(command: string): void {
        console.log(cyan(`$ ${command}`));
    }

    note(text: string): void {
        this.endProgress();
        console.log(dim(`  # ${text}`));
    }

    outputs(values: Record<string, unknown>): void {
        this.endProgress();
        console.log("Outputs:");
        const width = Math.max(...Object.keys(values).map((key) => key.length));
        for (const [key, value] of Object.entries(values)) console.log(`    ${key.padEnd(width)}: ${JSON.stringify(value)}`);
    }

    result(text: string): void {
        this.endProgress();
        console.log(text.replace(/\n+$/, ""));
    }

    /** Refreshed values that changed, as `pulumi preview --refresh --diff` shows them. */
    drift(resource: string, changes: [string, unknown, unknown][]): void {
        this.endProgress();
        console.log(`  drift found by refresh in ${resource}:`);
        for (const [key, before, after] of changes) console.log(`      ~ ${key}: ${JSON.stringify(before)} => ${JSON.stringify(after)}`);
    }

    /** The provider's own lines, once each (the engine may ask the same question twice, e.g. on refresh). */
    providerOutput(lines: string[]): void {
        const unique = [...new Set(lines)];
        if (unique.length === 0) return;
        console.log("\nProvider output:");
        for (const line of unique) console.log(`    ${line}`);
    }

    /** One resource step starting or finishing (with its elapsed time), as the CLI's progress display. */
    progress(line: string): void {
        if (!tty) return;
        process.stdout.write(`\r\x1b[K${dim(line.trim())}`);
        this.progressShown = true;
    }

    private endProgress(): void {
        if (this.progressShown) process.stdout.write("\r\x1b[K");
        this.progressShown = false;
    }
}
