import * as assert from "node:assert/strict";
import { CreateKeyCommand, ListAliasesCommand, ListKeysCommand, CreateAliasCommand } from "@aws-sdk/client-kms";
import { expectKmsError, useKmsLocal } from "../fixture.js";

describe("kms-local ListKeys", () => {
    const f = useKmsLocal();

    it("lists every key of the caller's Region with Limit/Marker/Truncated pagination", async () => {
        const created: string[] = [];
        for (let i = 0; i < 5; i++)
            created.push(
                (await f().client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string,
            );
        await f().clientIn("eu-west-1").send(new CreateKeyCommand({}));
        const seen: string[] = [];
        let marker: string | undefined;
        let pages = 0;
        do {
            const page = await f().client.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
            pages += 1;
            assert.ok((page.Keys ?? []).length <= 2);
            for (const k of page.Keys ?? []) {
                assert.equal(k.KeyArn, `arn:aws:kms:us-east-1:111122223333:key/${k.KeyId}`);
                seen.push(k.KeyId as string);
            }
            assert.equal(page.Truncated, page.NextMarker !== undefined);
            marker = page.NextMarker;
        } while (marker);
        assert.equal(pages, 3);
        assert.deepEqual(seen, created);
        const all = await f().client.send(new ListKeysCommand({}));
        assert.equal(all.Keys?.length, 5);
        assert.equal(all.Truncated, false);
    });

    it("rejects forged markers and markers of another list", async () => {
        await expectKmsError(f().client.send(new ListKeysCommand({ Marker: "garbage" })), "InvalidMarkerException");
        const keyId = (await f().client.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId as string;
        await f().client.send(new CreateAliasCommand({ AliasName: "alias/a1", TargetKeyId: keyId }));
        await f().client.send(new CreateAliasCommand({ AliasName: "alias/a2", TargetKeyId: keyId }));
        const aliases = await f().client.send(new ListAliasesCommand({ Limit: 1 }));
        assert.ok(aliases.NextMarker);
        await expectKmsError(
            f().client.send(new ListKeysCommand({ Marker: aliases.NextMarker })),
            "InvalidMarkerException",
        );
    });
});
