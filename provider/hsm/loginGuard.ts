import { createHmac, randomBytes } from "node:crypto";
import { TokenInfo } from "./binding";
import {
    CKF_SO_PIN_COUNT_LOW,
    CKF_SO_PIN_FINAL_TRY,
    CKF_SO_PIN_LOCKED,
    CKF_USER_PIN_COUNT_LOW,
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    CKU_SO,
    CKU_USER,
} from "./constants";
import { HsmError } from "./errors";
import { Pin } from "./pin";

/**
 * One wrong PIN per token per run. Production HSMs lock a PIN after 3 to 10 failures, and one `pulumi up`
 * runs every resource in the same provider host: a PIN the token refused is remembered there (under a keyed
 * hash of library, token, user type and PIN, never the PIN itself; the key is random per process) and every
 * later login with it fails at once, without C_Login. Before any login the token's own retry flags are read:
 * a locked PIN, or one whose next failure locks it, is not tried at all.
 */

const secret = randomBytes(32);
const refused = new Map<string, string>();

export type UserType = "user" | "so";

export interface LoginAttempt {
    /** libraryIdentity(): path and module parameters. */
    library: string;
    /** The token's identity: label, serial, manufacturer, model. */
    tokenIdentity: string;
    /** How messages name the token. */
    token: string;
    userType: UserType;
    pin: Pin;
}

const FLAGS = {
    user: {
        low: CKF_USER_PIN_COUNT_LOW,
        finalTry: CKF_USER_PIN_FINAL_TRY,
        locked: CKF_USER_PIN_LOCKED,
        names: ["CKF_USER_PIN_COUNT_LOW", "CKF_USER_PIN_FINAL_TRY", "CKF_USER_PIN_LOCKED"],
    },
    so: {
        low: CKF_SO_PIN_COUNT_LOW,
        finalTry: CKF_SO_PIN_FINAL_TRY,
        locked: CKF_SO_PIN_LOCKED,
        names: ["CKF_SO_PIN_COUNT_LOW", "CKF_SO_PIN_FINAL_TRY", "CKF_SO_PIN_LOCKED"],
    },
} as const;

export const userTypeCode = (userType: UserType): number => (userType === "so" ? CKU_SO : CKU_USER);

/** The PIN's name in messages. */
export const pinName = (userType: UserType): string => (userType === "so" ? "Security Officer PIN" : "user PIN");

/** Throws instead of a login that could only fail or lock the token; warns when the token counts earlier failures. */
export function assertLoginAllowed(attempt: LoginAttempt, info: TokenInfo, log: (message: string) => void): void {
    const earlier = refused.get(keyOf(attempt));
    if (earlier) {
        throw new HsmError(
            `${attempt.token} refused the ${pinName(attempt.userType)} from ${attempt.pin.source} earlier in ` +
                `this run (${earlier}); ` +
                "it is not tried again, so that one wrong PIN cannot count several times towards locking " +
                "the token: correct it and run again",
        );
    }
    const flags = FLAGS[attempt.userType];
    if (info.flags & flags.locked) {
        throw new HsmError(
            `${attempt.token} reports its ${pinName(attempt.userType)} locked (${flags.names[2]}) after too ` +
                `many wrong attempts: ` +
                "nothing was tried; the token's Security Officer (or its vendor's tool) must unlock or reset it",
        );
    }
    if (info.flags & flags.finalTry) {
        throw new HsmError(
            `${attempt.token} reports that one more wrong ${pinName(attempt.userType)} locks it ` +
                `(${flags.names[1]}): the provider does not ` +
                `try the PIN from ${attempt.pin.source}, so that a mistake here cannot lock the token. ` +
                `Confirm the PIN once with the HSM ` +
                "vendor's tool (a successful login resets the counter), then run again",
        );
    }
    if (info.flags & flags.low) {
        log(
            `${attempt.token} reports earlier wrong ${pinName(attempt.userType)} attempts ` +
                `(${flags.names[0]}); logging in once with the PIN from ${attempt.pin.source}`,
        );
    }
}

export function rememberRefusal(attempt: LoginAttempt, answer: string): void {
    refused.set(keyOf(attempt), answer);
}

function keyOf(attempt: LoginAttempt): string {
    return createHmac("sha256", secret)
        .update([attempt.library, attempt.tokenIdentity, attempt.userType].join("\0"))
        .update("\0")
        .update(attempt.pin.value)
        .digest("hex");
}
