// Resolution of a KeyId member (key ID, key ARN, alias name, alias ARN) to a key in the caller's Region, with
// the errors recorded from real AWS (docs/kms-behaviour.md#key-identifiers) and eventual consistency (S28: new keys
// invisible for a while).

import { E, KmsError } from "../model/errors.js";
import type { StoreScope } from "./store.js";
import type { KeyRecord } from "./types.js";

const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ARN = /^arn:aws[a-z-]*:kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;

function aliasNotAccepted(ctx: StoreScope, given: string): KmsError {
    return new KmsError(ctx.switches.aliasKeyIdErrorType, ctx.switches.aliasKeyIdMessage.split("{keyId}").join(given));
}

function visible(ctx: StoreScope, k: KeyRecord | undefined): KeyRecord | undefined {
    if (!k) return undefined;
    return k.visibleAt !== undefined && ctx.now < k.visibleAt ? undefined : k;
}

function byAlias(ctx: StoreScope, name: string): KeyRecord {
    const region = ctx.store.region(ctx.region);
    const alias = region.aliases.get(name);
    const k = alias ? visible(ctx, region.keys.get(alias.targetKeyId)) : undefined;
    if (!k) throw E.aliasNotFound(ctx.store.aliasArn(ctx.region, name));
    return k;
}

function byId(ctx: StoreScope, keyId: string, given: string): KeyRecord {
    if (!KEY_ID.test(keyId)) throw E.invalidKeyId(given);
    const k = visible(ctx, ctx.store.region(ctx.region).keys.get(keyId));
    // AWS shows the ARN in the message even when a bare ID was passed (docs/kms-behaviour.md#key-identifiers).
    if (!k) throw E.keyNotFound(ctx.store.arn({ region: ctx.region, keyId }));
    return k;
}

/** Resolves `given`; `acceptsAlias` is false for operations that take only a key ID or key ARN (S7). */
export function resolveKey(ctx: StoreScope, given: string, acceptsAlias: boolean): KeyRecord {
    const k = resolveQuietly(ctx, given, acceptsAlias);
    ctx.facts.keyId = k.keyId;
    return k;
}

function resolveQuietly(ctx: StoreScope, given: string, acceptsAlias: boolean): KeyRecord {
    const arn = ARN.exec(given);
    if (arn) {
        const [, region, account, kind, rest] = arn as unknown as [string, string, string, string, string];
        if (kind === "alias" && !acceptsAlias) throw aliasNotAccepted(ctx, given);
        if (region !== ctx.region) throw E.invalidArnRegion(region);
        if (kind === "alias") {
            if (account !== ctx.account) throw E.aliasNotFound(given);
            return byAlias(ctx, `alias/${rest}`);
        }
        if (account !== ctx.account) {
            if (!KEY_ID.test(rest)) throw E.invalidKeyId(given);
            throw E.keyNotFound(given);
        }
        return byId(ctx, rest, given);
    }
    if (given.startsWith("arn:")) throw E.invalidKeyId(given);
    if (given.startsWith("alias/")) {
        if (!acceptsAlias) throw aliasNotAccepted(ctx, given);
        return byAlias(ctx, given);
    }
    return byId(ctx, given, given);
}
