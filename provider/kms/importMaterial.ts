import {
    GetParametersForImportCommand,
    GetPublicKeyCommand,
    ImportKeyMaterialCommand,
    ImportKeyMaterialCommandInput,
    KeyMetadata,
} from "@aws-sdk/client-kms";
import { KmsSession } from "../client/session";
import { isPendingDeletion, shortLabel } from "./status";
import { Wrapping } from "../wrapping/algorithms";
import { KeySpec, supportsMultipleMaterials } from "../wrapping/keySpecs";
import { WrappingKeyError, parseWrappingKey } from "../wrapping/wrap";
import { MaterialWrapper } from "../wrapping/wrapper";
import { quoteServerText } from "../client/serverText";
import { KeyMaterialError, NotFoundError, describeKmsError, isKmsError, isTokenError } from "./errors";
import { DescribedKey, findKeyByID, findKeyMaterials } from "./finders";
import { assertKeyReachable, findWaitingForPropagation } from "./keyLocation";
import { retryWhileNotFound, waitFor } from "./waiters";

/**
 * The import workflow: GetParametersForImport → wrap (in this process or in an HSM) → ImportKeyMaterial, converging
 * whatever the key already holds. It is safe to rerun after a crash or a lost response: importing the same bytes again
 * (EXISTING_KEY_MATERIAL) is how KMS restores material, so every retry ends in the same state.
 */

export type ImportIntent = "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL" | undefined;

export type Expiration =
    | { model: "KEY_MATERIAL_EXPIRES"; validTo: Date }
    /** Renewable material: validTo = KMS's clock at the import + the period (see validToFor). */
    | { model: "KEY_MATERIAL_EXPIRES"; validityPeriodHours: number }
    | { model: "KEY_MATERIAL_DOES_NOT_EXPIRE" };

const HOUR_MS = 3_600_000;
/** AWS's limit: ValidTo at most 365 days after the request. */
const MAX_VALID_MS = 365 * 24 * HOUR_MS;
/**
 * The AWS SDK corrects its clock only when KMS's differs by 5 minutes or more: below that, "KMS's clock" as
 * seen here may run up to 5 minutes fast, so a full 365-day period stops that much short of AWS's limit.
 */
const CLOCK_TOLERANCE_MS = 5 * 60_000;

/**
 * The ValidTo sent with one ImportKeyMaterial call. A period is resolved here, at apply time, by KMS's clock
 * (the SDK's estimate from the Date header of the responses so far: DescribeKey and GetParametersForImport
 * came first), since KMS judges expiry by its own clock; whole seconds.
 */
export function validToFor(expiration: Expiration, kmsNow: Date): Date | undefined {
    if (expiration.model !== "KEY_MATERIAL_EXPIRES") return undefined;
    if ("validTo" in expiration) return expiration.validTo;
    const now = kmsNow.getTime();
    const until = Math.min(now + expiration.validityPeriodHours * HOUR_MS, now + MAX_VALID_MS - CLOCK_TOLERANCE_MS);
    return new Date(Math.floor(until / 1000) * 1000);
}

export interface ImportRequest {
    keyId: string;
    /** Wraps the material under each import's wrapping key: plaintext here (its caller zeroes it) or an HSM object. */
    material: MaterialWrapper;
    keySpec: KeySpec;
    /** undefined: the key's first material, or the same bytes it already holds (adoption). */
    intent: ImportIntent;
    /** The id this resource already owns, for reimports. */
    keyMaterialId?: string | null;
    expiration: Expiration;
    keyMaterialDescription?: string;
    wrapping: Wrapping;
}

export interface ImportResult {
    key: DescribedKey;
    keyMaterialId: string | null;
    /** The call that succeeded created a material (NEW_KEY_MATERIAL), rather than reimporting or adopting one. */
    newMaterial: boolean;
    /** DER SubjectPublicKeyInfo, base64, for asymmetric keys (verified against GetPublicKey). */
    publicKey: string | null;
}

/** How one ImportKeyMaterial call is made. */
interface CallPlan {
    importType?: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL";
    keyMaterialId?: string;
}

const MAX_ATTEMPTS = 5;

export async function importKeyMaterial(session: KmsSession, request: ImportRequest): Promise<ImportResult> {
    await assertKeyReachable(session, request.keyId);
    let key = await importableKey(session, request);
    let plan = choosePlan(key, request);
    let refusedAsNew: { plan: CallPlan; error: unknown } | undefined;
    let ownedMaterialGone = false;
    for (let attempt = 1; ; attempt++) {
        try {
            const keyMaterialId = await importOnce(session, key, request, plan);
            const newMaterial = plan.importType === "NEW_KEY_MATERIAL";
            return { key, keyMaterialId, newMaterial, publicKey: await verifyPublicKey(session, key, request) };
        } catch (error) {
            // When adoption was only a guess, the refusal of the new material is the error worth reporting.
            if (refusedAsNew && isKmsError(error, "IncorrectKeyMaterialException")) {
                throw importFailure(key, request, refusedAsNew.plan, refusedAsNew.error);
            }
            if (attempt >= MAX_ATTEMPTS) throw importFailure(key, request, plan, error);
            if (isTokenError(error)) {
                // A lost response (the import may have landed) or a token that expired in between: re-read
                // the key and retry with a fresh token; the plan then reimports what landed.
                key = await importableKey(session, request);
                plan = choosePlan(key, request);
            } else if (!refusedAsNew && plan.importType === "NEW_KEY_MATERIAL" && mayAlreadyBeAssociated(error)) {
                // New material that KMS already knows (a crash after a successful import, or material
                // pending rotation that is ours): reimporting the same bytes adopts it.
                refusedAsNew = { plan, error };
                plan = { importType: "EXISTING_KEY_MATERIAL" };
            } else if (
                !ownedMaterialGone &&
                plan.keyMaterialId &&
                request.intent === "NEW_KEY_MATERIAL" &&
                isKmsError(error, "IncorrectKeyMaterialException")
            ) {
                // This resource's pending material was deleted, and KMS forgot it: import it as new again
                // (same bytes into the same key: the same KeyMaterialId).
                ownedMaterialGone = true;
                plan = { importType: "NEW_KEY_MATERIAL" };
            } else {
                throw importFailure(key, request, plan, error);
            }
        }
    }
}

async function importableKey(session: KmsSession, request: ImportRequest): Promise<DescribedKey> {
    const wait = { timeoutMs: session.settings.propagationTimeoutMs, log: session.log };
    const key = await findWaitingForPropagation(session, request.keyId);
    assertImportable(key, request);
    if (key.KeyState !== "Creating") return key;
    // A new multi-Region replica is Creating for a short while before it accepts material.
    return waitFor(
        async () => {
            const k = await findKeyByID(session.client, request.keyId);
            return k.KeyState === "Creating" ? undefined : k;
        },
        { ...wait, what: `replica key ${key.Arn} to finish creating` },
    );
}

function assertImportable(key: KeyMetadata, request: ImportRequest): void {
    if (key.Origin !== "EXTERNAL") {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} has Origin ${key.Origin}: only keys created with Origin EXTERNAL (for example ` +
                "aws.kms.ExternalKey) accept imported key material",
        );
    }
    if ((key.KeySpec ?? "SYMMETRIC_DEFAULT") !== request.keySpec) {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} is a ${key.KeySpec} key, but ${request.material.what} is ` +
                `${request.keySpec} material; ` +
                "set keySpec to the key's spec and supply material of that kind",
        );
    }
    const multiRegion = key.MultiRegionConfiguration;
    if (multiRegion?.MultiRegionKeyType === "REPLICA" && request.intent === "NEW_KEY_MATERIAL") {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} is a multi-Region replica: new material is imported into its primary ` +
                `${multiRegion.PrimaryKey?.Arn ?? ""}, then the same bytes into each replica (omit importType here)`,
        );
    }
    if (isPendingDeletion(key.KeyState)) {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} is ${key.KeyState} (deletion date ${key.DeletionDate?.toISOString() ?? "pending"}): ` +
                "KMS refuses imports into it; cancel the key deletion first (CancelKeyDeletion), or " +
                "remove this resource",
        );
    }
}

/**
 * ImportType and KeyMaterialId, from the key's metadata and the resource's intent alone (no ListKeyRotations:
 * every call counts against the account's quotas). A wrong guess is corrected by KMS's answer (above).
 */
function choosePlan(key: KeyMetadata, request: ImportRequest): CallPlan {
    if (!supportsMultipleMaterials(request.keySpec)) return {};
    // Replicas never take new material: it is imported into the primary, then the same bytes into each replica.
    if (key.MultiRegionConfiguration?.MultiRegionKeyType === "REPLICA") return { importType: "EXISTING_KEY_MATERIAL" };
    // This resource's own material: KMS checks that the bytes are that material.
    if (request.keyMaterialId) return { importType: "EXISTING_KEY_MATERIAL", keyMaterialId: request.keyMaterialId };
    // A symmetric EXTERNAL key reports a CurrentKeyMaterialId from its first import on, even after a deletion.
    if (!key.CurrentKeyMaterialId) return { importType: "NEW_KEY_MATERIAL" };
    return { importType: request.intent === "NEW_KEY_MATERIAL" ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL" };
}

async function importOnce(
    session: KmsSession,
    key: DescribedKey,
    request: ImportRequest,
    plan: CallPlan,
): Promise<string | null> {
    const params = await retryWhileNotFound(() => getParametersForImport(session, key.Arn, request.wrapping), {
        timeoutMs: session.settings.propagationTimeoutMs,
        log: session.log,
        what: `KMS key ${key.Arn} to accept imports`,
    });
    const wrappingKey = acceptableWrappingKey(session, params.PublicKey, request.wrapping);
    if (session.target.trust?.kind === "listed") {
        // Not AWS and not this machine: the user opted in; the log says every time where the material went.
        session.log(
            `sending wrapped key material for ${shortLabel({ keyArn: key.Arn })} to ` +
                `${session.target.trust.host}, an endpoint listed in trustedEndpoints (not an AWS KMS host)`,
        );
    }
    const input: ImportKeyMaterialCommandInput = {
        KeyId: key.Arn,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: await wrapperStep(`wrapping the material for KMS key ${key.Arn}`, () =>
            request.material.wrap(wrappingKey, request.wrapping),
        ),
        ExpirationModel: request.expiration.model,
        ...(request.expiration.model === "KEY_MATERIAL_EXPIRES"
            ? { ValidTo: validToFor(request.expiration, session.now()) }
            : {}),
        ...(plan.importType ? { ImportType: plan.importType } : {}),
        ...(plan.keyMaterialId ? { KeyMaterialId: plan.keyMaterialId } : {}),
        ...(request.keyMaterialDescription ? { KeyMaterialDescription: request.keyMaterialDescription } : {}),
    };
    const response = await session.client.send(new ImportKeyMaterialCommand(input));
    if (!supportsMultipleMaterials(request.keySpec)) return response.KeyMaterialId || null;
    const keyMaterialId = response.KeyMaterialId || (await materialIdAfterLegacyImport(session, key, plan));
    // The public type promises a KeyMaterialId for symmetric keys, and delete needs it: never record null.
    if (!keyMaterialId) {
        throw new KeyMaterialError(
            `KMS imported the material into ${key.Arn} but reported no KeyMaterialId for it (symmetric ` +
                `keys always have one); ` +
                "run `pulumi up` again: the material is adopted by its bytes",
        );
    }
    return keyMaterialId;
}

/** The wrapping key, or an error saying the endpoint is not behaving like KMS; nothing is wrapped before this. */
function acceptableWrappingKey(session: KmsSession, publicKey: Uint8Array | undefined, wrapping: Wrapping) {
    try {
        return parseWrappingKey(publicKey, wrapping);
    } catch (error) {
        if (!(error instanceof WrappingKeyError)) throw error;
        const where = session.target.trust
            ? `the endpoint ${session.target.trust.origin}`
            : `AWS KMS in ${session.settings.region ?? "the default Region"}`;
        throw new KeyMaterialError(
            `${where} returned an unacceptable wrapping key for ` +
                `${wrapping.algorithm}/${wrapping.wrappingKeySpec}: ${error.message}. ` +
                "A genuine KMS issues RSA keys of the requested size with public exponent 65537, whose " +
                "modulus is the product of two " +
                "large primes; nothing was wrapped with this key " +
                "and no ImportKeyMaterial was sent. Check that the endpoint is really AWS KMS (or your " +
                "trusted KMS-compatible service)",
        );
    }
}

async function getParametersForImport(session: KmsSession, keyArn: string, wrapping: Wrapping) {
    try {
        return await session.client.send(
            new GetParametersForImportCommand({
                KeyId: keyArn,
                WrappingAlgorithm: wrapping.algorithm,
                WrappingKeySpec: wrapping.wrappingKeySpec,
            }),
        );
    } catch (error) {
        if (isKmsError(error, "NotFoundException")) {
            throw new NotFoundError(`KMS key ${keyArn} is not visible to GetParametersForImport yet`, { cause: error });
        }
        throw error;
    }
}

/**
 * Before June 2025 ImportKeyMaterial answered `{}`. Then the key has one material, whose id DescribeKey
 * reports as CurrentKeyMaterialId, or the new one is the single material pending rotation.
 */
async function materialIdAfterLegacyImport(
    session: KmsSession,
    key: DescribedKey,
    plan: CallPlan,
): Promise<string | null> {
    if (plan.keyMaterialId) return plan.keyMaterialId;
    const materials = await findKeyMaterials(session.client, key.Arn);
    const pending = materials.find((m) => m.KeyMaterialState?.startsWith("PENDING_"));
    if (plan.importType === "NEW_KEY_MATERIAL" && pending?.KeyMaterialId) return pending.KeyMaterialId;
    return (await findKeyByID(session.client, key.Arn)).CurrentKeyMaterialId ?? null;
}

/** After importing a private key, KMS must publish exactly its public key. */
async function verifyPublicKey(session: KmsSession, key: KeyMetadata, request: ImportRequest): Promise<string | null> {
    if (request.keySpec === "SYMMETRIC_DEFAULT" || request.keySpec.startsWith("HMAC_")) return null;
    const { PublicKey } = await session.client.send(new GetPublicKeyCommand({ KeyId: key.Arn }));
    const published = PublicKey ? Buffer.from(PublicKey) : undefined;
    if (
        !published ||
        !(await wrapperStep(`checking the public key of KMS key ${key.Arn}`, () =>
            request.material.isPublicKeyOf(published),
        ))
    ) {
        throw new KeyMaterialError(
            `KMS key ${key.Arn} accepted the import, but GetPublicKey does not return the public key of ` +
                `the imported private key`,
        );
    }
    return published.toString("base64");
}

/** A wrapper's failure (an HSM's refusal) is for the user to act on, never a KMS error to retry. */
async function wrapperStep<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
        return await step();
    } catch (error) {
        throw new KeyMaterialError(
            `${what} failed: ${quoteServerText(error instanceof Error ? error.message : String(error), 1500)}`,
            { cause: error },
        );
    }
}

/**
 * IncorrectKeyMaterialException to NEW_KEY_MATERIAL means "not new": the bytes may already be associated.
 * KMSInvalidStateException means some material is pending rotation, which may be these very bytes.
 */
function mayAlreadyBeAssociated(error: unknown): boolean {
    return isKmsError(error, "IncorrectKeyMaterialException", "KMSInvalidStateException");
}

function importFailure(key: KeyMetadata, request: ImportRequest, plan: CallPlan, error: unknown): Error {
    if (error instanceof KeyMaterialError) return error;
    const arn = key.Arn ?? request.keyId;
    if (isKmsError(error, "IncorrectKeyMaterialException"))
        return new KeyMaterialError(incorrectMaterialHint(arn, request, plan), { cause: error });
    if (isKmsError(error, "KMSInvalidStateException") && plan.importType === "NEW_KEY_MATERIAL") {
        return new KeyMaterialError(
            `KMS refused new key material for key ${arn} (${describeKmsError(error)}): a key holds ` +
                `at most one material ` +
                "pending rotation; rotate it in (rotateOnDemand) or delete that material first",
            { cause: error },
        );
    }
    return new KeyMaterialError(`importing key material into KMS key ${arn} failed: ${describeKmsError(error)}`, {
        cause: error,
    });
}

function incorrectMaterialHint(arn: string, request: ImportRequest, plan: CallPlan): string {
    if (!supportsMultipleMaterials(request.keySpec)) {
        return (
            `KMS key ${arn} rejected ${request.material.what} (IncorrectKeyMaterialException): a ` +
            `${request.keySpec} key is bound to ` +
            "the first private key or HMAC key ever imported into it and accepts only those same bytes again"
        );
    }
    if (plan.importType === "EXISTING_KEY_MATERIAL" && request.intent !== "NEW_KEY_MATERIAL") {
        return (
            `KMS key ${arn} already has key material and ${request.material.what} is not one of its materials ` +
            "(IncorrectKeyMaterialException). KMS only accepts the same bytes again; to add a second material " +
            "for rotation, set importType: NEW_KEY_MATERIAL"
        );
    }
    return (
        `KMS key ${arn} rejected ${request.material.what} as ${plan.importType ?? "its material"} ` +
        `(IncorrectKeyMaterialException)`
    );
}
