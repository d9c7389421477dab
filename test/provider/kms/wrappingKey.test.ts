import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, getDiffieHellman, randomBytes } from "node:crypto";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { createMaterial } from "../../../provider/material/lifecycle";
import { useProviderKms } from "../../support/kms";
import { KmsProxy, startKmsProxy } from "../../support/kmsProxy";

/**
 * Whoever answers GetParametersForImport chooses the key the material is wrapped with. A malicious loopback
 * endpoint in front of kms-local returns wrapping keys no genuine KMS issues: the provider must refuse each
 * before wrapping anything, and send no ImportKeyMaterial. With exponent 1, "RSA-OAEP" leaves the OAEP
 * encoding readable and anyone holding the wrapped blob recovers the material.
 */
describe("provider/kms: wrapping keys a KMS endpoint returns", () => {
    const fixture = useProviderKms();
    let proxy: KmsProxy;
    before(async () => (proxy = await startKmsProxy(fixture().kms.url)));
    after(() => proxy.stop());
    beforeEach(() => {
        proxy.operations.length = 0;
        proxy.hooks = {};
    });

    const rsa4096 = generateKeyPairSync("rsa", { modulusLength: 4096 }).publicKey;
    const spki = (key: ReturnType<typeof createPublicKey>) =>
        key.export({ type: "spki", format: "der" }).toString("base64");
    // Moduli of the right size (4096 bits) and exponent 65537 that anyone can factor: RFC 3526's 4096-bit prime
    // itself, that prime minus one (even), and 3·q.
    const prime = BigInt(`0x${getDiffieHellman("modp16").getPrime("hex")}`);
    const withModulus = (n: bigint) => () =>
        spki(
            createPublicKey({
                key: {
                    kty: "RSA",
                    n: Buffer.from(n.toString(16).padStart(1024, "0"), "hex").toString("base64url"),
                    e: "AQAB",
                },
                format: "jwk",
            }),
        );
    const BAD_KEYS: [string, () => string, RegExp][] = [
        [
            "public exponent 3",
            () => spki(generateKeyPairSync("rsa", { modulusLength: 4096, publicExponent: 3 }).publicKey),
            /public exponent is 3, not 65537/,
        ],
        [
            "public exponent 1",
            () => spki(createPublicKey({ key: { ...rsa4096.export({ format: "jwk" }), e: "AQ" }, format: "jwk" })),
            /public exponent is 1, not 65537/,
        ],
        [
            "a 2048-bit key when RSA_4096 was requested",
            () => spki(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey),
            /modulus has 2048 bits, but RSA_4096 was requested/,
        ],
        [
            "an EC key",
            () => spki(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey),
            /it is a ec key, not RSA/,
        ],
        ["bytes that are no key at all", () => randomBytes(550).toString("base64"), /not a DER SubjectPublicKeyInfo/],
        ["a prime modulus", withModulus(prime), /its modulus is a prime number, so anyone can compute its private key/],
        ["an even modulus", withModulus(prime - 1n), /its modulus is even/],
        ["a modulus 3·q", withModulus(3n * ((prime / 3n) | 1n)), /its modulus has a prime factor below 20000/],
    ];

    function throughProxy() {
        return { ...fixture().context, settings: { ...fixture().context.settings, endpoint: proxy.url } };
    }

    for (const [what, publicKey, detail] of BAD_KEYS) {
        it(
            `refuses ${what}: nothing wrapped, no ImportKeyMaterial, ` + `the error says the endpoint misbehaved`,
            async () => {
                const key = await fixture().createKey();
                const bad = publicKey();
                proxy.hooks.rewrite = (operation, body) =>
                    operation === "GetParametersForImport" ? { ...body, PublicKey: bad } : body;
                const material = randomBytes(32);
                await assert.rejects(
                    createMaterial(throughProxy(), { keyId: key.KeyId!, keyMaterial: material.toString("base64") }),
                    (error: Error) => {
                        assert.match(
                            error.message,
                            /the endpoint http:\/\/127\.0\.0\.1:\d+ returned an unacceptable wrapping key for RSAES_OAEP_SHA_256\/RSA_4096/,
                        );
                        assert.match(error.message, detail);
                        assert.match(error.message, /no ImportKeyMaterial was sent/);
                        return true;
                    },
                );
                assert.ok(proxy.operations.includes("GetParametersForImport"));
                assert.ok(!proxy.operations.includes("ImportKeyMaterial"), "ImportKeyMaterial reached the endpoint");
                const { KeyMetadata } = await fixture().client.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
                assert.equal(KeyMetadata!.KeyState, "PendingImport");
            },
        );
    }

    it(
        "imports through the same endpoint when it returns KMS's own wrapping key (the " + "proxy itself is harmless)",
        async () => {
            const key = await fixture().createKey();
            const { outs } = await createMaterial(throughProxy(), {
                keyId: key.KeyId!,
                keyMaterial: randomBytes(32).toString("base64"),
            });
            assert.equal(outs.importState, "IMPORTED");
            assert.ok(proxy.operations.includes("ImportKeyMaterial"));
        },
    );
});
