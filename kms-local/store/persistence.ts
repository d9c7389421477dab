// Optional state file: keys, aliases, import tokens, the clock offset and the wrapping key pairs tokens refer to.
// Written atomically (temp file in the same directory, fsync, rename, fsync of the directory), so a crash leaves the
// old or the new file, never a torn one. The file holds key material: the temp file is created exclusively (random
// name, O_CREAT|O_EXCL, mode 0600), so a file or symlink planted at its name is never written through; for tests only.

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { adoptWrappingKey, exportWrappingKey, readySharedIds, type WrappingKeySpec } from "../crypto/wrappingPool.js";
import { MAX_CLOCK_OFFSET_MS } from "../model/clock.js";
import type { Store } from "./store.js";
import type { AliasRecord, KeyRecord, TokenRecord } from "./types.js";

interface StateFileV1 {
    version: 1;
    account: string;
    clockOffsetMs: number;
    regions: Record<string, { keys: KeyRecord[]; aliases: AliasRecord[] }>;
    tokens: [string, TokenRecord][];
    wrappingKeys: { id: string; spec: WrappingKeySpec; pem: string; shared: boolean }[];
}

function serialise(store: Store, clockOffsetMs: number): StateFileV1 {
    const regions: StateFileV1["regions"] = {};
    for (const [name, r] of store.regions) {
        // A Region a request merely named (ListKeys there, say) holds nothing worth a line in the file.
        if (r.keys.size === 0 && r.aliases.size === 0) continue;
        const keys = [...r.keys.values()].map((k) => {
            const { staleMetadata: _m, staleUntil: _u, ...rest } = k;
            return rest;
        });
        regions[name] = { keys, aliases: [...r.aliases.values()] };
    }
    const shared = new Set(readySharedIds());
    const ids = new Set([...store.tokens.values()].map((t) => t.wrappingKeyId).concat([...shared]));
    const wrappingKeys = [...ids].flatMap((id) => {
        const k = exportWrappingKey(id);
        return k ? [{ ...k, shared: shared.has(id) }] : [];
    });
    return {
        version: 1,
        account: store.account,
        clockOffsetMs,
        regions,
        tokens: [...store.tokens.entries()],
        wrappingKeys,
    };
}

/** Flushes a directory entry change (the rename) to disk. */
function fsyncDirectory(dir: string): void {
    const fd = openSync(dir, "r");
    try {
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

export function saveState(file: string, store: Store, clockOffsetMs: number): void {
    const tmp = `${file}.tmp-${randomBytes(12).toString("hex")}`;
    // "wx": O_CREAT | O_EXCL — fails rather than follow or reuse anything already at that name.
    const fd = openSync(tmp, "wx", 0o600);
    try {
        try {
            writeSync(fd, JSON.stringify(serialise(store, clockOffsetMs)));
            fsyncSync(fd);
        } finally {
            closeSync(fd);
        }
        renameSync(tmp, file);
    } catch (e) {
        unlinkSync(tmp);
        throw e;
    }
    fsyncDirectory(dirname(file));
}

/** Loads `file` into `store` (if it exists); returns the saved clock offset, or undefined when there is no file. */
export function loadState(file: string, store: Store): number | undefined {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
    }
    const data = JSON.parse(text) as StateFileV1;
    // The file may be from another kms-local version: its version is checked as an outside value.
    const version: unknown = data.version;
    if (version !== 1) throw new Error(`unsupported kms-local state file version ${String(version)}`);
    if (data.account !== store.account)
        throw new Error(`state file belongs to account ${data.account}, not ${store.account}`);
    if (!(data.clockOffsetMs >= 0 && data.clockOffsetMs <= MAX_CLOCK_OFFSET_MS)) {
        throw new Error(
            `state file ${file} has a clock offset of ${String(data.clockOffsetMs)} ms, outside ` +
                `0..${MAX_CLOCK_OFFSET_MS} ms`,
        );
    }
    for (const w of data.wrappingKeys) adoptWrappingKey(w, w.shared);
    for (const [name, r] of Object.entries(data.regions)) {
        const region = store.region(name);
        for (const k of r.keys) region.keys.set(k.keyId, k);
        for (const a of r.aliases) region.aliases.set(a.name, a);
    }
    for (const [hex, t] of data.tokens) store.tokens.set(hex, t);
    return data.clockOffsetMs;
}
