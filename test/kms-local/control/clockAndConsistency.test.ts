import * as assert from "node:assert/strict";
import {
    CreateKeyCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    GetParametersForImportCommand,
    ListKeysCommand,
    ReplicateKeyCommand,
} from "@aws-sdk/client-kms";
import { expectKmsError, importMaterial, symmetricMaterial, useKmsLocal } from "../fixture.js";

describe("kms-local clock and eventual consistency", () => {
    const f = useKmsLocal();
    afterEach(() => f().kms.control.consistency.set({ newKeyInvisibleMs: 0, stateChangePropagationMs: 0 }));

    it("moves forward on demand and never backwards", () => {
        const clock = f().kms.control.clock;
        const before = clock.now();
        const after = clock.advance(3_600_000);
        assert.ok(after - before >= 3_600_000 && after - before < 3_700_000);
        assert.ok(clock.offsetMs >= 3_600_000);
        assert.throws(() => clock.advance(-1));
    });

    it("sends its own clock in the Date header of every response, as AWS sends its time", async () => {
        const response = await fetch(f().kms.url, {
            method: "POST",
            headers: {
                "x-amz-target": "TrentService.ListKeys",
                "content-type": "application/x-amz-json-1.1",
                authorization:
                    "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/kms/aws4_request, " +
                    "SignedHeaders=host, Signature=00",
            },
            body: "{}",
        });
        const served = Date.parse(response.headers.get("date") ?? "");
        const now = f().kms.control.clock.now();
        assert.ok(Math.abs(served - now) < 2000, `Date ${response.headers.get("date")} is kms-local's time`);
        assert.ok(
            f().kms.control.clock.offsetMs > 0 && served - Date.now() > 3_000_000,
            "moved with the clock, not the real time",
        );
    });

    it(
        "hides new keys for newKeyInvisibleMs (S28): NotFoundException from every operation, " + "absent from ListKeys",
        async () => {
            f().kms.control.consistency.set({ newKeyInvisibleMs: 5000 });
            const { KeyMetadata: m } = await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
            const keyId = m?.KeyId as string;
            await expectKmsError(
                f().client.send(new DescribeKeyCommand({ KeyId: keyId })),
                "NotFoundException",
                `Key '${m?.Arn}' does not exist`,
            );
            await expectKmsError(
                f().client.send(
                    new GetParametersForImportCommand({
                        KeyId: keyId,
                        WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                        WrappingKeySpec: "RSA_2048",
                    }),
                ),
                "NotFoundException",
            );
            assert.ok(!(await f().client.send(new ListKeysCommand({}))).Keys?.some((k) => k.KeyId === keyId));
            f().kms.control.clock.advance(5000);
            assert.equal(
                (await f().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
                "PendingImport",
            );
        },
    );

    it("hides new replicas the same way", async () => {
        const keyId = (await f().client.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId as string;
        f().kms.control.consistency.set({ newKeyInvisibleMs: 2000 });
        await f().client.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "ca-central-1" }));
        const ca = f().clientIn("ca-central-1");
        await expectKmsError(ca.send(new DescribeKeyCommand({ KeyId: keyId })), "NotFoundException");
        f().kms.control.clock.advance(2000);
        assert.ok((await ca.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata);
    });

    it("delays state changes in DescribeKey by stateChangePropagationMs (S29)", async () => {
        const keyId = (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata
            ?.KeyId as string;
        f().kms.control.consistency.set({ stateChangePropagationMs: 1000 });
        await importMaterial(f().client, keyId, symmetricMaterial());
        assert.equal(
            (await f().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
            "PendingImport",
        );
        f().kms.control.clock.advance(1000);
        assert.equal(
            (await f().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
            "Enabled",
        );
        await f().client.send(new DisableKeyCommand({ KeyId: keyId }));
        assert.equal(
            (await f().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
            "Enabled",
        );
        f().kms.control.clock.advance(1000);
        assert.equal(
            (await f().client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState,
            "Disabled",
        );
    });

    it(
        "refuses to move beyond 3650 days ahead (clear error, clock unchanged), serves requests near that " +
            "bound, and reset-state returns it to real time",
        async () => {
            const clock = f().kms.control.clock;
            const day = 86_400_000;
            const before = clock.offsetMs;
            assert.throws(
                () => clock.advance(4000 * day),
                /would put the kms-local clock .* days ahead of real time; the limit is 3650 days/,
            );
            assert.throws(() => clock.advance(Number.MAX_SAFE_INTEGER), /the limit is 3650 days/);
            assert.equal(clock.offsetMs, before, "a refused advance changes nothing");
            clock.advance(3649 * day - before);
            const { KeyMetadata: m } = await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
            assert.ok(
                Math.abs((m?.CreationDate?.getTime() ?? 0) - (Date.now() + 3649 * day)) < 60_000,
                "timestamps 10 years ahead still work",
            );
            await importMaterial(f().client, m?.KeyId as string, symmetricMaterial());
            f().kms.control.resetState();
            assert.equal(clock.offsetMs, 0);
            assert.ok(Math.abs(clock.now() - Date.now()) < 1000);
        },
    );
});
