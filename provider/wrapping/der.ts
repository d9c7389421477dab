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
    for (let offset = 0; offset < outer.element.content.length; ) {
        const next = readElement(outer.element.content, offset);
        if (!next) return undefined;
        elements.push(next.element);
        offset = next.end;
    }
    return elements;
}

function readElement(buffer: Buffer, offset: number): { element: DerElement; end: number } | undefined {
    if (offset + 2 > buffer.length) return undefined;
    const tag = buffer[offset]!;
    let length = buffer[offset + 1]!;
    let start = offset + 2;
    if (length & 0x80) {
        const octets = length & 0x7f;
        if (octets === 0 || octets > 3 || start + octets > buffer.length) return undefined;
        length = 0;
        for (let i = 0; i < octets; i++) length = length * 256 + buffer[start + i]!;
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
    const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff];
    const out = Buffer.alloc(header.length + length);
    out.set(header);
    let offset = header.length;
    for (const part of content) {
        out.set(part, offset);
        offset += part.length;
    }
    return out;
}
