import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * The facts about AWS KMS that comments rely on live in docs/kms-behaviour.md, inside the repository. A comment
 * that still cites the team's former reference notes by section number, or points to a heading of the document
 * that does not exist (renamed, or mistyped), sends the reader nowhere: both fail here.
 */

const ROOT = join(__dirname, "..", "..", "..");
const BEHAVIOUR = "docs/kms-behaviour.md";
const SCANNED = ["provider", "kms-local", "test", "docs"];
const SOURCE = /\.(ts|md)$/;

/** "ref §4.4", "reference §7.1" or the former document's name: a citation of notes kept outside the repository. */
const OUT_OF_REPO = /\b(?:ref|reference)\s+\u00a7\s*\d|kms-import-api\.md/;
/** A link into the behaviour document; group 1 is the anchor. */
const ANCHOR_LINK = /kms-behaviour\.md#([\p{L}\p{N}_-]*)/gu;
/** A same-page link inside the behaviour document. */
const LOCAL_LINK = /\]\(#([^)\s]*)\)/g;

function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
        return SOURCE.test(entry.name) ? [path] : [];
    });
}

/**
 * The anchor GitHub gives a heading: its text lower-cased, punctuation dropped, spaces as hyphens, repeats numbered.
 */
function githubAnchors(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
        const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!heading?.[1]) continue;
        const text = heading[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
        const base = text
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    return anchors;
}

interface Finding {
    where: string;
    what: string;
}

function findings(anchors: Set<string>): Finding[] {
    const found: Finding[] = [];
    const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)));
    for (const file of files) {
        const name = relative(ROOT, file);
        // This file names the old form on purpose.
        if (name === join("test", "docs", "citations.test.ts")) continue;
        readFileSync(file, "utf8")
            .split("\n")
            .forEach((line, index) => {
                const where = `${name}:${index + 1}`;
                if (OUT_OF_REPO.test(line))
                    found.push({ where, what: `cites notes outside the repository: ${line.trim()}` });
                for (const match of line.matchAll(ANCHOR_LINK)) {
                    const anchor = match[1];
                    if (!anchors.has(anchor)) found.push({ where, what: `${BEHAVIOUR} has no heading #${anchor}` });
                }
            });
    }
    return found;
}

describe("citations of KMS behaviour", () => {
    const markdown = readFileSync(join(ROOT, BEHAVIOUR), "utf8");
    const anchors = githubAnchors(markdown);

    it("computes anchors the way GitHub does", () => {
        const sample = githubAnchors(
            "# A title\n## CreateKey, DescribeKey and ListKeys\n```\n## not a heading\n```\n## `Code` *x*\n## Code x\n",
        );
        assert.deepEqual([...sample], ["a-title", "createkey-describekey-and-listkeys", "code-x", "code-x-1"]);
        assert.ok(
            anchors.has("importkeymaterial") && anchors.has("behaviours-aws-does-not-pin-down"),
            "the document's own headings are read",
        );
    });

    it("links only to headings that exist inside the behaviour document itself", () => {
        const broken = [...markdown.matchAll(LOCAL_LINK)]
            .map((match) => match[1])
            .filter((anchor) => !anchors.has(anchor));
        assert.deepEqual(broken, []);
    });

    it("leaves no comment citing notes outside the repository, and no link to a missing heading", () => {
        const found = findings(anchors);
        assert.deepEqual(
            found.map((f) => `${f.where}: ${f.what}`),
            [],
            `${found.length} citation(s) to fix`,
        );
    });
});
