// Fuzz-style robustness: random and truncated bodies, random headers, cut-off transfers. Afterwards the server
// must still answer correctly, must never have failed internally, and the state must be exactly as before.

import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand } from "@aws-sdk/client-kms";
import { seededRandom } from "../../../kms-local/control/prng.js";
import { importMaterial, symmetricMaterial, useKmsLocal } from "../fixture.js";
import { fakeAuth, kmsCall, truncatedRequest } from "./raw.js";

const OPERATIONS = [
    "CreateKey",
    "DescribeKey",
    "ListKeys",
    "GetParametersForImport",
    "ImportKeyMaterial",
    "DeleteImportedKeyMaterial",
    "ListKeyRotations",
    "RotateKeyOnDemand",
    "GetKeyRotationStatus",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "EnableKey",
    "DisableKey",
    "Encrypt",
    "Decrypt",
    "GetPublicKey",
    "ReplicateKey",
    "CreateAlias",
    "ListAliases",
];

/** Operations a well-formed random body may legitimately succeed on without changing anything. */
const READ_ONLY = new Set([
    "DescribeKey",
    "ListKeys",
    "ListKeyRotations",
    "GetKeyRotationStatus",
    "Encrypt",
    "Decrypt",
    "GetPublicKey",
    "ListAliases",
]);

describe("kms-local wire: fuzz", () => {
    const lines: string[] = [];
    const f = useKmsLocal({ log: (l) => lines.push(l) });

    it("survives 600 hostile requests with state unchanged", async function () {
        this.timeout(60_000);
        const c = f().client;
        const keyId = (await c.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        await importMaterial(c, keyId, symmetricMaterial());
        const ct = await c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("steady") }));
        const before = JSON.stringify(f().kms.control.keys());
        const valid = JSON.stringify({
            KeyId: keyId,
            KeyMaterialId: "a".repeat(64),
            ImportToken: "AAAA",
            EncryptedKeyMaterial: "AAAA",
            ValidTo: 1.5e9,
        });

        const rnd = seededRandom(20261123);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
        const target = () =>
            rnd() < 0.9 ? `TrentService.${pick(OPERATIONS)}` : `TrentService.${randomBytes(4).toString("hex")}`;
        const jsonValue = (depth: number): unknown => {
            const r = rnd();
            if (depth > 3 || r < 0.2)
                return pick([null, true, 1e308, -1, 0.5, "", "x".repeat(300), "\u0000\ud800", keyId.toUpperCase()]);
            if (r < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => jsonValue(depth + 1));
            const o: Record<string, unknown> = {};
            for (let i = 0; i < 4; i++)
                o[
                    pick([
                        "KeyId",
                        "Limit",
                        "Plaintext",
                        "ValidTo",
                        "Tags",
                        "__proto__",
                        "EncryptionContext",
                        randomBytes(3).toString("hex"),
                    ])
                ] = jsonValue(depth + 1);
            return o;
        };
        // Generators whose bodies can be well-formed JSON objects never target CreateKey (it has no required member).
        const bodies: [() => string | Buffer, boolean][] = [
            [() => randomBytes(Math.floor(rnd() * 200)), true],
            [() => valid.slice(0, Math.floor(rnd() * (valid.length - 1))), true],
            [() => JSON.stringify(jsonValue(0)), false],
            [() => "[".repeat(5000) + "]".repeat(Math.floor(rnd() * 5000)), true],
            [() => `{"KeyId":"${"\\u00".repeat(3)}"}`, true],
            [
                () =>
                    JSON.stringify({
                        KeyId: `arn:aws:kms:us-east-1:111122223333:key/${randomBytes(3).toString("hex")}`,
                        Limit: Math.floor(rnd() * 3000) - 1000,
                    }),
                false,
            ],
        ];
        for (let i = 0; i < 600; i++) {
            const kind = rnd();
            if (kind < 0.08) {
                await truncatedRequest(
                    f().kms.url,
                    `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${target()}\r\nAuthorization: ` +
                        `${fakeAuth()}\r\nContent-Length: 500\r\n\r\n{"KeyId":`,
                );
                continue;
            }
            if (kind < 0.12) {
                await truncatedRequest(f().kms.url, randomBytes(Math.floor(rnd() * 300)));
                continue;
            }
            if (kind < 0.15) {
                // Odd request targets (protocol-relative, absolute-form, control paths with bodies).
                const path = pick([
                    "//",
                    "//x/y",
                    "http://other/",
                    "/_kms-local/switches",
                    "/_kms-local//",
                    "/?a=%zz",
                    "*",
                ]);
                await truncatedRequest(
                    f().kms.url,
                    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{"a":1}`,
                );
                continue;
            }
            const headers: Record<string, string> = {};
            if (rnd() < 0.2)
                headers.authorization = pick([
                    "",
                    "AWS4-HMAC-SHA256",
                    `AWS4-HMAC-SHA256 Credential=${randomBytes(8).toString("hex")}`,
                    fakeAuth("xx-nowhere-9"),
                ]);
            if (rnd() < 0.2) headers["content-type"] = pick(["text/plain", "application/json", "*/*"]);
            const [body, anyTarget] = pick(bodies);
            let t = rnd() < 0.05 ? undefined : target();
            if (!anyTarget && t === "TrentService.CreateKey") t = "TrentService.DescribeKey";
            const r = await kmsCall(f().kms.url, t, body(), headers);
            if (r.status === 200) {
                assert.ok(READ_ONLY.has(String(t).slice("TrentService.".length)), `${t} succeeded: ${r.text}`);
                continue;
            }
            assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text}`);
            assert.equal(typeof r.json?.__type, "string", r.text);
        }

        assert.equal(JSON.stringify(f().kms.control.keys()), before, "state unchanged");
        assert.ok(
            !lines.some((l) => /internal error|KMSInternalException/.test(l)),
            lines.find((l) => /internal/.test(l)),
        );
        const d = await c.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
        assert.equal(Buffer.from(d.Plaintext as Uint8Array).toString(), "steady");
        assert.equal((await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState, "Enabled");
        assert.ok(({} as Record<string, unknown>).KeyId === undefined, "no prototype pollution");
    });
});
