import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The front door stays a front door: the README fits on a screen or two and sends readers into docs/, and no
 * link in the README, CONTRIBUTING.md, CHANGELOG.md or docs/ leads nowhere (a file that does not exist, or a
 * heading that is not there: anchors are compared with the ids GitHub gives headings).
 */

const ROOT = join(__dirname, "../../..");
const README_LIMIT_BYTES = 12 * 1024;
/** Generated from the resources' schemas by `npm run docs`; the README links them from the start. */
const REFERENCE_PAGES = [
    "docs/resources/imported-key-material.md",
    "docs/resources/key-material-rotation.md",
    "docs/resources/byok-key.md",
];

function markdownFilesUnder(dir: string): string[] {
    return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) return markdownFilesUnder(path);
        return entry.name.endsWith(".md") ? [path] : [];
    });
}

const PAGES = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...markdownFilesUnder("docs")];

/** The text outside fenced code blocks and inline code spans: links and headings there are only examples. */
function prose(markdown: string): string {
    return markdown
        .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "")
        .replace(/`[^`\n]*`/g, (span) => (span.includes("](") ? "" : span));
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2, … */
function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    for (const match of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
        const text = match[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
        const slug = text
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const count = seen.get(slug) ?? 0;
        seen.set(slug, count + 1);
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
    return anchors;
}

interface Link {
    page: string;
    target: string;
}

function relativeLinks(page: string): Link[] {
    const text = prose(readFileSync(join(ROOT, page), "utf8"));
    const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const definitions = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
    return [...inline, ...definitions]
        .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
        .map((target) => ({ page, target }));
}

/** Why a link leads nowhere, or undefined when it resolves. */
function brokenBecause({ page, target }: Link): string | undefined {
    const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
    const file = pathPart === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(pathPart));
    const fromRoot = relative(ROOT, file);
    if (fromRoot.startsWith("..")) return "points outside the repository";
    if (!existsSync(file)) return REFERENCE_PAGES.includes(fromRoot) ? undefined : "no such file";
    if (anchor === undefined || !file.endsWith(".md") || statSync(file).isDirectory()) return undefined;
    return anchorsOf(readFileSync(file, "utf8")).has(anchor)
        ? undefined
        : `no heading with the id "${anchor}" in ${fromRoot}`;
}

describe("docs: the front door and its links", () => {
    it(`README.md is at most ${README_LIMIT_BYTES / 1024} KB`, () => {
        const bytes = statSync(join(ROOT, "README.md")).size;
        assert.ok(bytes <= README_LIMIT_BYTES, `README.md is ${bytes} bytes: move detail into docs/`);
    });

    it(
        "README.md links the overview, installation & configuration, every resource's reference " +
            "page and CONTRIBUTING.md",
        () => {
            const targets = new Set(relativeLinks("README.md").map((link) => link.target.split("#")[0]));
            for (const page of [
                "docs/_index.md",
                "docs/installation-configuration.md",
                ...REFERENCE_PAGES,
                "CONTRIBUTING.md",
                "CHANGELOG.md",
            ]) {
                assert.ok(targets.has(page), `README.md does not link ${page}`);
            }
        },
    );

    it("docs/_index.md links every page under docs/", () => {
        const linked = new Set(
            relativeLinks("docs/_index.md").map((link) =>
                relative(ROOT, resolve(join(ROOT, "docs"), link.target.split("#")[0])),
            ),
        );
        const pages = [...markdownFilesUnder("docs").filter((page) => page !== "docs/_index.md"), ...REFERENCE_PAGES];
        const missing = [...new Set(pages)].filter((page) => !linked.has(page));
        assert.deepEqual(missing, [], "pages docs/_index.md does not link");
    });

    it("every relative link in README.md, CONTRIBUTING.md, CHANGELOG.md and docs/ resolves, anchors included", () => {
        const links = PAGES.flatMap(relativeLinks);
        assert.ok(links.length > 100, `only ${links.length} relative links found: the link parser is broken`);
        const broken = links.flatMap((link) => {
            const why = brokenBecause(link);
            return why ? [`${link.page}: (${link.target}) ${why}`] : [];
        });
        assert.deepEqual(broken, []);
    });

    it("the anchor rule is GitHub's (a self-check of this test)", () => {
        const anchors = anchorsOf(
            "# Why not `aws.kms.ExternalKey`?\n## Installation & configuration\n### `pulumi-kms-byok:*` " +
                "keys\n## [0.1.0] - 2026-12-01\n## Details\n## Details\n```sh\n# not a heading\n```\n",
        );
        assert.deepEqual(
            [...anchors],
            [
                "why-not-awskmsexternalkey",
                "installation--configuration",
                "pulumi-kms-byok-keys",
                "010---2026-12-01",
                "details",
                "details-1",
            ],
        );
        assert.equal(brokenBecause({ page: "README.md", target: "docs/no-such-page.md" }), "no such file");
        assert.match(
            brokenBecause({ page: "README.md", target: "docs/_index.md#no-such-heading" }) ?? "",
            /no heading/,
        );
    });
});
