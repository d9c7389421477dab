// Clients nobody here wrote: boto3 (with Python `cryptography` verifying what KMS signed) and the aws CLI, for
// Sign / Verify / GenerateMac / VerifyMac on imported material, with SigV4 signatures verified.

import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { asymmetricMaterial, importMaterial, useKmsLocal } from "../fixture.js";

const BOTO3_SCRIPT = `
import base64, json, sys, boto3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
args = json.loads(sys.argv[1])
kms = boto3.client("kms", endpoint_url=args["url"], region_name="us-east-1",
                   aws_access_key_id=args["akid"], aws_secret_access_key=args["secret"])
message = b"signed by kms-local, checked by python"
out = {}
for key_id, alg in ((args["ecc"], "ECDSA_SHA_384"), (args["rsa"], "RSASSA_PSS_SHA_256")):
    sig = kms.sign(KeyId=key_id, Message=message, MessageType="RAW", SigningAlgorithm=alg)
    pub = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    if alg.startswith("ECDSA"):
        pub.verify(sig["Signature"], message, ec.ECDSA(hashes.SHA384()))
    else:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        pub.verify(sig["Signature"], message, pss, hashes.SHA256())
    verified = kms.verify(KeyId=key_id, Message=message, Signature=sig["Signature"], SigningAlgorithm=alg)
    ok = verified["SignatureValid"]
    try:
        kms.verify(KeyId=key_id, Message=b"tampered", Signature=sig["Signature"], SigningAlgorithm=alg)
        bad = "accepted"
    except kms.exceptions.KMSInvalidSignatureException:
        bad = "KMSInvalidSignatureException"
    out[alg] = {
        "python_verified": True, "kms_verified": ok, "tampered": bad, "signing_algorithm": sig["SigningAlgorithm"]
    }
mac = kms.generate_mac(KeyId=args["hmac"], Message=message, MacAlgorithm="HMAC_SHA_256")
out["mac"] = base64.b64encode(mac["Mac"]).decode()
mac_verified = kms.verify_mac(KeyId=args["hmac"], Message=message, MacAlgorithm="HMAC_SHA_256", Mac=mac["Mac"])
out["mac_valid"] = mac_verified["MacValid"]
try:
    kms.verify_mac(KeyId=args["hmac"], Message=b"tampered", MacAlgorithm="HMAC_SHA_256", Mac=mac["Mac"])
except kms.exceptions.KMSInvalidMacException:
    out["mac_tampered"] = "KMSInvalidMacException"
print(json.dumps(out))
`;

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command without blocking the event loop (kms-local answers from this very process). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
    return new Promise((resolve) => {
        execFile(command, args, { env, timeout: 25_000, encoding: "utf8" }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
            resolve({ status: code, stdout, stderr });
        });
    });
}

describe("kms-local with boto3 and the aws CLI: Sign, Verify, GenerateMac, VerifyMac", () => {
    const f = useKmsLocal({ switches: { signatureCheck: "verify" } });
    let dir = "";
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "kms-local-clients-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const env = () => ({
        PATH: process.env.PATH ?? "",
        HOME: dir,
        AWS_CONFIG_FILE: join(dir, "none"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
        AWS_ACCESS_KEY_ID: f().kms.env.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: f().kms.env.AWS_SECRET_ACCESS_KEY,
        AWS_DEFAULT_REGION: "us-east-1",
    });

    async function key(spec: "ECC_NIST_P384" | "RSA_2048" | "HMAC_256", material: Buffer): Promise<string> {
        const usage = spec === "HMAC_256" ? "GENERATE_VERIFY_MAC" : "SIGN_VERIFY";
        const keyId = (
            await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: usage }))
        ).KeyMetadata?.KeyId as string;
        await importMaterial(f().client, keyId, material);
        return keyId;
    }

    it(
        "boto3: signatures verify in Python `cryptography` and in Verify; tampering is " +
            "KMSInvalidSignatureException / KMSInvalidMacException",
        async function () {
            this.timeout(30_000);
            const hmacMaterial = randomBytes(32);
            const args = {
                url: f().kms.url,
                akid: f().kms.env.AWS_ACCESS_KEY_ID,
                secret: f().kms.env.AWS_SECRET_ACCESS_KEY,
                ecc: await key("ECC_NIST_P384", asymmetricMaterial("ECC_NIST_P384")),
                rsa: await key("RSA_2048", asymmetricMaterial("RSA_2048")),
                hmac: await key("HMAC_256", hmacMaterial),
            };
            const python = await run("python3", ["-c", BOTO3_SCRIPT, JSON.stringify(args)], env());
            assert.equal(python.status, 0, python.stderr);
            const out = JSON.parse(python.stdout) as Record<string, unknown>;
            for (const alg of ["ECDSA_SHA_384", "RSASSA_PSS_SHA_256"]) {
                assert.deepEqual(out[alg], {
                    python_verified: true,
                    kms_verified: true,
                    tampered: "KMSInvalidSignatureException",
                    signing_algorithm: alg,
                });
            }
            const expectedMac = createHmac("sha256", hmacMaterial)
                .update("signed by kms-local, checked by python")
                .digest("base64");
            assert.equal(out.mac, expectedMac);
            assert.equal(out.mac_valid, true);
            assert.equal(out.mac_tampered, "KMSInvalidMacException");
        },
    );

    it("aws CLI: kms sign and kms verify with fileb:// message and signature", async function () {
        this.timeout(30_000);
        const keyId = await key("ECC_NIST_P384", asymmetricMaterial("ECC_NIST_P384"));
        const aws = (args: string[]) =>
            run("aws", ["--endpoint-url", f().kms.url, "--output", "json", "kms", ...args], env());
        writeFileSync(join(dir, "msg"), "a message signed through the aws CLI");
        const signed = await aws([
            "sign",
            "--key-id",
            keyId,
            "--message",
            `fileb://${join(dir, "msg")}`,
            "--message-type",
            "RAW",
            "--signing-algorithm",
            "ECDSA_SHA_384",
        ]);
        assert.equal(signed.status, 0, signed.stderr);
        const { Signature, SigningAlgorithm } = JSON.parse(signed.stdout) as {
            Signature: string;
            SigningAlgorithm: string;
        };
        assert.equal(SigningAlgorithm, "ECDSA_SHA_384");
        writeFileSync(join(dir, "sig"), Buffer.from(Signature, "base64"));
        const verified = await aws([
            "verify",
            "--key-id",
            keyId,
            "--message",
            `fileb://${join(dir, "msg")}`,
            "--signature",
            `fileb://${join(dir, "sig")}`,
            "--signing-algorithm",
            "ECDSA_SHA_384",
        ]);
        assert.equal(verified.status, 0, verified.stderr);
        assert.equal((JSON.parse(verified.stdout) as { SignatureValid: boolean }).SignatureValid, true);
        writeFileSync(join(dir, "msg"), "another message");
        const refused = await aws([
            "verify",
            "--key-id",
            keyId,
            "--message",
            `fileb://${join(dir, "msg")}`,
            "--signature",
            `fileb://${join(dir, "sig")}`,
            "--signing-algorithm",
            "ECDSA_SHA_384",
        ]);
        assert.notEqual(refused.status, 0);
        assert.match(refused.stderr, /KMSInvalidSignatureException/);
        assert.ok(readFileSync(join(dir, "sig")).length > 0);
    });
});
