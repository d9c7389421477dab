import assert from "node:assert/strict";
import { parsePkcs11Uri } from "../../../provider/hsm/uri";

/** RFC 7512 parsing, pure: what check runs during preview. */
describe("provider/hsm/uri (RFC 7512)", () => {
    const ok = (text: string) => {
        const parsed = parsePkcs11Uri(text);
        assert.deepEqual(parsed.problems, [], text);
        return parsed.uri!;
    };
    const problems = (text: string) => parsePkcs11Uri(text).problems.join("\n");

    it("parses token, object, type and module-path", () => {
        const uri = ok(
            "pkcs11:token=byok;object=payments-2026;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so",
        );
        assert.deepEqual(uri, {
            token: "byok",
            object: "payments-2026",
            type: "secret-key",
            modulePath: "/usr/lib/softhsm/libsofthsm2.so",
        });
    });

    it("percent-decodes every value: labels with spaces and reserved characters, ids as bytes", () => {
        const uri = ok(
            "pkcs11:token=My%20Token%3b1;serial=0123abcd;object=caf%C3%A9%2Fkey;id=%01%A2%ff?module-path=/opt/My%20HSM/lib%3Fpkcs11.so",
        );
        assert.equal(uri.token, "My Token;1");
        assert.equal(uri.serial, "0123abcd");
        assert.equal(uri.object, "café/key");
        assert.deepEqual(uri.id, Buffer.from([0x01, 0xa2, 0xff]));
        assert.equal(uri.modulePath, "/opt/My HSM/lib?pkcs11.so");
    });

    it("accepts the other selection attributes of RFC 7512 (manufacturer, model, slot, library)", () => {
        const uri = ok(
            "pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-id=1334028951;slot-description=x;slot-manufacturer=y;library-manufacturer=z;library-description=d;library-version=2.6;id=%01",
        );
        assert.equal(uri.slotId, 1334028951);
        assert.equal(uri.model, "SoftHSM v2");
        assert.equal(uri.libraryVersion, "2.6");
    });

    it("accepts reserved characters RFC 7512 allows unencoded (path: & : @ ... ; query: / ? |)", () => {
        assert.equal(ok("pkcs11:object=a&b:c@d!$'()*+,=e").object, "a&b:c@d!$'()*+,=e");
    });

    it("needs the pkcs11: scheme and an object (label or id)", () => {
        assert.match(problems("token=byok;object=k"), /must be a PKCS#11 URI \(RFC 7512\) starting with "pkcs11:"/);
        assert.match(problems("pkcs11:token=byok"), /must name the key object: object=<CKA_LABEL> and\/or id=/);
        assert.match(problems("pkcs11:"), /must name the key object/);
    });

    it("refuses what it does not understand instead of ignoring it", () => {
        assert.match(problems("pkcs11:objet=k"), /path attribute "objet", which this provider does not understand/);
        assert.match(problems("pkcs11:object=k;x-vendor=1"), /path attribute "x-vendor"/);
        assert.match(
            problems("pkcs11:object=k?foo=bar"),
            /query attribute "foo", which this provider does not understand; supported: module-path/,
        );
        assert.match(
            problems("pkcs11:object=k;token"),
            /a component without "=" where an attribute name=value is expected/,
        );
    });

    it("refuses repeated attributes, bad encodings and values", () => {
        assert.match(problems("pkcs11:object=a;object=b"), /repeats the path attribute object/);
        assert.match(
            problems("pkcs11:object=k?module-path=/a.so&module-path=/b.so"),
            /repeats the query attribute module-path/,
        );
        assert.match(
            problems("pkcs11:object=my key"),
            /object has a character that must be percent-encoded .*character 3 /,
        );
        assert.match(problems("pkcs11:object=k%2"), /object has a % not followed by two hex digits \(character 2 /);
        assert.match(problems("pkcs11:object=a/b"), /must be percent-encoded .*character 2 of its value/);
        assert.match(problems("pkcs11:object=%41😀"), /percent-encoded .*character 4 of its value/);
        for (const secret of ["pkcs11:object=k?pin-value=qX7é", "pkcs11:object=zQ9é"]) {
            const text = problems(secret);
            assert.ok(text.length > 0, secret);
            assert.ok(!/é|qX7|zQ9|C3|A9/.test(text), `nothing of the value is quoted: ${text}`);
        }
        assert.match(problems("pkcs11:object=%ff%fe"), /object is not UTF-8 once percent-decoded/);
        assert.match(problems("pkcs11:id="), /empty id/);
        assert.match(
            problems("pkcs11:object=k;slot-id=one"),
            /slot-id must be a decimal number \(the value given is not shown\)/,
        );
        assert.match(problems("pkcs11:object=k;My%20Secret=1"), /path attribute \(a name not shown\)/);
        assert.match(problems("pkcs11:object=k;library-version=2.x"), /library-version must be major\[\.minor\]/);
        assert.match(problems("pkcs11:object=k?module-path=libsofthsm2.so"), /module-path must be the absolute path/);
    });

    it("refuses objects that are not key material KMS imports", () => {
        assert.match(
            problems("pkcs11:object=k;type=public"),
            /names a public key \(type=public\), which is not key material/,
        );
        assert.match(problems("pkcs11:object=k;type=cert"), /a certificate/);
        assert.match(problems("pkcs11:object=k;type=data"), /a data object/);
        assert.match(problems("pkcs11:object=k;type=secret"), /type must be secret-key or private/);
    });

    it("refuses a PIN in the URI (it would be stored in plaintext) and says the URI carries one", () => {
        const parsed = parsePkcs11Uri("pkcs11:object=k?pin-value=123456");
        assert.equal(parsed.containsPin, true);
        assert.match(
            parsed.problems.join(),
            /carries a PIN \(pin-value\), and the URI is stored in the state in plaintext: remove pin-value and give the PIN as the secret input hsmPin/,
        );
        assert.ok(!parsed.problems.join().includes("123456"));
        assert.match(problems("pkcs11:object=k?pin-source=file:/etc/pin"), /pin-source is not supported/);
        assert.match(problems("pkcs11:object=k?module-name=softhsm2"), /module-name is not supported/);
    });
});
