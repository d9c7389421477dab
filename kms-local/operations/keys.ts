// CreateKey, DescribeKey, ListKeys (docs/kms-behaviour.md#createkey-describekey-and-listkeys).

import { randomBytes, randomUUID } from "node:crypto";
import { familyOf, generateMaterial, isSymmetric, specInfo } from "../crypto/keySpecs.js";
import { keyMaterialId } from "../crypto/materialId.js";
import { E, externalNotSupported } from "../model/errors.js";
import { keyMetadata } from "./keyMetadata.js";
import { resolveKey } from "../store/resolve.js";
import type { KeyRecord, MaterialRecord } from "../store/types.js";
import type { Handler, OpContext } from "./context.js";
import { paginate } from "./paging.js";

type Tag = { TagKey: string; TagValue: string };

export function defaultPolicy(account: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Id: "key-default-1",
        Statement: [
            {
                Sid: "Enable IAM User Permissions",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    });
}

export function checkTags(tags: readonly Tag[] | undefined): Tag[] {
    const list = tags ?? [];
    if (list.length > 50) throw E.tooManyTags();
    if (list.some((t) => t.TagKey.startsWith("aws:"))) throw E.reservedTag();
    return list.map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
}

function chooseSpecAndUsage(ctx: OpContext, input: Record<string, unknown>): { spec: string; usage: string } {
    if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) throw E.bothKeySpecs();
    const spec = (input.KeySpec ?? input.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT") as string;
    const family = familyOf(spec);
    if (family === "sm2") throw E.notEmulated("SM2 (China Regions only)");
    if (
        (family === "mldsa" || family === "ed25519") &&
        input.Origin === "EXTERNAL" &&
        ctx.switches.externalPqAndEdwards === "reject"
    ) {
        throw externalNotSupported(spec);
    }
    if (family === "mldsa" && input.Origin !== "EXTERNAL") throw E.notEmulated(`${spec} key generation`);
    const usage = input.KeyUsage as string | undefined;
    if (usage === undefined) {
        if (!isSymmetric(spec)) throw E.keyUsageRequired();
        return { spec, usage: "ENCRYPT_DECRYPT" };
    }
    if (!specInfo(spec).usages.includes(usage)) throw E.keyUsageIncompatible(usage, spec);
    return { spec, usage };
}

export const createKey: Handler = async (ctx, input) => {
    const origin = (input.Origin ?? "AWS_KMS") as string;
    if (
        origin === "AWS_CLOUDHSM" ||
        origin === "EXTERNAL_KEY_STORE" ||
        input.CustomKeyStoreId !== undefined ||
        input.XksKeyId !== undefined
    ) {
        throw E.customKeyStore();
    }
    const { spec, usage } = chooseSpecAndUsage(ctx, input);
    const tags = checkTags(input.Tags as Tag[] | undefined);
    const multiRegion = input.MultiRegion === true;
    const keyId = multiRegion ? `mrk-${randomBytes(16).toString("hex")}` : randomUUID();
    const materials: MaterialRecord[] = [];
    if (origin === "AWS_KMS") {
        const bytes = await generateMaterial(spec);
        materials.push({
            id: keyMaterialId(keyId, bytes, ctx.switches.keyMaterialIdDerivation),
            bytes: bytes.toString("base64"),
            state: "CURRENT",
        });
    }
    const k: KeyRecord = {
        keyId,
        region: ctx.region,
        creationDate: ctx.now,
        description: (input.Description as string | undefined) ?? "",
        keyUsage: usage,
        keySpec: spec,
        origin: origin as "AWS_KMS" | "EXTERNAL",
        multiRegion,
        mrk: multiRegion ? { type: "PRIMARY", primaryRegion: ctx.region } : undefined,
        lifecycle: "Active",
        enabled: true,
        materials,
        onDemandRotations: 0,
        tags,
        policy: (input.Policy as string | undefined) ?? defaultPolicy(ctx.account),
        visibleAt: ctx.switches.newKeyInvisibleMs > 0 ? ctx.now + ctx.switches.newKeyInvisibleMs : undefined,
    };
    ctx.store.region(ctx.region).keys.set(keyId, k);
    ctx.store.dirty = true;
    ctx.facts.keyId = keyId;
    return { KeyMetadata: keyMetadata(ctx.store, k, ctx.switches) };
};

export const describeKey: Handler = (ctx, input) => {
    const k = resolveKey(ctx, input.KeyId as string, true);
    // S29: within the propagation window after a state change, the previous metadata is still served.
    if (k.staleMetadata && k.staleUntil !== undefined && ctx.now < k.staleUntil)
        return { KeyMetadata: k.staleMetadata };
    return { KeyMetadata: keyMetadata(ctx.store, k, ctx.switches) };
};

export const listKeys: Handler = (ctx, input) => {
    const keys = [...ctx.store.region(ctx.region).keys.values()].filter(
        (k) => k.visibleAt === undefined || ctx.now >= k.visibleAt,
    );
    const page = paginate("ListKeys", keys, input.Limit as number | undefined, input.Marker as string | undefined);
    return {
        Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: ctx.store.arn(k) })),
        NextMarker: page.NextMarker,
        Truncated: page.Truncated,
    };
};
