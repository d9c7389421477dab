/**
 * The few DER (ASN.1) pieces the material conversion needs: reading the elements of a SEQUENCE and writing
 * tag-length-value triples. Not a general ASN.1 library: definite lengths only, as DER requires.
 */

export interface DerElement {
    tag: number;
    /** The content octets (a view into the input: no copy of key bytes is made). */
    content: Buffer;
}

/** The elements of the SEQUENCE that `der` holds, or undefined when it is not exactly one well-formed SEQUENCE. */
export function sequenceElements(der: Buffer): DerElement[] | undefined {
    const outer = readElement(der, 0);
    if (!outer || outer.element.tag !== 0x30 || outer.end !== der.length) return undefined;
    const elements: DerElement[] = [];
    for (let offset = 0; offset < outer.element.content.length;) {
        const next = readElement(outer.element.content, offset);
        if (!next) return undefined;
        elements.push(next.element);
        offset = next.end;
    }
    return elements;
}

function readElement(buffer: Buffer, offset: number): { element: DerElement; end: number } | undefined {
    if (offset + 2 > buffer.length) return undefined;
    const tag = buffer[offset];
    let length = buffer[offset + 1];
    let start = offset + 2;
    if (length & 0x80) {
        const octets = length & 0x7f;
        if (octets === 0 || octets > 3 || start + octets > buffer.length) return undefined;
        length = 0;
        for (let i = 0; i < octets; i++) length = length * 256 + buffer[start + i];
        start += octets;
    }
    const end = start + length;
    if (end > buffer.length) return undefined;
    return { element: { tag, content: buffer.subarray(start, end) }, end };
}

/**
 * One DER element: tag, definite length, content. Written into a single new buffer (no intermediate copy),
 * so a caller holding key bytes has exactly the buffers it created to zero.
 */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
    const length = content.reduce((total, part) => total + part.length, 0);
    const header =
        length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];
    const out = Buffer.alloc(header.length + length);
    out.set(header);
    let offset = header.length;
    for (const part of content) {
        out.set(part, offset);
        offset += part.length;
    }
    return out;
}

const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const SEQUENCE = 0x30;

/**
 * Which key structure a DER blob is, by its shape alone. node:crypto's `type` hint is not binding on every
 * OpenSSL 3.x (3.5, in Node 22 and 24, reads SEC1 given as "pkcs8"), so the structure is decided here:
 * PKCS#8 PrivateKeyInfo { INTEGER, AlgorithmIdentifier, OCTET STRING, … }; SEC1 ECPrivateKey { INTEGER 1,
 * OCTET STRING, … }; PKCS#1 RSAPrivateKey { nine or more INTEGERs }; EncryptedPrivateKeyInfo
 * { AlgorithmIdentifier, OCTET STRING }; SubjectPublicKeyInfo { AlgorithmIdentifier, BIT STRING }.
 */
export type KeyStructure = "pkcs8" | "sec1" | "pkcs1" | "encrypted" | "public";

export function keyStructure(der: Buffer): KeyStructure | undefined {
    const elements = sequenceElements(der);
    if (!elements || elements.length < 2) return undefined;
    const [first, second, third] = elements.map((e) => e.tag);
    if (first === INTEGER && second === SEQUENCE && third === OCTET_STRING) return "pkcs8";
    if (first === INTEGER && second === OCTET_STRING) return "sec1";
    if (elements.length >= 9 && elements.every((e) => e.tag === INTEGER)) return "pkcs1";
    if (elements.length === 2 && first === SEQUENCE && second === OCTET_STRING) return "encrypted";
    if (elements.length === 2 && first === SEQUENCE && second === BIT_STRING) return "public";
    return undefined;
}
