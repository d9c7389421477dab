/**
 * An HSM failure the user can act on. Messages name the token, the object (by its URI attributes), the
 * PKCS#11 return value and what to do; never a PIN, and never key material (which the provider never has).
 */
export class HsmError extends Error {
    override readonly name = "HsmError";
}

/** The token's own answer (CKR_…), as pkcs11js reports it, for messages. */
export function tokenAnswer(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const ckr = /CKR_[A-Z0-9_]+/.exec(message);
    return ckr ? ckr[0] : message.split("\n")[0];
}

export const isTokenAnswer = (error: unknown, ...answers: string[]): boolean => answers.includes(tokenAnswer(error));
