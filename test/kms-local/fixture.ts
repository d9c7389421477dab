// Shared test fixture: starts kms-local on port 0, builds real @aws-sdk/client-kms clients pointed at it with
// dummy credentials, stops it after. Plus helpers to wrap and import key material the way a client does it
// (an implementation written for the tests, independent of kms-local's unwrap code and of the provider).

import * as assert from "node:assert/strict";
import {
    constants,
    createCipheriv,
    createPublicKey,
    generateKeyPairSync,
    publicEncrypt,
    randomBytes,
    type KeyObject,
} from "node:crypto";
import {
    CreateKeyCommand,
    DescribeKeyCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    KMSClient,
    type AlgorithmSpec,
    type CreateKeyCommandInput,
    type KeyMetadata,
    type ImportKeyMaterialCommandInput,
    type ImportKeyMaterialCommandOutput,
    type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal, type KmsLocalOptions } from "../../kms-local/index.js";

export interface Fixture {
    kms: KmsLocal;
    /** A client in us-east-1 without retries (errors surface at once). */
    client: KMSClient;
    /** A client for another Region (same endpoint; the Region travels in the SigV4 scope). */
    clientIn(region: string, maxAttempts?: number): KMSClient;
    /** CreateKey through `client` (Origin EXTERNAL unless the input says otherwise): the new key's id. */
    createKey(input?: CreateKeyCommandInput): Promise<string>;
    /** A new EXTERNAL symmetric key with this material imported (never expiring): Enabled. */
    enabledKey(material?: Buffer): Promise<{ keyId: string; material: Buffer; materialId: string }>;
    /** DescribeKey's KeyMetadata. */
    describe(keyId: string): Promise<KeyMetadata | undefined>;
}

/** Test defaults: quotas off (conformance tests create keys faster than 5/s), fast rotation. */
export const TEST_DEFAULTS: KmsLocalOptions = { quotas: { enabled: false }, rotationDelayMs: 50 };

export function makeClient(kms: KmsLocal, region = "us-east-1", maxAttempts = 1): KMSClient {
    return new KMSClient({
        endpoint: kms.url,
        region,
        maxAttempts,
        credentials: { accessKeyId: kms.env.AWS_ACCESS_KEY_ID, secretAccessKey: kms.env.AWS_SECRET_ACCESS_KEY },
    });
}

/** Registers mocha hooks that start kms-local before the suite and stop it after; returns a getter. */
export function useKmsLocal(options: KmsLocalOptions = {}): () => Fixture {
    let fixture: Fixture | undefined;
    const clients: KMSClient[] = [];
    before(async () => {
        const kms = await startKmsLocal({ ...TEST_DEFAULTS, ...options });
        const clientIn = (region: string, maxAttempts = 1) => {
            const c = makeClient(kms, region, maxAttempts);
            clients.push(c);
            return c;
        };
        const client = clientIn("us-east-1");
        const createKey = async (input: CreateKeyCommandInput = {}) =>
            (await client.send(new CreateKeyCommand({ Origin: "EXTERNAL", ...input }))).KeyMetadata?.KeyId as string;
        const enabledKey = async (material = symmetricMaterial()) => {
            const keyId = await createKey();
            const imported = await importMaterial(client, keyId, material);
            return { keyId, material, materialId: imported.KeyMaterialId as string };
        };
        const describe = async (keyId: string) =>
            (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
        fixture = { kms, client, clientIn, createKey, enabledKey, describe };
    });
    after(async () => {
        for (const c of clients) c.destroy();
        await fixture?.kms.stop();
    });
    return () => {
        if (!fixture) throw new Error("fixture not started");
        return fixture;
    };
}

/** Asserts that `p` rejects with a KMS error of `type` (and, if given, exactly `message`, or matching a RegExp). */
export async function expectKmsError(
    p: Promise<unknown>,
    type: string,
    message?: string | RegExp,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
    try {
        await p;
    } catch (e) {
        const err = e as Error & { name: string; $metadata?: { httpStatusCode?: number } };
        assert.equal(err.name, type, `expected ${type}, got ${err.name}: ${err.message}`);
        if (typeof message === "string") assert.equal(err.message, message);
        else if (message) assert.match(err.message, message);
        return err;
    }
    assert.fail(`expected ${type}, but the call succeeded`);
}

// ---- client-side wrapping (docs/kms-behaviour.md#wrapping-constructions), written independently for the tests

const KWP_IV = Buffer.from("A65959A6", "hex");

export function wrapMaterial(publicKeyDer: Uint8Array, algorithm: string, material: Buffer): Buffer {
    const pub = createPublicKey({ key: Buffer.from(publicKeyDer), format: "der", type: "spki" });
    const hash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
    const oaep = (data: Buffer) =>
        publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
    if (algorithm.startsWith("RSAES_OAEP")) return oaep(material);
    const aes = randomBytes(32);
    const c = createCipheriv("id-aes256-wrap-pad", aes, KWP_IV);
    return Buffer.concat([oaep(aes), c.update(material), c.final()]);
}

export interface ImportOptions extends Partial<
    Omit<ImportKeyMaterialCommandInput, "KeyId" | "ImportToken" | "EncryptedKeyMaterial">
> {
    algorithm?: AlgorithmSpec;
    wrappingKeySpec?: WrappingKeySpec;
}

/** GetParametersForImport + wrap + ImportKeyMaterial. Default: RSA_AES_KEY_WRAP_SHA_256, RSA_2048, DOES_NOT_EXPIRE. */
export async function importMaterial(
    client: KMSClient,
    keyId: string,
    material: Buffer,
    options: ImportOptions = {},
): Promise<ImportKeyMaterialCommandOutput> {
    const { algorithm = "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec = "RSA_2048", ...rest } = options;
    const params = await client.send(
        new GetParametersForImportCommand({
            KeyId: keyId,
            WrappingAlgorithm: algorithm,
            WrappingKeySpec: wrappingKeySpec,
        }),
    );
    const input: ImportKeyMaterialCommandInput = {
        KeyId: keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapMaterial(params.PublicKey as Uint8Array, algorithm, material),
        ...(rest.ValidTo === undefined && rest.ExpirationModel === undefined
            ? { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }
            : {}),
        ...rest,
    };
    return client.send(new ImportKeyMaterialCommand(input));
}

// ---- material

export const symmetricMaterial = (): Buffer => randomBytes(32);

const pkcs8Cache = new Map<string, Buffer>();

/** A DER PKCS#8 private key for an asymmetric key spec (cached: RSA generation is slow). */
export function asymmetricMaterial(keySpec: string, fresh = false): Buffer {
    const cached = pkcs8Cache.get(keySpec);
    if (cached && !fresh) return cached;
    let pair: { privateKey: KeyObject };
    if (keySpec.startsWith("RSA_")) pair = generateKeyPairSync("rsa", { modulusLength: Number(keySpec.slice(4)) });
    else if (keySpec === "ECC_NIST_EDWARDS25519") pair = generateKeyPairSync("ed25519");
    else {
        const curve = {
            ECC_NIST_P256: "prime256v1",
            ECC_NIST_P384: "secp384r1",
            ECC_NIST_P521: "secp521r1",
            ECC_SECG_P256K1: "secp256k1",
        }[keySpec];
        if (!curve) throw new Error(`no test material for ${keySpec}`);
        pair = generateKeyPairSync("ec", { namedCurve: curve });
    }
    const der = pair.privateKey.export({ type: "pkcs8", format: "der" });
    if (!fresh) pkcs8Cache.set(keySpec, der);
    return der;
}

/** Time in the future as a Date, `ms` from the kms-local clock's now. */
export const inFuture = (kms: KmsLocal, ms: number): Date => new Date(kms.control.clock.now() + ms);

export const DAY_MS = 86_400_000;

/** The ARN kms-local gives a key of the default account. */
export const arnOf = (keyId: string, region = "us-east-1"): string => `arn:aws:kms:${region}:111122223333:key/${keyId}`;
