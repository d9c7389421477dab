// The stack's state file: a small checkpoint in the shape of Pulumi's (`pulumi stack export`).
//
// What the engine keeps per resource is kept here too: urn, type, id, inputs and outputs with
// their secret bits, the provider reference, dependencies, init errors of a partial failure,
// retainOnDelete, and the Delete / PendingReplacement flags of an unfinished replacement. Stack
// config (which Pulumi keeps in Pulumi.<stack>.yaml) is stored alongside, secure values
// encrypted like `pulumi config set --secret` does.
//
// Secrets are stored as Pulumi checkpoints store them: the value is replaced by
//   {"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":"v1:…"}
// (the JSON of the value, AES-256-GCM encrypted, see crypto.ts), so a test can assert that no
// plaintext appears anywhere in the file.
//
// Every save is atomic (write a temporary file, fsync, rename), and the engine saves after every
// completed step and before every mutating one (pending operations), like the engine's snapshot
// persistence: a crash leaves the last good state on disk. The I/O is asynchronous so that steps in
// flight keep going while the file is written, and, like the engine's secrets cache, a secret
// object already encrypted is not encrypted again by every save (the cache is keyed on the secret
// object and checked against its plaintext, so two equal secrets still get different ciphertexts).

import { existsSync, readFileSync } from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { Crypter } from "./crypto";
import { SECRET_SIG, SIG_KEY, isPlainObject, isSecret, secret, stripSecrets, type JsonValue, type PropertyMap } from "./values";

/** A stack config value and whether it is secret. Non-string values are structured config. */
export interface ConfigEntry {
    value: JsonValue;
    secret: boolean;
}

export interface CustomTimeouts {
    /** Seconds, as in the engine's CustomTimeouts. */
    create?: number;
    update?: number;
    delete?: number;
}

/** One resource, as the engine's `resource.State` keeps it (decrypted view: secrets are envelopes). */
export interface ResourceState {
    urn: string;
    custom: boolean;
    type: string;
    id: string;
    inputs: PropertyMap;
    outputs: PropertyMap;
    /** Provider reference: the default pulumi-nodejs provider, or "standin" for stand-in resources. */
    provider: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    additionalSecretOutputs?: string[];
    retainOnDelete?: boolean;
    /** Reasons of a partial failure (ErrorResourceInitFailed); the next up runs Update on it. */
    initErrors?: string[];
    /** The old copy of a create-before-delete replacement, still to be deleted. */
    delete?: boolean;
    /** Deleted by a delete-before-replace whose replacement was not created yet. */
    pendingReplacement?: boolean;
    customTimeouts?: CustomTimeouts;
    created?: string;
    modified?: string;
}

export type PendingOperationType = "creating" | "updating" | "deleting";

/** An operation begun but not finished when the state was written (engine: pending_operations). */
export interface PendingOperation {
    resource: ResourceState;
    type: PendingOperationType;
}

/** The decrypted view of a stack's state. */
export interface StackState {
    project: string;
    stack: string;
    config: Record<string, ConfigEntry>;
    resources: ResourceState[];
    pendingOperations: PendingOperation[];
}

export function emptyState(project: string, stack: string): StackState {
    return { project, stack, config: {}, resources: [], pendingOperations: [] };
}

// ---- stored form ----

interface StoredFile {
    version: 3;
    checkpoint: {
        stack: string;
        project: string;
        config: Record<string, JsonValue>;
        latest: {
            manifest: { time: string; magic: string; version: string };
            secrets_providers: { type: "passphrase"; state: { salt: string } };
            resources: JsonValue[];
            pending_operations: JsonValue[];
        };
    };
}

/** Ciphertexts of secret objects already encrypted with a crypter, with the plaintext they were made from. */
type SecretCache = WeakMap<object, { crypter: Crypter; plaintext: string; ciphertext: string }>;

function encryptValue(v: JsonValue, c: Crypter, cache: SecretCache): JsonValue {
    if (isSecret(v)) {
        const plaintext = JSON.stringify(stripSecrets(v.value as JsonValue));
        const cached = cache.get(v);
        if (cached && cached.crypter === c && cached.plaintext === plaintext) {
            return { [SIG_KEY]: SECRET_SIG, ciphertext: cached.ciphertext };
        }
        const ciphertext = c.encrypt(plaintext);
        cache.set(v, { crypter: c, plaintext, ciphertext });
        return { [SIG_KEY]: SECRET_SIG, ciphertext };
    }
    if (Array.isArray(v)) {
        return v.map((x) => encryptValue(x, c, cache));
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encryptValue(x, c, cache)]));
    }
    return v;
}

function decryptValue(v: JsonValue, c: Crypter): JsonValue {
    if (isPlainObject(v) && v[SIG_KEY] === SECRET_SIG && typeof v.ciphertext === "string") {
        return secret(JSON.parse(c.decrypt(v.ciphertext)) as JsonValue);
    }
    if (Array.isArray(v)) {
        return v.map((x) => decryptValue(x, c));
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decryptValue(x, c)]));
    }
    return v;
}

function encryptResource(r: ResourceState, c: Crypter, cache: SecretCache): JsonValue {
    return { ...r, inputs: encryptValue(r.inputs, c, cache), outputs: encryptValue(r.outputs, c, cache) } as unknown as JsonValue;
}

function decryptResource(r: JsonValue, c: Crypter): ResourceState {
    const stored = r as unknown as ResourceState;
    return {
        ...stored,
        inputs: decryptValue(stored.inputs, c) as PropertyMap,
        outputs: decryptValue(stored.outputs, c) as PropertyMap,
    };
}

/** Writes `text` to `file` atomically: temporary file, fsync, rename. One writer per file at a time. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    const handle = await open(tmp, "w");
    try {
        await handle.writeFile(text);
        await handle.sync();
    } finally {
        await handle.close();
    }
    await rename(tmp, file);
}

/** Reads and writes one stack's state file. */
export class StateStore {
    private crypter: Crypter | undefined;
    private saltState: string | undefined;
    private readonly secretCache: SecretCache = new WeakMap();

    constructor(
        readonly file: string,
        private readonly passphrase: string,
    ) {}

    /** The file exactly as stored, or undefined when there is none yet. */
    rawText(): string | undefined {
        return existsSync(this.file) ? readFileSync(this.file, "utf8") : undefined;
    }

    /** Loads and decrypts the state; an empty state when the file does not exist. */
    async load(project: string, stack: string): Promise<StackState> {
        const text = this.rawText();
        if (text === undefined) {
            return emptyState(project, stack);
        }
        const stored = JSON.parse(text) as StoredFile;
        const cp = stored.checkpoint;
        if (!this.crypter || this.saltState !== cp.latest.secrets_providers.state.salt) {
            this.saltState = cp.latest.secrets_providers.state.salt;
            this.crypter = await Crypter.open(this.passphrase, this.saltState);
        }
        const c = this.crypter;
        const config: Record<string, ConfigEntry> = {};
        for (const [k, v] of Object.entries(cp.config)) {
            config[k] =
                isPlainObject(v) && typeof v.secure === "string"
                    ? { value: JSON.parse(c.decrypt(v.secure)) as JsonValue, secret: true }
                    : { value: v, secret: false };
        }
        return {
            project: cp.project,
            stack: cp.stack,
            config,
            resources: cp.latest.resources.map((r) => decryptResource(r, c)),
            pendingOperations: cp.latest.pending_operations.map((p) => {
                const op = p as unknown as PendingOperation;
                return { type: op.type, resource: decryptResource(op.resource as unknown as JsonValue, c) };
            }),
        };
    }

    /** Encrypts and writes the state atomically. */
    async save(state: StackState): Promise<void> {
        if (!this.crypter || !this.saltState) {
            const created = await Crypter.create(this.passphrase);
            this.crypter = created.crypter;
            this.saltState = created.saltState;
        }
        const c = this.crypter;
        const config: Record<string, JsonValue> = {};
        for (const [k, e] of Object.entries(state.config)) {
            config[k] = e.secret ? { secure: c.encrypt(JSON.stringify(e.value)) } : e.value;
        }
        const stored: StoredFile = {
            version: 3,
            checkpoint: {
                stack: state.stack,
                project: state.project,
                config,
                latest: {
                    manifest: { time: new Date().toISOString(), magic: "", version: "engine-harness" },
                    secrets_providers: { type: "passphrase", state: { salt: this.saltState } },
                    resources: state.resources.map((r) => encryptResource(r, c, this.secretCache)),
                    pending_operations: state.pendingOperations.map(
                        (p) => ({ resource: encryptResource(p.resource, c, this.secretCache), type: p.type }) as unknown as JsonValue,
                    ),
                },
            },
        };
        await writeFileAtomic(this.file, JSON.stringify(stored, null, 4) + "\n");
    }
}
