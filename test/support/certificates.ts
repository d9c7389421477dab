import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed certificate made by openssl (independent of the code under test), in a directory of its own. */
export interface SelfSignedCertificate {
    key: string;
    cert: string;
    /** The certificate's PEM file: what a client names as aws:customCaBundle to trust it. */
    certFile: string;
    remove(): void;
}

/** For one subjectAltName, e.g. `DNS:kms.us-east-1.amazonaws.com` or `IP:192.0.2.1`. */
export function selfSignedCertificate(subjectAltName: string): SelfSignedCertificate {
    const dir = mkdtempSync(join(tmpdir(), "byok-cert-"));
    const [keyFile, certFile] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    const name = subjectAltName.replace(/^[A-Z]+:/, "");
    const request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${name}`];
    const output = ["-addext", `subjectAltName=${subjectAltName}`, "-keyout", keyFile, "-out", certFile];
    execFileSync("openssl", [...request, ...output], { stdio: "ignore" });
    return {
        key: readFileSync(keyFile, "utf8"),
        cert: readFileSync(certFile, "utf8"),
        certFile,
        remove: () => rmSync(dir, { recursive: true, force: true }),
    };
}
