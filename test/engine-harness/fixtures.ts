// Test scaffolding for the harness only: a tiny dynamic provider backed by a JSON file (the
// "resource store"), which also appends every call it receives to a JSON-lines call log, so tests
// can assert what the real host handed to the provider.
//
// The provider object is serialized by the harness exactly as dynamic.Resource would, so every
// helper it uses requires its modules inside the function body (serialized code must not capture
// native objects). Behaviour is steered through inputs:
//   size, color   ordinary inputs; a change of `color` replaces, of anything else updates
//   dbr: true     the provider asks for delete-before-replace
//   diffMode      "auto" (default) | "unknown" (diff returns no `changes`) | "none" (changes:false)
//                 | "provider" (changes only when __provider differs)
//   failCreate    create throws a plain error
//   partial       create/update throws with e.id/e.properties/e.reasons (ErrorResourceInitFailed)
//   slowMs        create sleeps this long (to kill the host mid-create)
//   pw            a value tests pass as secret; echoed back as output `pw` and as `pwCopy`
//   sealOut       create returns an output `sealed` wrapped in a secret envelope

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SharedHost, Stack, type StackOptions } from "../../engine-harness";

export interface StoreFile {
    next: number;
    resources: Record<string, Record<string, unknown>>;
}

export interface CallEntry {
    method: string;
    version: string;
    [key: string]: unknown;
}

function storeRead(path: string): StoreFile {
    const fs = require("node:fs");
    return fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")) : { next: 1, resources: {} };
}

function storeWrite(path: string, data: StoreFile): void {
    const fs = require("node:fs");
    fs.writeFileSync(path, JSON.stringify(data));
}

function logCall(path: string, entry: Record<string, unknown>): void {
    const fs = require("node:fs");
    fs.appendFileSync(path + ".calls", JSON.stringify(entry) + "\n");
}

/** The outputs the fake resource reports: a few inputs plus output-only values. */
function outputsOf(id: string, inputs: Record<string, unknown>, version: string): Record<string, unknown> {
    const outs: Record<string, unknown> = { size: inputs.size ?? null, color: inputs.color ?? null, serial: `serial-${id}`, madeBy: version };
    if (inputs.sealOut) {
        // A secret envelope returned by the provider itself (reference §2.2, mechanism 3).
        // (Built from pieces so the serialized provider text does not contain the literal value.)
        outs.sealed = { ["4dabf18193072939" + "515e22adb298388d"]: "1b47061264138c4a" + "c30d75fd1eb44270", value: ["sealed", "value"].join("-") };
    }
    if (inputs.pw !== undefined) {
        outs.pw = inputs.pw;
        outs.pwCopy = inputs.pw;
    }
    return outs;
}

type Props = Record<string, unknown>;
interface FakeProvider {
    storePath: string;
    configure(req: { config: { get(k: string): string | undefined; require(k: string): string } }): Promise<void>;
    check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
    diff(id: string, olds: Props, news: Props): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
    create(inputs: Props): Promise<{ id: string; outs: Props }>;
    read(id: string, props: Props): Promise<{ id: string; props?: Props; inputs?: Props }>;
    update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
    delete(id: string, props: Props): Promise<void>;
}

/** A provider whose code differs by `version` (so tests can "upgrade" it between runs). */
export function makeProvider(version: string): object {
    const provider: FakeProvider = {
        storePath: "",
        async configure(req) {
            this.storePath = req.config.require("storePath");
            logCall(this.storePath, {
                method: "configure",
                version,
                region: req.config.get("aws:region"),
                projectKey: req.config.get("storePath"),
                token: req.config.get("token"),
                engineEnv: process.env.PULUMI_NODEJS_ENGINE ?? null,
                projectEnv: process.env.PULUMI_NODEJS_PROJECT ?? null,
                extraEnv: process.env.EXTRA_FOR_TEST ?? null,
                cwd: process.cwd(),
            });
        },
        async check(olds, news) {
            logCall(this.storePath, { method: "check", version, olds, news });
            const failures: { property: string; reason: string }[] = [];
            if (typeof news.size === "number" && news.size < 0) {
                failures.push({ property: "size", reason: "size must not be negative" });
            }
            if (news.color === "") {
                failures.push({ property: "color", reason: "color must not be empty" });
            }
            return { inputs: news, failures };
        },
        async diff(id, olds, news) {
            logCall(this.storePath, { method: "diff", version, id, olds, news });
            const mode = news.diffMode ?? "auto";
            if (mode === "unknown") {
                return {};
            }
            if (mode === "none") {
                return { changes: false };
            }
            if (mode === "provider") {
                return { changes: olds.__provider !== news.__provider };
            }
            const changed = ["size", "color", "note", "pw"].filter((k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null));
            return {
                changes: changed.length > 0,
                replaces: changed.includes("color") ? ["color"] : [],
                deleteBeforeReplace: news.dbr === true,
            };
        },
        async create(inputs) {
            logCall(this.storePath, { method: "create", version, inputs });
            console.log(`[fake] creating ${inputs.size}/${inputs.color}`);
            if (typeof inputs.slowMs === "number") {
                await new Promise((r) => setTimeout(r, inputs.slowMs as number));
            }
            if (inputs.failCreate) {
                throw new Error("create refused by the fake provider");
            }
            const store = storeRead(this.storePath);
            const id = `res-${store.next++}`;
            const outs = outputsOf(id, inputs, version);
            store.resources[id] = { ...outs };
            storeWrite(this.storePath, store);
            if (inputs.partial) {
                const e = new Error("created but not healthy") as Error & { id?: string; properties?: unknown; reasons?: string[] };
                e.id = id;
                e.properties = { ...outs, health: "bad" };
                e.reasons = ["health check failed", "second reason"];
                throw e;
            }
            return { id, outs };
        },
        async read(id, props) {
            logCall(this.storePath, { method: "read", version, id, props });
            const store = storeRead(this.storePath);
            const live = store.resources[id];
            if (!live) {
                return { id: "" };
            }
            const result: { id: string; props: Props; inputs?: Props } = { id, props: { ...live } };
            if (live.reportInputs) {
                result.inputs = { size: live.size, color: live.color };
            }
            return result;
        },
        async update(id, olds, news) {
            logCall(this.storePath, { method: "update", version, id, olds, news });
            if (news.partial) {
                const e = new Error("update left it unhealthy") as Error & { id?: string; properties?: unknown; reasons?: string[] };
                e.id = id;
                e.properties = { ...olds, health: "bad" };
                e.reasons = ["still unhealthy"];
                throw e;
            }
            const store = storeRead(this.storePath);
            const outs = outputsOf(id, news, version);
            store.resources[id] = { ...outs };
            storeWrite(this.storePath, store);
            return { outs };
        },
        async delete(id, props) {
            logCall(this.storePath, { method: "delete", version, id, props });
            console.log(`[fake] deleting ${id} (provider ${version})`);
            const store = storeRead(this.storePath);
            delete store.resources[id];
            storeWrite(this.storePath, store);
        },
    };
    return provider;
}

/** A fresh working directory with a store path for one test. */
export function workspace(): { dir: string; storePath: string } {
    const dir = mkdtempSync(join(tmpdir(), "engine-harness-"));
    return { dir, storePath: join(dir, "store.json") };
}

export function calls(storePath: string): CallEntry[] {
    const file = storePath + ".calls";
    if (!existsSync(file)) {
        return [];
    }
    return readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l)
        .map((l) => JSON.parse(l) as CallEntry);
}

export function readStore(storePath: string): StoreFile {
    return existsSync(storePath) ? (JSON.parse(readFileSync(storePath, "utf8")) as StoreFile) : { next: 1, resources: {} };
}

/** Changes the store out of band (as someone using the console would). */
export function editStore(storePath: string, edit: (s: StoreFile) => void): void {
    const s = readStore(storePath);
    edit(s);
    writeFileSync(storePath, JSON.stringify(s));
}

export const THING = "pulumi-nodejs:dynamic/test:Thing";
export const providerV1 = makeProvider("v1");

/**
 * One per test file: a fake-resource store and a host shared by the file's stacks (they all have
 * the same config), so the suite starts a host per file rather than per test. Each test gets a
 * fresh stack directory and an empty store and call log.
 */
export class Suite {
    readonly host = new SharedHost();
    private readonly ws = workspace();

    newStack(options: Partial<StackOptions> = {}): { stack: Stack; dir: string; storePath: string } {
        rmSync(this.ws.storePath, { force: true });
        rmSync(this.ws.storePath + ".calls", { force: true });
        const dir = mkdtempSync(join(this.ws.dir, "stack-"));
        const stack = new Stack({
            project: "proj",
            stack: "dev",
            dir,
            config: { storePath: this.ws.storePath, "aws:region": "eu-west-1" },
            sharedHost: this.host,
            ...options,
        });
        return { stack, dir, storePath: this.ws.storePath };
    }

    async close(): Promise<void> {
        await this.host.close();
        rmSync(this.ws.dir, { recursive: true, force: true });
    }
}

/** Methods in the call log, e.g. ["check", "create"], optionally only since index `from`. */
export function methods(storePath: string, from: number = 0): string[] {
    return calls(storePath)
        .slice(from)
        .map((c) => c.method);
}

/** What a test sees: the stack of the running test and its store. */
export interface TestContext {
    stack: Stack;
    storePath: string;
    /** A fresh stack (and empty store) in the middle of a test. */
    renew(): void;
}

/**
 * Registers a test file's hooks: one {@link Suite} for the file, a fresh stack before each test
 * (`options` as for {@link Suite.newStack}).
 */
export function stackPerTest(options: Partial<StackOptions> = {}): TestContext {
    const suite = new Suite();
    const t = {
        renew(): void {
            Object.assign(t, suite.newStack(options));
        },
    } as TestContext;
    beforeEach(() => t.renew());
    after(() => suite.close());
    return t;
}
