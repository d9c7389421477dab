import { KmsSession } from "../client/session";
import { accountInMessage } from "../client/identity";
import { accountOfArn, regionOfArn } from "../client/settings";
import { KeyMaterialError, NotFoundError, kmsMessage } from "./errors";
import { DescribedKey, findKeyByID } from "./finders";
import { retryWhileNotFound } from "./waiters";

/**
 * Where a key is looked for. KMS answers "not found" alike for a key that does not exist, one in another
 * Region and one in another account, and its import, delete and rotation operations do not work across
 * accounts at all. So: a key ARN that cannot be reached from this session is refused at once, and a key that
 * is not found is reported with the Region, endpoint and account that were searched.
 */

/** A key ARN of another Region or account than the session's: refused before any KMS call. */
export async function assertKeyReachable(session: KmsSession, keyId: string): Promise<void> {
    const arnRegion = regionOfArn(keyId);
    if (arnRegion && session.settings.region && arnRegion !== session.settings.region) {
        throw new KeyMaterialError(
            `KMS key ${keyId} is in ${arnRegion}, but this session is for ${session.settings.region}: omit ` +
                `region (the key ARN's Region is used) or make them agree`,
        );
    }
    const arnAccount = accountOfArn(keyId);
    const account = arnAccount ? await session.account() : undefined;
    if (arnAccount && account && account !== arnAccount) {
        throw new KeyMaterialError(
            `KMS key ${keyId} belongs to account ${arnAccount}, but the credentials are of account ` +
                `${account}. KMS does not import, ` +
                "delete or rotate key material across accounts: assume a role in the key's account (the " +
                "assumeRole input, or aws:assumeRoles)",
        );
    }
}

/**
 * DescribeKey, waiting out KMS's eventual consistency for a key created moments ago. The first "not found"
 * is logged with where the key was searched, and the final error says it again with what to check.
 */
export async function findWaitingForPropagation(session: KmsSession, keyId: string): Promise<DescribedKey> {
    const seconds = Math.round(session.settings.propagationTimeoutMs / 1000);
    try {
        return await retryWhileNotFound(() => findKeyByID(session.client, keyId), {
            timeoutMs: session.settings.propagationTimeoutMs,
            log: session.log,
            what: `KMS key ${keyId} to become visible`,
            onFirstNotFound: async (error) => {
                session.log(
                    `KMS key ${keyId} was not found in ${await searched(session, error)}; waiting up to ${seconds}s ` +
                        "in case it was created moments ago (KMS is eventually consistent)",
                );
            },
        });
    } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw new KeyMaterialError(
            `KMS key ${keyId} was not found in ${await searched(session, error)} (waited ${seconds}s for a ` +
                `new key to become visible). ` +
                (regionOfArn(keyId)
                    ? "Check the key ARN and that these credentials may use it"
                    : "A bare key ID is looked up in the session's Region and account only: for a key " +
                      "elsewhere pass its key ARN, " +
                      "set region (or aws:region), or assume a role in the key's account " +
                      "(assumeRole, aws:assumeRoles)"),
            { cause: error },
        );
    }
}

/** DescribeKey now; "not found" says where the key was searched. */
export async function findReporting(session: KmsSession, keyId: string): Promise<DescribedKey> {
    try {
        return await findKeyByID(session.client, keyId);
    } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        throw new KeyMaterialError(`KMS key ${keyId} was not found in ${await searched(session, error)}`, {
            cause: error,
        });
    }
}

/** "Region …, endpoint …, account …", the account from the credentials or from KMS's own message. */
async function searched(session: KmsSession, error: NotFoundError): Promise<string> {
    const target = await session.describeTarget();
    const fromKms = accountInMessage(kmsMessage(error.cause));
    return target.endsWith("account unknown") && fromKms
        ? target.replace(/account unknown$/, `account ${fromKms}`)
        : target;
}
