import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { kmsClient } from "../../../provider/client/client";
import { judgeEndpoint, loopbackCheckedLookup, trustedOrigins } from "../../../provider/client/endpointTrust";
import { resolveClientSettings } from "../../../provider/client/settings";
import { spoofDns } from "../../support/spoofDns";

/** The endpoint rules, pure: which hosts may receive wrapped key material (and signed requests). */
describe("provider/client/endpointTrust", () => {
    const kms = (url: string, source = "endpoint", trusted: string[] = []) =>
        judgeEndpoint(url, "kms", source, trusted);

    it(
        "trusts https to AWS's KMS hosts in every partition, FIPS, dual-stack and VPC endpoints, with " +
            "the Region they serve",
        () => {
            const hosts: [string, string][] = [
                ["https://kms.us-east-1.amazonaws.com", "us-east-1"],
                ["https://kms-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"],
                ["https://kms.cn-north-1.amazonaws.com.cn", "cn-north-1"],
                ["https://kms.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"],
                ["https://kms.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"],
                ["https://kms.us-isob-east-1.sc2s.sgov.gov", "us-isob-east-1"],
                ["https://kms.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1"],
                ["https://kms.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"],
                ["https://kms.eu-west-1.api.aws", "eu-west-1"],
                ["https://kms-fips.us-east-2.api.aws", "us-east-2"],
                ["https://vpce-0a1b2c3d4e5f-abcdefgh.kms.eu-central-1.vpce.amazonaws.com", "eu-central-1"],
                ["https://kms.ap-southeast-2.amazonaws.com:443/", "ap-southeast-2"],
            ];
            for (const [url, region] of hosts) {
                const verdict = kms(url);
                assert.ok(verdict.ok, url);
                assert.equal(verdict.endpoint.kind, "aws", url);
                assert.equal(verdict.endpoint.region, region, url);
            }
        },
    );

    it("refuses look-alikes and AWS hosts reached any other way than https on 443", () => {
        for (const url of [
            "https://kms.us-east-1.amazonaws.com.attacker.example",
            "https://kms.us-east-1.amazonaws.co",
            "https://kms.us-east-1.amazonaws.com.",
            "https://evilkms.us-east-1.amazonaws.com",
            "https://kms.us-east-1.evil.amazonaws.com.example",
            "https://s3.us-east-1.amazonaws.com",
            "https://kms.us-east-1.amazonaws.com:8443",
        ]) {
            const verdict = kms(url);
            assert.ok(!verdict.ok, url);
            assert.match(verdict.problem, /not an AWS KMS host.*trustedEndpoints/s, url);
        }
        const plain = kms("http://kms.us-east-1.amazonaws.com");
        assert.ok(!plain.ok && /plain http is allowed only to loopback/.test(plain.problem));
    });

    it("trusts loopback over http or https (kms-local), and nothing that merely looks local", () => {
        for (const url of [
            "http://127.0.0.1:4599",
            "http://127.9.8.7:1",
            "http://localhost:4566",
            "http://[::1]:4599",
            "https://localhost:8443",
        ]) {
            const verdict = kms(url);
            assert.ok(verdict.ok && verdict.endpoint.kind === "loopback", url);
        }
        for (const url of [
            "http://localhost.attacker.example",
            "http://127.0.0.1.nip.io:4566",
            "http://0.0.0.0:4599",
            "http://10.0.0.5:4566",
            "http://[::ffff:a00:5]:80",
        ]) {
            const verdict = kms(url);
            assert.ok(!verdict.ok, url);
            assert.match(verdict.problem, /plain http is allowed only to loopback/, url);
        }
    });

    it(
        "trusts another https host only when its origin is listed; plain http to another host " +
            "never, listed or not",
        () => {
            assert.ok(!kms("https://kms.example.internal:8443").ok);
            const listed = kms("https://kms.example.internal:8443", "endpoint", ["https://kms.example.internal:8443"]);
            assert.ok(
                listed.ok && listed.endpoint.kind === "listed" && listed.endpoint.host === "kms.example.internal",
            );
            assert.ok(
                kms("https://kms.example.internal", "endpoint", ["kms.example.internal"]).ok,
                "a bare host means https on 443",
            );
            assert.ok(
                !kms("https://kms.example.internal:8443", "endpoint", ["https://kms.example.internal"]).ok,
                "another port is another origin",
            );
            assert.ok(!kms("http://10.0.0.5:4566", "endpoint", ["http://10.0.0.5:4566"]).ok);
            assert.deepEqual(
                trustedOrigins(["http://10.0.0.5:4566", "https://ok.example", "https://x.example/path"]).problems,
                [
                    "trustedEndpoints entry 1: plain http is never trusted for a host other than loopback; use https",
                    "trustedEndpoints entry 3: must be scheme://host[:port] only, without a path, query or fragment",
                ],
            );
        },
    );

    it(
        "does not take AWS_ENDPOINT_URL (every service's override) alone as enough: not even " +
            "loopback, unless listed",
        () => {
            const generic = kms("http://127.0.0.1:4566", "AWS_ENDPOINT_URL");
            assert.ok(!generic.ok);
            assert.match(generic.problem, /comes only from AWS_ENDPOINT_URL.*AWS_ENDPOINT_URL_KMS/s);
            assert.ok(kms("http://127.0.0.1:4566", "AWS_ENDPOINT_URL", ["http://127.0.0.1:4566"]).ok);
            assert.ok(
                kms("https://kms.eu-west-1.amazonaws.com", "AWS_ENDPOINT_URL").ok,
                "AWS's own host is AWS's whichever variable named it",
            );
            assert.ok(kms("http://127.0.0.1:4566", "AWS_ENDPOINT_URL_KMS").ok);
        },
    );

    it("judges STS endpoints by STS's hosts", () => {
        for (const url of [
            "https://sts.amazonaws.com",
            "https://sts.eu-west-1.amazonaws.com",
            "https://sts-fips.us-east-1.amazonaws.com",
            "https://sts.cn-north-1.amazonaws.com.cn",
        ]) {
            assert.ok(judgeEndpoint(url, "sts", "aws:endpoints", []).ok, url);
        }
        assert.ok(
            !judgeEndpoint("https://kms.eu-west-1.amazonaws.com", "sts", "aws:endpoints", []).ok,
            "a KMS host is not an STS host",
        );
        const verdict = judgeEndpoint("https://sts.attacker.example", "sts", "aws:endpoints", []);
        assert.ok(!verdict.ok && /issues the credentials used for KMS/.test(verdict.problem));
    });

    it("never quotes the URL it refuses (it may be a pasted secret)", () => {
        const secretish = "https://c2VjcmV0LW1hdGVyaWFs.example:8443";
        for (const verdict of [
            kms(secretish),
            kms("http://c2VjcmV0LW1hdGVyaWFs.example"),
            kms("not a url c2VjcmV0LW1hdGVyaWFs"),
        ]) {
            assert.ok(!verdict.ok && !verdict.problem.includes("c2VjcmV0LW1hdGVyaWFs"));
        }
    });
});

/**
 * Issue 17, L5: `localhost` was trusted by its name whatever the resolver answered. It is still trusted as
 * loopback without being listed, but every connection to it must resolve to loopback addresses only, or it
 * is refused before anything is sent (a hosts file, a resolver or a search domain could answer otherwise).
 */
describe("provider/client/endpointTrust: localhost must resolve to loopback at every connection", () => {
    const address =
        Object.values(networkInterfaces())
            .flat()
            .find((i) => i?.family === "IPv4" && !i.internal)?.address ?? "0.0.0.0";
    let server: Server;
    let port: number;
    let requests = 0;
    before(async () => {
        server = createServer((req, res) => {
            requests++;
            req.resume();
            res.writeHead(400, { "content-type": "application/x-amz-json-1.1" }).end(
                JSON.stringify({ __type: "AccessDeniedException", message: "not KMS" }),
            );
        });
        await new Promise<void>((resolve) => server.listen(0, address, resolve));
        port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const resolveWith = (hostname: string) =>
        new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
            loopbackCheckedLookup(hostname, {}, (error, found) => resolve({ error, address: found })),
        );

    it(
        "the agents' lookup refuses localhost resolving elsewhere, and leaves other names and " +
            "loopback answers alone",
        async () => {
            const restore = spoofDns({ localhost: "10.9.8.7", "kms.example.internal": "10.9.8.7" });
            try {
                const refused = await resolveWith("localhost");
                assert.equal(refused.error?.code, "ENOTLOOPBACK");
                assert.match(
                    refused.error.message,
                    /localhost is trusted as this machine \(loopback\), but the resolver answered 10\.9\.8\.7, which is not a loopback address/,
                );
                assert.equal((await resolveWith("kms.example.internal")).address, "10.9.8.7");
            } finally {
                restore();
            }
            const restoreLoopback = spoofDns({ localhost: "127.0.0.1" });
            try {
                assert.deepEqual(await resolveWith("localhost"), { error: null, address: "127.0.0.1" });
            } finally {
                restoreLoopback();
            }
        },
    );

    it("a KMS client for http://localhost sends nothing when localhost resolves to another machine", async () => {
        const restore = spoofDns({ localhost: address, "byok-spoofed.test": address });
        try {
            const client = (host: string) =>
                kmsClient(
                    resolveClientSettings(
                        { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab" },
                        {
                            region: "us-east-1",
                            endpoint: `http://${host}:${port}`,
                            maxAttempts: 1,
                            credentials: {
                                accessKey: "AKIAIOSFODNN7EXAMPLE",
                                secretKey: "x".repeat(40),
                                assumeRoles: [],
                            },
                        },
                        {},
                    ),
                ).client;
            // Control: a spoofed name the agents do not trust as loopback reaches the server there.
            await assert.rejects(
                client("byok-spoofed.test").send(
                    new DescribeKeyCommand({ KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }),
                ),
                /not KMS/,
            );
            assert.equal(requests, 1);
            await assert.rejects(
                client("localhost").send(new DescribeKeyCommand({ KeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" })),
                /localhost is trusted as this machine/,
            );
            assert.equal(requests, 1, "a request reached the non-loopback address localhost resolved to");
        } finally {
            restore();
        }
    });
});
