import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMaterial } from "../../../provider/material/lifecycle";
import * as C from "../../../provider/hsm/constants";
import { leakRegistry } from "../../support/leakScan";
import { useProviderKms } from "../../support/kms";
import { loginsLogged, pkcs11Shim, useShimHere } from "../../support/pkcs11Shim";
import { describeEachToken, tokenKind } from "../../support/tokens";

/**
 * One wrong PIN per token per run (production HSMs lock the user PIN after 3 to 10 failures). The test shim
 * in front of the real token counts every C_Login that reaches it, and sets the retry flags the software tokens
 * never set. All resources of a run share the provider host, as here they share this process.
 */
describeEachToken("provider/hsm: PIN lockout protection", (token, _traits, name) => {
    const fixture = useProviderKms();
    let log: string;
    let restore: (() => void) | undefined;
    const shim = (tokenFlags = 0) => {
        log = join(mkdtempSync(join(tmpdir(), "shim-log-")), "calls");
        restore = useShimHere({ module: tokenKind(name).modulePath, log, tokenFlags });
    };
    beforeEach(() => {
        fixture().kms.control.resetCounters();
        fixture().logs.length = 0;
    });
    afterEach(() => restore?.());
    const inputs = async (pin?: string) => {
        const key = await fixture().createKey();
        return {
            keyId: key.KeyId!,
            ...token().inputs("object=k"),
            hsmKey: token().uri("object=k", pkcs11Shim()),
            ...(pin ? { hsmPin: pin } : {}),
        };
    };
    const wrongPin = () => {
        const pin = `wrong-${randomBytes(8).toString("hex")}`;
        leakRegistry.addMaterial(Buffer.from(pin), "a wrong PIN of the lockout tests");
        return pin;
    };

    it("six resources with a wrong PIN make one C_Login; the other five fail without trying, saying why", async () => {
        token().create((o) => o.aes("k", randomBytes(32)));
        shim();
        const pin = wrongPin();
        const resources = await Promise.all([1, 2, 3, 4, 5, 6].map(() => inputs(pin)));
        const outcomes = await Promise.allSettled(resources.map((r) => createMaterial(fixture().context, r)));
        const messages = outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).message : "imported"));
        assert.deepEqual(
            loginsLogged(log).map((l) => l.userType),
            ["1"],
            "one user login reached the token",
        );
        assert.equal(
            messages.filter((m) => /refused the user PIN from the hsmPin input \(CKR_PIN_INCORRECT\)/.test(m)).length,
            1,
            messages.join("\n"),
        );
        assert.equal(
            messages.filter((m) =>
                /refused the user PIN from the hsmPin input earlier in this run \(CKR_PIN_INCORRECT\); it is not tried again/.test(
                    m,
                ),
            ).length,
            5,
            messages.join("\n"),
        );
        assert.ok(messages.every((m) => !m.includes(pin)));
        assert.equal(fixture().calls("GetParametersForImport").length, 0);

        // The right PIN is another PIN: it is tried, and works.
        const { outs } = await createMaterial(fixture().context, await inputs(token().pin));
        assert.equal(outs.materialCondition, "IMPORTED");
        const later = loginsLogged(log).slice(1);
        assert.ok(later.length > 0 && later.every((l) => l.rv === "0x0"), "the right PIN's logins succeed");
    });

    it("refuses to try a PIN when the token says the next failure locks it (CKF_USER_PIN_FINAL_TRY)", async () => {
        token().create((o) => o.aes("k", randomBytes(32)));
        shim(C.CKF_USER_PIN_FINAL_TRY);
        await assert.rejects(
            createMaterial(fixture().context, await inputs()),
            /reports that one more wrong user PIN locks it \(CKF_USER_PIN_FINAL_TRY\): the provider does not try the PIN from the hsmPin input/,
        );
        assert.equal(loginsLogged(log).length, 0, "no C_Login");
    });

    it("refuses to try a locked PIN (CKF_USER_PIN_LOCKED)", async () => {
        token().create((o) => o.aes("k", randomBytes(32)));
        shim(C.CKF_USER_PIN_LOCKED);
        await assert.rejects(
            createMaterial(fixture().context, await inputs()),
            /reports its user PIN locked \(CKF_USER_PIN_LOCKED\) after too many wrong attempts: nothing was tried/,
        );
        assert.equal(loginsLogged(log).length, 0, "no C_Login");
    });

    it("warns when the token counts earlier failures (CKF_USER_PIN_COUNT_LOW), and logs in once", async () => {
        token().create((o) => o.aes("k", randomBytes(32)));
        shim(C.CKF_USER_PIN_COUNT_LOW);
        const { outs } = await createMaterial(fixture().context, await inputs());
        assert.equal(outs.materialCondition, "IMPORTED");
        assert.ok(
            fixture().logs.some((l) =>
                /reports earlier wrong user PIN attempts \(CKF_USER_PIN_COUNT_LOW\); logging in once with the PIN from the hsmPin input/.test(
                    l,
                ),
            ),
            fixture().logs.join("\n"),
        );
    });
});
