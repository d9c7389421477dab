import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { ECC_CURVE_INFO, ECC_KEY_SPECS } from "../../../provider/wrapping/keySpecs";

/** The one table of ECC curves, checked against what OpenSSL makes of each curve (not against a second table). */
describe("provider/wrapping/keySpecs: the ECC curves", () => {
    for (const spec of ECC_KEY_SPECS) {
        it(`${spec}: OpenSSL's curve name, its OID in the PKCS#8 and the scalar length agree`, () => {
            const info = ECC_CURVE_INFO[spec];
            const { privateKey } = generateKeyPairSync("ec", { namedCurve: info.curve });
            assert.equal(privateKey.asymmetricKeyDetails?.namedCurve, info.curve);
            const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" });
            assert.ok(pkcs8.toString("hex").includes(info.oidDer), "the PKCS#8 names the curve by this OID");
            const d = Buffer.from(String(privateKey.export({ format: "jwk" }).d), "base64url");
            assert.equal(d.length, info.scalarBytes);
        });
    }
});
