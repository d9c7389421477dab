import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { KEY_SPECS, KeySpec } from "../../../provider/wrapping/keySpecs";
import {
    decodeBase64Material,
    inferKeySpec,
    inspectMaterial,
    materialProblem,
    publicKeyOf,
    withPlaintext,
} from "../../../provider/wrapping/material";
import { defaultWrapping, wrappingProblem } from "../../../provider/wrapping/algorithms";
import { materialFor } from "../../support/materials";

describe("provider/wrapping/material", () => {
    describe("decodeBase64Material", () => {
        it("decodes standard base64, ignoring line breaks", () => {
            const bytes = randomBytes(32);
            const b64 = bytes.toString("base64");
            assert.deepEqual(decodeBase64Material(b64), bytes);
            assert.deepEqual(decodeBase64Material(`${b64.slice(0, 20)}\n${b64.slice(20)}`), bytes);
        });
        for (const bad of ["", "   ", "abc", "ab$d", "YWJj=ZGVm", "-_8=", "YQ"]) {
            it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(decodeBase64Material(bad), undefined));
        }
    });

    describe("every key spec's own material fits it, and no other spec", () => {
        for (const spec of KEY_SPECS) {
            it(spec, () => {
                const shape = inspectMaterial(materialFor(spec));
                assert.equal(materialProblem(shape, spec), undefined);
                const others = KEY_SPECS.filter(
                    (other) => other !== spec && materialProblem(shape, other) === undefined,
                );
                // 32 raw bytes are valid SYMMETRIC_DEFAULT, HMAC_224 and HMAC_256 material alike; 64 bytes fit
                // HMAC_224..512.
                const ambiguous: Partial<Record<KeySpec, KeySpec[]>> = {
                    SYMMETRIC_DEFAULT: ["HMAC_224", "HMAC_256"],
                    HMAC_224: [],
                    HMAC_256: ["SYMMETRIC_DEFAULT", "HMAC_224"],
                    HMAC_384: ["HMAC_224", "HMAC_256"],
                    HMAC_512: ["HMAC_224", "HMAC_256", "HMAC_384"],
                };
                assert.deepEqual(others.sort(), (ambiguous[spec] ?? []).sort());
            });
        }
    });

    it("infers asymmetric specs from PKCS#8 and SYMMETRIC_DEFAULT from 32 raw bytes", () => {
        for (const spec of [
            "RSA_2048",
            "ECC_NIST_P256",
            "ECC_NIST_P521",
            "ECC_SECG_P256K1",
            "SYMMETRIC_DEFAULT",
        ] as const) {
            assert.equal(inferKeySpec(inspectMaterial(materialFor(spec))).keySpec, spec);
        }
    });

    it("asks for keySpec when raw bytes can only be HMAC material", () => {
        const outcome = inferKeySpec(inspectMaterial(randomBytes(48)));
        assert.equal(outcome.keySpec, undefined);
        assert.match(outcome.problem!, /set keySpec to one of HMAC_224, HMAC_256, HMAC_384/);
    });

    it("explains a PKCS#8 key KMS cannot import (Ed25519, RSA-1024) without showing it", () => {
        for (const key of [
            generateKeyPairSync("ed25519").privateKey,
            generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey,
        ]) {
            const der = key.export({ type: "pkcs8", format: "der" });
            const outcome = inferKeySpec(inspectMaterial(der));
            assert.match(outcome.problem!, /cannot import/);
            assert.ok(!outcome.problem!.includes(der.toString("base64").slice(0, 16)));
        }
    });

    it("describes a mismatch by shape: length, algorithm and curve", () => {
        assert.match(
            materialProblem(inspectMaterial(randomBytes(16)), "SYMMETRIC_DEFAULT")!,
            /exactly 32 raw bytes.*got 16 raw bytes/,
        );
        assert.match(
            materialProblem(inspectMaterial(materialFor("ECC_NIST_P384")), "ECC_NIST_P256")!,
            /prime256v1.*secp384r1/,
        );
        assert.match(materialProblem(inspectMaterial(materialFor("RSA_2048")), "RSA_3072")!, /RSA-3072.*RSA-2048/);
        assert.match(materialProblem(inspectMaterial(randomBytes(27)), "HMAC_224")!, /28 to 64 raw bytes, got 27/);
    });

    it("every key spec's default wrapping carries its material", () => {
        for (const spec of KEY_SPECS) {
            assert.equal(wrappingProblem(spec, materialFor(spec).length, defaultWrapping(spec)), undefined, spec);
        }
    });

    it(
        "P-521 does not fit RSA_2048 with OAEP, and RSA private keys need RSA_AES_KEY_WRAP " +
            "(Developer Guide rules)",
        () => {
            const p521 = materialFor("ECC_NIST_P521").length;
            assert.match(
                wrappingProblem("ECC_NIST_P521", p521, { algorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_2048" })!,
                /at most 214 bytes/,
            );
            assert.match(
                wrappingProblem("RSA_2048", 1216, { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" })!,
                /RSA_AES_KEY_WRAP/,
            );
        },
    );

    it("publicKeyOf returns the DER SPKI of a PKCS#8 private key", () => {
        const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
        assert.deepEqual(
            publicKeyOf(privateKey.export({ type: "pkcs8", format: "der" })),
            publicKey.export({ type: "spki", format: "der" }),
        );
    });

    it("withPlaintext zeroes the buffer after use, also when the use fails", async () => {
        const ok = randomBytes(32);
        await withPlaintext(ok, async () => undefined);
        assert.ok(ok.every((b) => b === 0));
        const failing = randomBytes(32);
        await assert.rejects(
            withPlaintext(failing, async () => {
                throw new Error("boom");
            }),
        );
        assert.ok(failing.every((b) => b === 0));
    });
});
