import { execFileSync } from "node:child_process";
import { KeyObject, createPublicKey, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attribute, Handle, Pkcs11 } from "../../provider/hsm/binding";
import * as C from "../../provider/hsm/constants";
import { leakRegistry } from "./leakScan";

/**
 * SoftHSM2 tokens for tests, each in its own token directory (SOFTHSM2_CONF), with key objects created from
 * known values through C_CreateObject, so a test can prove the HSM imported exactly those bytes. Test objects
 * are created and the library finalized before the provider touches the token (one PKCS#11 initialization per
 * process at a time). Every PIN and every object value is registered with the leak scan.
 * SoftHSM missing is a failure, not a skip: CI installs it (apt-get install softhsm2).
 */

export const SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so";
const INSTALL = "SoftHSM2 is required by the HSM tests: apt-get install -y softhsm2 (Debian/Ubuntu; .ci/run installs it)";

export interface SoftHsmToken {
    dir: string;
    conf: string;
    label: string;
    serial: string;
    pin: string;
    /** pkcs11:token=<label>;… ?module-path=… */
    uri(path: string): string;
    /** Creates token objects in one session, then finalizes the library. */
    create(build: (session: ObjectFactory) => void): void;
    remove(): void;
}

export interface ObjectFactory {
    aes(label: string, value: Buffer, extra?: Attribute[]): void;
    secret(label: string, value: Buffer, extra?: Attribute[]): void;
    rsa(label: string, key: KeyObject, extra?: Attribute[]): void;
    /** An EC private key; `publicObject` adds its public key object with the same CKA_ID (as --keypairgen does). */
    ec(label: string, key: KeyObject, options?: { publicObject?: boolean; id?: Buffer; extra?: Attribute[] }): void;
}

export function assertSoftHsmInstalled(): void {
    if (!existsSync(SOFTHSM_MODULE)) throw new Error(`${INSTALL} (missing ${SOFTHSM_MODULE})`);
    try {
        execFileSync("softhsm2-util", ["--version"], { stdio: "pipe" });
    } catch {
        throw new Error(`${INSTALL} (softhsm2-util is not on PATH)`);
    }
    try {
        require("pkcs11js");
    } catch (error) {
        throw new Error(`the HSM tests need the optional npm package pkcs11js, built: npm ci with a C++ compiler, make and Python (${(error as Error).message.split("\n")[0]})`);
    }
}

let tokens = 0;

/** A fresh token directory with one initialized token; sets process.env.SOFTHSM2_CONF to it. */
export function createSoftHsmToken(label = "byok"): SoftHsmToken {
    assertSoftHsmInstalled();
    const dir = mkdtempSync(join(tmpdir(), "softhsm-"));
    const conf = join(dir, "softhsm2.conf");
    writeFileSync(conf, `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    execFileSync("mkdir", ["-p", join(dir, "tokens")]);
    // Long random PINs, so the leak scan (16 bytes and up) searches for them.
    const pin = `pin-${randomBytes(12).toString("hex")}`;
    const soPin = `so-${randomBytes(12).toString("hex")}`;
    leakRegistry.addMaterial(Buffer.from(pin), `SoftHSM user PIN of test token #${++tokens}`);
    leakRegistry.addMaterial(Buffer.from(soPin), `SoftHSM SO PIN of test token #${tokens}`);
    const env = { ...process.env, SOFTHSM2_CONF: conf };
    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", soPin], { env, stdio: "pipe" });
    process.env["SOFTHSM2_CONF"] = conf;
    const token: SoftHsmToken = {
        dir,
        conf,
        label,
        pin,
        serial: "",
        uri: (path) => `pkcs11:token=${label};${path}?module-path=${SOFTHSM_MODULE}`,
        create: (build) => withSession(conf, label, pin, (p11, session) => build(factory(p11, session))),
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
    token.serial = withSession(conf, label, pin, (p11, session) => p11.C_GetTokenInfo(p11.C_GetSessionInfo(session).slotID).serialNumber.trim());
    return token;
}

type Session = Handle;
type FixturePkcs11 = Pkcs11 & { C_GetSessionInfo(session: Handle): { slotID: Handle } };

function withSession<T>(conf: string, label: string, pin: string, use: (p11: FixturePkcs11, session: Session) => T): T {
    const previous = process.env["SOFTHSM2_CONF"];
    process.env["SOFTHSM2_CONF"] = conf;
    const { PKCS11 } = require("pkcs11js") as { PKCS11: new () => FixturePkcs11 };
    const p11 = new PKCS11();
    p11.load(SOFTHSM_MODULE);
    p11.C_Initialize();
    try {
        const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === label);
        if (!slot) throw new Error(`test token ${label} not found in ${conf}`);
        const session = p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
        p11.C_Login(session, C.CKU_USER, pin);
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
}

const b64u = (value: string | undefined) => Buffer.from(value ?? "", "base64url");

function factory(p11: Pkcs11, session: Session): ObjectFactory {
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
            leakRegistry.addMaterial(value, `SoftHSM AES object ${label}`);
            create([...base(C.CKO_SECRET_KEY, C.CKK_AES, label, extra), { type: C.CKA_VALUE, value }]);
        },
        secret(label, value, extra) {
            leakRegistry.addMaterial(value, `SoftHSM generic secret ${label}`);
            create([...base(C.CKO_SECRET_KEY, C.CKK_GENERIC_SECRET, label, extra), { type: C.CKA_VALUE, value }]);
        },
        rsa(label, key, extra) {
            const j = key.export({ format: "jwk" });
            for (const part of [j.d, j.p, j.q, j.dp, j.dq, j.qi]) leakRegistry.addMaterial(b64u(part), `SoftHSM RSA object ${label}`);
            leakRegistry.addMaterial(key.export({ type: "pkcs8", format: "der" }), `SoftHSM RSA object ${label} (PKCS#8)`);
            create([
                ...base(C.CKO_PRIVATE_KEY, C.CKK_RSA, label, extra),
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
            leakRegistry.addMaterial(b64u(j.d), `SoftHSM EC object ${label}`);
            leakRegistry.addMaterial(key.export({ type: "pkcs8", format: "der" }), `SoftHSM EC object ${label} (PKCS#8)`);
            const params = Buffer.from(Object.entries(C.EC_PARAMS_CURVES).find(([, c]) => c.curve === key.asymmetricKeyDetails?.namedCurve)![0], "hex");
            const id = options.id ?? randomBytes(4);
            create([...base(C.CKO_PRIVATE_KEY, C.CKK_EC, label, [{ type: C.CKA_ID, value: id }, ...(options.extra ?? [])]), { type: C.CKA_EC_PARAMS, value: params }, { type: C.CKA_VALUE, value: b64u(j.d) }]);
            if (!options.publicObject) return;
            const point = Buffer.concat([Buffer.from([4]), b64u(j.x), b64u(j.y)]);
            create([
                { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
                { type: C.CKA_KEY_TYPE, value: C.CKK_EC },
                { type: C.CKA_TOKEN, value: true },
                { type: C.CKA_LABEL, value: Buffer.from(label) },
                { type: C.CKA_ID, value: id },
                { type: C.CKA_EC_PARAMS, value: params },
                // DER OCTET STRING around the uncompressed point.
                { type: C.CKA_EC_POINT, value: Buffer.concat([Buffer.from([4, point.length]), point]) },
            ]);
        },
    };
}

/** The DER SubjectPublicKeyInfo of a private key, base64 (what ImportedKeyMaterial's publicKey output must be). */
export const spkiBase64 = (key: KeyObject): string => createPublicKey(key).export({ type: "spki", format: "der" }).toString("base64");
