// Request holds: a request stopped before it is applied or before its response is sent, then released or
// dropped; clients that die while held; the HTTP mirror.

import * as assert from "node:assert/strict";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import {
    CreateKeyCommand,
    DescribeKeyCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
    ListKeysCommand,
    type GetParametersForImportCommandOutput,
} from "@aws-sdk/client-kms";
import { startKmsLocal, type KmsLocal } from "../../../kms-local/index.js";
import { expectKmsError, makeClient, symmetricMaterial, TEST_DEFAULTS, useKmsLocal, wrapMaterial } from "../fixture.js";
import { fakeAuth, rawRequest } from "../wire/raw.js";

/** Whether `p` settles within `ms` (used only to show that a held request has *not* been answered). */
const settlesWithin = (p: Promise<unknown>, ms: number) =>
    Promise.race([
        p.then(
            () => true,
            () => true,
        ),
        sleep(ms).then(() => false),
    ]);

describe("kms-local request holds", () => {
    const f = useKmsLocal();
    const c = () => f().client;
    const holds = () => f().kms.control.holds;
    afterEach(() => holds().clear());

    /** An EXTERNAL key with import parameters, and the ImportKeyMaterial input that would apply them. */
    async function importable() {
        const keyId = (await c().send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        const params: GetParametersForImportCommandOutput = await c().send(
            new GetParametersForImportCommand({
                KeyId: keyId,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        const input = {
            KeyId: keyId,
            ImportToken: params.ImportToken,
            EncryptedKeyMaterial: wrapMaterial(
                params.PublicKey as Uint8Array,
                "RSAES_OAEP_SHA_256",
                symmetricMaterial(),
            ),
            ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" as const,
        };
        return { keyId, input };
    }
    const stateOf = (keyId: string) =>
        f()
            .kms.control.keys()
            .find((k) => k.keyId === keyId)?.keyState;

    it("'before': holds the request unapplied until released, then it proceeds and is answered", async () => {
        const { keyId, input } = await importable();
        const hold = holds().add({ operation: "ImportKeyMaterial", phase: "before" });
        assert.equal(hold.state, "armed");
        const call = c().send(new ImportKeyMaterialCommand(input));
        const reached = await hold.reached;
        assert.equal(reached.operation, "ImportKeyMaterial");
        assert.equal(reached.keyId, keyId);
        assert.equal(reached.status, 0, "nothing answered yet");
        assert.equal(hold.state, "held");
        assert.equal(stateOf(keyId), "PendingImport", "not applied while held");
        assert.ok(!(await settlesWithin(call, 150)), "the client has no answer");
        assert.deepEqual(
            holds()
                .list()
                .map((h) => [h.id, h.state, h.request?.requestId]),
            [[hold.id, "held", reached.requestId]],
        );
        hold.release();
        assert.equal((await call).$metadata.httpStatusCode, 200);
        const outcome = await hold.settled;
        assert.deepEqual([outcome.applied, outcome.answered, outcome.record.status], [true, true, 200]);
        assert.deepEqual(outcome.record.held, [hold.id]);
        assert.equal(stateOf(keyId), "Enabled");
    });

    it("'after': the operation is applied and recorded, the response waits until released", async () => {
        const { keyId, input } = await importable();
        const hold = holds().add({ operation: "ImportKeyMaterial", phase: "after" });
        const call = c().send(new ImportKeyMaterialCommand(input));
        const record = await hold.reached;
        assert.equal(record.status, 200);
        assert.equal(stateOf(keyId), "Enabled", "applied while the response is held");
        assert.ok(
            f()
                .kms.control.requests()
                .some((r) => r.requestId === record.requestId && r.held?.includes(hold.id)),
        );
        assert.ok(!(await settlesWithin(call, 150)), "the client has no answer");
        hold.release();
        assert.match((await call).KeyMaterialId ?? "", /^[0-9a-f]{64}$/);
        assert.deepEqual([(await hold.settled).applied, (await hold.settled).answered], [true, true]);
    });

    it("holds the nth matching request only, optionally by key and (after) by status", async () => {
        const a = await importable();
        const b = await importable();
        const second = holds().add({ operation: "DescribeKey", nth: 2 });
        await c().send(new DescribeKeyCommand({ KeyId: a.keyId }));
        const call = c().send(new DescribeKeyCommand({ KeyId: a.keyId }));
        await second.reached;
        second.release();
        await call;

        const onB = holds().add({ operation: "ImportKeyMaterial", keyId: b.keyId, phase: "after", status: 200 });
        // A failed import into B (token of A) and any import into A pass unheld.
        await expectKmsError(
            c().send(new ImportKeyMaterialCommand({ ...b.input, ImportToken: a.input.ImportToken })),
            "InvalidImportTokenException",
        );
        await c().send(new ImportKeyMaterialCommand(a.input));
        assert.equal(onB.state, "armed");
        const applied = c().send(
            new ImportKeyMaterialCommand({ ...b.input, KeyId: `arn:aws:kms:us-east-1:111122223333:key/${b.keyId}` }),
        );
        assert.equal((await onB.reached).keyId, b.keyId);
        assert.equal(
            holds()
                .list()
                .find((h) => h.id === onB.id)?.seen,
            1,
            "only the successful import into B counted",
        );
        onB.release();
        await applied;
    });

    it(
        "drop(): 'before' destroys the connection and never applies (the token stays unused); 'after' " +
            "applies, answers nothing",
        async () => {
            const { keyId, input } = await importable();
            const before = holds().add({ operation: "ImportKeyMaterial" });
            const call = c().send(new ImportKeyMaterialCommand(input));
            await before.reached;
            before.drop();
            await assert.rejects(
                call,
                (e: Error) =>
                    !("$metadata" in e && (e as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode),
            );
            const dropped = await before.settled;
            assert.deepEqual(
                [dropped.applied, dropped.answered, dropped.record.errorType, dropped.record.status],
                [false, false, "DroppedConnection", 0],
            );
            assert.equal(stateOf(keyId), "PendingImport");

            const after = holds().add({ operation: "ImportKeyMaterial", phase: "after" });
            // The same token works: the dropped request never reached the operation. Two attempts: the SDK retries.
            const retrying = makeClient(f().kms, "us-east-1", 2);
            const again = retrying.send(new ImportKeyMaterialCommand(input));
            await after.reached;
            after.drop();
            // Applied, response lost: the SDK's retry meets the consumed token, as against AWS.
            await expectKmsError(again, "InvalidImportTokenException");
            retrying.destroy();
            assert.equal(stateOf(keyId), "Enabled");
            assert.deepEqual([(await after.settled).applied, (await after.settled).answered], [true, false]);
        },
    );

    it(
        "survives clients that die while held: a 'before' request " + "released after its client left is not applied",
        async () => {
            const { keyId, input } = await importable();
            const hold = holds().add({ operation: "ImportKeyMaterial" });
            const body = JSON.stringify({
                ...input,
                ImportToken: Buffer.from(input.ImportToken as Uint8Array).toString("base64"),
                EncryptedKeyMaterial: input.EncryptedKeyMaterial.toString("base64"),
            });
            const req = request(`${f().kms.url}/`, {
                method: "POST",
                headers: {
                    "x-amz-target": "TrentService.ImportKeyMaterial",
                    "content-type": "application/x-amz-json-1.1",
                    authorization: fakeAuth(),
                },
            });
            req.on("error", () => undefined);
            req.end(body);
            await hold.reached;
            req.destroy(); // the client process dies
            await sleep(100);
            hold.release();
            const outcome = await hold.settled;
            assert.deepEqual(
                [outcome.applied, outcome.answered, outcome.record.errorType],
                [false, false, "ClientDisconnected"],
            );
            assert.equal(stateOf(keyId), "PendingImport", "not applied: nobody was left to answer");
            assert.ok(
                f()
                    .kms.control.requests()
                    .some((r) => r.held?.includes(hold.id) && r.errorType === "ClientDisconnected"),
            );

            const after = holds().add({ operation: "ImportKeyMaterial", phase: "after" });
            const again = request(`${f().kms.url}/`, {
                method: "POST",
                headers: {
                    "x-amz-target": "TrentService.ImportKeyMaterial",
                    "content-type": "application/x-amz-json-1.1",
                    authorization: fakeAuth(),
                },
            });
            again.on("error", () => undefined);
            again.end(body);
            await after.reached;
            again.destroy();
            await sleep(100);
            after.release();
            assert.deepEqual([(await after.settled).applied, (await after.settled).answered], [true, false]);
            assert.equal(stateOf(keyId), "Enabled");
            assert.ok((await c().send(new ListKeysCommand({}))).Keys?.length, "kms-local still serves");
        },
    );

    it(
        "release() or drop() before the request arrives decides its fate on arrival; clear() releases held " +
            "requests and disarms the rest",
        async () => {
            const passing = holds().add({ operation: "ListKeys" });
            passing.release();
            await c().send(new ListKeysCommand({}));
            assert.equal((await passing.reached).operation, "ListKeys");
            assert.equal(passing.state, "released");

            const doomed = holds().add({ operation: "ListKeys" });
            doomed.drop();
            await assert.rejects(c().send(new ListKeysCommand({})));
            assert.equal(doomed.state, "dropped");

            const held = holds().add({ operation: "ListKeys" });
            const armed = holds().add({ operation: "CreateKey" });
            const call = c().send(new ListKeysCommand({}));
            await held.reached;
            holds().clear();
            assert.equal((await call).$metadata.httpStatusCode, 200, "released by clear()");
            await assert.rejects(armed.reached, /cleared before its request arrived/);
            assert.deepEqual(holds().list(), []);
        },
    );

    it("validates hold specifications", () => {
        assert.throws(() => holds().add({ operation: "" }), /needs an operation/);
        assert.throws(() => holds().add({ operation: "ListKeys", nth: 0 }), /positive integer/);
        assert.throws(() => holds().add({ operation: "ListKeys", phase: "during" as "before" }), /"before" or "after"/);
        assert.throws(() => holds().add({ operation: "ListKeys", status: 200 }), /needs phase "after"/);
    });

    it("is mirrored over HTTP: add, list (state and request), release, drop, clear", async () => {
        const post = async (path: string, body: unknown) =>
            rawRequest(f().kms.url, {
                path: `/_kms-local${path}`,
                body: JSON.stringify(body),
                headers: { "content-type": "application/json" },
            });
        const added = await post("/holds", { operation: "ListKeys", phase: "after" });
        assert.equal(added.status, 200, added.text);
        const id = added.json?.id as number;
        const call = c().send(new ListKeysCommand({}));
        let listed: { id: number; state: string; request?: { status: number } }[] = [];
        for (let i = 0; i < 100 && listed.find((h) => h.id === id)?.state !== "held"; i++) {
            listed = JSON.parse(
                (await rawRequest(f().kms.url, { method: "GET", path: "/_kms-local/holds" })).text,
            ) as typeof listed;
            await sleep(20);
        }
        assert.equal(listed.find((h) => h.id === id)?.request?.status, 200);
        assert.equal((await post("/holds/release", { id })).status, 200);
        await call;
        assert.equal((await post("/holds/drop", { id: 999 })).status, 400);
        assert.equal((await post("/holds", { operation: "ListKeys", nth: -1 })).status, 400);
        assert.equal((await post("/holds/clear", {})).status, 200);
    });

    it("stop() with a held request neither hangs nor applies it", async () => {
        const kms: KmsLocal = await startKmsLocal(TEST_DEFAULTS);
        const client = makeClient(kms);
        const keyId = (await client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        const hold = kms.control.holds.add({ operation: "DescribeKey" });
        const call = client.send(new DescribeKeyCommand({ KeyId: keyId }));
        await hold.reached;
        await kms.stop();
        await assert.rejects(call);
        assert.equal((await hold.settled).applied, false);
        client.destroy();
    });
});
