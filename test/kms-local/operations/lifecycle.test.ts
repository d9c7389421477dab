import * as assert from "node:assert/strict";
import {
    CancelKeyDeletionCommand,
    CreateKeyCommand,
    DescribeKeyCommand,
    DisableKeyCommand,
    EnableKeyCommand,
    ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { arnOf, DAY_MS, expectKmsError, useKmsLocal } from "../fixture.js";

describe("kms-local ScheduleKeyDeletion, CancelKeyDeletion, EnableKey, DisableKey", () => {
    const f = useKmsLocal();
    const c = () => f().client;
    const enabledKey = async () => (await f().enabledKey()).keyId;
    const state = (keyId: string) => f().describe(keyId);

    it("schedules deletion 30 days out by default and deletes the key at DeletionDate", async () => {
        const keyId = await enabledKey();
        const now = f().kms.control.clock.now();
        const r = await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
        assert.equal(r.KeyId, arnOf(keyId));
        assert.equal(r.KeyState, "PendingDeletion");
        assert.equal(r.PendingWindowInDays, 30);
        assert.ok(Math.abs((r.DeletionDate?.getTime() ?? 0) - (now + 30 * DAY_MS)) < 2000);
        assert.equal((await state(keyId))?.DeletionDate?.getTime(), r.DeletionDate?.getTime());
        await expectKmsError(
            c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId })),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is pending deletion.`,
        );
        f().kms.control.clock.advance(30 * DAY_MS);
        await expectKmsError(
            c().send(new DescribeKeyCommand({ KeyId: keyId })),
            "NotFoundException",
            `Key '${arnOf(keyId)}' does not exist`,
        );
        assert.ok(
            f()
                .kms.control.events()
                .some((e) => e.event === "DeleteKey" && e.keyId === keyId),
        );
    });

    it("accepts 7..30 days only", async () => {
        const keyId = await enabledKey();
        await expectKmsError(
            c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 6 })),
            "ValidationException",
            /greater than or equal to 7/,
        );
        await expectKmsError(
            c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 31 })),
            "ValidationException",
            /less than or equal to 30/,
        );
        await expectKmsError(
            c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 0 })),
            "ValidationException",
            /greater than or equal to 1/,
        );
        const r = await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
        assert.equal(r.PendingWindowInDays, 7);
    });

    it("cancels deletion into Disabled; a key without material goes to PendingImport (S21 default)", async () => {
        const keyId = await enabledKey();
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
        const r = await c().send(new CancelKeyDeletionCommand({ KeyId: keyId }));
        assert.equal(r.KeyId, arnOf(keyId));
        const m = await state(keyId);
        assert.equal(m?.KeyState, "Disabled");
        assert.equal(m?.Enabled, false);
        assert.equal(m?.DeletionDate, undefined);
        await expectKmsError(
            c().send(new CancelKeyDeletionCommand({ KeyId: keyId })),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is not pending deletion.`,
        );

        const bare = (await c().send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: bare }));
        await c().send(new CancelKeyDeletionCommand({ KeyId: bare }));
        assert.equal((await state(bare))?.KeyState, "PendingImport");
    });

    it("enables and disables (idempotently) and refuses PendingImport / PendingDeletion keys", async () => {
        const keyId = await enabledKey();
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        await c().send(new DisableKeyCommand({ KeyId: keyId }));
        assert.equal((await state(keyId))?.KeyState, "Disabled");
        await c().send(new EnableKeyCommand({ KeyId: keyId }));
        await c().send(new EnableKeyCommand({ KeyId: keyId }));
        assert.equal((await state(keyId))?.KeyState, "Enabled");
        const pending = (await c().send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        await expectKmsError(
            c().send(new DisableKeyCommand({ KeyId: pending })),
            "KMSInvalidStateException",
            `${arnOf(pending)} is pending import.`,
        );
        await expectKmsError(
            c().send(new EnableKeyCommand({ KeyId: pending })),
            "KMSInvalidStateException",
            `${arnOf(pending)} is pending import.`,
        );
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: keyId }));
        await expectKmsError(
            c().send(new EnableKeyCommand({ KeyId: keyId })),
            "KMSInvalidStateException",
            `${arnOf(keyId)} is pending deletion.`,
        );
    });
});
