import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Inputs far larger than any key material, as issue 17 found them reaching the provider: random bytes as
 * base64, as hex and as PEM-like text, and a PKCS#12 bundle (openssl pkcs12 -export, empty password, an
 * RSA-4096 private key inside) as base64, padded with certificates to the size asked for. The size is the
 * decoded byte count (the text is longer). Random every call: each test's inputs are its own.
 */

export type LargeKind = "base64" | "hex" | "PEM-like" | "PKCS#12";
export const LARGE_KINDS: readonly LargeKind[] = ["base64", "hex", "PEM-like", "PKCS#12"];
export const LARGE_SIZES: readonly number[] = [8 * 1024, 64 * 1024, 1024 * 1024];

export const sizeName = (bytes: number): string =>
    bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;

export function largeInput(kind: LargeKind, bytes: number): string {
    switch (kind) {
        case "base64":
            return randomBytes(bytes).toString("base64");
        case "hex":
            return randomBytes(bytes).toString("hex");
        case "PEM-like": {
            const lines = randomBytes(bytes)
                .toString("base64")
                .match(/.{1,64}/g)!;
            return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
        }
        case "PKCS#12":
            return pkcs12(bytes).toString("base64");
    }
}

/** One RSA-4096 key and certificate per test process (generating one takes seconds); each bundle is new. */
let keyAndCertificate: { key: string; cert: string } | undefined;

/** A PKCS#12 bundle of about `bytes` bytes: an RSA-4096 key and its certificate, plus copies of it. */
function pkcs12(bytes: number): Buffer {
    const dir = mkdtempSync(join(tmpdir(), "byok-p12-"));
    try {
        const run = (...args: string[]) =>
            execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
        if (!keyAndCertificate) {
            run(
                "req",
                "-x509",
                "-newkey",
                "rsa:4096",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=byok-large-input",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
            );
            keyAndCertificate = {
                key: readFileSync(join(dir, "key.pem"), "utf8"),
                cert: readFileSync(join(dir, "cert.pem"), "utf8"),
            };
        }
        writeFileSync(join(dir, "key.pem"), keyAndCertificate.key, { mode: 0o600 });
        writeFileSync(join(dir, "cert.pem"), keyAndCertificate.cert);
        const cert = keyAndCertificate.cert;
        run("pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-passout", "pass:", "-out", "one.p12");
        const base = readFileSync(join(dir, "one.p12")).length;
        const certBytes = Buffer.from(cert.replace(/-----[A-Z ]+-----|\s/g, ""), "base64").length + 40;
        writeFileSync(join(dir, "more.pem"), cert.repeat(Math.max(0, Math.round((bytes - base) / certBytes))));
        run(
            "pkcs12",
            "-export",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-certfile",
            "more.pem",
            "-passout",
            "pass:",
            "-out",
            "bundle.p12",
        );
        return readFileSync(join(dir, "bundle.p12"));
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
