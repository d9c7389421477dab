import { KMSClient } from "@aws-sdk/client-kms";
import { kmsClient, serverNow } from "./client";
import { ClientSettings } from "./settings";
import { ProgressLog } from "./rateLimiter";

/** Everything a KMS workflow needs for one resource operation: the client, its settings, a log, KMS's clock. */
export interface KmsSession {
    client: KMSClient;
    settings: ClientSettings;
    log: ProgressLog;
    now(): Date;
}

export function openSession(settings: ClientSettings, log: ProgressLog): KmsSession {
    const client = kmsClient(settings, log);
    return { client, settings, log, now: () => serverNow(client) };
}
