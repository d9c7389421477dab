// Pagination for ListKeys, ListAliases and ListKeyRotations: Limit (default 100), opaque Marker, NextMarker and
// Truncated. The marker names the operation and the position, so a marker from another list or a forged one is an
// InvalidMarkerException rather than a silently wrong page.

import { E } from "../model/errors.js";

export interface Page<T> {
    items: T[];
    NextMarker?: string;
    Truncated: boolean;
}

export function paginate<T>(
    operation: string,
    all: readonly T[],
    limit: number | undefined,
    marker: string | undefined,
): Page<T> {
    let start = 0;
    if (marker !== undefined) {
        const m = /^kl1:([A-Za-z]+):(\d{1,9})$/.exec(Buffer.from(marker, "base64").toString("latin1"));
        if (!m || m[1] !== operation || Number(m[2]) > all.length) throw E.invalidMarker();
        start = Number(m[2]);
    }
    const end = start + (limit ?? 100);
    const items = all.slice(start, end);
    if (end >= all.length) return { items, Truncated: false };
    return { items, Truncated: true, NextMarker: Buffer.from(`kl1:${operation}:${end}`, "latin1").toString("base64") };
}
