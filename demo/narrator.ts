// How the demo talks: titles, the command a user would type, the CLI's own output as it prints it, and notes.

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const cyan = (s: string) => (tty ? `\x1b[36m${s}\x1b[0m` : s);

export class Narrator {
    /** The CLI's colours follow the terminal, as they do when a user runs it. */
    readonly color: "always" | "never" = tty ? "always" : "never";

    title(text: string): void {
        console.log(`\n${bold(text)}`);
    }

    step(title: string, command: string): void {
        console.log(`\n${bold(`── ${title}`)}`);
        this.command(command);
    }

    command(command: string): void {
        console.log(cyan(`$ ${command}`));
    }

    note(text: string): void {
        console.log(dim(`  # ${text}`));
    }

    /** What the Pulumi CLI printed, unchanged. */
    cli(text: string): void {
        process.stdout.write(text);
    }
}
