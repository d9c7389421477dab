// awsJson1.1 response encoding: Buffers as standard base64, Timestamps as epoch seconds with millisecond
// precision always written as a float (AWS writes e.g. 1568290320.0 / 1571767572.317), undefined members omitted.

import { Timestamp } from "../model/context.js";

export function toAwsJson(value: unknown): string {
    if (value === undefined || value === null) return "null";
    if (value instanceof Timestamp) {
        const s = (Math.round(value.ms) / 1000).toFixed(3);
        return s.replace(/(\.\d*?[1-9])0+$/, "$1").replace(/\.000$/, ".0");
    }
    if (Buffer.isBuffer(value)) return JSON.stringify(value.toString("base64"));
    if (Array.isArray(value)) return `[${value.map((v) => toAwsJson(v)).join(",")}]`;
    if (typeof value === "object") {
        const parts: string[] = [];
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toAwsJson(v)}`);
        }
        return `{${parts.join(",")}}`;
    }
    return JSON.stringify(value);
}
