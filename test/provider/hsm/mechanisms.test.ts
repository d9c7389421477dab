import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createMaterial } from "../../../provider/material/lifecycle";
import * as C from "../../../provider/hsm/constants";
import { assertKeyUsable } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";
import { pkcs11Shim, useShimHere } from "../../support/pkcs11Shim";
import { describeEachToken, tokenKind } from "../../support/tokens";

/**
 * Mechanisms are discovered and their output checked, never assumed. Each token is made to look like one that
 * lacks its RFC 5649 mechanism (the test shim hides it from C_GetMechanismList): on NSS softokn the provider then
 * meets the real CKM_AES_KEY_WRAP_PAD, which is PKCS#7 padding + RFC 3394 there, and its self-check must refuse
 * it; on SoftHSM2 nothing is left. Either way RSA_AES_KEY_WRAP is refused with the token's name and what it
 * lacks, OAEP still works for a secret key, and a private key fails before anything reaches KMS.
 */
describeEachToken("provider/hsm: a token without an RFC 5649 mechanism", (token, traits, name) => {
    const fixture = useProviderKms();
    const hidden = traits.keyWrap === "CKM_AES_KEY_WRAP_KWP" ? C.CKM_AES_KEY_WRAP_KWP : C.CKM_AES_KEY_WRAP_PAD;
    const lacks =
        traits.keyWrap === "CKM_AES_KEY_WRAP_KWP"
            ? /the token has no RFC 5649 AES key wrap, which RSA_AES_KEY_WRAP needs: the token does not offer CKM_AES_KEY_WRAP_KWP; its CKM_AES_KEY_WRAP_PAD is not RFC 5649: a 32-byte key came out as 48 bytes \(RFC 5649 gives 40\) that do not unwrap as RFC 5649 \(48 bytes: PKCS#7 padding and RFC 3394/
            : /the token has no RFC 5649 AES key wrap, which RSA_AES_KEY_WRAP needs: the token does not offer CKM_AES_KEY_WRAP_KWP; the token does not offer CKM_AES_KEY_WRAP_PAD/;
    let restore: () => void;
    beforeEach(() => {
        restore = useShimHere({ module: tokenKind(name).modulePath, hideMechanisms: [hidden] });
        fixture().kms.control.resetCounters();
        fixture().logs.length = 0;
    });
    afterEach(() => restore());
    const shimmed = (path: string) => ({ ...token().inputs(path), hsmKey: token().uri(path, pkcs11Shim()) });
    const oaep = traits.oaepSha256 ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1";

    it(`passes over RSA_AES_KEY_WRAP with the reason and imports a secret key with ${oaep}`, async () => {
        token().create((o) => o.aes("k", randomBytes(32)));
        const key = await fixture().createKey();
        const { outs } = await createMaterial(fixture().context, { keyId: key.KeyId!, ...shimmed("object=k") });
        assert.equal(outs.wrappingAlgorithm, oaep);
        const line = fixture().logs.find((l) => l.includes(`wrapping with ${oaep}`)) ?? "";
        assert.match(line, lacks);
        await assertKeyUsable(fixture().client, key.KeyId!);
    });

    it(
        "refuses a named RSA_AES_KEY_WRAP_SHA_1 with what the token " + "lacks and its own list, before any KMS call",
        async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const key = await fixture().createKey();
            await assert.rejects(
                createMaterial(fixture().context, {
                    keyId: key.KeyId!,
                    ...shimmed("object=k"),
                    wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1",
                }),
                (error: Error) => {
                    assert.match(
                        error.message,
                        new RegExp(
                            `^token '${token().label}' \\(serial [0-9a-f]+\\) cannot wrap this object with ` +
                                `RSA_AES_KEY_WRAP_SHA_1: `,
                        ),
                    );
                    assert.match(error.message, lacks);
                    assert.match(
                        error.message,
                        new RegExp(
                            `Algorithms it can use for this object: ` +
                                (traits.oaepSha256 ? "RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1") +
                                " \\(",
                        ),
                    );
                    return true;
                },
            );
            assert.equal(fixture().calls("GetParametersForImport").length, 0);
        },
    );

    it(
        "fails a private key, which only RSA_AES_KEY_WRAP can carry, naming the token and what it " +
            "lacks; nothing is imported",
        async () => {
            token().create((o) => o.rsa("signing", generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey));
            const key = await fixture().createKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
            await assert.rejects(
                createMaterial(fixture().context, { keyId: key.KeyId!, ...shimmed("object=signing") }),
                (error: Error) => {
                    assert.match(
                        error.message,
                        new RegExp(
                            `^token '${token().label}' \\(serial [0-9a-f]+\\) can use no KMS wrapping ` +
                                `algorithm for this object: RSA_AES_KEY_WRAP_SHA_256: `,
                        ),
                    );
                    assert.match(error.message, lacks);
                    return true;
                },
            );
            assert.equal(
                fixture().calls("GetParametersForImport").length + fixture().calls("ImportKeyMaterial").length,
                0,
            );
        },
    );
});
