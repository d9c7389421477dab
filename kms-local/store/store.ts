// The account's data across Regions: keys, aliases and import tokens, plus ARN helpers and multi-Region families.

import type { RequestScope } from "../model/context.js";
import type { AliasRecord, KeyRecord, RegionData, TokenRecord } from "./types.js";

/** A request's view of the store: who asks, where and when, and the account's data. */
export interface StoreScope extends RequestScope {
    readonly store: Store;
}

export class Store {
    readonly regions = new Map<string, RegionData>();
    readonly tokens = new Map<string, TokenRecord>();
    /** Set by every mutation; the server persists and clears it after each request. */
    dirty = false;

    constructor(readonly account: string) {}

    region(name: string): RegionData {
        let r = this.regions.get(name);
        if (!r) {
            r = { keys: new Map<string, KeyRecord>(), aliases: new Map<string, AliasRecord>() };
            this.regions.set(name, r);
        }
        return r;
    }

    arn(k: { region: string; keyId: string }): string {
        return `arn:aws:kms:${k.region}:${this.account}:key/${k.keyId}`;
    }

    aliasArn(region: string, name: string): string {
        return `arn:aws:kms:${region}:${this.account}:${name}`;
    }

    allKeys(): KeyRecord[] {
        return [...this.regions.values()].flatMap((r) => [...r.keys.values()]);
    }

    /** Every key of a multi-Region family (same key ID), primary first. */
    family(k: KeyRecord): KeyRecord[] {
        if (!k.multiRegion) return [k];
        const members = this.allKeys().filter((x) => x.keyId === k.keyId);
        return members.sort((a, b) =>
            a.mrk?.type === "PRIMARY" ? -1 : b.mrk?.type === "PRIMARY" ? 1 : a.region.localeCompare(b.region),
        );
    }

    replicasOf(k: KeyRecord): KeyRecord[] {
        return this.family(k).filter((x) => x.mrk?.type === "REPLICA");
    }

    primaryOf(k: KeyRecord): KeyRecord | undefined {
        return this.family(k).find((x) => x.mrk?.type === "PRIMARY");
    }

    removeKey(k: KeyRecord): void {
        const r = this.region(k.region);
        r.keys.delete(k.keyId);
        for (const [name, a] of r.aliases) if (a.targetKeyId === k.keyId) r.aliases.delete(name);
        this.dirty = true;
    }

    clear(): void {
        this.regions.clear();
        this.tokens.clear();
        this.dirty = true;
    }
}
