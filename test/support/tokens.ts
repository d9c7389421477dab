import { execFileSync } from "node:child_process";
import { KeyObject, constants, createPublicKey, generateKeyPairSync, privateDecrypt, randomBytes } from "node:crypto";
import { mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attribute, Handle, Pkcs11 } from "../../provider/hsm/binding";
import * as C from "../../provider/hsm/constants";
import type { WrappingAlgorithm } from "../../provider/wrapping/algorithms";
import { eccCurveWhere } from "../../provider/wrapping/keySpecs";
import { leakRegistry } from "./leakScan";

/**
 * The PKCS#11 tokens the HSM tests run on, each a real, independent implementation Debian ships: SoftHSM2
 * (the "older token": OAEP with SHA-1 only, RFC 5649 under CKM_AES_KEY_WRAP_PAD, PKCS#8 zero-padded) and NSS
 * softokn (OAEP with SHA-256, RFC 5649 as CKM_AES_KEY_WRAP_KWP, a library that needs module parameters).
 * Libraries are found through the package manager (or BYOK_TEST_SOFTHSM_MODULE / BYOK_TEST_NSS_MODULE), token
 * labels are read from the token, PINs are random. Each test gets a fresh token: a SoftHSM token directory
 * (SOFTHSM2_CONF) or an NSS database. Objects are made from known values through C_CreateObject, so a test
 * can prove what KMS received; the fixture finalizes the library before the provider touches it (one PKCS#11
 * initialization per process at a time). Every PIN and object value is registered with the leak scan. A
 * missing token is a failure, not a skip: CI installs both (softhsm2, libnss3-tools).
 */

export interface TokenTraits {
    /** OAEP with SHA-256 (and MGF1-SHA-256) for wrapping. */
    oaepSha256: boolean;
    /** The mechanism the provider's self-check finds to be RFC 5649. */
    keyWrap: "CKM_AES_KEY_WRAP_PAD" | "CKM_AES_KEY_WRAP_KWP";
    /** The strongest algorithm both the token and KMS can do, which the provider must choose. */
    strongest: WrappingAlgorithm;
    /** CKA_TRUSTED is the Security Officer's alone, so CKA_WRAP_WITH_TRUSTED is enforced. */
    enforcesWrapWithTrusted: boolean;
    /** PKCS#8 zero-padded to a multiple of 8 inside the RFC 5649 payload. */
    pkcs8ZeroPadded: boolean;
    /** Wraps secp256k1 private keys. */
    secp256k1: boolean;
}

export interface TokenKind {
    /** "SoftHSM2 2.6", "NSS softokn 3.87": the name and the library's own version (C_GetInfo). */
    name: string;
    modulePath: string;
    traits: TokenTraits;
    create(): TestToken;
}

export interface TestToken {
    kind: TokenKind;
    /** The token's label as the token reports it. */
    label: string;
    pin: string;
    /** The Security Officer's PIN (SoftHSM: set at --init-token); undefined where there is none to give. */
    soPin: string | undefined;
    /** C_Initialize's parameters (NSS: the database); undefined for libraries that need none. */
    moduleParameters: string | undefined;
    /** The environment the provider host needs (SOFTHSM2_CONF). */
    env: Record<string, string>;
    /** pkcs11:token=<label>;<path>?module-path=<library> */
    uri(path: string, modulePath?: string): string;
    /** hsmKey, hsmPin and hsmModuleParameters of a resource naming `path`. */
    inputs(path: string): { hsmKey: string; hsmPin: string; hsmModuleParameters?: string };
    /** Creates token objects in one logged-in session, then finalizes the library. */
    create(build: (objects: ObjectFactory) => void): void;
    /** Runs `use` with the token unreachable (its directory moved away), as on a machine without the HSM. */
    offline<T>(use: () => Promise<T>): Promise<T>;
    /**
     * A logged-in read/write session (user, or Security Officer) for a test's own checks; the library is finalized
     * after.
     */
    session<T>(use: (p11: FixturePkcs11, session: Handle) => T, as?: "user" | "so"): T;
    remove(): void;
}

export interface ObjectFactory {
    aes(label: string, value: Buffer, extra?: Attribute[]): void;
    secret(label: string, value: Buffer, extra?: Attribute[]): void;
    rsa(label: string, key: KeyObject, extra?: Attribute[]): void;
    /** An EC private key; `publicObject` adds its public key object with the same CKA_ID (as --keypairgen does). */
    ec(label: string, key: KeyObject, options?: { publicObject?: boolean; id?: Buffer; extra?: Attribute[] }): void;
}

export type FixturePkcs11 = Pkcs11 & {
    C_GetSessionInfo(session: Handle): { slotID: Handle };
    C_WrapKey(
        session: Handle,
        mechanism: { mechanism: number; parameter?: unknown },
        wrappingKey: Handle,
        key: Handle,
        out: Buffer,
    ): Buffer;
    C_Sign(session: Handle, data: Buffer, out: Buffer): Buffer;
};

const INSTALL: Record<string, string> = {
    libsofthsm2: "apt-get install -y softhsm2",
    libnss3: "apt-get install -y libnss3 libnss3-tools",
};

/** The canonical path of a library a Debian package installs (no symlink: the provider refuses those). */
function packagedLibrary(pkg: string, file: string, override: string): string {
    const given = process.env[override];
    if (given) return realpathSync(given);
    let listed: string[];
    try {
        listed = execFileSync("dpkg-query", ["-L", pkg], { encoding: "utf8", stdio: "pipe" }).split("\n");
    } catch {
        throw new Error(
            `the HSM tests need the package ${pkg} (${INSTALL[pkg]}; .ci/run installs it), or ${override} ` +
                `set to the library's path`,
        );
    }
    const found = listed.find((line) => line.endsWith(`/${file}`));
    if (!found) throw new Error(`the package ${pkg} installs no ${file}; set ${override} to the library's path`);
    return realpathSync(found);
}

function assertBinding(): void {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native module
        require("pkcs11js");
    } catch (error) {
        throw new Error(
            `the HSM tests need the optional npm package pkcs11js, built: npm ci with a C++ compiler, make ` +
                `and Python (${(error as Error).message.split("\n")[0]})`,
            { cause: error },
        );
    }
}

const open = (modulePath: string, parameters?: string): FixturePkcs11 => {
    assertBinding();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native module
    const { PKCS11 } = require("pkcs11js") as { PKCS11: new () => FixturePkcs11 };
    const p11 = new PKCS11();
    p11.load(modulePath);
    p11.C_Initialize(parameters ? { libraryParameters: parameters } : undefined);
    return p11;
};

function libraryVersion(modulePath: string, parameters?: string): string {
    const p11 = open(modulePath, parameters);
    try {
        const v = (p11.C_GetInfo() as unknown as { libraryVersion: { major: number; minor: number } }).libraryVersion;
        return `${v.major}.${v.minor}`;
    } finally {
        p11.C_Finalize();
        p11.close();
    }
}

let tokens = 0;
const randomPin = (what: string) => {
    // Long random PINs, so the leak scan (16 bytes and up) searches for them.
    const pin = `${what}-${randomBytes(12).toString("hex")}`;
    leakRegistry.addMaterial(Buffer.from(pin), `${what} of test token #${++tokens}`);
    return pin;
};

const pct = (label: string) =>
    encodeURIComponent(label).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function testToken(
    kind: TokenKind,
    dir: string,
    fields: Omit<TestToken, "uri" | "inputs" | "create" | "session" | "kind" | "offline">,
    slotOf: (p11: FixturePkcs11) => Handle,
): TestToken {
    const token: TestToken = {
        kind,
        ...fields,
        offline: async (use) => {
            renameSync(dir, `${dir}.away`);
            try {
                return await use();
            } finally {
                renameSync(`${dir}.away`, dir);
            }
        },
        uri: (path, modulePath = kind.modulePath) =>
            `pkcs11:token=${pct(token.label)};${path}?module-path=${modulePath}`,
        inputs: (path) => ({
            hsmKey: token.uri(path),
            hsmPin: token.pin,
            ...(token.moduleParameters ? { hsmModuleParameters: token.moduleParameters } : {}),
        }),
        session: (use, as = "user") => {
            const previous = process.env["SOFTHSM2_CONF"];
            Object.assign(process.env, token.env);
            const p11 = open(kind.modulePath, token.moduleParameters);
            try {
                const session = p11.C_OpenSession(slotOf(p11), C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
                p11.C_Login(session, as === "so" ? C.CKU_SO : C.CKU_USER, as === "so" ? token.soPin : token.pin);
                try {
                    return use(p11, session);
                } finally {
                    p11.C_CloseSession(session);
                }
            } finally {
                p11.C_Finalize();
                p11.close();
                if (previous !== undefined) process.env["SOFTHSM2_CONF"] = previous;
            }
        },
        create: (build) => token.session((p11, session) => build(factory(p11, session, kind.name))),
    };
    return token;
}

/** The slot whose token asks for a login (the one holding keys), by its label. */
function slotLabelled(label: string): (p11: FixturePkcs11) => Handle {
    return (p11) => {
        const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trimEnd() === label);
        if (!slot) throw new Error(`test token ${label} not found`);
        return slot;
    };
}

function softHsmKind(): TokenKind {
    const modulePath = packagedLibrary("libsofthsm2", "libsofthsm2.so", "BYOK_TEST_SOFTHSM_MODULE");
    const kind: TokenKind = {
        name: "",
        modulePath,
        traits: TRAITS.SoftHSM2,
        create: () => {
            const dir = mkdtempSync(join(tmpdir(), "softhsm-"));
            const conf = join(dir, "softhsm2.conf");
            writeFileSync(
                conf,
                `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ` +
                    `ERROR\nslots.removable = false\n`,
            );
            execFileSync("mkdir", ["-p", join(dir, "tokens")]);
            const pin = randomPin("pin");
            const soPin = randomPin("so");
            const label = `byok-${randomBytes(3).toString("hex")}`;
            execFileSync(
                "softhsm2-util",
                ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", soPin],
                { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "pipe" },
            );
            process.env["SOFTHSM2_CONF"] = conf;
            return testToken(
                kind,
                dir,
                {
                    label,
                    pin,
                    soPin,
                    moduleParameters: undefined,
                    env: { SOFTHSM2_CONF: conf },
                    remove: () => rmSync(dir, { recursive: true, force: true }),
                },
                slotLabelled(label),
            );
        },
    };
    const probe = kind.create();
    kind.name = `SoftHSM2 ${libraryVersion(modulePath)}`;
    probe.remove();
    return kind;
}

/** NSS's database parameters, as Firefox and certutil use them. */
const nssParameters = (dir: string) =>
    `configdir='sql:${dir}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=optimizeSpace`;

function nssKind(): TokenKind {
    const modulePath = packagedLibrary("libnss3", "libsoftokn3.so", "BYOK_TEST_NSS_MODULE");
    const kind: TokenKind = {
        name: "",
        modulePath,
        traits: TRAITS["NSS softokn"],
        create: () => {
            const dir = mkdtempSync(join(tmpdir(), "nssdb-"));
            const pin = randomPin("pin");
            writeFileSync(join(dir, "pw"), `${pin}\n`, { mode: 0o600 });
            try {
                execFileSync("certutil", ["-N", "-d", `sql:${dir}`, "-f", join(dir, "pw")], { stdio: "pipe" });
            } catch (error) {
                throw new Error(
                    `the HSM tests need NSS's certutil (${INSTALL["libnss3"]}; .ci/run installs it): ` +
                        (error as Error).message,
                    { cause: error },
                );
            }
            rmSync(join(dir, "pw"));
            const moduleParameters = nssParameters(dir);
            // The token that asks for a login holds the keys ("NSS Certificate DB"); its label is read, not assumed.
            const p11 = open(modulePath, moduleParameters);
            let label: string;
            try {
                const slot = p11.C_GetSlotList(true).find((s) => (p11.C_GetTokenInfo(s).flags & 0x4) !== 0);
                if (!slot) throw new Error("NSS softokn shows no token that needs a login");
                label = p11.C_GetTokenInfo(slot).label.trimEnd();
            } finally {
                p11.C_Finalize();
                p11.close();
            }
            return testToken(
                kind,
                dir,
                {
                    label,
                    pin,
                    soPin: undefined,
                    moduleParameters,
                    env: {},
                    remove: () => rmSync(dir, { recursive: true, force: true }),
                },
                slotLabelled(label),
            );
        },
    };
    const dir = mkdtempSync(join(tmpdir(), "nssdb-"));
    try {
        execFileSync("certutil", ["-N", "-d", `sql:${dir}`, "--empty-password"], { stdio: "pipe" });
        kind.name = `NSS softokn ${libraryVersion(modulePath, nssParameters(dir))}`;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
    return kind;
}

let kinds: TokenKind[] | undefined;

/** Both tokens, discovered once per process (a missing one fails the suite that asks, with what to install). */
export function tokenKinds(): TokenKind[] {
    kinds ??= [softHsmKind(), nssKind()];
    return kinds;
}

/** For describe() titles before the kinds are discovered. */
export const TOKEN_NAMES = ["SoftHSM2", "NSS softokn"] as const;
export type TokenName = (typeof TOKEN_NAMES)[number];
export const tokenKind = (name: TokenName): TokenKind => tokenKinds()[TOKEN_NAMES.indexOf(name)];

/** What each token does (pkcs11-tokens.md), known before discovery so that test titles can say what runs. */
export const TRAITS: Record<TokenName, TokenTraits> = {
    SoftHSM2: {
        oaepSha256: false,
        keyWrap: "CKM_AES_KEY_WRAP_PAD",
        strongest: "RSA_AES_KEY_WRAP_SHA_1",
        enforcesWrapWithTrusted: true,
        pkcs8ZeroPadded: true,
        secp256k1: true,
    },
    "NSS softokn": {
        oaepSha256: true,
        keyWrap: "CKM_AES_KEY_WRAP_KWP",
        strongest: "RSA_AES_KEY_WRAP_SHA_256",
        enforcesWrapWithTrusted: false,
        pkcs8ZeroPadded: false,
        secp256k1: false,
    },
};

const b64u = (value: string | undefined) => Buffer.from(value ?? "", "base64url");

function factory(p11: Pkcs11, session: Handle, tokenName: string): ObjectFactory {
    const create = (template: Attribute[]) => p11.C_CreateObject(session, template);
    const base = (objectClass: number, keyType: number, label: string, extra: Attribute[] = []): Attribute[] => {
        const attrs: Attribute[] = [
            { type: C.CKA_CLASS, value: objectClass },
            { type: C.CKA_KEY_TYPE, value: keyType },
            { type: C.CKA_TOKEN, value: true },
            { type: C.CKA_PRIVATE, value: true },
            { type: C.CKA_LABEL, value: Buffer.from(label) },
            { type: C.CKA_SENSITIVE, value: true },
            { type: C.CKA_EXTRACTABLE, value: true },
        ];
        // Later attributes override the defaults (C_CreateObject refuses duplicates).
        for (const a of extra) {
            const at = attrs.findIndex((b) => b.type === a.type);
            if (at >= 0) attrs[at] = a;
            else attrs.push(a);
        }
        return attrs;
    };
    return {
        aes(label, value, extra) {
            leakRegistry.addMaterial(value, `${tokenName} AES object ${label}`);
            create([
                ...base(C.CKO_SECRET_KEY, C.CKK_AES, label, [{ type: C.CKA_SIGN, value: true }, ...(extra ?? [])]),
                { type: C.CKA_VALUE, value },
            ]);
        },
        secret(label, value, extra) {
            leakRegistry.addMaterial(value, `${tokenName} generic secret ${label}`);
            create([...base(C.CKO_SECRET_KEY, C.CKK_GENERIC_SECRET, label, extra), { type: C.CKA_VALUE, value }]);
        },
        rsa(label, key, extra) {
            const j = key.export({ format: "jwk" });
            for (const part of [j.d, j.p, j.q, j.dp, j.dq, j.qi])
                leakRegistry.addMaterial(b64u(part), `${tokenName} RSA object ${label}`);
            leakRegistry.addMaterial(
                key.export({ type: "pkcs8", format: "der" }),
                `${tokenName} RSA object ${label} (PKCS#8)`,
            );
            create([
                ...base(C.CKO_PRIVATE_KEY, C.CKK_RSA, label, [
                    { type: C.CKA_ID, value: randomBytes(8) },
                    ...(extra ?? []),
                ]),
                { type: C.CKA_MODULUS, value: b64u(j.n) },
                { type: C.CKA_PUBLIC_EXPONENT, value: b64u(j.e) },
                { type: C.CKA_PRIVATE_EXPONENT, value: b64u(j.d) },
                { type: C.CKA_PRIME_1, value: b64u(j.p) },
                { type: C.CKA_PRIME_2, value: b64u(j.q) },
                { type: C.CKA_EXPONENT_1, value: b64u(j.dp) },
                { type: C.CKA_EXPONENT_2, value: b64u(j.dq) },
                { type: C.CKA_COEFFICIENT, value: b64u(j.qi) },
            ]);
        },
        ec(label, key, options = {}) {
            const j = key.export({ format: "jwk" });
            leakRegistry.addMaterial(b64u(j.d), `${tokenName} EC object ${label}`);
            leakRegistry.addMaterial(
                key.export({ type: "pkcs8", format: "der" }),
                `${tokenName} EC object ${label} (PKCS#8)`,
            );
            const params = Buffer.from(
                eccCurveWhere((c) => c.curve === key.asymmetricKeyDetails?.namedCurve)!.oidDer,
                "hex",
            );
            const id = options.id ?? randomBytes(4);
            const point = Buffer.concat([Buffer.from([4]), b64u(j.x), b64u(j.y)]);
            // DER OCTET STRING around the uncompressed point.
            const ecPoint = Buffer.concat([Buffer.from([4, point.length]), point]);
            create([
                ...base(C.CKO_PRIVATE_KEY, C.CKK_EC, label, [{ type: C.CKA_ID, value: id }, ...(options.extra ?? [])]),
                { type: C.CKA_EC_PARAMS, value: params },
                { type: C.CKA_VALUE, value: b64u(j.d) },
            ]);
            if (!options.publicObject) return;
            create([
                { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
                { type: C.CKA_KEY_TYPE, value: C.CKK_EC },
                { type: C.CKA_TOKEN, value: true },
                { type: C.CKA_LABEL, value: Buffer.from(label) },
                { type: C.CKA_ID, value: id },
                { type: C.CKA_EC_PARAMS, value: params },
                { type: C.CKA_EC_POINT, value: ecPoint },
            ]);
        },
    };
}

/** The DER SubjectPublicKeyInfo of a private key, base64 (what ImportedKeyMaterial's publicKey output must be). */
export const spkiBase64 = (key: KeyObject): string =>
    createPublicKey(key).export({ type: "spki", format: "der" }).toString("base64");

/**
 * What an attacker holding only the user PIN can do to an extractable object without CKA_WRAP_WITH_TRUSTED
 * (issue L8), and how the tests learn the bytes of material generated in the token: wrap it with OAEP-SHA-1
 * under an RSA key of their own and decrypt it. Secret keys only (OAEP wraps no private key).
 */
export function wrapOutSecret(token: TestToken, label: string): Buffer {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = publicKey.export({ format: "jwk" });
    const wrapped = token.session((p11, session) => {
        p11.C_FindObjectsInit(session, [
            { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
            { type: C.CKA_LABEL, value: Buffer.from(label) },
        ]);
        const [object] = p11.C_FindObjects(session, 2);
        p11.C_FindObjectsFinal(session);
        if (!object) throw new Error(`no secret key labelled ${label} on ${token.kind.name}`);
        const attacker = p11.C_CreateObject(session, [
            { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
            { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
            { type: C.CKA_TOKEN, value: false },
            { type: C.CKA_WRAP, value: true },
            { type: C.CKA_MODULUS, value: b64u(jwk.n) },
            { type: C.CKA_PUBLIC_EXPONENT, value: b64u(jwk.e) },
        ]);
        const oaep = {
            mechanism: C.CKM_RSA_PKCS_OAEP,
            parameter: {
                type: C.CK_PARAMS_RSA_OAEP,
                hashAlg: C.CKM_SHA_1,
                mgf: C.CKG_MGF1_SHA1,
                source: C.CKZ_DATA_SPECIFIED,
            },
        };
        return p11.C_WrapKey(session, oaep, attacker, object, Buffer.alloc(256));
    });
    const value = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
        wrapped,
    );
    leakRegistry.addMaterial(value, `${token.kind.name} object ${label}, wrapped out by the test`);
    return value;
}

/**
 * The same suite on each token (titled with its name), with a fresh token per test. `body` receives the
 * token of the running test and its kind (library, traits).
 */
export function describeEachToken(
    title: string,
    body: (token: () => TestToken, traits: TokenTraits, name: TokenName) => void,
): void {
    for (const name of TOKEN_NAMES) {
        describe(`${title} on ${name}`, () => {
            let token: TestToken | undefined;
            beforeEach(() => {
                token = tokenKind(name).create();
            });
            afterEach(() => token?.remove());
            body(() => token!, TRAITS[name], name);
        });
    }
}
