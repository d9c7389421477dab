import { KeyObject, createECDH, createPrivateKey, createPublicKey } from "node:crypto";
import { keyStructure, sequenceElements, tlv } from "./der";
import { decodeBase64Material } from "./material";
import { eccCurveWhere } from "./keySpecs";

/**
 * Key material as people have it → the bytes KMS imports.
 *
 * Accepted: base64 of raw bytes (symmetric and HMAC keys) or of a DER private key in PKCS#8, PKCS#1 (RSA) or
 * SEC1 (EC); and PEM text (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`). KMS imports private keys as
 * DER PKCS#8, and the bytes decide everything after the first import (KMS accepts "the same material" again,
 * and derives the KeyMaterialId from it), so the conversion is deterministic, by this rule:
 *
 * - PKCS#8 (DER, or PEM `PRIVATE KEY`) is used **byte for byte** as given, whatever optional parts it holds
 *   (attributes, a public key or not). Material imported before this conversion existed was PKCS#8 sent as
 *   given; rewriting it would change the bytes, and so what KMS sees, under keys that already hold it.
 * - PKCS#1 and SEC1 are converted to the canonical PKCS#8, a function of the key alone: RFC 5208
 *   PrivateKeyInfo version 0, as OpenSSL writes a key it generated (what `openssl genpkey` and
 *   `openssl pkcs8 -topk8 -nocrypt` produce). RSA: rsaEncryption with NULL parameters around the PKCS#1
 *   RSAPrivateKey. EC: id-ecPublicKey with the named curve's OID, around an ECPrivateKey version 1 whose
 *   private scalar has the curve's full length, without parameters and with the uncompressed public key
 *   (computed when the SEC1 input omits it; named even when the input spelled the curve out explicitly).
 *
 * So the same key in PEM, PKCS#1 or SEC1 gives the same bytes as the canonical PKCS#8 and as the asymmetric guide's
 * openssl recipe, on every run and version (the tests pin the bytes against the machine's openssl).
 * Messages describe the input's form, never its content. Input buffers are zeroed once converted; the
 * caller owns (and zeroes) the returned bytes.
 */

export type MaterialEncoding = "raw" | "PKCS#8" | "PKCS#1" | "SEC1";

export type DecodedMaterial =
    | { bytes: Buffer; encoding: MaterialEncoding; pem: boolean; problem?: undefined }
    | { bytes?: undefined; encoding?: undefined; pem?: undefined; problem: string };

export const MATERIAL_FORMS = "base64 of the raw key or of a DER private key (PKCS#8, PKCS#1 or SEC1), or PEM text";

const PROBLEMS = {
    notBase64:
        "the key material must be standard base64 (A–Z, a–z, 0–9, +, / and = padding) or PEM text; the " +
        "value is not shown because it is secret",
    hex:
        "the key material looks like hex (only the digits 0–9 and a–f), but must be base64 or PEM: convert it with " +
        "`xxd -r -p key.hex | openssl base64 -A` (xxd turns the hex digits into bytes, openssl writes them " +
        "as base64 on one line)",
    encrypted:
        "the key material is an encrypted private key, but the provider needs the plaintext key (it " +
        "wraps the key for KMS " +
        "itself): decrypt it with `openssl pkey -in encrypted.pem -out plain.pem` (add -inform DER " +
        "for DER input; it asks " +
        "for the passphrase) and give the content of plain.pem, which must be protected like the key",
    publicKey:
        "the key material is a public key or certificate: KMS imports the private key and derives " +
        "the public key itself",
    openssh:
        "the key material is an OpenSSH private key: convert a copy of the file to PEM PKCS#8 with " +
        "`ssh-keygen -p -N '' -m PKCS8 -f copy-of-key` (it rewrites that file) and give its content",
    noBlock: "the key material starts like PEM text but has no complete -----BEGIN …----- / -----END …----- block",
    noPrivateKey:
        "the key material's PEM text holds no private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
    otherPrivateKey:
        "the key material's PEM private key block is of a kind KMS cannot import; KMS imports RSA " +
        "and EC private keys " +
        "(PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)",
    pemBody: "the key material's PEM private key block is not valid base64 inside",
    invalidKey: "the key material is an EC private key whose private value is not valid for its curve",
};

type DerType = "pkcs8" | "pkcs1" | "sec1";
const ENCODING_OF: Record<DerType, MaterialEncoding> = { pkcs8: "PKCS#8", pkcs1: "PKCS#1", sec1: "SEC1" };
const PEM_TYPES: Record<string, DerType> = {
    "PRIVATE KEY": "pkcs8",
    "RSA PRIVATE KEY": "pkcs1",
    "EC PRIVATE KEY": "sec1",
};
const PUBLIC_LABELS = new Set([
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "X509 CERTIFICATE",
]);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const HEX = /^(?:0x)?[0-9a-fA-F]+$|^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+$/;

export function decodeKeyMaterial(text: string): DecodedMaterial {
    if (text.includes("-----BEGIN")) return decodePem(text);
    const compact = text.replace(/\s+/g, "");
    if (compact.length > 0 && HEX.test(compact)) return { problem: PROBLEMS.hex };
    const der = decodeBase64Material(compact);
    if (!der) return { problem: PROBLEMS.notBase64 };
    const parsed = parseDer(der);
    if ("problem" in parsed) {
        der.fill(0);
        return parsed;
    }
    return canonical(der, parsed, false);
}

type Parsed = { type: DerType; key: KeyObject } | { type: "raw" };

/**
 * A DER private key of some encoding, or raw bytes (symmetric/HMAC material that merely starts with 0x30
 * included): the structure decides, and node:crypto must then read the key as that structure.
 */
function parseDer(der: Buffer): Parsed | { problem: string } {
    if (der.length < 32 || der[0] !== 0x30) return { type: "raw" };
    const structure = keyStructure(der);
    if (structure === "encrypted" && isEncrypted(der)) return { problem: PROBLEMS.encrypted };
    if (structure === "public" && isPublicKey(der)) return { problem: PROBLEMS.publicKey };
    if (structure !== "pkcs8" && structure !== "pkcs1" && structure !== "sec1") return { type: "raw" };
    return parseAs(der, structure) ?? { type: "raw" };
}

function parseAs(der: Buffer, type: DerType): { type: DerType; key: KeyObject } | undefined {
    try {
        return { type, key: createPrivateKey({ key: der, format: "der", type }) };
    } catch {
        return undefined;
    }
}

function isEncrypted(der: Buffer): boolean {
    try {
        createPrivateKey({ key: der, format: "der", type: "pkcs8" });
        return false;
    } catch (error) {
        return (error as { code?: unknown }).code === "ERR_MISSING_PASSPHRASE";
    }
}

function isPublicKey(der: Buffer): boolean {
    try {
        createPublicKey({ key: der, format: "der", type: "spki" });
        return true;
    } catch {
        return false;
    }
}

function decodePem(text: string): DecodedMaterial {
    // PEM pasted through a system that escaped its line breaks ("\n" as two characters) is still PEM.
    const normalized = text.includes("\n") ? text : text.replace(/(?:\\r)?\\n/g, "\n");
    const blocks = [...normalized.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1], body: m[2] }));
    const keys = blocks.filter((b) => b.label.endsWith("PRIVATE KEY"));
    if (keys.length > 1)
        return { problem: `the key material's PEM text holds ${keys.length} private keys; give exactly one` };
    const block = keys.at(0);
    if (!block) {
        if (blocks.length === 0) return { problem: PROBLEMS.noBlock };
        return { problem: blocks.some((b) => PUBLIC_LABELS.has(b.label)) ? PROBLEMS.publicKey : PROBLEMS.noPrivateKey };
    }
    if (block.label === "ENCRYPTED PRIVATE KEY" || /^Proc-Type:.*ENCRYPTED/m.test(block.body))
        return { problem: PROBLEMS.encrypted };
    if (block.label === "OPENSSH PRIVATE KEY") return { problem: PROBLEMS.openssh };
    const type = PEM_TYPES[block.label] as DerType | undefined;
    if (!type) return { problem: PROBLEMS.otherPrivateKey };
    // Legacy PEM headers ("Name: value" lines) precede the base64; base64 itself never contains ':'.
    const der = decodeBase64Material(
        block.body
            .split(/\r?\n/)
            .filter((line) => !line.includes(":"))
            .join(""),
    );
    if (!der) return { problem: PROBLEMS.pemBody };
    const structure = keyStructure(der);
    const parsed = structure === type ? parseAs(der, type) : undefined;
    if (parsed) return canonical(der, parsed, true);
    der.fill(0);
    if (structure === "encrypted") return { problem: PROBLEMS.encrypted };
    return {
        problem:
            `the key material's PEM block is labelled ${block.label} but does not hold a ` +
            `${ENCODING_OF[type]} private key`,
    };
}

/** The bytes KMS gets: PKCS#8 and raw bytes as given, PKCS#1 and SEC1 converted (the input zeroed). */
function canonical(der: Buffer, parsed: Parsed, pem: boolean): DecodedMaterial {
    if (parsed.type === "raw") return { bytes: der, encoding: "raw", pem };
    if (parsed.type === "pkcs8") return { bytes: der, encoding: "PKCS#8", pem };
    try {
        const bytes = parsed.type === "pkcs1" ? pkcs8Of(parsed.key) : canonicalEcPkcs8(der, parsed.key);
        return bytes ? { bytes, encoding: ENCODING_OF[parsed.type], pem } : { problem: PROBLEMS.invalidKey };
    } finally {
        der.fill(0);
    }
}

const pkcs8Of = (key: KeyObject): Buffer => key.export({ type: "pkcs8", format: "der" });

/**
 * SEC1 → canonical PKCS#8. OpenSSL exports a SEC1 key as it read it (a missing public key stays missing,
 * explicit curve parameters stay explicit, a compressed point stays compressed), so the full named-curve
 * SEC1 form is rebuilt first: scalar at full length, curve OID, uncompressed public point; OpenSSL then
 * writes its PKCS#8. undefined when the scalar is not a valid private key for the curve.
 */
function canonicalEcPkcs8(sec1: Buffer, key: KeyObject): Buffer | undefined {
    const namedCurve = key.asymmetricKeyDetails?.namedCurve ?? "";
    const curve = eccCurveWhere((c) => c.curve === namedCurve);
    const scalar = sequenceElements(sec1)?.[1];
    // A curve KMS cannot import: its PKCS#8 as OpenSSL writes it; the key spec check refuses it by curve.
    if (!curve || !scalar || scalar.tag !== 0x04 || scalar.content.length > curve.scalarBytes) return pkcs8Of(key);
    const d = Buffer.alloc(curve.scalarBytes);
    scalar.content.copy(d, curve.scalarBytes - scalar.content.length);
    const parts: Buffer[] = [d];
    try {
        const ecdh = createECDH(namedCurve);
        ecdh.setPrivateKey(d);
        const octets = tlv(0x04, d);
        parts.push(octets);
        const full = tlv(
            0x30,
            Buffer.from([0x02, 0x01, 0x01]),
            octets,
            tlv(0xa0, Buffer.from(curve.oidDer, "hex")),
            tlv(0xa1, tlv(0x03, Buffer.from([0]), ecdh.getPublicKey())),
        );
        parts.push(full);
        return pkcs8Of(createPrivateKey({ key: full, format: "der", type: "sec1" }));
    } catch {
        return undefined;
    } finally {
        for (const part of parts) part.fill(0);
    }
}

/**
 * Every form in which a material given as `text` could appear in a message, for redaction: the text as given
 * (also as a JSON string's content, where line breaks are escaped), compacted, and each line of a PEM body;
 * the bytes it spells and the bytes imported (PKCS#1/SEC1 converted), in base64 (padded or not), base64url
 * and hex (both cases). Forms shorter than 8 characters are left out (they occur by chance).
 */
export function materialTextForms(text: string): string[] {
    const lines = text.split(/\r?\n/).map((line) => line.trim());
    // The base64 the text spells: all of it, or a PEM body without its armor and header lines.
    const body = lines.filter((line) => !line.startsWith("-----") && !line.includes(":")).join("");
    const forms = new Set([text, JSON.stringify(text).slice(1, -1), text.replace(/\s+/g, ""), body]);
    for (const line of lines) if (line.length >= 16 && !line.startsWith("-----")) forms.add(line);
    for (const bytes of [Buffer.from(body, "base64"), decodeKeyMaterial(text).bytes]) {
        if (!bytes || bytes.length < 8) continue;
        const base64 = bytes.toString("base64");
        for (const form of [
            base64,
            base64.replace(/=+$/, ""),
            bytes.toString("base64url"),
            bytes.toString("hex"),
            bytes.toString("hex").toUpperCase(),
        ])
            forms.add(form);
        bytes.fill(0);
    }
    return [...forms].filter((form) => form.length >= 8);
}
