import { Attribute, Handle, Pkcs11, TokenInfo } from "./binding";
import {
    CKA_CLASS,
    CKA_ID,
    CKA_LABEL,
    CKF_RW_SESSION,
    CKF_SERIAL_SESSION,
    CKO_PRIVATE_KEY,
    CKO_SECRET_KEY,
} from "./constants";
import { HsmError, isTokenAnswer, tokenAnswer } from "./errors";
import { LoginAttempt, UserType, assertLoginAllowed, pinName, rememberRefusal, userTypeCode } from "./loginGuard";
import { Pin } from "./pin";
import { Pkcs11Uri, describeObject, objectAttributes } from "./uri";

/**
 * A logged-in session on the token a URI names: select the slot, read the token's PIN flags, open a session,
 * log in (at most once per wrong PIN and run: loginGuard.ts), run, then log out and close, whatever happens.
 * Session objects the work creates (the wrapping public key, ephemeral AES keys) die with the session at the
 * latest. Work that needs the Security Officer (trusted wrapping keys) runs first, in its own login, and the
 * token objects it creates are destroyed before the session closes.
 */

export interface TokenSession {
    p11: Pkcs11;
    slot: Handle;
    session: Handle;
    /** How messages name the token: its label and serial. */
    token: string;
    /** Label, serial, manufacturer and model: what identifies the token for caches within this run. */
    tokenIdentity: string;
    log: (message: string) => void;
}

export interface SessionOptions {
    /** libraryIdentity() of the library: path and module parameters. */
    library: string;
    log: (message: string) => void;
    /** A read/write session: needed to create token objects (generation). */
    readWrite?: boolean;
    /** Work as the Security Officer before the user logs in; returns token objects to destroy at the end. */
    securityOfficer?: { pin: Pin; prepare: (t: TokenSession) => Promise<Handle[]> };
}

export async function withTokenSession<T>(
    p11: Pkcs11,
    uri: Pkcs11Uri,
    pin: Pin,
    options: SessionOptions,
    use: (t: TokenSession, prepared: Handle[]) => Promise<T>,
): Promise<T> {
    checkLibrary(p11, uri);
    const { slot, info } = selectSlot(p11, uri);
    const token = `token '${info.label.trimEnd()}' (serial ${info.serialNumber.trimEnd()})`;
    const tokenIdentity = [info.label, info.serialNumber, info.manufacturerID, info.model]
        .map((s) => s.trimEnd())
        .join("\0");
    const readWrite = options.readWrite || options.securityOfficer !== undefined;
    const session = p11.C_OpenSession(slot, CKF_SERIAL_SESSION | (readWrite ? CKF_RW_SESSION : 0));
    const t: TokenSession = { p11, slot, session, token, tokenIdentity, log: options.log };
    const attempt = (userType: UserType, p: Pin): LoginAttempt => ({
        library: options.library,
        tokenIdentity,
        token,
        userType,
        pin: p,
    });
    let prepared: Handle[] = [];
    try {
        if (options.securityOfficer) {
            login(p11, session, attempt("so", options.securityOfficer.pin), info, options.log);
            try {
                prepared = await options.securityOfficer.prepare(t);
            } finally {
                logout(p11, session);
            }
        }
        login(
            p11,
            session,
            attempt("user", pin),
            options.securityOfficer ? p11.C_GetTokenInfo(slot) : info,
            options.log,
        );
        try {
            return await use(t, prepared);
        } finally {
            for (const object of prepared) destroyQuietly(p11, session, object);
            prepared = [];
            logout(p11, session);
        }
    } finally {
        for (const object of prepared) destroyQuietly(p11, session, object);
        p11.C_CloseSession(session);
    }
}

function login(
    p11: Pkcs11,
    session: Handle,
    attempt: LoginAttempt,
    info: TokenInfo,
    log: (message: string) => void,
): void {
    assertLoginAllowed(attempt, info, log);
    try {
        p11.C_Login(session, userTypeCode(attempt.userType), attempt.pin.value);
    } catch (error) {
        if (isTokenAnswer(error, "CKR_USER_ALREADY_LOGGED_IN")) return;
        const answer = tokenAnswer(error);
        rememberRefusal(attempt, answer);
        throw new HsmError(
            `${attempt.token} refused the ${pinName(attempt.userType)} from ${attempt.pin.source} (${answer})` +
                (LOGIN_HINTS[answer] ?? ""),
        );
    }
}

const LOGIN_HINTS: Record<string, string> = {
    CKR_PIN_INCORRECT:
        ": the PIN is wrong; each wrong attempt may count towards locking the token, so the provider does " +
        "not try it again in this run",
    CKR_PIN_LOCKED: ": the PIN is locked after too many wrong attempts; the token's Security Officer must reset it",
    CKR_PIN_LEN_RANGE: ": the PIN has a length this token does not accept",
    CKR_USER_PIN_NOT_INITIALIZED: ": the token has no user PIN yet (softhsm2-util --init-token sets one)",
    CKR_SESSION_READ_ONLY_EXISTS:
        ": another application holds a read-only session on the token, and the Security Officer can " +
        "log in only without one",
};

function logout(p11: Pkcs11, session: Handle): void {
    try {
        p11.C_Logout(session);
    } catch {
        // Closing the session ends the login anyway (it is the application's last session on the token).
    }
}

/** Destroys an object made for one transaction; never throws (a session object dies with its session anyway). */
export function destroyQuietly(p11: Pkcs11, session: Handle, object: Handle): void {
    try {
        p11.C_DestroyObject(session, object);
    } catch {
        // Already gone: nothing to clean up, and the caller's own error is the one to report.
    }
}

function checkLibrary(p11: Pkcs11, uri: Pkcs11Uri): void {
    if (uri.libraryManufacturer === undefined && uri.libraryDescription === undefined) return;
    const info = p11.C_GetInfo();
    const manufacturer = info.manufacturerID.trimEnd();
    const description = info.libraryDescription.trimEnd();
    if (
        (uri.libraryManufacturer ?? manufacturer) !== manufacturer ||
        (uri.libraryDescription ?? description) !== description
    ) {
        throw new HsmError(
            `hsmKey names library-manufacturer/library-description the loaded PKCS#11 library does not ` +
                `have (it is '${manufacturer}', '${description}')`,
        );
    }
}

function selectSlot(p11: Pkcs11, uri: Pkcs11Uri): { slot: Handle; info: TokenInfo } {
    const present = p11
        .C_GetSlotList(true)
        .map((slot) => ({ slot, info: p11.C_GetTokenInfo(slot), slotInfo: p11.C_GetSlotInfo(slot) }));
    const same = (wanted: string | undefined, actual: string) => wanted === undefined || wanted === actual.trimEnd();
    const matching = present.filter(
        ({ slot, info, slotInfo }) =>
            same(uri.token, info.label) &&
            same(uri.serial, info.serialNumber) &&
            same(uri.manufacturer, info.manufacturerID) &&
            same(uri.model, info.model) &&
            same(uri.slotDescription, slotInfo.slotDescription) &&
            same(uri.slotManufacturer, slotInfo.manufacturerID) &&
            (uri.slotId === undefined || slotId(slot) === BigInt(uri.slotId)),
    );
    const tokens = present.map(
        ({ slot, info }) =>
            `'${info.label.trimEnd()}' (serial ${info.serialNumber.trimEnd()}, slot-id ${slotId(slot)})`,
    );
    if (matching.length === 1) return matching[0];
    if (matching.length === 0) {
        throw new HsmError(
            `no token matches hsmKey (${describeToken(uri)}); tokens present: ` +
                (tokens.length > 0 ? tokens.join(", ") : "none"),
        );
    }
    throw new HsmError(
        `${matching.length} tokens match hsmKey (${describeToken(uri)}): add serial= to choose one of ` +
            tokens.join(", "),
    );
}

/** Which of hsmKey's token attributes were given, never their values (see describeObject). */
function describeToken(uri: Pkcs11Uri): string {
    const parts = Object.entries({
        token: uri.token,
        serial: uri.serial,
        manufacturer: uri.manufacturer,
        model: uri.model,
        "slot-id": uri.slotId,
        "slot-description": uri.slotDescription,
    })
        .filter(([, v]) => v !== undefined)
        .map(([k]) => `${k}=`);
    return parts.length > 0 ? `its ${parts.join(", ")}` : "no token attributes";
}

/** CK_SLOT_ID as the binding hands it over: a native CK_ULONG in a Buffer. */
function slotId(slot: Handle): bigint {
    return slot.length >= 8 ? slot.readBigUInt64LE(0) : BigInt(slot.readUInt32LE(0));
}

/** The one secret or private key object the URI names (found by label and/or id). */
export function findKeyObject(t: TokenSession, uri: Pkcs11Uri): Handle {
    const found = findKeyObjectIfAny(t, uri);
    if (found) return found;
    throw new HsmError(
        `${t.token} has no ${uri.type ?? "secret or private"} key object matching hsmKey's ${objectAttributes(uri)} ` +
            "that this user can see (list them with: pkcs11-tool --module <library> --login --list-objects)",
    );
}

/** The object the URI names, undefined when there is none (hsmGenerate then makes it); several are an error. */
export function findKeyObjectIfAny(t: TokenSession, uri: Pkcs11Uri): Handle | undefined {
    const classes =
        uri.type === "secret-key"
            ? [CKO_SECRET_KEY]
            : uri.type === "private"
              ? [CKO_PRIVATE_KEY]
              : [CKO_SECRET_KEY, CKO_PRIVATE_KEY];
    const found = classes.flatMap((objectClass) =>
        findObjects(t, [
            { type: CKA_CLASS, value: objectClass },
            ...(uri.object !== undefined ? [{ type: CKA_LABEL, value: Buffer.from(uri.object, "utf8") }] : []),
            ...(uri.id !== undefined ? [{ type: CKA_ID, value: uri.id }] : []),
        ]),
    );
    if (found.length <= 1) return found[0];
    throw new HsmError(
        `${found.length} key objects on ${t.token} match ${describeObject(uri)}: add id= (CKA_ID) or type= ` +
            `to hsmKey so that one does`,
    );
}

export function findObjects(t: TokenSession, template: Attribute[], max = 16): Handle[] {
    t.p11.C_FindObjectsInit(t.session, template);
    try {
        return t.p11.C_FindObjects(t.session, max);
    } finally {
        t.p11.C_FindObjectsFinal(t.session);
    }
}
