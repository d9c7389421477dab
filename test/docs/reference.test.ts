import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROTATION_INPUT_NAMES } from "../../provider/rotation/lifecycle";
import { INPUT_NAMES } from "../../provider/material/properties";
import { ROOT, SCHEMAS, generatePages } from "../../tools/docs/generate";
import { PAGE_TEXTS } from "../../tools/docs/pageTexts";

/**
 * docs/resources/*.md, the reference pages, are generated from the schemas (tools/docs/generate.ts): a committed
 * page that differs from what the script writes fails here (run `npm run docs` and commit). And what the pages say
 * is what the code does: each page's tables name exactly the properties the resource takes and reports, the names
 * check accepts.
 */

/** The first column of the table that follows a `## heading`: the property names it lists. */
function tableNames(page: string, heading: string): string[] {
    const section = page.split(`\n## ${heading}\n`)[1]?.split("\n## ")[0];
    assert.ok(section, `no section ${heading}`);
    return [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1]);
}

describe("docs/resources: the reference pages, generated from the schemas", () => {
    const pages = generatePages();

    it("are committed as the script writes them (run `npm run docs` after changing a schema)", () => {
        assert.deepEqual([...pages.keys()].sort(), [
            "docs/resources/byok-key.md",
            "docs/resources/imported-key-material.md",
            "docs/resources/key-material-rotation.md",
        ]);
        for (const [path, page] of pages) {
            assert.equal(
                readFileSync(join(ROOT, path), "utf8"),
                page,
                `${path} differs from the schema: run \`npm run docs\``,
            );
        }
    });

    it("name every input and output of each resource, and nothing else", () => {
        for (const [resource, text] of Object.entries(PAGE_TEXTS)) {
            const committed = readFileSync(join(ROOT, text.path), "utf8");
            const schema = SCHEMAS[resource];
            assert.deepEqual(
                tableNames(committed, "Argument Reference"),
                Object.keys(schema.inputs),
                `${text.path}: arguments`,
            );
            assert.deepEqual(
                tableNames(committed, "Attribute Reference"),
                Object.keys(schema.outputs),
                `${text.path}: attributes`,
            );
            for (const heading of ["Example Usage", "Argument Reference", "Attribute Reference", "Import"])
                assert.ok(committed.includes(`\n## ${heading}\n`), `${text.path}: ${heading}`);
        }
        // The names check accepts (the provider's own lists) are the pages' arguments.
        const argumentsOf = (path: string) => tableNames(readFileSync(join(ROOT, path), "utf8"), "Argument Reference");
        assert.deepEqual(argumentsOf("docs/resources/imported-key-material.md"), [...INPUT_NAMES]);
        assert.deepEqual(argumentsOf("docs/resources/key-material-rotation.md"), [...ROTATION_INPUT_NAMES]);
    });

    it("mark the secret inputs and every one's change effect", () => {
        const page = readFileSync(join(ROOT, "docs/resources/imported-key-material.md"), "utf8");
        for (const secret of ["keyMaterial", "hsmPin", "hsmModuleParameters"])
            assert.match(page, new RegExp(`^\\| \`${secret}\` \\|[^\\n]*\\| \\*\\*secret\\*\\* \\|`, "m"));
        assert.match(page, /^\| `keyId` \|[^\n]*\*\*replace\*\*/m);
        assert.match(page, /^\| `keyMaterial` \|[^\n]*\*\*refused\*\* at preview/m);
        assert.match(page, /^\| `validTo` \|[^\n]*the same material is imported again in place/m);
    });
});
