import { HsmError } from "./errors";

/**
 * The PKCS#11 binding (npm `pkcs11js`), loaded only when a resource uses hsmKey: it is an optional dependency
 * with a native build, so users without an HSM need neither it nor a compiler. Only the calls this package
 * makes are typed here, so the package compiles without the binding installed.
 */

export type Handle = Buffer;

export interface Attribute {
    type: number;
    value?: number | boolean | string | Buffer;
}

export interface Mechanism {
    mechanism: number;
    parameter?: Buffer | number | { type: number; [field: string]: unknown };
}

export interface TokenInfo {
    label: string;
    manufacturerID: string;
    model: string;
    serialNumber: string;
    flags: number;
}

export interface SlotInfo {
    slotDescription: string;
    manufacturerID: string;
}

export interface ModuleInfo {
    manufacturerID: string;
    libraryDescription: string;
}

export interface MechanismInfo {
    minKeySize: number;
    maxKeySize: number;
    flags: number;
}

export interface Pkcs11 {
    load(path: string): void;
    close(): void;
    /** `libraryParameters` goes where NSS reads its configuration and other libraries their reserved argument. */
    C_Initialize(options?: { libraryParameters?: string }): void;
    C_Finalize(): void;
    C_GetInfo(): ModuleInfo;
    C_GetSlotList(tokenPresent?: boolean): Handle[];
    C_GetSlotInfo(slot: Handle): SlotInfo;
    C_GetTokenInfo(slot: Handle): TokenInfo;
    C_GetMechanismList(slot: Handle): number[];
    C_GetMechanismInfo(slot: Handle, mechanism: number): MechanismInfo;
    C_OpenSession(slot: Handle, flags: number): Handle;
    C_CloseSession(session: Handle): void;
    C_Login(session: Handle, userType: number, pin?: string): void;
    C_Logout(session: Handle): void;
    C_FindObjectsInit(session: Handle, template: Attribute[]): void;
    C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
    C_FindObjectsFinal(session: Handle): void;
    C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): Attribute[];
    C_CreateObject(session: Handle, template: Attribute[]): Handle;
    C_DestroyObject(session: Handle, object: Handle): void;
    C_GenerateKeyAsync(session: Handle, mechanism: Mechanism, template: Attribute[]): Promise<Handle>;
    C_GenerateKeyPairAsync(
        session: Handle,
        mechanism: Mechanism,
        publicTemplate: Attribute[],
        privateTemplate: Attribute[],
    ): Promise<{ publicKey: Handle; privateKey: Handle }>;
    C_WrapKeyAsync(
        session: Handle,
        mechanism: Mechanism,
        wrappingKey: Handle,
        key: Handle,
        wrappedKey: Buffer,
    ): Promise<Buffer>;
    C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
    C_SignAsync(session: Handle, data: Buffer, signature: Buffer): Promise<Buffer>;
}

interface BindingModule {
    PKCS11: new () => Pkcs11;
}

export const BINDING_PACKAGE = "pkcs11js";

let binding: BindingModule | undefined;

/** The binding's PKCS11 class; a clear error naming the package to install when it is missing or unbuilt. */
export function loadBinding(): BindingModule {
    if (binding) return binding;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native module, loaded when used
        binding = require(BINDING_PACKAGE) as BindingModule;
        return binding;
    } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "MODULE_NOT_FOUND" && !(error as Error).message.includes(".node")) {
            throw new HsmError(
                `hsmKey needs the npm package ${BINDING_PACKAGE} (a PKCS#11 binding; an optional dependency of ` +
                    `pulumi-kms-byok, skipped when it could not be built): run \`npm install ` +
                    `${BINDING_PACKAGE}\` in the ` +
                    "Pulumi project (its native build needs a C++ compiler, make and Python)",
            );
        }
        throw new HsmError(
            `hsmKey needs the npm package ${BINDING_PACKAGE}, which is installed but its native module could not be ` +
                `loaded (${(error as Error).message.split("\n")[0]}): rebuild it with \`npm rebuild ` +
                `${BINDING_PACKAGE}\` ` +
                `(npm may have skipped its install script: \`npm install-scripts approve ${BINDING_PACKAGE}\` first)`,
        );
    }
}
