import * as assert from "node:assert/strict";
import fs from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    CreateAliasCommand,
    CreateKeyCommand,
    DecryptCommand,
    DescribeKeyCommand,
    EncryptCommand,
    GetParametersForImportCommand,
    ImportKeyMaterialCommand,
} from "@aws-sdk/client-kms";
import { startKmsLocal } from "../../../kms-local/index.js";
import { makeClient, symmetricMaterial, TEST_DEFAULTS, importMaterial, wrapMaterial } from "../fixture.js";

describe("kms-local state file", () => {
    let dir = "";
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "kms-local-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("keeps keys, aliases, materials, tokens and the clock across a restart", async () => {
        const stateFile = join(dir, "state.json");
        const first = await startKmsLocal({ ...TEST_DEFAULTS, stateFile });
        const c1 = makeClient(first);
        const keyId = (await c1.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        await importMaterial(c1, keyId, symmetricMaterial());
        await c1.send(new CreateAliasCommand({ AliasName: "alias/persisted", TargetKeyId: keyId }));
        const ct = await c1.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("durable") }));
        const other = (await c1.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata?.KeyId as string;
        const params = await c1.send(
            new GetParametersForImportCommand({
                KeyId: other,
                WrappingAlgorithm: "RSAES_OAEP_SHA_256",
                WrappingKeySpec: "RSA_2048",
            }),
        );
        first.control.clock.advance(3_600_000);
        c1.destroy();
        await first.stop();

        assert.equal(statSync(stateFile).mode & 0o777, 0o600);
        assert.deepEqual(readdirSync(dir), ["state.json"], "no temp file left behind");

        const second = await startKmsLocal({ ...TEST_DEFAULTS, stateFile });
        const c2 = makeClient(second);
        try {
            assert.ok(second.control.clock.offsetMs >= 3_600_000, "clock offset restored");
            assert.equal(
                (await c2.send(new DescribeKeyCommand({ KeyId: "alias/persisted" }))).KeyMetadata?.KeyState,
                "Enabled",
            );
            const d = await c2.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
            assert.equal(Buffer.from(d.Plaintext as Uint8Array).toString(), "durable");
            // A token issued before the restart still works: its wrapping key was persisted.
            await c2.send(
                new ImportKeyMaterialCommand({
                    KeyId: other,
                    ImportToken: params.ImportToken,
                    EncryptedKeyMaterial: wrapMaterial(
                        params.PublicKey as Uint8Array,
                        "RSAES_OAEP_SHA_256",
                        symmetricMaterial(),
                    ),
                    ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
                }),
            );
        } finally {
            c2.destroy();
            await second.stop();
        }
    });

    it("writes atomically: the file is always complete JSON, a stale temp file is ignored", async () => {
        const stateFile = join(dir, "state.json");
        writeFileSync(`${stateFile}.tmp-1-1`, "{ torn");
        const kms = await startKmsLocal({ ...TEST_DEFAULTS, stateFile });
        const c = makeClient(kms);
        for (let i = 0; i < 10; i++) {
            await c.send(new CreateKeyCommand({}));
            const parsed = JSON.parse(readFileSync(stateFile, "utf8")) as {
                regions: Record<string, { keys: unknown[] }>;
            };
            assert.equal(parsed.regions["us-east-1"]?.keys.length, i + 1);
        }
        c.destroy();
        await kms.stop();
    });

    it("creates each temp file exclusively under a random name and fsyncs the directory after the rename", async () => {
        const stateFile = join(dir, "state.json");
        const opened: { path: string; flags: unknown; fd: number }[] = [];
        const synced: number[] = [];
        const { openSync, fsyncSync } = fs;
        const spyOpen = ((path: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode | null): number => {
            const fd = openSync(path, flags, mode);
            opened.push({ path: String(path), flags, fd });
            return fd;
        }) as typeof openSync;
        const spySync = (fd: number): void => {
            synced.push(fd);
            fsyncSync(fd);
        };
        // persistence.ts calls fs.openSync / fs.fsyncSync through the module object at call time (CommonJS output).
        const writable = fs as { openSync: typeof openSync; fsyncSync: typeof fsyncSync };
        writable.openSync = spyOpen;
        writable.fsyncSync = spySync;
        try {
            const kms = await startKmsLocal({ ...TEST_DEFAULTS, stateFile });
            const c = makeClient(kms);
            await c.send(new CreateKeyCommand({}));
            await c.send(new CreateKeyCommand({}));
            c.destroy();
            await kms.stop();
        } finally {
            writable.openSync = openSync;
            writable.fsyncSync = fsyncSync;
        }
        const temps = opened.filter((o) => o.path.startsWith(`${stateFile}.tmp-`));
        assert.ok(temps.length >= 2, `temp files written: ${temps.length}`);
        for (const t of temps) {
            assert.equal(t.flags, "wx", "O_CREAT|O_EXCL: never through an existing file or symlink");
            assert.match(t.path, /\.tmp-[0-9a-f]{24}$/);
        }
        assert.equal(new Set(temps.map((t) => t.path)).size, temps.length, "a fresh random name each time");
        const dirSyncs = opened.filter((o) => o.path === dir && synced.includes(o.fd));
        assert.equal(dirSyncs.length, temps.length, "the directory is fsynced after every rename");
        assert.deepEqual(readdirSync(dir), ["state.json"]);
    });

    it("refuses a state file whose clock offset is beyond the clock's bound", async () => {
        const stateFile = join(dir, "state.json");
        writeFileSync(
            stateFile,
            JSON.stringify({
                version: 1,
                account: "111122223333",
                clockOffsetMs: 1e15,
                regions: {},
                tokens: [],
                wrappingKeys: [],
            }),
        );
        await assert.rejects(
            startKmsLocal({ ...TEST_DEFAULTS, stateFile }),
            /clock offset of 1000000000000000 ms, outside 0\.\.315360000000 ms/,
        );
    });

    it("refuses a state file of another account", async () => {
        const stateFile = join(dir, "state.json");
        const a = await startKmsLocal({ ...TEST_DEFAULTS, stateFile });
        const c = makeClient(a);
        await c.send(new CreateKeyCommand({}));
        c.destroy();
        await a.stop();
        await assert.rejects(
            startKmsLocal({ ...TEST_DEFAULTS, stateFile, accountId: "444455556666" }),
            /belongs to account 111122223333/,
        );
    });
});
