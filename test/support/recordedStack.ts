import {
    Stack,
    renderResult,
    type DestroyOptions,
    type OperationOptions,
    type OperationResult,
    type PreviewOptions,
    type ProgressHook,
    type Program,
    type RefreshOptions,
    type StackOptions,
    type UpOptions,
} from "../../engine-harness";
import { leakRegistry, type LeakRegistry } from "./leakScan";

/**
 * A Stack whose artifacts the leak scan covers: every version of its state file (taken at each step's start
 * and end and after each operation), every operation's result (steps, errors, check failures, diagnostics)
 * and its CLI rendering, its host logs and serialized providers; and the materials in the programs it runs.
 * Behaviour is exactly Stack's.
 */
export class RecordedStack extends Stack {
    private readonly where: string;
    private readonly passphrase: string;
    private operations = 0;

    constructor(
        options: StackOptions,
        private readonly registry: LeakRegistry = leakRegistry,
    ) {
        const self: { stack?: RecordedStack } = {};
        super({ ...options, onProgress: (event) => (self.stack?.snapshot(), options.onProgress?.(event)) });
        self.stack = this;
        this.where = `stack ${options.project}/${options.stack} in ${options.dir}`;
        this.passphrase = options.passphrase ?? "engine-harness";
        registry.addArtifact("host log", `${this.where}: host output`, () => this.hostLogs().map((l) => `${l.stream} ${l.text}`).join("\n"));
        registry.addArtifact("serialized provider", `${this.where}: serialized providers`, () =>
            Object.entries(this.serializedProviders())
                .map(([name, sp]) => `${name}\n${sp.text}`)
                .join("\n"),
        );
    }

    override preview(program: Program, opts: PreviewOptions = {}): Promise<OperationResult> {
        return this.recorded("preview", program, opts, (o) => super.preview(program, o));
    }

    override up(program: Program, opts: UpOptions = {}): Promise<OperationResult> {
        return this.recorded("up", program, opts, (o) => super.up(program, o));
    }

    override refresh(program: Program = [], opts: RefreshOptions = {}): Promise<OperationResult> {
        return this.recorded("refresh", program, opts, (o) => super.refresh(program, o));
    }

    override destroy(program: Program = [], opts: DestroyOptions = {}): Promise<OperationResult> {
        return this.recorded("destroy", program, opts, (o) => super.destroy(program, o));
    }

    /** Records the state file as it is now. */
    snapshot(): void {
        this.registry.addStateText(this.where, this.rawStateText(), this.passphrase);
    }

    private async recorded<O extends OperationOptions>(kind: string, program: Program, opts: O, run: (opts: O) => Promise<OperationResult>): Promise<OperationResult> {
        const n = ++this.operations;
        for (const decl of program) this.registry.addMaterialsIn(decl.inputs, `program of ${this.where}`);
        const own = opts.onProgress;
        const hooked: ProgressHook | undefined = own && ((event) => (this.snapshot(), own(event)));
        const result = await run(hooked ? { ...opts, onProgress: hooked } : opts);
        this.snapshot();
        const { logs: _logs, ...rest } = result;
        this.registry.addText("operation result", `${this.where}: ${kind} #${n}`, `${JSON.stringify(rest)}\n${renderResult(result, { stack: this.stack })}`);
        return result;
    }
}
