import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { keyStructure, sequenceElements, tlv } from "../../../provider/wrapping/der";

describe("provider/wrapping/der", () => {
    it("writes short, one-octet and two-octet lengths as DER requires", () => {
        for (const [size, header] of [
            [5, "0405"],
            [127, "047f"],
            [128, "048180"],
            [255, "0481ff"],
            [256, "04820100"],
            [1300, "04820514"],
        ] as const) {
            const element = tlv(0x04, Buffer.alloc(size, 1));
            assert.equal(element.subarray(0, header.length / 2).toString("hex"), header, `${size} bytes`);
            assert.equal(element.length, header.length / 2 + size);
        }
    });

    it("reads back the elements of a SEQUENCE it wrote, and of a real key", () => {
        const parts = [
            tlv(0x02, Buffer.from([1])),
            tlv(0x04, randomBytes(200)),
            tlv(0xa0, tlv(0x06, Buffer.from([42]))),
        ];
        const elements = sequenceElements(tlv(0x30, ...parts))!;
        assert.deepEqual(
            elements.map((e) => tlv(e.tag, e.content)),
            parts,
        );
        const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
            type: "pkcs1",
            format: "der",
        });
        assert.equal(sequenceElements(rsa)!.length, 9, "RSAPrivateKey: version and eight integers");
    });

    it("refuses what is not exactly one well-formed SEQUENCE", () => {
        const good = tlv(0x30, tlv(0x02, Buffer.from([1])));
        for (const bad of [
            Buffer.alloc(0),
            Buffer.from([0x30]),
            tlv(0x31, Buffer.alloc(3)),
            Buffer.concat([good, Buffer.from([0])]),
            good.subarray(0, good.length - 1),
            Buffer.from([0x30, 0x84, 0, 0, 0, 1, 0]),
            Buffer.from([0x30, 0x03, 0x02, 0x05, 0x01]),
        ]) {
            assert.equal(sequenceElements(bad), undefined, bad.toString("hex"));
        }
    });

    it(
        "tells key structures apart by shape (OpenSSL 3.5 reads SEC1 given as pkcs8, so node's " +
            "type hint cannot decide)",
        () => {
            const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
            const ec = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
            const rows: [Buffer, string | undefined][] = [
                [rsa.privateKey.export({ type: "pkcs8", format: "der" }), "pkcs8"],
                [ec.privateKey.export({ type: "pkcs8", format: "der" }), "pkcs8"],
                [rsa.privateKey.export({ type: "pkcs1", format: "der" }), "pkcs1"],
                [ec.privateKey.export({ type: "sec1", format: "der" }), "sec1"],
                [
                    ec.privateKey.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "pw" }),
                    "encrypted",
                ],
                [ec.publicKey.export({ type: "spki", format: "der" }), "public"],
                [randomBytes(32), undefined],
                [tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x02, Buffer.from([2]))), undefined],
            ];
            for (const [der, expected] of rows) assert.equal(keyStructure(der), expected);
        },
    );
});
