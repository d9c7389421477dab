// The snapshot being built during one operation (the engine's SnapshotManager, simplified).
//
// It starts from the stored state ("olds"). Resources the operation registers are appended in
// completion order ("news"); an old resource leaves the snapshot when a step supersedes it (same,
// update, replacement) or deletes it; everything not yet touched stays, in its old order. So at
// any moment the written state is: what is done, plus what is not touched yet — which is exactly
// what survives a crash.
//
// Like the engine, a mutating step is recorded as a pending operation before it starts
// (`pending_operations`), and the state is written after every completed step. In a dry run
// (preview) nothing is written: the snapshot only lives in memory so later steps can see it.
//
// Steps may run in parallel: writes never overlap. A persist() that arrives while a write is under
// way is covered by one more write that starts when it ends (and captures everything done until
// then), so no step's update is lost and each caller resumes only once its change is on disk.

import type { ConfigEntry, PendingOperationType, ResourceState, StackState, StateStore } from "./state";

/** Thrown to simulate the CLI dying (see OperationOptions.simulateCliCrash): nothing more is written. */
export class CliCrash extends Error {
    constructor() {
        super("the CLI was interrupted (simulated crash)");
        this.name = "CliCrash";
    }
}

export class Snapshot {
    private readonly olds: ResourceState[];
    private readonly retired = new Set<ResourceState>();
    private readonly news: ResourceState[] = [];
    private pending: { resource: ResourceState; type: PendingOperationType }[];
    /** The write under way, and the one queued behind it for callers that came during it. */
    private writing: Promise<void> | undefined;
    private queued: Promise<void> | undefined;
    /** After a simulated CLI crash nothing more is written. */
    private crashed = false;

    constructor(
        private readonly base: StackState,
        private readonly config: Record<string, ConfigEntry>,
        /** Undefined in a dry run: nothing is persisted. */
        private readonly store: StateStore | undefined,
        /** Called after a pending operation was written; may throw CliCrash. */
        private readonly afterBegin?: (resource: ResourceState, type: PendingOperationType) => void,
    ) {
        this.olds = [...base.resources];
        this.pending = [...base.pendingOperations];
    }

    /** The live old state for a URN (not already superseded, not a pending delete). */
    old(urn: string): ResourceState | undefined {
        return this.olds.find((r) => r.urn === urn && !r.delete && !this.retired.has(r));
    }

    /** Old resources still in the snapshot (including pending deletes), in state order. */
    remainingOlds(): ResourceState[] {
        return this.olds.filter((r) => !this.retired.has(r));
    }

    /** Every resource currently in the snapshot. */
    resources(): ResourceState[] {
        return [...this.news, ...this.remainingOlds()];
    }

    add(res: ResourceState): void {
        this.news.push(res);
    }

    retire(old: ResourceState): void {
        this.retired.add(old);
    }

    /** A step superseded `old` with `res`: same, update, or the replacement of a pending-replace. */
    supersede(old: ResourceState, res: ResourceState): void {
        this.retire(old);
        this.add(res);
    }

    /** Refresh keeps the resource where it is. */
    replaceInPlace(old: ResourceState, res: ResourceState): void {
        const i = this.olds.indexOf(old);
        this.olds[i] = res;
    }

    get pendingOperations(): readonly { resource: ResourceState; type: PendingOperationType }[] {
        return this.pending;
    }

    /** Replaces the pending operations carried over from the previous state. */
    setPendingOperations(ops: { resource: ResourceState; type: PendingOperationType }[]): void {
        this.pending = ops;
    }

    /** Records a pending operation and writes the state, before a mutating step. */
    async begin(resource: ResourceState, type: PendingOperationType): Promise<void> {
        this.pending.push({ resource, type });
        await this.persist();
        try {
            this.afterBegin?.(resource, type);
        } catch (e) {
            this.crashed = this.crashed || e instanceof CliCrash;
            throw e;
        }
    }

    /** Clears the pending operation of a finished step (written with the step's result). */
    end(resource: ResourceState): void {
        this.pending = this.pending.filter((p) => p.resource !== resource);
    }

    state(): StackState {
        return {
            project: this.base.project,
            stack: this.base.stack,
            config: this.config,
            resources: this.resources(),
            pendingOperations: [...this.pending],
        };
    }

    /** Writes the state; resolves once a write that started after this call has finished. */
    persist(): Promise<void> {
        if (!this.store || this.crashed) {
            return Promise.resolve();
        }
        if (this.queued) {
            return this.queued;
        }
        const current = this.writing;
        if (!current) {
            return this.write(this.store);
        }
        const store = this.store;
        const queued = current
            .catch(() => undefined)
            .then(() => {
                this.queued = undefined;
                return this.write(store);
            });
        this.queued = queued;
        return queued;
    }

    private write(store: StateStore): Promise<void> {
        const write: Promise<void> = (this.crashed ? Promise.resolve() : store.save(this.state())).finally(() => {
            if (this.writing === write) {
                this.writing = undefined;
            }
        });
        this.writing = write;
        return write;
    }
}
