import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createMaterial } from "../../../provider/material/lifecycle";
import { ProviderContext } from "../../../provider/client/context";
import { checkHsmToken } from "../../../provider/checks/hsmToken";
import * as C from "../../../provider/hsm/constants";
import { WrappingAlgorithm } from "../../../provider/wrapping/algorithms";
import { assertKeyUsable } from "../../support/assertions";
import { useProviderKms } from "../../support/kms";
import { describeEachToken, wrapOutSecret } from "../../support/tokens";

/**
 * Objects with CKA_WRAP_WITH_TRUSTED true (issue #17 L8): an extractable object without it can be wrapped out
 * by anyone who holds the user PIN, under any key they import; with it, only under keys the Security Officer
 * marked CKA_TRUSTED. The provider has the Security Officer's login (config pulumi-kms-byok:hsmSoPin) mark each
 * KMS wrapping key trusted, and leaves no trusted key behind. A token that lets the user mark keys trusted (NSS
 * softokn) enforces nothing, and the provider says so.
 */
describeEachToken("provider/hsm: objects only trusted keys may wrap", (token, traits) => {
    const fixture = useProviderKms();
    const WRAP_WITH_TRUSTED = [{ type: C.CKA_WRAP_WITH_TRUSTED, value: true }];
    beforeEach(() => {
        fixture().kms.control.resetCounters();
        fixture().logs.length = 0;
    });
    const withSoPin = (): ProviderContext => ({
        ...fixture().context,
        settings: { ...fixture().context.settings, hsmSoPin: token().soPin },
    });
    const leftovers = () =>
        token().session((p11, session) => {
            p11.C_FindObjectsInit(session, [
                { type: C.CKA_LABEL, value: Buffer.from("pulumi-kms-byok transient trusted wrapping key") },
            ]);
            const found = p11.C_FindObjects(session, 8);
            p11.C_FindObjectsFinal(session);
            return found.length;
        });

    if (traits.enforcesWrapWithTrusted) {
        it(
            "refuses the object at check and at create when no Security Officer PIN is " +
                "configured, naming the setting",
            async () => {
                token().create((o) => o.aes("k", randomBytes(32), WRAP_WITH_TRUSTED));
                const inputs = { keyId: (await fixture().createKey()).KeyId!, ...token().inputs("object=k") };
                const expected =
                    /has CKA_WRAP_WITH_TRUSTED true, so the token wraps it only under keys its Security Officer marked trusted: set the secret config pulumi-kms-byok:hsmSoPin/;
                assert.match((await checkHsmToken({}, inputs, fixture().context))[0]?.reason ?? "", expected);
                await assert.rejects(createMaterial(fixture().context, inputs), expected);
                assert.equal(fixture().calls("GetParametersForImport").length, 0);
            },
        );

        for (const algorithm of [traits.strongest, "RSAES_OAEP_SHA_1"] as WrappingAlgorithm[]) {
            it(
                `imports it with ${algorithm} under keys the Security Officer marked trusted, removed ` +
                    `afterwards; the user PIN alone cannot wrap it out`,
                async () => {
                    const value = randomBytes(32);
                    token().create((o) => o.aes("k", value, WRAP_WITH_TRUSTED));
                    const key = await fixture().createKey();
                    const { outs } = await createMaterial(withSoPin(), {
                        keyId: key.KeyId!,
                        ...token().inputs("object=k"),
                        wrappingAlgorithm: algorithm,
                    });
                    assert.equal(outs.wrappingAlgorithm, algorithm);
                    await assertKeyUsable(fixture().client, key.KeyId!);
                    const raw = await createMaterial(fixture().context, {
                        keyId: key.KeyId!,
                        keyMaterial: value.toString("base64"),
                    });
                    assert.equal(raw.outs.keyMaterialId, outs.keyMaterialId, "KMS holds the object's bytes");
                    assert.equal(leftovers(), 0, "no trusted wrapping key is left in the token");
                    assert.throws(() => wrapOutSecret(token(), "k"), /CKR_KEY_NOT_WRAPPABLE/);
                    assert.ok(!fixture().logs.some((l) => l.includes(token().soPin!)));
                },
            );
        }

        it(
            "generates material with CKA_WRAP_WITH_TRUSTED true when " + "the Security Officer PIN is configured",
            async () => {
                const key = await fixture().createKey();
                const { outs } = await createMaterial(withSoPin(), {
                    keyId: key.KeyId!,
                    ...token().inputs("object=born-trusted"),
                    keySpec: "SYMMETRIC_DEFAULT",
                    hsmGenerate: true,
                });
                assert.equal(outs.materialCondition, "IMPORTED");
                assert.ok(
                    fixture().logs.some((l) =>
                        /generated SYMMETRIC_DEFAULT material .*CKA_WRAP_WITH_TRUSTED true/.test(l),
                    ),
                    fixture().logs.join("\n"),
                );
                assert.throws(() => wrapOutSecret(token(), "born-trusted"), /CKR_KEY_NOT_WRAPPABLE/);
                await assertKeyUsable(fixture().client, key.KeyId!);
            },
        );
    } else {
        it(
            "imports it without a Security Officer and says the attribute protects nothing on this token " +
                "(and indeed it does not)",
            async () => {
                const value = randomBytes(32);
                token().create((o) => o.aes("k", value, WRAP_WITH_TRUSTED));
                const key = await fixture().createKey();
                const { outs } = await createMaterial(fixture().context, {
                    keyId: key.KeyId!,
                    ...token().inputs("object=k"),
                });
                assert.equal(outs.wrappingAlgorithm, traits.strongest);
                assert.ok(
                    fixture().logs.some((l) =>
                        /lets any user mark keys CKA_TRUSTED, so CKA_WRAP_WITH_TRUSTED protects nothing on this token/.test(
                            l,
                        ),
                    ),
                    fixture().logs.join("\n"),
                );
                assert.deepEqual(wrapOutSecret(token(), "k"), value, "a holder of the user PIN wraps it out");
                await assertKeyUsable(fixture().client, key.KeyId!);
            },
        );
    }
});
