import { Attribute, Handle, Pkcs11, TokenInfo } from "./binding";
import { CKA_CLASS, CKA_ID, CKA_LABEL, CKF_SERIAL_SESSION, CKO_PRIVATE_KEY, CKO_SECRET_KEY, CKU_USER } from "./constants";
import { HsmError, isTokenAnswer, tokenAnswer } from "./errors";
import { Pin } from "./pin";
import { Pkcs11Uri, describeObject, objectAttributes } from "./uri";

/**
 * A logged-in session on the token a URI names: select the slot, open a session, log in, run, then log out and
 * close, whatever happens. Session objects the work creates (the wrapping public key, ephemeral AES keys) die
 * with the session at the latest.
 */

export interface TokenSession {
    p11: Pkcs11;
    slot: Handle;
    session: Handle;
    /** How messages name the token: its label and serial. */
    token: string;
}

export async function withTokenSession<T>(p11: Pkcs11, uri: Pkcs11Uri, pin: Pin, use: (t: TokenSession) => Promise<T>): Promise<T> {
    checkLibrary(p11, uri);
    const { slot, info } = selectSlot(p11, uri);
    const token = `token '${info.label.trimEnd()}' (serial ${info.serialNumber.trimEnd()})`;
    const session = p11.C_OpenSession(slot, CKF_SERIAL_SESSION);
    try {
        login(p11, session, pin, token);
        try {
            return await use({ p11, slot, session, token });
        } finally {
            logout(p11, session);
        }
    } finally {
        p11.C_CloseSession(session);
    }
}

function login(p11: Pkcs11, session: Handle, pin: Pin, token: string): void {
    try {
        p11.C_Login(session, CKU_USER, pin.value);
    } catch (error) {
        if (isTokenAnswer(error, "CKR_USER_ALREADY_LOGGED_IN")) return;
        throw new HsmError(`${token} refused the user PIN from ${pin.source} (${tokenAnswer(error)})${LOGIN_HINTS[tokenAnswer(error)] ?? ""}`);
    }
}

const LOGIN_HINTS: Record<string, string> = {
    CKR_PIN_INCORRECT: ": the PIN is wrong; each wrong attempt may count towards locking the token",
    CKR_PIN_LOCKED: ": the user PIN is locked after too many wrong attempts; the token's Security Officer must reset it",
    CKR_PIN_LEN_RANGE: ": the PIN has a length this token does not accept",
    CKR_USER_PIN_NOT_INITIALIZED: ": the token has no user PIN yet (softhsm2-util --init-token sets one)",
};

function logout(p11: Pkcs11, session: Handle): void {
    try {
        p11.C_Logout(session);
    } catch {
        // Closing the session ends the login anyway (it is the application's last session on the token).
    }
}

function checkLibrary(p11: Pkcs11, uri: Pkcs11Uri): void {
    if (uri.libraryManufacturer === undefined && uri.libraryDescription === undefined) return;
    const info = p11.C_GetInfo();
    const manufacturer = info.manufacturerID.trimEnd();
    const description = info.libraryDescription.trimEnd();
    if ((uri.libraryManufacturer ?? manufacturer) !== manufacturer || (uri.libraryDescription ?? description) !== description) {
        throw new HsmError(`hsmKey names library-manufacturer/library-description the loaded PKCS#11 library does not have (it is '${manufacturer}', '${description}')`);
    }
}

function selectSlot(p11: Pkcs11, uri: Pkcs11Uri): { slot: Handle; info: TokenInfo } {
    const present = p11.C_GetSlotList(true).map((slot) => ({ slot, info: p11.C_GetTokenInfo(slot), slotInfo: p11.C_GetSlotInfo(slot) }));
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
    const tokens = present.map(({ slot, info }) => `'${info.label.trimEnd()}' (serial ${info.serialNumber.trimEnd()}, slot-id ${slotId(slot)})`);
    if (matching.length === 1) return matching[0]!;
    if (matching.length === 0) {
        throw new HsmError(
            `no token matches hsmKey (${describeToken(uri)}); tokens present: ${tokens.length > 0 ? tokens.join(", ") : "none"}`,
        );
    }
    throw new HsmError(`${matching.length} tokens match hsmKey (${describeToken(uri)}): add serial= to choose one of ${tokens.join(", ")}`);
}

/** Which of hsmKey's token attributes were given, never their values (see describeObject). */
function describeToken(uri: Pkcs11Uri): string {
    const parts = Object.entries({ token: uri.token, serial: uri.serial, manufacturer: uri.manufacturer, model: uri.model, "slot-id": uri.slotId, "slot-description": uri.slotDescription })
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
    const classes = uri.type === "secret-key" ? [CKO_SECRET_KEY] : uri.type === "private" ? [CKO_PRIVATE_KEY] : [CKO_SECRET_KEY, CKO_PRIVATE_KEY];
    const found = classes.flatMap((objectClass) => findObjects(t, [
        { type: CKA_CLASS, value: objectClass },
        ...(uri.object !== undefined ? [{ type: CKA_LABEL, value: Buffer.from(uri.object, "utf8") }] : []),
        ...(uri.id !== undefined ? [{ type: CKA_ID, value: uri.id }] : []),
    ]));
    if (found.length === 1) return found[0]!;
    if (found.length === 0) {
        throw new HsmError(
            `${t.token} has no ${uri.type ?? "secret or private"} key object matching hsmKey's ${objectAttributes(uri)} ` +
                "that this user can see (list them with: pkcs11-tool --module <library> --login --list-objects)",
        );
    }
    throw new HsmError(`${found.length} key objects on ${t.token} match ${describeObject(uri)}: add id= (CKA_ID) or type= to hsmKey so that one does`);
}

export function findObjects(t: TokenSession, template: Attribute[], max = 16): Handle[] {
    t.p11.C_FindObjectsInit(t.session, template);
    try {
        return t.p11.C_FindObjects(t.session, max);
    } finally {
        t.p11.C_FindObjectsFinal(t.session);
    }
}
