// How often the CLI's file backend writes the stack's checkpoint during a command, and how big it is.
//
// The diy (file) backend saves the whole checkpoint after every mutation of the snapshot (a step's start,
// recorded as a pending operation, and its end), one save at a time, each a complete JSON file written to a
// temporary file and renamed into `.pulumi/stacks/<project>/<stack>.json` (with a copy of the previous one
// as `.bak` and fileblob's `.attrs` sidecars). Each rename into the directory is an inotify event; the
// checkpoint's are counted, with its size at each.

import { statSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

export interface StateWrites {
    /** Renames of `<stack>.json` into place during the command. */
    checkpointWrites: number;
    /** Sum of the checkpoint's size at each write (what was serialized and written). */
    checkpointBytesWritten: number;
    /** Largest checkpoint seen. */
    largestCheckpointBytes: number;
    /** Every file event in the stack's directory (checkpoint, backup, sidecars). */
    fileEvents: number;
    /** ms after the watch started of each checkpoint write (for the chart). */
    checkpointWriteTimesMs: number[];
}

export class StateWriteWatcher {
    private watcher: FSWatcher | undefined;
    private readonly t0 = performance.now();
    private readonly result: StateWrites = {
        checkpointWrites: 0,
        checkpointBytesWritten: 0,
        largestCheckpointBytes: 0,
        fileEvents: 0,
        checkpointWriteTimesMs: [],
    };

    constructor(
        private readonly stackDirectory: string,
        private readonly stackName: string,
    ) {}

    start(): this {
        const file = `${this.stackName}.json`;
        this.watcher = watch(this.stackDirectory, (event, name) => {
            this.result.fileEvents++;
            if (event !== "rename" || name !== file) return;
            let size: number;
            try {
                size = statSync(join(this.stackDirectory, file)).size;
            } catch {
                return; // the move-from half of a rename
            }
            this.result.checkpointWrites++;
            this.result.checkpointBytesWritten += size;
            this.result.largestCheckpointBytes = Math.max(this.result.largestCheckpointBytes, size);
            this.result.checkpointWriteTimesMs.push(Math.round(performance.now() - this.t0));
        });
        return this;
    }

    stop(): StateWrites {
        this.watcher?.close();
        this.watcher = undefined;
        return this.result;
    }
}
