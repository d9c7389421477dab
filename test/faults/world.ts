import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KMSClient } from "@aws-sdk/client-kms";
import { SharedHost, type Program } from "../../engine-harness";
import { keyDeclaration, materialDeclaration } from "../../engine-harness/byok/basic";
import { kmsEndpointOf, operatorClient, type KmsEndpoint } from "../../engine-harness/byok/externalKey";
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from "../../kms-local";
import { kmsLocalArtifacts, leakRegistry } from "../support/leakScan";
import { randomMaterial } from "../support/materials";
import { RecordedStack } from "../support/recordedStack";

/**
 * The fault suite's worlds. An "account" is one kms-local (its own quotas, faults, clock, keys) with a
 * backend directory and an operator client; a "lane" runs stacks one after another on one provider host
 * (a SharedHost, restarted when it dies), so lanes on separate accounts run side by side without host
 * start-up dominating the run. Every stack is a RecordedStack and every kms-local logs into the leak scan.
 */

export interface Account {
    name: string;
    kms: KmsLocal;
    endpoint: KmsEndpoint;
    /** The operator's client: many attempts, so assertions hold up under the injected faults. */
    client: KMSClient;
    /** Called with every kms-local log line (one per request, written before the response is sent). */
    onRequest: ((line: string) => void) | undefined;
    /** A lane: stacks on this account sharing one provider host. */
    lane(name: string): Lane;
    close(): Promise<void>;
}

export interface Lane {
    name: string;
    account: Account;
    /** A stack of this lane (unique name), configured like a user's stack pointing at kms-local. */
    newStack(name: string): RecordedStack;
    /** Starts the lane's provider host (a preview that runs check), within the limit of hosts starting at once. */
    warmUp(): Promise<void>;
    close(): Promise<void>;
}

/**
 * A provider host costs about a second of CPU to start, and the harness gives it 30 s to print its port; two
 * dozen lanes starting at once on a loaded 2-core runner could miss that. So at most this many hosts start at
 * a time: lanes warm up through startingHost(), and so does the first operation after a host was killed.
 */
const HOST_STARTS_AT_ONCE = 3;
let hostsStarting = 0;
const waitingToStart: (() => void)[] = [];

export async function startingHost<T>(operation: () => Promise<T>): Promise<T> {
    if (hostsStarting >= HOST_STARTS_AT_ONCE) await new Promise<void>((resolve) => waitingToStart.push(resolve));
    hostsStarting++;
    try {
        return await operation();
    } finally {
        hostsStarting--;
        waitingToStart.shift()?.();
    }
}

export interface AccountOptions {
    name: string;
    kms: KmsLocalOptions;
    /** pulumi-kms-byok:requestRateScale of every stack (1: AWS's quotas, as kms-local's default enforces). */
    requestRateScale?: number;
}

export async function openAccount(options: AccountOptions): Promise<Account> {
    const dir = mkdtempSync(join(tmpdir(), `byok-faults-${options.name}-`));
    const account: Partial<Account> & { onRequest?: (line: string) => void } = { name: options.name };
    const artifacts = kmsLocalArtifacts(`${options.name} (${dir})`, leakRegistry, (line) => account.onRequest?.(line));
    const kms = await startKmsLocal({ rotationDelayMs: 50, ...options.kms, log: artifacts.log });
    artifacts.attach(kms);
    const endpoint: KmsEndpoint = kmsEndpointOf(kms);
    const client = operatorClient(endpoint, "us-east-1", 10);
    const lanes: Lane[] = [];
    const config = {
        "aws:region": "us-east-1",
        "pulumi-kms-byok:endpoint": kms.url,
        "pulumi-kms-byok:requestRateScale": String(options.requestRateScale ?? 1),
        "pulumi-kms-byok:propagationTimeoutSeconds": "30",
        "pulumi-kms-byok:rotationTimeoutSeconds": "60",
    };
    const hostEnv = {
        AWS_ACCESS_KEY_ID: endpoint.accessKeyId,
        AWS_SECRET_ACCESS_KEY: endpoint.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        // The provider keeps its own default attempts even where the test process raises the SDK's.
        AWS_MAX_ATTEMPTS: "",
    };
    Object.assign(account, {
        kms,
        endpoint,
        client,
        lane(name: string): Lane {
            const host = new SharedHost();
            const lane: Lane = {
                name,
                account: account as Account,
                newStack: (stack) =>
                    new RecordedStack({ project: "kms-byok", stack: `${name}-${stack}`, dir, config, hostEnv, sharedHost: host }),
                warmUp: () =>
                    startingHost(async () => {
                        const probe: MaterialIntent = { name: "m1", material: randomMaterial(), validTo: validToIn(account as Account, 30) };
                        const result = await lane.newStack("warm-up").preview(programOf(account as Account, [probe]));
                        if (!result.ok) throw new Error(`${name}: warm-up preview failed: ${JSON.stringify(result.errors)}`);
                    }),
                close: () => host.close(),
            };
            lanes.push(lane);
            return lane;
        },
        async close() {
            for (const lane of lanes) await lane.close();
            client.destroy();
            await kms.stop();
            leakRegistry.addDirectory(dir, `fault-suite state dir ${options.name}`);
            rmSync(dir, { recursive: true, force: true });
        },
    });
    return account as Account;
}

/** One material of the key "key" as a test intends it. */
export interface MaterialIntent {
    name: string;
    material: Buffer;
    validTo: string;
    /** A further material: importType NEW_KEY_MATERIAL; `rotate`: rotateOnDemand. */
    additional?: { rotate: boolean };
}

/** The program: the EXTERNAL key (stand-in) and its materials, in order. */
export function programOf(account: Account, materials: MaterialIntent[]): Program {
    return [
        keyDeclaration(account.endpoint, "key"),
        ...materials.map((m) =>
            materialDeclaration({
                name: m.name,
                key: "key",
                material: m.material.toString("base64"),
                inputs: {
                    validTo: m.validTo,
                    ...(m.additional ? { importType: "NEW_KEY_MATERIAL", rotateOnDemand: m.additional.rotate } : {}),
                },
            }),
        ),
    ];
}

const DAY = 86_400_000;

/** An ISO time `days` after kms-local's now, to the second (the provider's check wants at most 365 days ahead). */
export function validToIn(account: Account, days: number): string {
    return new Date(Math.floor((account.kms.control.clock.now() + days * DAY) / 1000) * 1000).toISOString();
}

/** Parses a kms-local log line: `<time> <requestId> <region> <Operation> <status|dropped> [ErrorType] [key=<id>] …`. */
export function parseRequestLine(line: string): { operation: string; status: string; errorType?: string; keyId?: string } | undefined {
    const m = /^\S+ \S+ \S+ (\S+) (\d+|dropped)(?: ([A-Za-z]+)(?= ))?(?: key=(\S+))?/.exec(line);
    return m ? { operation: m[1]!, status: m[2]!, errorType: m[3], keyId: m[4] } : undefined;
}
