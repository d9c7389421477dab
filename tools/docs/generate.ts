import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import type { ChangeEffect, InputSpec, OutputSpec } from "../../provider/checks/schema";
import { MATERIAL_INPUTS, MATERIAL_OUTPUTS } from "../../provider/material/schema";
import { BYOK_KEY_INPUTS, BYOK_KEY_OUTPUTS } from "../../provider/resource/byokKeySchema";
import { ROTATION_INPUTS, ROTATION_OUTPUTS } from "../../provider/rotation/schema";
import { PAGE_TEXTS, PageText } from "./pageTexts";

/**
 * Writes docs/resources/*.md, the reference page of each resource, in terraform's per-resource shape: Example
 * Usage, Argument Reference, Attribute Reference, Import. Every row of the tables comes from the resource's
 * schema: the entry's type, default, secrecy and change effect, and its doc, the JSDoc written on the entry
 * (read from the schema's source, the one place it is written). Only the prose around the tables is kept here
 * (pageTexts.ts). `npm run docs` runs it; test/docs/reference.test.ts fails when a committed page differs.
 */

export const ROOT = join(__dirname, "../../..");

/** A resource's schema as the page shows it: its entries and where their docs are written. */
export interface SchemaForPage {
    inputs: Readonly<Record<string, InputSpec & { passTo?: string }>>;
    outputs: Readonly<Record<string, OutputSpec>>;
    /** The source file declaring them, and the names of the two `const` objects. */
    source: string;
    inputsName: string;
    outputsName: string;
}

export const SCHEMAS: Record<string, SchemaForPage> = {
    ImportedKeyMaterial: {
        inputs: MATERIAL_INPUTS,
        outputs: MATERIAL_OUTPUTS,
        source: "provider/material/schema.ts",
        inputsName: "MATERIAL_INPUTS",
        outputsName: "MATERIAL_OUTPUTS",
    },
    KeyMaterialRotation: {
        inputs: ROTATION_INPUTS,
        outputs: ROTATION_OUTPUTS,
        source: "provider/rotation/schema.ts",
        inputsName: "ROTATION_INPUTS",
        outputsName: "ROTATION_OUTPUTS",
    },
    ByokKey: {
        inputs: BYOK_KEY_INPUTS,
        outputs: BYOK_KEY_OUTPUTS,
        source: "provider/resource/byokKeySchema.ts",
        inputsName: "BYOK_KEY_INPUTS",
        outputsName: "BYOK_KEY_OUTPUTS",
    },
};

const CHANGES: Record<ChangeEffect, string> = {
    nothing: "none: not part of the plan",
    recorded: "update: recorded, no KMS call (used from the next import or call on)",
    reimport: "update: the same material is imported again in place",
    rotate: "update: RotateKeyOnDemand, then waits until the material is CURRENT",
    replace: "**replace**: created anew before the old one is deleted",
    refused: "**refused** at preview",
    key: "as `aws.kms.ExternalKey` (or `aws.kms.Alias`) applies it",
};

/** The JSDoc written on each property of an exported `const` object in a TypeScript source file. */
export function docsOf(sourceText: string, constName: string): Map<string, string> {
    const file = ts.createSourceFile("schema.ts", sourceText, ts.ScriptTarget.ES2022, true);
    const docs = new Map<string, string>();
    const visit = (node: ts.Node): void => {
        if (ts.isVariableDeclaration(node) && node.name.getText(file) === constName && node.initializer) {
            let literal: ts.Node = node.initializer;
            while (ts.isSatisfiesExpression(literal) || ts.isAsExpression(literal)) literal = literal.expression;
            if (!ts.isObjectLiteralExpression(literal)) return;
            for (const property of literal.properties) {
                const comment = ts
                    .getJSDocCommentsAndTags(property)
                    .filter(ts.isJSDoc)
                    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "");
                if (property.name) docs.set(property.name.getText(file), comment.join(" ").replace(/\s+/g, " ").trim());
            }
            return;
        }
        ts.forEachChild(node, visit);
    };
    visit(file);
    return docs;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function argumentRows(resource: string, schema: SchemaForPage, docs: Map<string, string>): string[] {
    const rows = [
        "| argument | type | required / default | secret | on change | description |",
        "|---|---|---|---|---|---|",
    ];
    for (const [name, spec] of Object.entries(schema.inputs)) {
        const byDefault = spec.required ? "**required**" : (spec.default ?? "—");
        const secret = spec.secret ? "**secret**" : "no";
        let change = CHANGES[spec.change];
        if (spec.passTo === "material") change = `passed to the material: ${change}`;
        const doc = docs.get(name) ?? "";
        if (doc === "") throw new Error(`${resource}: the schema entry ${name} has no doc comment`);
        rows.push(
            `| \`${name}\` | ${cell(spec.type.shown)} | ${cell(byDefault)} | ${secret} | ` +
                `${cell(change)} | ${cell(doc)} |`,
        );
    }
    return rows;
}

function attributeRows(resource: string, schema: SchemaForPage, docs: Map<string, string>): string[] {
    const rows = ["| attribute | type | description |", "|---|---|---|"];
    for (const [name, spec] of Object.entries(schema.outputs)) {
        const doc = docs.get(name) ?? "";
        if (doc === "") throw new Error(`${resource}: the schema entry ${name} has no doc comment`);
        const applied = spec.echo === undefined ? "" : " (the input as applied)";
        rows.push(`| \`${name}\` | ${cell(spec.type.shown)}${applied} | ${cell(doc)} |`);
    }
    return rows;
}

/** One resource's page. `schema` may be any schema of the right shape (the tests give one with an entry removed). */
export function renderPage(resource: string, schema: SchemaForPage, text: PageText, sourceText?: string): string {
    const source = sourceText ?? readFileSync(join(ROOT, schema.source), "utf8");
    const secrets = Object.entries(schema.inputs)
        .filter(([, spec]) => spec.secret)
        .map(([name]) => `\`${name}\``);
    return [
        "<!-- Generated by tools/docs/generate.ts (`npm run docs`) from " +
            schema.source +
            "; edit the schema, not this page. -->",
        "",
        `# ${resource}`,
        "",
        text.intro,
        "",
        "## Example Usage",
        "",
        "```ts",
        text.example.trim(),
        "```",
        "",
        "## Argument Reference",
        "",
        text.argumentsNote,
        "",
        ...argumentRows(resource, schema, docsOf(source, schema.inputsName)),
        "",
        secrets.length > 0
            ? `The secret arguments (${secrets.join(", ")}) are stored in the state only as secrets ` +
              `(\`additionalSecretOutputs\`) and are never an attribute.`
            : "No argument is a secret.",
        "",
        "## Attribute Reference",
        "",
        text.attributesNote,
        "",
        ...attributeRows(resource, schema, docsOf(source, schema.outputsName)),
        "",
        "## Import",
        "",
        text.adoption,
        "",
    ].join("\n");
}

/** Every page, by its path in the repository. */
export function generatePages(): Map<string, string> {
    return new Map(
        Object.entries(PAGE_TEXTS).map(([resource, text]) => [
            text.path,
            renderPage(resource, SCHEMAS[resource], text),
        ]),
    );
}

if (require.main === module) {
    for (const [path, page] of generatePages()) {
        writeFileSync(join(ROOT, path), page);
        console.log(`wrote ${path}`);
    }
}
