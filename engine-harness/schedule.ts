// Running steps in parallel, as the engine's step executor does (`pulumi up --parallel N`).
//
// The engine starts a resource's step once every resource it depends on has finished its step,
// and runs at most N at once; deletes run in reverse dependency order, also in parallel. When a
// step fails, the engine starts no new step but lets the ones in flight finish, then reports.
//
// Here a task is one unit of work (a resource's registration with its check, diff and steps, a
// refresh, a delete). Tasks are started in list order among those whose prerequisites are done,
// so with N = 1 the order is exactly the list order (the harness's sequential order).

import { CliCrash } from "./snapshot";

/** The engine's default `--parallel` in the harness: one step at a time. */
export const DEFAULT_PARALLEL = 1;

/** A valid degree of parallelism: a positive integer (anything else is refused). */
export function checkParallel(parallel: number | undefined): number {
    const n = parallel ?? DEFAULT_PARALLEL;
    if (!Number.isInteger(n) || n < 1) {
        throw new Error(`parallel must be a positive integer, got ${String(parallel)}`);
    }
    return n;
}

/**
 * Runs `run(task)` for every task, at most `parallel` at once, each only after the tasks at the
 * indices `prerequisites(i)` have finished. After the first failure no task starts; the ones in
 * flight finish; then the first error is rethrown (a simulated CLI crash wins over any other
 * error: nothing may happen after it). A prerequisite that is not an index of `tasks` is ignored.
 */
export async function runTasks<T>(
    tasks: readonly T[],
    prerequisites: (index: number) => readonly number[],
    parallel: number,
    run: (task: T, index: number) => Promise<void>,
): Promise<void> {
    const limit = checkParallel(parallel);
    const deps = tasks.map((_, i) => prerequisites(i).filter((j) => j !== i && j >= 0 && j < tasks.length));
    const done = new Array<boolean>(tasks.length).fill(false);
    const started = new Array<boolean>(tasks.length).fill(false);
    const errors: unknown[] = [];
    let inFlight = 0;
    let next = 0; // every task before `next` has started

    return new Promise<void>((resolve, reject) => {
        const finish = (): void => {
            const crash = errors.find((e) => e instanceof CliCrash);
            if (crash !== undefined || errors.length > 0) {
                reject(crash ?? errors[0]);
            } else {
                resolve();
            }
        };
        const pick = (): number | undefined => {
            while (next < tasks.length && started[next]) next++;
            for (let i = next; i < tasks.length; i++) {
                if (!started[i] && deps[i].every((j) => done[j])) {
                    return i;
                }
            }
            // Nothing is ready and nothing runs: a dependency cycle (a program cannot make one). Do not hang.
            return inFlight === 0 && next < tasks.length ? next : undefined;
        };
        const dispatch = (): void => {
            while (errors.length === 0 && inFlight < limit) {
                const i = pick();
                if (i === undefined) {
                    break;
                }
                started[i] = true;
                inFlight++;
                // Started on a later tick, so a task's synchronous part never runs inside dispatch().
                Promise.resolve()
                    .then(() => run(tasks[i], i))
                    .then(
                        () => {
                            done[i] = true;
                        },
                        (e: unknown) => {
                            errors.push(e);
                        },
                    )
                    .finally(() => {
                        inFlight--;
                        dispatch();
                    });
            }
            if (inFlight === 0 && (errors.length > 0 || started.every((s) => s))) {
                finish();
            }
        };
        dispatch();
    });
}
