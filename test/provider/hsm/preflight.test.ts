import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkHsmToken } from "../../../provider/checks/hsmToken";
import * as C from "../../../provider/hsm/constants";
import { useProviderKms } from "../../support/kms";
import { loginsLogged, pkcs11Shim, useShimHere } from "../../support/pkcs11Shim";
import { describeEachToken, tokenKind } from "../../support/tokens";

/**
 * Check asks the token at preview what the import would ask it (checkHsm.ts): failures carry the token's own
 * answers and never name hsmKey as the property (the engine would print the URI). A stack whose HSM inputs did
 * not change asks no token at all, so drift previews need no HSM.
 */
describeEachToken("provider/checks/hsmToken: the token asked at preview", (token, traits, name) => {
    const fixture = useProviderKms();
    const keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const check = (news: Record<string, unknown>, olds: Record<string, unknown> = {}) =>
        checkHsmToken(olds, news, fixture().context);
    const only = async (news: Record<string, unknown>, pattern: RegExp, olds: Record<string, unknown> = {}) => {
        const failures = await check(news, olds);
        assert.equal(failures.length, 1, JSON.stringify(failures));
        assert.equal(failures[0].property, "");
        assert.match(failures[0].reason, pattern);
        assert.ok(!failures[0].reason.includes(token().pin));
        if (token().moduleParameters)
            assert.ok(!failures[0].reason.includes(token().moduleParameters!), "module parameters are never shown");
    };

    it("passes what the token can import, and refuses a named algorithm it cannot do with its own list", async () => {
        token().create((o) => o.aes("k", randomBytes(32)));
        assert.deepEqual(await check({ keyId, ...token().inputs("object=k") }), []);
        if (traits.oaepSha256) {
            assert.deepEqual(
                await check({ keyId, ...token().inputs("object=k"), wrappingAlgorithm: "RSAES_OAEP_SHA_256" }),
                [],
            );
        } else {
            await only(
                { keyId, ...token().inputs("object=k"), wrappingAlgorithm: "RSAES_OAEP_SHA_256" },
                /cannot wrap this object with RSAES_OAEP_SHA_256: .*Algorithms it can use for this object: RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_1/,
            );
        }
    });

    it("refuses a wrong PIN, a missing object and an object that does not fit, at preview", async () => {
        token().create((o) => o.aes("small", randomBytes(16)));
        await only(
            { keyId, ...token().inputs("object=small"), hsmPin: `wrong-${randomBytes(6).toString("hex")}` },
            /refused the user PIN from the hsmPin input \(CKR_PIN_INCORRECT\)/,
        );
        await only(
            { keyId, ...token().inputs("object=missing") },
            /has no secret or private key object matching hsmKey's object= /,
        );
        await only(
            { keyId, ...token().inputs("object=small") },
            /the HSM object is a CKK_AES secret key of 16 bytes \(AES-128\), which fits no key spec KMS imports/,
        );
    });

    it("with hsmGenerate, checks that the token can generate and wrap the key spec, and makes nothing", async () => {
        assert.deepEqual(
            await check({ keyId, ...token().inputs("object=to-be-born"), keySpec: "ECC_NIST_P384", hsmGenerate: true }),
            [],
        );
        const made = token().session((p11, session) => {
            p11.C_FindObjectsInit(session, [{ type: C.CKA_LABEL, value: Buffer.from("to-be-born") }]);
            const found = p11.C_FindObjects(session, 4);
            p11.C_FindObjectsFinal(session);
            return found.length;
        });
        assert.equal(made, 0, "preview generates nothing");
        await only(
            {
                keyId,
                ...token().inputs("object=to-be-born"),
                keySpec: "ECC_NIST_P384",
                hsmGenerate: true,
                wrappingAlgorithm: "RSAES_OAEP_SHA_1",
            },
            /CKM_RSA_PKCS_OAEP wraps only secret keys/,
        );
    });

    it(
        "asks no token when the HSM inputs did not change (drift " + "previews need no HSM); asks again when they do",
        async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const log = join(mkdtempSync(join(tmpdir(), "shim-log-")), "calls");
            const restore = useShimHere({ module: tokenKind(name).modulePath, log });
            try {
                const inputs = {
                    keyId,
                    ...token().inputs("object=k"),
                    hsmKey: token().uri("object=k", pkcs11Shim()),
                    hsmPin: `wrong-${randomBytes(6).toString("hex")}`,
                };
                assert.deepEqual(
                    await check(inputs, inputs),
                    [],
                    "unchanged: not asked, so the wrong PIN is not noticed",
                );
                assert.equal(loginsLogged(log).length, 0);
                await only({ ...inputs, wrappingAlgorithm: "RSAES_OAEP_SHA_1" }, /CKR_PIN_INCORRECT/, inputs);
                assert.equal(loginsLogged(log).length, 1);
                const elsewhere = { ...inputs, hsmKey: token().uri("object=k", "/opt/not-installed/libvendor.so") };
                assert.deepEqual(
                    await check(elsewhere, elsewhere),
                    [],
                    "a drift preview on a machine without the library",
                );
            } finally {
                restore();
            }
        },
    );

    if (name === "NSS softokn") {
        it("needs NSS's module parameters, and takes them from the input or the config", async () => {
            token().create((o) => o.aes("k", randomBytes(32)));
            const { hsmModuleParameters, ...without } = token().inputs("object=k");
            await only(
                { keyId, ...without },
                /failed to initialize \(CKR_ARGUMENTS_BAD\): .*module parameters \(NSS softokn: configdir='sql:DIR'\) takes them from hsmModuleParameters or the config pulumi-kms-byok:hsmModuleParameters/,
            );
            const configured = {
                ...fixture().context,
                settings: { ...fixture().context.settings, hsmModuleParameters },
            };
            assert.deepEqual(await checkHsmToken({}, { keyId, ...without }, configured), []);
        });
    }
});
