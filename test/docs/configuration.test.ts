import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NUMERIC_SETTINGS, NumericSetting } from "../../provider/client/limits";
import { CONFIG_KEYS } from "../../provider/client/stackConfig";

/**
 * docs/installation-configuration.md documents every stack config key the provider reads: each
 * `pulumi-kms-byok:*` key has a row in its table (with the bounds and default the code applies, for numbers),
 * and each `aws:*` key is named. The keys come from the code: CONFIG_KEYS, and any `pulumi-kms-byok:<key>`
 * written anywhere in provider/ (a key read outside CONFIG_KEYS would otherwise go undocumented).
 */

const ROOT = join(__dirname, "../../..");
const PAGE = readFileSync(join(ROOT, "docs", "installation-configuration.md"), "utf8");

function sourcesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return sourcesUnder(path);
        return entry.name.endsWith(".ts") ? [path] : [];
    });
}

/** `pulumi-kms-byok:<key>` in the provider's source; `pulumi-kms-byok:index:…` is a type token, not config. */
function keysNamedInProvider(): Set<string> {
    const keys = new Set<string>();
    for (const file of sourcesUnder(join(ROOT, "provider"))) {
        for (const match of readFileSync(file, "utf8").matchAll(/pulumi-kms-byok:([A-Za-z]+)\b(?!:)/g)) {
            if (match[1] !== "index") keys.add(`pulumi-kms-byok:${match[1]}`);
        }
    }
    return keys;
}

/** The cells of the table row whose first cell is `key`. */
function rowOf(key: string): string[] | undefined {
    const line = PAGE.split("\n").find((l) => l.startsWith(`| \`${key}\` |`));
    return line?.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, "").trim());
}

const ownKeys = () => [
    ...new Set([
        ...Object.values(CONFIG_KEYS).filter((key) => key.startsWith("pulumi-kms-byok:")),
        ...keysNamedInProvider(),
    ]),
];

describe("docs/installation-configuration.md: every config key", () => {
    it("has a row (type, default, what it does) for every pulumi-kms-byok:* key the provider reads", () => {
        const keys = ownKeys();
        assert.ok(keys.length >= 15, `only ${keys.length} keys found in the code`);
        const undocumented = keys.filter((key) => {
            const row = rowOf(key);
            return !row || row.length !== 4 || row.some((cell) => cell === "");
        });
        assert.deepEqual(undocumented, []);
    });

    it("gives each numeric setting the bounds and default the code applies", () => {
        for (const [name, bounds] of Object.entries(NUMERIC_SETTINGS) as [
            NumericSetting,
            (typeof NUMERIC_SETTINGS)[NumericSetting],
        ][]) {
            const key = CONFIG_KEYS[name];
            const [, type, defaultCell] = rowOf(key)!;
            assert.ok(
                type.includes(`${bounds.min}–${bounds.max}`),
                `${key}: the page says "${type}", the code ${bounds.min}–${bounds.max}`,
            );
            assert.ok(
                defaultCell.startsWith(String(bounds.default)),
                `${key}: the page's default "${defaultCell}", the code's ${bounds.default}`,
            );
            const integer = "integer" in bounds && bounds.integer;
            assert.equal(type.startsWith("whole number"), integer, `${key}: whole number or not, as the code checks`);
        }
    });

    it("names every aws:* key the provider reads", () => {
        const missing = Object.values(CONFIG_KEYS).filter(
            (key) => key.startsWith("aws:") && !PAGE.includes(`\`${key}\``),
        );
        assert.deepEqual(missing, []);
    });
});
