// CreateAlias and ListAliases: enough alias support for DescribeKey/Encrypt/Decrypt by alias and for the
// "alias where only a key ID is accepted" checks (S7).

import { E } from "../model/errors.js";
import { keyState } from "../store/keyState.js";
import { resolveKey } from "../store/resolve.js";
import { checkState } from "../store/stateTable.js";
import { ts } from "../model/context.js";
import type { Handler } from "./context.js";
import { paginate } from "./paging.js";

export const createAlias: Handler = (ctx, input) => {
    const name = input.AliasName as string;
    if (!name.startsWith("alias/")) throw E.aliasPrefix();
    if (name.startsWith("alias/aws/")) throw E.aliasReserved();
    const k = resolveKey(ctx, input.TargetKeyId as string, false);
    checkState("CreateAlias", keyState(k), ctx.store.arn(k), ctx.switches);
    const aliases = ctx.store.region(ctx.region).aliases;
    if (aliases.has(name)) throw E.aliasExists(ctx.store.aliasArn(ctx.region, name));
    aliases.set(name, { name, targetKeyId: k.keyId, creationDate: ctx.now, lastUpdatedDate: ctx.now });
    ctx.store.dirty = true;
    return {};
};

export const listAliases: Handler = (ctx, input) => {
    const region = ctx.store.region(ctx.region);
    const target = input.KeyId !== undefined ? resolveKey(ctx, input.KeyId as string, false).keyId : undefined;
    const all = [...region.aliases.values()]
        .filter((a) => (target === undefined ? true : a.targetKeyId === target))
        .filter((a) => {
            const k = region.keys.get(a.targetKeyId);
            return k !== undefined && (k.visibleAt === undefined || ctx.now >= k.visibleAt);
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate("ListAliases", all, input.Limit as number | undefined, input.Marker as string | undefined);
    return {
        Aliases: page.items.map((a) => ({
            AliasName: a.name,
            AliasArn: ctx.store.aliasArn(ctx.region, a.name),
            TargetKeyId: a.targetKeyId,
            CreationDate: ts(a.creationDate),
            LastUpdatedDate: ts(a.lastUpdatedDate),
        })),
        NextMarker: page.NextMarker,
        Truncated: page.Truncated,
    };
};
