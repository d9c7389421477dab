import * as assert from "node:assert/strict";
import { CreateAliasCommand, ListAliasesCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { expectKmsError, useKmsLocal } from "../fixture.js";

describe("kms-local CreateAlias, ListAliases", () => {
    const f = useKmsLocal();
    const c = () => f().client;
    const newKey = () => f().createKey({ Origin: "AWS_KMS" });

    it("creates aliases and lists them, filtered by key and paginated", async () => {
        const a = await newKey();
        const b = await newKey();
        await c().send(new CreateAliasCommand({ AliasName: "alias/one", TargetKeyId: a }));
        await c().send(
            new CreateAliasCommand({
                AliasName: "alias/two",
                TargetKeyId: `arn:aws:kms:us-east-1:111122223333:key/${a}`,
            }),
        );
        await c().send(new CreateAliasCommand({ AliasName: "alias/three", TargetKeyId: b }));
        const all = await c().send(new ListAliasesCommand({}));
        assert.deepEqual(
            all.Aliases?.map((x) => x.AliasName),
            ["alias/one", "alias/three", "alias/two"],
        );
        assert.equal(all.Aliases?.[0]?.AliasArn, "arn:aws:kms:us-east-1:111122223333:alias/one");
        assert.equal(all.Aliases?.[0]?.TargetKeyId, a);
        assert.ok(all.Aliases?.[0]?.CreationDate instanceof Date);
        const forA = await c().send(new ListAliasesCommand({ KeyId: a }));
        assert.deepEqual(
            forA.Aliases?.map((x) => x.AliasName),
            ["alias/one", "alias/two"],
        );
        const p1 = await c().send(new ListAliasesCommand({ Limit: 2 }));
        assert.equal(p1.Truncated, true);
        const p2 = await c().send(new ListAliasesCommand({ Limit: 2, Marker: p1.NextMarker }));
        assert.deepEqual(
            p2.Aliases?.map((x) => x.AliasName),
            ["alias/two"],
        );
    });

    it("refuses duplicates, bad names, reserved names, alias targets and PendingDeletion targets", async () => {
        const a = await newKey();
        await c().send(new CreateAliasCommand({ AliasName: "alias/dup", TargetKeyId: a }));
        await expectKmsError(
            c().send(new CreateAliasCommand({ AliasName: "alias/dup", TargetKeyId: a })),
            "AlreadyExistsException",
            "An alias with the name arn:aws:kms:us-east-1:111122223333:alias/dup already exists",
        );
        await expectKmsError(
            c().send(new CreateAliasCommand({ AliasName: "noprefix", TargetKeyId: a })),
            "ValidationException",
            /alias\//,
        );
        await expectKmsError(
            c().send(new CreateAliasCommand({ AliasName: "alias/aws/ebs", TargetKeyId: a })),
            "NotAuthorizedException",
        );
        await expectKmsError(
            c().send(new CreateAliasCommand({ AliasName: "alias/bad name", TargetKeyId: a })),
            "ValidationException",
            /regular expression pattern/,
        );
        await expectKmsError(
            c().send(new CreateAliasCommand({ AliasName: "alias/x", TargetKeyId: "alias/dup" })),
            "NotFoundException",
            "Invalid keyId 'alias/dup'",
        );
        await c().send(new ScheduleKeyDeletionCommand({ KeyId: a }));
        await expectKmsError(
            c().send(new CreateAliasCommand({ AliasName: "alias/late", TargetKeyId: a })),
            "KMSInvalidStateException",
            /is pending deletion\.$/,
        );
    });
});
