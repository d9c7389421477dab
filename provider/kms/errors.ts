import { quoteServerText } from "../client/serverText";

/**
 * KMS errors as this package sees them. "Not found" is a typed error so each caller decides whether it is
 * fatal (create) or fine (delete, refresh). Messages built here name keys, material ids and states, never
 * material: they end up in CLI output and CI logs.
 */

export class NotFoundError extends Error {
    override readonly name = "NotFoundError";
}

/** A failure the user has to act on; the message says what happened and what to do. */
export class KeyMaterialError extends Error {
    override readonly name = "KeyMaterialError";
}

interface SdkError {
    name?: unknown;
    message?: unknown;
}

/** The KMS exception name (`NotFoundException`, `KMSInvalidStateException`, …) of an SDK error. */
export function errorName(error: unknown): string | undefined {
    const name = (error as SdkError | null)?.name;
    return typeof name === "string" ? name : undefined;
}

export function isKmsError(error: unknown, ...names: string[]): boolean {
    const name = errorName(error);
    return name !== undefined && names.includes(name);
}

/**
 * KMS sends some errors without a message; the JS SDK then says "UnknownError". Whoever answers chose this
 * text: it is only ever quoted sanitised (serverText.ts).
 */
export function kmsMessage(error: unknown): string {
    const message = (error as SdkError | null)?.message;
    return typeof message === "string" && message !== "UnknownError" ? quoteServerText(message) : "";
}

export function describeKmsError(error: unknown): string {
    const name = quoteServerText(errorName(error) ?? "Error", 100);
    const message = kmsMessage(error);
    return message ? `${name}: ${message}` : name;
}

/** An error as a message may quote it: a service's error by its sanitised name and message, any other sanitised too. */
export function errorText(error: unknown): string {
    if ((error as { $metadata?: unknown } | null)?.$metadata !== undefined) return describeKmsError(error);
    return quoteServerText(error instanceof Error ? error.message : String(error), 4000);
}

/** KMSInvalidStateException "<arn> is pending deletion." (and "pending replica deletion"). */
export const isPendingDeletionError = (error: unknown): boolean =>
    isKmsError(error, "KMSInvalidStateException") && /is pending (replica )?deletion/.test(kmsMessage(error));

/** KMSInvalidStateException "<arn> is pending import." */
export const isPendingImportError = (error: unknown): boolean =>
    isKmsError(error, "KMSInvalidStateException") && /is pending import/.test(kmsMessage(error));

export const isTokenError = (error: unknown): boolean =>
    isKmsError(error, "InvalidImportTokenException", "ExpiredImportTokenException");
