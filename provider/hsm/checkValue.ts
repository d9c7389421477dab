import { checkValueOf } from "../wrapping/checkValue";
import { CKF_SIGN, CKM_AES_CMAC } from "./constants";
import { tokenAnswer } from "./errors";
import { KeyObjectInfo } from "./keyObject";
import { mechanismProblem } from "./mechanisms";
import { TokenSession } from "./token";

/**
 * The key check value of an AES object, computed by the token (CKM_AES_CMAC over 16 zero bytes, the leftmost 3
 * bytes: provider/wrapping/checkValue.ts says why), so the material stays where it is. It needs the object's
 * CKA_SIGN and the token's CKM_AES_CMAC; without them there is no check value (null), and the log says why.
 */

const ZERO_BLOCK = Buffer.alloc(16);

export async function tokenCheckValue(t: TokenSession, info: KeyObjectInfo, describe: string): Promise<string | null> {
    if (info.kind !== "aes") return null;
    const missing = !info.common.sign
        ? "it has CKA_SIGN false"
        : mechanismProblem(t, CKM_AES_CMAC, "CKM_AES_CMAC", CKF_SIGN);
    if (missing) {
        t.log(
            `${describe}: no keyCheckValue: the token computes the AES-CMAC check value only for an object ` +
                `with CKA_SIGN true and a token with CKM_AES_CMAC, and ${missing}`,
        );
        return null;
    }
    try {
        t.p11.C_SignInit(t.session, { mechanism: CKM_AES_CMAC }, info.common.handle);
        const cmac = await t.p11.C_SignAsync(t.session, ZERO_BLOCK, Buffer.alloc(16));
        return checkValueOf(cmac);
    } catch (error) {
        t.log(`${describe}: no keyCheckValue: the token refused CKM_AES_CMAC with it (${tokenAnswer(error)})`);
        return null;
    }
}
