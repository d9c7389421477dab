import assert from "node:assert/strict";
import { join } from "node:path";
import ts from "typescript";
import { MATERIAL_INPUTS, MATERIAL_OUTPUTS } from "../../provider/material/schema";
import { BYOK_KEY_INPUTS, BYOK_KEY_OUTPUTS } from "../../provider/resource/byokKeySchema";
import { ROTATION_INPUTS, ROTATION_OUTPUTS } from "../../provider/rotation/schema";

/**
 * The package's public API, read by the TypeScript compiler from the sources: every type a public signature
 * uses is exported from the package root, every output and argument of every resource has a doc comment,
 * and the typings promise what the provider keeps (a plain-string keyMaterialId only for symmetric keys).
 */

const ROOT = join(__dirname, "../../..");
const INDEX = join(ROOT, "provider/index.ts");
/** A program that exists only in memory, compiled against the package root like a user's program. */
const SNIPPET = join(ROOT, "test/provider/typing-snippet.ts");
const SNIPPET_TEXT = `
import * as pulumi from "@pulumi/pulumi";
import { ByokKey, ImportedKeyMaterial, KeySpec } from "../../provider";
declare const spec: KeySpec;
const args = { keyId: "k", keyMaterial: "m" };
export const symmetric: pulumi.Output<string> =
    new ImportedKeyMaterial("a", { ...args, keySpec: "SYMMETRIC_DEFAULT" }).keyMaterialId;
export const byok: pulumi.Output<string> = new ByokKey("b", { keyMaterial: "m" }).keyMaterialId;
export const any: pulumi.Output<string | null> = new ImportedKeyMaterial("c", args).keyMaterialId;
export const usage = new ByokKey("d", { keyMaterial: "m", keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" });
// @ts-expect-error: keySpec omitted: inferred from the material at run time, so possibly null
export const inferred: pulumi.Output<string> = new ImportedKeyMaterial("e", args).keyMaterialId;
// @ts-expect-error: a key spec known only at run time
export const dynamicSpec: pulumi.Output<string> =
    new ImportedKeyMaterial("f", { ...args, keySpec: spec }).keyMaterialId;
// @ts-expect-error: an RSA key may have no KeyMaterialId
export const rsa: pulumi.Output<string> = new ByokKey("g", { keyMaterial: "m", keySpec: "RSA_2048" }).keyMaterialId;
// @ts-expect-error: keyUsage is KMS's union, not any string
new ByokKey("h", { keyMaterial: "m", keyUsage: "ENCRYPT" });
`;

function compile(): { program: ts.Program; checker: ts.TypeChecker } {
    const options: ts.CompilerOptions = {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (file, language, ...rest) =>
        file === SNIPPET ? ts.createSourceFile(file, SNIPPET_TEXT, language) : getSourceFile(file, language, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (file) => file === SNIPPET || fileExists(file);
    const program = ts.createProgram([INDEX, SNIPPET], options, host);
    return { program, checker: program.getTypeChecker() };
}

const resolve = (checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

const isSchemaMachinery = (node: ts.Node): boolean =>
    node.getSourceFile().fileName === join(ROOT, "provider/checks/schema.ts");

const isOurs = (node: ts.Node): boolean => node.getSourceFile().fileName.startsWith(join(ROOT, "provider"));

const isPrivate = (node: ts.Node): boolean =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some(
        (m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword,
    );

/** The parts of a declaration a user of the package sees: signatures and types, not bodies or private members. */
function publicTypeNodes(declaration: ts.Declaration): ts.Node[] {
    if (ts.isClassDeclaration(declaration) || ts.isInterfaceDeclaration(declaration)) {
        const members = (declaration.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>).filter(
            (m) => !isPrivate(m),
        );
        const signatures = members.flatMap((m) => {
            if (ts.isConstructorDeclaration(m) || ts.isMethodDeclaration(m))
                return [...m.parameters.map((p) => p.type), m.type];
            return [(m as ts.PropertyDeclaration).type];
        });
        const nodes: (ts.Node | undefined)[] = [
            ...(declaration.heritageClauses ?? []),
            ...(declaration.typeParameters ?? []),
            ...signatures,
        ];
        return nodes.filter((n): n is ts.Node => n !== undefined);
    }
    if (ts.isTypeAliasDeclaration(declaration)) return [declaration.type, ...(declaration.typeParameters ?? [])];
    if (ts.isFunctionDeclaration(declaration))
        return [...declaration.parameters.map((p) => p.type), declaration.type].filter(
            (n): n is ts.TypeNode => n !== undefined,
        );
    if (ts.isVariableDeclaration(declaration)) return declaration.type ? [declaration.type] : [];
    return [];
}

/** Every type of this package that the public declarations reach, transitively, by name. */
function reachableTypes(checker: ts.TypeChecker, roots: ts.Symbol[]): Map<string, string> {
    const found = new Map<string, string>();
    const seen = new Set<ts.Symbol>();
    const visitSymbol = (symbol: ts.Symbol, from: string) => {
        const target = resolve(checker, symbol);
        if (seen.has(target) || target.flags & ts.SymbolFlags.TypeParameter) return;
        seen.add(target);
        const declarations = (target.declarations ?? []).filter(isOurs);
        // The schema machinery (checks/schema.ts) builds the Args and output types; a user names those, not it.
        if (declarations.length === 0 || declarations.every(isSchemaMachinery)) return;
        if (
            target.flags &
            (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum)
        )
            found.set(target.name, from);
        for (const declaration of declarations)
            for (const node of publicTypeNodes(declaration)) visitNode(node, target.name);
    };
    const visitNode = (node: ts.Node, from: string): void => {
        const name = ts.isTypeReferenceNode(node)
            ? node.typeName
            : ts.isExpressionWithTypeArguments(node)
              ? node.expression
              : ts.isTypeQueryNode(node)
                ? node.exprName
                : undefined;
        const symbol = name && checker.getSymbolAtLocation(name);
        if (symbol) visitSymbol(symbol, from);
        ts.forEachChild(node, (child) => visitNode(child, from));
    };
    for (const root of roots) visitSymbol(root, "the package root");
    return found;
}

describe("provider/index: the public API", function () {
    // Compiling the package takes ~15 s of CPU; on a shared, loaded machine the wall clock is several times that.
    this.timeout(300_000);
    let compiled: ReturnType<typeof compile>;
    let exported: ts.Symbol[];
    before(() => {
        compiled = compile();
        const index = compiled.program.getSourceFile(INDEX)!;
        exported = compiled.checker.getExportsOfModule(compiled.checker.getSymbolAtLocation(index)!);
    });

    it("exports from the package root every type a public signature uses", () => {
        const names = new Set(exported.map((s) => s.name));
        const reachable = reachableTypes(compiled.checker, exported);
        for (const expected of [
            "KeyState",
            "ImportState",
            "KeyMaterialState",
            "MultiRegionKeyType",
            "MaterialCondition",
            "KeyUsage",
            "KeyMaterialIdFor",
        ]) {
            assert.ok(reachable.has(expected), `${expected} is used by a public signature`);
        }
        const missing = [...reachable]
            .filter(([name]) => !names.has(name))
            .map(([name, from]) => `${name} (used by ${from})`);
        assert.deepEqual(missing, [], "types used publicly but not exported from the package root");
    });

    it("documents every output and argument of every resource (the schema's doc, carried by the derived types)", () => {
        const undocumented: string[] = [];
        const properties = new Map<string, string[]>();
        for (const symbol of exported.map((s) => resolve(compiled.checker, s))) {
            const declaration = symbol.declarations?.[0];
            if (
                !declaration ||
                !(
                    ts.isClassDeclaration(declaration) ||
                    (ts.isInterfaceDeclaration(declaration) && symbol.name.endsWith("Args"))
                )
            )
                continue;
            if (ts.isClassDeclaration(declaration) && symbol.getDocumentationComment(compiled.checker).length === 0) {
                undocumented.push(symbol.name);
            }
            // The properties as a user's program sees them: declared, merged from the schema's mapped types, or
            // inherited.
            const type = compiled.checker.getDeclaredTypeOfSymbol(symbol);
            const ours = compiled.checker
                .getPropertiesOfType(type)
                .filter((p) => (p.declarations ?? []).some(isOurs) && !(p.declarations ?? []).some(isPrivate));
            properties.set(
                symbol.name,
                ours.map((p) => p.name),
            );
            for (const property of ours) {
                if (property.getDocumentationComment(compiled.checker).length === 0)
                    undocumented.push(`${symbol.name}.${property.name}`);
            }
        }
        assert.deepEqual(undocumented, []);
        assert.deepEqual(properties.get("ImportedKeyMaterialArgs"), Object.keys(MATERIAL_INPUTS));
        assert.deepEqual(properties.get("KeyMaterialRotationArgs"), Object.keys(ROTATION_INPUTS));
        assert.deepEqual(properties.get("ByokKeyArgs"), Object.keys(BYOK_KEY_INPUTS));
        assert.deepEqual(properties.get("ImportedKeyMaterial"), Object.keys(MATERIAL_OUTPUTS));
        assert.deepEqual(properties.get("KeyMaterialRotation"), Object.keys(ROTATION_OUTPUTS));
        assert.deepEqual(
            properties.get("ByokKey")?.sort(),
            ["key", "material", "aliases", ...Object.keys(BYOK_KEY_OUTPUTS)].sort(),
        );
    });

    it("types keyMaterialId as a plain string only where KMS always reports one, and keyUsage as KMS's union", () => {
        const diagnostics = ts
            .getPreEmitDiagnostics(compiled.program)
            .filter((d) => d.file?.fileName === SNIPPET || d.file?.fileName.startsWith(join(ROOT, "provider")));
        const text = diagnostics.map(
            (d) =>
                `${d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : "?"}: ` +
                ts.flattenDiagnosticMessageText(d.messageText, " "),
        );
        // Each @ts-expect-error line must fail to compile (else TS reports the directive unused), every other line must
        // compile.
        assert.deepEqual(text, []);
    });
});
