import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import {
    CKA_CLASS,
    CKA_EC_PARAMS,
    CKA_EC_POINT,
    CKA_ID,
    CKA_KEY_TYPE,
    CKK_EC,
    CKM_ECDSA,
    CKO_PUBLIC_KEY,
} from "./constants";
import { HsmError } from "./errors";
import { KeyObjectInfo, attribute } from "./keyObject";
import { TokenSession, findObjects } from "./token";

/**
 * How to know, after the import, that KMS holds this object's key pair: GetPublicKey must return its public
 * key. RSA private key objects carry their modulus and exponent; EC private key objects carry no public point,
 * so it is taken from the matching public key object (same CKA_ID, same curve), or else the token signs a random
 * challenge with the object and KMS's public key must verify it.
 */

export type PublicKeyProof = { spki: Buffer } | { signChallenge: true } | undefined;

export function publicKeyProof(t: TokenSession, info: KeyObjectInfo): PublicKeyProof {
    if (info.kind === "rsa") {
        const jwk = { kty: "RSA", n: info.modulus.toString("base64url"), e: info.publicExponent.toString("base64url") };
        return { spki: createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" }) };
    }
    if (info.kind !== "ec") return undefined;
    const point = info.common.id ? ecPublicPoint(t, info.common.id, info.ecParams) : undefined;
    if (point) return { spki: ecSpki(info.ecParams, point) };
    if (info.common.sign) return { signChallenge: true };
    throw new HsmError(
        "the EC private key object has no public key the provider can check KMS's against: give it " +
            "a public key object " +
            "with the same CKA_ID (pkcs11-tool --keypairgen creates one), or CKA_SIGN true",
    );
}

function ecPublicPoint(t: TokenSession, id: Buffer, ecParams: Buffer): Buffer | undefined {
    const template = [
        { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
        { type: CKA_KEY_TYPE, value: CKK_EC },
        { type: CKA_ID, value: id },
    ];
    for (const handle of findObjects(t, template)) {
        if (!attribute(t, handle, CKA_EC_PARAMS)?.equals(ecParams)) continue;
        const point = attribute(t, handle, CKA_EC_POINT);
        if (point) return unwrapOctetString(point);
    }
    return undefined;
}

/** CKA_EC_POINT is a DER OCTET STRING around the point (some tokens give the bare point). */
function unwrapOctetString(value: Buffer): Buffer {
    if (value[0] !== 0x04 || value.length < 3) return value;
    const long = value[1] & 0x80 ? value[1] & 0x7f : 0;
    const length = long ? value.subarray(2, 2 + long).readUIntBE(0, long) : value[1];
    const start = 2 + long;
    return start + length === value.length ? value.subarray(start) : value;
}

/** SubjectPublicKeyInfo { id-ecPublicKey, namedCurve } ‖ point. */
function ecSpki(namedCurveOid: Buffer, point: Buffer): Buffer {
    const algorithm = der(0x30, Buffer.concat([Buffer.from("06072a8648ce3d0201", "hex"), namedCurveOid]));
    const subjectPublicKey = der(0x03, Buffer.concat([Buffer.from([0]), point]));
    return der(0x30, Buffer.concat([algorithm, subjectPublicKey]));
}

function der(tag: number, content: Buffer): Buffer {
    const n = content.length;
    const length =
        n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
    return Buffer.concat([Buffer.from([tag]), length, content]);
}

/** The token signs a fresh random challenge with the object (raw ECDSA over its SHA-256); `spki` must verify it. */
export async function signatureMatches(t: TokenSession, info: KeyObjectInfo, spki: Buffer): Promise<boolean> {
    const challenge = randomBytes(32);
    t.p11.C_SignInit(t.session, { mechanism: CKM_ECDSA }, info.common.handle);
    const signature = await t.p11.C_SignAsync(
        t.session,
        createHash("sha256").update(challenge).digest(),
        Buffer.alloc(256),
    );
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    return verify("sha256", challenge, { key, dsaEncoding: "ieee-p1363" }, signature);
}
