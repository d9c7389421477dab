import { HsmError } from "./errors";

/**
 * The token's user PIN, from the first of: the resource's secret input hsmPin, the secret stack config
 * pulumi-kms-byok:hsmPin, the PKCS11_PIN environment variable of the provider host. Only where it came from
 * ever appears in a message.
 */

export const PIN_ENV = "PKCS11_PIN";
export const PIN_CONFIG = "pulumi-kms-byok:hsmPin";

export interface Pin {
    value: string;
    source: string;
}

export function resolvePin(
    input: string | undefined,
    configured: string | undefined,
    env: Record<string, string | undefined>,
): Pin {
    if (input) return { value: input, source: "the hsmPin input" };
    if (configured) return { value: configured, source: `the config ${PIN_CONFIG}` };
    const fromEnv = env[PIN_ENV];
    if (fromEnv) return { value: fromEnv, source: `the environment variable ${PIN_ENV}` };
    throw new HsmError(
        `no PIN for the token: set the secret input hsmPin, the secret config ${PIN_CONFIG} ` +
            `(pulumi config set --secret ${PIN_CONFIG} …), or ${PIN_ENV} in the environment of pulumi`,
    );
}

export const SO_PIN_ENV = "PKCS11_SO_PIN";
export const SO_PIN_CONFIG = "pulumi-kms-byok:hsmSoPin";

/**
 * The Security Officer's PIN, only for objects with CKA_WRAP_WITH_TRUSTED (trusted.ts): from the secret config
 * pulumi-kms-byok:hsmSoPin, else PKCS11_SO_PIN. Never a resource input: it is the token's most powerful secret.
 */
export function resolveSoPin(configured: string | undefined, env: Record<string, string | undefined>): Pin | undefined {
    if (configured) return { value: configured, source: `the config ${SO_PIN_CONFIG}` };
    const fromEnv = env[SO_PIN_ENV];
    return fromEnv ? { value: fromEnv, source: `the environment variable ${SO_PIN_ENV}` } : undefined;
}
