import assert from "node:assert/strict";
import {
    chmodSync,
    chownSync,
    copyFileSync,
    mkdirSync,
    mkdtempSync,
    rmSync,
    symlinkSync,
    writeFileSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createMaterial } from "../../../provider/material/lifecycle";
import { checkHsmToken } from "../../../provider/checks/hsmToken";
import { libraryPathProblem } from "../../../provider/hsm/libraryPath";
import { useProviderKms } from "../../support/kms";
import { TestToken, tokenKind } from "../../support/tokens";

/**
 * Which library files hsmKey may load (issue #17 L7): loading one runs its code in the provider host, next to
 * the AWS credentials. Real files on this machine: the token's own library, copies of it with other modes and
 * owners, symbolic links to it.
 */
describe("provider/hsm/libraryPath: the PKCS#11 libraries the provider agrees to load", () => {
    const WHERE = "the library";
    let dir: string;
    let library: string;
    before(() => {
        library = tokenKind("SoftHSM2").modulePath;
        dir = mkdtempSync(join(tmpdir(), "libpath-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const copy = (name: string, mode = 0o755) => {
        const path = join(dir, name);
        mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
        copyFileSync(library, path);
        chmodSync(path, mode);
        return path;
    };

    it("accepts the token's library at its canonical path, and a copy only its owner can write", () => {
        assert.equal(libraryPathProblem(library, WHERE), undefined);
        assert.equal(libraryPathProblem(copy("own/lib.so"), WHERE), undefined);
    });

    it("refuses a symbolic link, or a path through one, naming the fix", () => {
        const link = join(dir, "link.so");
        symlinkSync(library, link);
        assert.match(
            libraryPathProblem(link, WHERE) ?? "",
            /is a symbolic link or passes through one: give the path it resolves to \(readlink -f prints it\)/,
        );
        symlinkSync(dirname(library), join(dir, "linked-dir"));
        assert.match(libraryPathProblem(join(dir, "linked-dir", "libsofthsm2.so"), WHERE) ?? "", /symbolic link/);
    });

    it('refuses "." and ".." segments, repeated slashes and relative paths', () => {
        for (const path of [
            `${dirname(library)}/../softhsm/libsofthsm2.so`,
            `${dirname(library)}/./libsofthsm2.so`,
            library.replace("/softhsm/", "//softhsm/"),
        ]) {
            assert.match(libraryPathProblem(path, WHERE) ?? "", /"\." or "\.\." segments or repeated slashes/, path);
        }
        assert.match(libraryPathProblem("lib/x.so", WHERE) ?? "", /must be an absolute path/);
    });

    it("refuses a file or directory others can write, except a sticky directory (like /tmp)", () => {
        assert.match(
            libraryPathProblem(copy("gw.so", 0o775), WHERE) ?? "",
            /the library file is writable by its group or by everyone \(mode 775\)/,
        );
        const open = copy("open/lib.so");
        chmodSync(dirname(open), 0o777);
        assert.match(
            libraryPathProblem(open, WHERE) ?? "",
            /a directory on its path is writable by its group or by everyone \(mode 777\)/,
        );
        chmodSync(dirname(open), 0o1777);
        assert.equal(libraryPathProblem(open, WHERE), undefined);
    });

    it("refuses a file owned by another user", () => {
        const path = copy("other.so");
        const uid = process.getuid!();
        if (uid === 0) chownSync(path, 65534, 65534);
        const problem = libraryPathProblem(path, WHERE, uid === 0 ? {} : { uid: uid + 1 });
        assert.match(problem ?? "", /the library file is owned by another user/);
    });

    it("keeps to the allow-list when one is set: exact paths, or directories ending in /", () => {
        assert.match(
            libraryPathProblem(library, WHERE, { allowed: ["/opt/vendor/lib.so"] }) ?? "",
            /is not in the config pulumi-kms-byok:hsmAllowedModulePaths/,
        );
        assert.equal(libraryPathProblem(library, WHERE, { allowed: [library] }), undefined);
        assert.equal(libraryPathProblem(library, WHERE, { allowed: [`${dirname(library)}/`] }), undefined);
        assert.match(
            libraryPathProblem(library, WHERE, { allowed: [dirname(library)] }) ?? "",
            /not in the config/,
            "a directory must end in /",
        );
    });

    it("says when nothing is there", () => {
        assert.match(libraryPathProblem(join(dir, "missing.so"), WHERE) ?? "", /names no file on this machine/);
    });

    describe("at check (preview) and at create, without showing the path", () => {
        const fixture = useProviderKms();
        let token: TestToken;
        beforeEach(() => {
            token = tokenKind("SoftHSM2").create();
            token.create((o) => o.aes("k", randomBytes(32)));
        });
        afterEach(() => token.remove());

        it("refuses a symlinked library before loading it, and names where the path was given", async () => {
            const link = join(dir, `check-${randomBytes(3).toString("hex")}.so`);
            symlinkSync(library, link);
            const inputs = {
                keyId: (await fixture().createKey()).KeyId!,
                ...token.inputs("object=k"),
                hsmKey: token.uri("object=k", link),
            };
            const failures = await checkHsmToken({}, inputs, fixture().context);
            assert.equal(failures.length, 1);
            assert.equal(failures[0].property, "");
            assert.match(
                failures[0].reason,
                /^the PKCS#11 library named by hsmKey's module-path \(or the config pulumi-kms-byok:hsmModulePath\) is a symbolic link/,
            );
            await assert.rejects(createMaterial(fixture().context, inputs), (error: Error) => {
                assert.match(error.message, /is a symbolic link/);
                assert.ok(!error.message.includes(link), "the path is not shown");
                return true;
            });
            assert.equal(fixture().calls("GetParametersForImport").length, 0);
        });

        it("says why a file is not a loadable library, without its path (the loader's text holds it)", async () => {
            const notLibrary = join(dir, `not-elf-${randomBytes(3).toString("hex")}.so`);
            writeFileSync(notLibrary, "not a shared object", { mode: 0o600 });
            const inputs = {
                keyId: (await fixture().createKey()).KeyId!,
                ...token.inputs("object=k"),
                hsmKey: token.uri("object=k", notLibrary),
            };
            await assert.rejects(createMaterial(fixture().context, inputs), (error: Error) => {
                assert.match(error.message, /cannot be loaded \(.*(too short|invalid ELF header)/);
                assert.ok(!error.message.includes(notLibrary), error.message);
                assert.ok(!error.message.includes(basename(notLibrary)), error.message);
                return true;
            });
            assert.equal(fixture().calls("GetParametersForImport").length, 0);
        });

        it("applies the config's allow-list at check", async () => {
            const inputs = { keyId: (await fixture().createKey()).KeyId!, ...token.inputs("object=k") };
            const context = {
                ...fixture().context,
                settings: { ...fixture().context.settings, hsmAllowedModulePaths: ["/opt/vendor/lib.so"] },
            };
            assert.match(
                (await checkHsmToken({}, inputs, context))[0]?.reason ?? "",
                /is not in the config pulumi-kms-byok:hsmAllowedModulePaths/,
            );
            const relative = {
                ...context,
                settings: { ...context.settings, hsmAllowedModulePaths: ["vendor/lib.so"] },
            };
            assert.match((await checkHsmToken({}, inputs, relative))[0]?.reason ?? "", /must list absolute paths/);
            const allowed = { ...context, settings: { ...context.settings, hsmAllowedModulePaths: [library] } };
            assert.deepEqual(await checkHsmToken({}, inputs, allowed), []);
        });
    });
});
