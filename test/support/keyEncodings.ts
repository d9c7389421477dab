import { execFileSync } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { tlv } from "../../provider/wrapping/der";
import { ECC_CURVES, KeySpec, isEcc, isRsa } from "../../provider/wrapping/keySpecs";
import { leakRegistry } from "./leakScan";

/**
 * One private key in every encoding people have it in, made with node:crypto and with this machine's
 * openssl (the tool users run). Every form's DER is registered with the leak scan.
 */

export interface KeyEncoding {
    name: string;
    /** The text a user puts into keyMaterial. */
    text: string;
    /** PKCS#8 variants other than the canonical one, which the provider must pass through byte for byte. */
    passThrough?: Buffer;
}

/** The machine's openssl, stdin → stdout (stderr kept for the failure message). */
export function openssl(args: string[], input?: Buffer | string): Buffer {
    return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"] });
}

/** A DER key in PEM armor, lines of 64 characters as openssl writes them. */
export const pemOf = (label: string, der: Buffer): string => {
    const body = der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n");
    return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
};

/**
 * The canonical form the provider must produce for every non-PKCS#8 input: what `openssl pkcs8 -topk8 -nocrypt` writes.
 */
export function opensslPkcs8(pkcs8: Buffer): Buffer {
    return openssl(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"], pemOf("PRIVATE KEY", pkcs8));
}

export const opensslPem = (pkcs8: Buffer): string => pemOf("PRIVATE KEY", pkcs8);

export function encodingsOf(spec: KeySpec, pkcs8: Buffer): KeyEncoding[] {
    const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
    const pem = pemOf("PRIVATE KEY", pkcs8);
    const forms: KeyEncoding[] = [
        { name: "PKCS#8 DER, base64 on one line", text: pkcs8.toString("base64") },
        {
            name: "PKCS#8 DER, base64 wrapped at 76 columns (`base64` without -w0)",
            text: pkcs8.toString("base64").replace(/.{76}/g, "$&\n"),
        },
        { name: "PEM PRIVATE KEY", text: pem },
        { name: "PEM PRIVATE KEY with CRLF line ends", text: pem.replace(/\n/g, "\r\n") },
        {
            name: "PEM after openssl pkcs12's Bag Attributes",
            text: `Bag Attributes\n    localKeyID: 01 00 00 00\nKey Attributes: <No Attributes>\n${pem}`,
        },
        { name: "PEM with escaped line breaks (\\n as two characters)", text: pem.replace(/\n/g, "\\n") },
    ];
    if (isRsa(spec)) {
        const pkcs1 = key.export({ type: "pkcs1", format: "der" });
        forms.push(
            { name: "PKCS#1 DER, base64", text: pkcs1.toString("base64") },
            { name: "PEM RSA PRIVATE KEY (node:crypto)", text: String(key.export({ type: "pkcs1", format: "pem" })) },
            {
                name: "PEM RSA PRIVATE KEY (openssl rsa -traditional)",
                text: openssl(["rsa", "-traditional"], pem).toString(),
            },
            {
                name: "PKCS#1 DER from openssl pkey -outform DER (what genpkey -outform DER writes on OpenSSL 3.0)",
                text: openssl(["pkey", "-outform", "DER"], pem).toString("base64"),
            },
            { name: "PKCS#8 with an attribute (passed through)", text: "", passThrough: withAttribute(pkcs8) },
        );
    }
    if (isEcc(spec)) {
        const sec1 = (...args: string[]) => openssl(["ec", ...args], pem);
        forms.push(
            { name: "SEC1 DER, base64", text: key.export({ type: "sec1", format: "der" }).toString("base64") },
            { name: "PEM EC PRIVATE KEY (node:crypto)", text: String(key.export({ type: "sec1", format: "pem" })) },
            {
                name: "PEM EC PARAMETERS + EC PRIVATE KEY (openssl ecparam -genkey style)",
                text: openssl(["ecparam", "-name", ECC_CURVES[spec]]).toString() + sec1().toString(),
            },
            {
                name: "SEC1 without the public key (openssl ec -no_public)",
                text: sec1("-outform", "DER", "-no_public").toString("base64"),
            },
            {
                name: "SEC1 with explicit curve parameters (openssl ec -param_enc explicit)",
                text: sec1("-outform", "DER", "-param_enc", "explicit").toString("base64"),
            },
            {
                name: "SEC1 with a compressed public point (openssl ec -conv_form compressed)",
                text: sec1("-outform", "DER", "-conv_form", "compressed").toString("base64"),
            },
            { name: "PKCS#8 without the public key (passed through)", text: "", passThrough: withoutPublicKey(key) },
            { name: "PKCS#8 with an attribute (passed through)", text: "", passThrough: withAttribute(pkcs8) },
        );
    }
    for (const form of forms) {
        if (form.passThrough) form.text = form.passThrough.toString("base64");
        leakRegistry.addMaterialText(form.text, `test/support/keyEncodings ${spec} ${form.name}`);
    }
    return forms;
}

/** A PKCS#8 with the optional attributes field ([0] IMPLICIT SET): an empty friendlyName-style attribute. */
function withAttribute(pkcs8: Buffer): Buffer {
    const body = pkcs8.subarray(pkcs8[1] & 0x80 ? 2 + (pkcs8[1] & 0x7f) : 2);
    // Attribute ::= SEQUENCE { type OID (PKCS#9 localKeyId 1.2.840.113549.1.9.21), values SET { OCTET STRING 01 } }
    const attribute = tlv(0x30, Buffer.from("06092a864886f70d010915", "hex"), tlv(0x31, tlv(0x04, Buffer.from([1]))));
    return tlv(0x30, body, tlv(0xa0, attribute));
}

/** An EC PKCS#8 whose ECPrivateKey omits the optional public key (as OpenSSL writes a SEC1 key read without one). */
function withoutPublicKey(key: ReturnType<typeof createPrivateKey>): Buffer {
    const noPublic = openssl(["ec", "-outform", "DER", "-no_public"], key.export({ type: "pkcs8", format: "pem" }));
    return createPrivateKey({ key: noPublic, format: "der", type: "sec1" }).export({ type: "pkcs8", format: "der" });
}
