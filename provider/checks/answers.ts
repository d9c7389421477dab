/** What the engine gets back from check and diff, the same shapes for both resources. */

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface CheckOutcome {
    inputs: Record<string, unknown>;
    failures: CheckFailure[];
}

export interface DiffOutcome {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}
