/**
 * Shortens the lines prettier leaves over MAX_LINE_LENGTH: it splits long string and template literals into
 * `"…" + "…"` pieces at spaces, and re-flows long `//` and `/** *\/` comment lines at word boundaries. Run it
 * between two `prettier --write .` (`npm run format`): prettier then lays the new `+` chains out. Idempotent:
 * a second run changes nothing.
 *
 * A literal is split only where its value, not its type, matters: never in a type, an import or export
 * specifier, a property name, a directive, a tagged template, under `as const`, or where the checker expects a
 * literal type (there `"a" + "b"` would widen to string). Those are listed, as is every long line it could not
 * shorten; `tools/style/lineLength.ts` then fails on them until they are shortened by hand.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { MAX_LINE_LENGTH, repositoryRoot, styledFiles } from "./files";

interface Edit {
    start: number;
    end: number;
    text: string;
}

/** Room a piece leaves on its line after prettier indents the `+` chain: two levels, quotes and ` +`. */
const CHAIN_OVERHEAD = 8 + 4;

/** Shortest piece worth splitting off: a shorter one only adds noise. */
const MIN_PIECE = 20;

/** Parents in which `a + b` can replace a literal without parentheses (`+` binds tighter than all of these). */
const LOOSE_PARENTS = new Set<ts.SyntaxKind>([
    ts.SyntaxKind.CallExpression,
    ts.SyntaxKind.NewExpression,
    ts.SyntaxKind.VariableDeclaration,
    ts.SyntaxKind.PropertyAssignment,
    ts.SyntaxKind.PropertyDeclaration,
    ts.SyntaxKind.Parameter,
    ts.SyntaxKind.ReturnStatement,
    ts.SyntaxKind.ThrowStatement,
    ts.SyntaxKind.ArrayLiteralExpression,
    ts.SyntaxKind.ConditionalExpression,
    ts.SyntaxKind.TemplateSpan,
    ts.SyntaxKind.ParenthesizedExpression,
    ts.SyntaxKind.ArrowFunction,
]);

/** Binary operators that bind less tightly than `+` (so `x op "a" + "b"` still means `x op ("a" + "b")`). */
const LOOSE_OPERATORS = new Set<ts.SyntaxKind>([
    ts.SyntaxKind.PlusToken,
    ts.SyntaxKind.EqualsEqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken,
    ts.SyntaxKind.ExclamationEqualsToken,
    ts.SyntaxKind.AmpersandAmpersandToken,
    ts.SyntaxKind.BarBarToken,
    ts.SyntaxKind.QuestionQuestionToken,
    ts.SyntaxKind.EqualsToken,
    ts.SyntaxKind.PlusEqualsToken,
    ts.SyntaxKind.CommaToken,
]);

type Literal = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression;

function isLiteral(node: ts.Node): node is Literal {
    return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
}

/** Why a literal must keep its single token, or undefined when it may be split. */
function keepWhole(node: Literal, checker: ts.TypeChecker): string | undefined {
    const parent = node.parent;
    if (ts.isTaggedTemplateExpression(parent)) return "tagged template";
    if (ts.isExpressionStatement(parent)) return "directive or bare statement";
    if (
        ts.isImportDeclaration(parent) ||
        ts.isExportDeclaration(parent) ||
        ts.isExternalModuleReference(parent) ||
        ts.isImportTypeNode(parent) ||
        ts.isModuleDeclaration(parent)
    ) {
        return "module specifier";
    }
    for (let up: ts.Node = node; !ts.isSourceFile(up); up = up.parent) {
        if (ts.isTypeNode(up) && !ts.isExpressionWithTypeArguments(up)) return "type position";
        if ((ts.isAsExpression(up) || ts.isSatisfiesExpression(up)) && up.type.getText() === "const") {
            return "under `as const`";
        }
        if (ts.isStatement(up) || ts.isFunctionLike(up)) break;
    }
    if (
        (ts.isPropertyAssignment(parent) ||
            ts.isPropertyDeclaration(parent) ||
            ts.isPropertySignature(parent) ||
            ts.isMethodDeclaration(parent) ||
            ts.isEnumMember(parent) ||
            ts.isGetAccessor(parent) ||
            ts.isSetAccessor(parent)) &&
        parent.name === node
    ) {
        return "property name";
    }
    if (ts.isComputedPropertyName(parent) || ts.isElementAccessExpression(parent)) return "property key";
    if (ts.isCaseClause(parent)) return "case label";
    const contextual = checker.getContextualType(node);
    // `"a" + "b"` is a string: where a string would not do (a literal union), the literal stays whole.
    if (contextual !== undefined && !checker.isTypeAssignableTo(checker.getStringType(), contextual)) {
        return "a literal type is expected here";
    }
    return undefined;
}

/**
 * Offsets (in the source text) where a literal may be cut: just after a space that is not escaped and lies in
 * the literal's own text, not inside a `${…}` substitution and not right after the opening quote.
 */
function cutPoints(node: Literal, text: string): number[] {
    const segments: [number, number][] = [];
    if (ts.isTemplateExpression(node)) {
        segments.push([node.head.getStart() + 1, node.head.end - 2]);
        for (const span of node.templateSpans) {
            const literal = span.literal;
            const close = ts.isTemplateTail(literal) ? 1 : 2;
            segments.push([literal.getStart() + 1, literal.end - close]);
        }
    } else {
        segments.push([node.getStart() + 1, node.end - 1]);
    }
    const points: number[] = [];
    for (const [from, to] of segments) {
        for (let at = from + 1; at <= to; at++) {
            if (text[at - 1] === " " && text[at] !== " " && !escaped(text, at - 1)) points.push(at);
        }
    }
    return points;
}

/** Whether the character at `at` is escaped by an odd run of backslashes before it. */
function escaped(text: string, at: number): boolean {
    let slashes = 0;
    for (let before = at - 1; before >= 0 && text[before] === "\\"; before--) slashes++;
    return slashes % 2 === 1;
}

function lineStart(text: string, offset: number): number {
    return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
    const end = text.indexOf("\n", offset);
    return end === -1 ? text.length : end;
}

function indentationOf(line: string): number {
    return line.length - line.trimStart().length;
}

/**
 * The literal rewritten as `piece + piece + …`, each piece no wider than `width` where a space allows it, or
 * undefined when it has no usable cut.
 */
function splitLiteral(node: Literal, text: string, width: number): string | undefined {
    const start = node.getStart();
    const quote = text[start];
    const cuts = cutPoints(node, text);
    const chosen: number[] = [];
    let pieceStart = start;
    for (;;) {
        const limit = pieceStart + width - (chosen.length === 0 ? 1 : 2);
        if (node.end <= limit + 1) break;
        const usable = cuts.filter((cut) => cut > pieceStart + MIN_PIECE && cut <= limit && node.end - cut > MIN_PIECE);
        const cut = usable.length > 0 ? usable[usable.length - 1] : undefined;
        if (cut === undefined) break;
        chosen.push(cut);
        pieceStart = cut;
    }
    if (chosen.length === 0) return undefined;
    const pieces: string[] = [];
    let from = start;
    for (const cut of chosen) {
        pieces.push(`${from === start ? "" : quote}${text.slice(from, cut)}${quote}`);
        from = cut;
    }
    pieces.push(`${quote}${text.slice(from, node.end)}`);
    const chain = pieces.join(" + ");
    return needsParentheses(node) ? `(${chain})` : chain;
}

function needsParentheses(node: Literal): boolean {
    const parent = node.parent;
    if (ts.isBinaryExpression(parent)) return !LOOSE_OPERATORS.has(parent.operatorToken.kind);
    if (ts.isArrowFunction(parent)) return parent.body !== node;
    return !LOOSE_PARENTS.has(parent.kind);
}

/** Edits for the long code lines of one file, plus what it could not shorten. */
function literalEdits(source: ts.SourceFile, checker: ts.TypeChecker, report: string[], file: string): Edit[] {
    const text = source.text;
    const edits: Edit[] = [];
    const visit = (node: ts.Node): void => {
        if (isLiteral(node)) {
            const start = node.getStart(source);
            const first = lineStart(text, start);
            const line = text.slice(first, lineEnd(text, start));
            const endsOnLine = node.end <= first + line.length;
            if (line.length > MAX_LINE_LENGTH && endsOnLine && node.end - start > 2 * MIN_PIECE) {
                const where = `${file}:${source.getLineAndCharacterOfPosition(start).line + 1}`;
                const reason = keepWhole(node, checker);
                if (reason !== undefined) {
                    report.push(`${where}: literal kept whole (${reason})`);
                } else {
                    let width = Math.max(MAX_LINE_LENGTH - indentationOf(line) - CHAIN_OVERHEAD, 2 * MIN_PIECE);
                    // A literal that fits on a line of its own but shares one (`it("…", async () => {`): halve it.
                    if (node.end - start <= width) width = Math.ceil((node.end - start) / 2) + MIN_PIECE / 2;
                    const replacement = splitLiteral(node, text, width);
                    if (replacement === undefined) report.push(`${where}: literal has no space to split at`);
                    else edits.push({ start, end: node.end, text: replacement });
                }
                return;
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return edits;
}

/** Every comment's [start, end) in the file, found through the tokens' leading and trailing trivia. */
function commentRanges(source: ts.SourceFile): ts.CommentRange[] {
    const text = source.text;
    const seen = new Map<number, ts.CommentRange>();
    const collect = (ranges: ts.CommentRange[] | undefined): void => {
        for (const range of ranges ?? []) seen.set(range.pos, range);
    };
    const visit = (node: ts.Node): void => {
        collect(ts.getLeadingCommentRanges(text, node.pos));
        collect(ts.getTrailingCommentRanges(text, node.end));
        ts.forEachChild(node, visit);
    };
    visit(source);
    collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.pos));
    return [...seen.values()];
}

/** A comment line's marker (indentation plus `// `, ` * ` or `/** `) and the words after it. */
interface CommentLine {
    prefix: string;
    continuation: string;
    body: string;
    closing: string;
}

function parseCommentLine(line: string, block: boolean): CommentLine | undefined {
    const slashes = /^(\s*\/\/+ ?)(.*)$/.exec(line);
    if (!block && slashes) return { prefix: slashes[1], continuation: slashes[1], body: slashes[2], closing: "" };
    if (!block) return undefined;
    const opening = /^(\s*)\/\*\*? ?(.*?)( ?\*\/)?$/.exec(line);
    if (opening && line.trimStart().startsWith("/*")) {
        const indent = opening[1];
        const marker = line.trimStart().startsWith("/**") ? "/** " : "/* ";
        return {
            prefix: indent + marker,
            continuation: `${indent} * `,
            body: opening[2],
            closing: opening.at(3) ?? "",
        };
    }
    const star = /^(\s*\* ?)(.*?)( ?\*\/)?$/.exec(line);
    if (star) return { prefix: star[1], continuation: star[1], body: star[2], closing: star.at(3) ?? "" };
    return undefined;
}

/** Lines that start a list item, a tag or a table row: a carried word must not join them. */
function startsOwnParagraph(body: string): boolean {
    return body.trim() === "" || /^(\s|[-*+|>@#]|\d+[.)]\s|```)/.test(body);
}

/**
 * Re-flows the long comment lines of one file: the words past the limit move to the next line of the same
 * comment when that line continues the paragraph, or to a new line with the same marker. A word longer than
 * the room (a URL) gets a line of its own, unbroken.
 */
function reflowComments(source: ts.SourceFile, report: string[], file: string): string {
    const text = source.text;
    const lines = text.split("\n");
    const starts: number[] = [];
    let offset = 0;
    for (const line of lines) {
        starts.push(offset);
        offset += line.length + 1;
    }
    const kindOfLine = new Map<number, "line" | "block">();
    const lineOfOffset = (at: number): number => source.getLineAndCharacterOfPosition(at).line;
    for (const range of commentRanges(source)) {
        const first = lineOfOffset(range.pos);
        const last = lineOfOffset(range.end);
        const ownLine = text.slice(starts[first], range.pos).trim() === "";
        if (!ownLine) continue;
        const kind = range.kind === ts.SyntaxKind.SingleLineCommentTrivia ? "line" : "block";
        for (let index = first; index <= last; index++) kindOfLine.set(index, kind);
    }
    const out: string[] = [];
    let carried: string[] = [];
    let carriedFrom: CommentLine | undefined;
    for (let index = 0; index < lines.length; index++) {
        let line = lines[index];
        const kind = kindOfLine.get(index);
        const parsed = kind === undefined ? undefined : parseCommentLine(line, kind === "block");
        if (carriedFrom !== undefined) {
            const joins =
                parsed !== undefined &&
                parsed.prefix === carriedFrom.continuation &&
                carriedFrom.closing === "" &&
                !startsOwnParagraph(parsed.body);
            if (joins) {
                line = parsed.prefix + [...carried, parsed.body].join(" ");
            } else {
                out.push(...wrapWords(carriedFrom.continuation, carried, carriedFrom.closing));
            }
            carried = [];
            carriedFrom = undefined;
        }
        const current = kind === undefined ? undefined : parseCommentLine(line, kind === "block");
        if (line.length <= MAX_LINE_LENGTH || current === undefined || current.body.trim() === "") {
            // A long code line is left to prettier (a split literal is laid out there) and to lineLength's report.
            if (line.length > MAX_LINE_LENGTH && current !== undefined) {
                report.push(`${file}:${index + 1}: comment line left as it is`);
            }
            out.push(line);
            continue;
        }
        const words = current.body.split(" ");
        const kept: string[] = [];
        let length = current.prefix.length;
        for (const word of words) {
            const added = (kept.length === 0 ? 0 : 1) + word.length;
            if (kept.length > 0 && length + added > MAX_LINE_LENGTH) break;
            kept.push(word);
            length += added;
        }
        // The words fit but the closing `*/` does not: the last word goes with the closing.
        if (kept.length === words.length && kept.length > 1) kept.pop();
        const rest = words.slice(kept.length);
        if (rest.length === 0) {
            out.push(line);
            continue;
        }
        if (current.closing !== "" && current.prefix !== current.continuation) {
            // A one-line `/** … */` too long for one line becomes a block of its own.
            const indent = current.prefix.slice(0, current.prefix.indexOf("/"));
            out.push(current.prefix.trimEnd(), ...wrapWords(current.continuation, words, ""), `${indent} */`);
            continue;
        }
        out.push(current.prefix + kept.join(" "));
        carried = rest;
        carriedFrom = current;
        if (current.prefix !== current.continuation) carriedFrom = { ...current, prefix: current.continuation };
    }
    if (carriedFrom !== undefined) out.push(...wrapWords(carriedFrom.continuation, carried, carriedFrom.closing));
    return out.join("\n");
}

/** Words laid out greedily on lines that start with `prefix`; the closing marker ends the last line. */
function wrapWords(prefix: string, words: readonly string[], closing: string): string[] {
    const lines: string[] = [];
    let current: string[] = [];
    let length = prefix.length;
    for (const word of words) {
        const added = (current.length === 0 ? 0 : 1) + word.length;
        if (current.length > 0 && length + added > MAX_LINE_LENGTH) {
            lines.push(prefix + current.join(" "));
            current = [];
            length = prefix.length;
        }
        current.push(word);
        length += (current.length === 1 ? 0 : 1) + word.length;
    }
    lines.push(prefix + current.join(" ") + closing);
    return lines;
}

function applyEdits(text: string, edits: Edit[]): string {
    let result = text;
    for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
        result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
    }
    return result;
}

/** One pass over the tree: literals (with the checker), then comments. Returns the files it changed. */
function pass(root: string, files: readonly string[], report: string[]): string[] {
    const configFile = path.join(root, "tsconfig.json");
    const config = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configFile);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    const checker = program.getTypeChecker();
    const changed: string[] = [];
    for (const file of files) {
        const relative = path.relative(root, file);
        const source = program.getSourceFile(file);
        const original = fs.readFileSync(file, "utf8");
        // A file outside the program (eslint.config.mjs) only has its comments re-flowed.
        const edits = source === undefined ? [] : literalEdits(source, checker, report, relative);
        const withLiterals = applyEdits(original, edits);
        const reparsed = ts.createSourceFile(file, withLiterals, ts.ScriptTarget.Latest, true);
        const result = reflowComments(reparsed, report, relative);
        if (result !== original) {
            fs.writeFileSync(file, result);
            changed.push(relative);
        }
    }
    return changed;
}

function main(): void {
    const root = repositoryRoot();
    const files = styledFiles(root).filter((file) => {
        const lines = fs.readFileSync(file, "utf8").split("\n");
        return lines.some((line) => line.length > MAX_LINE_LENGTH);
    });
    // One pass: the pieces it makes are laid out by the prettier run that follows, not by a second pass.
    const report: string[] = [];
    const changed = pass(root, files, report);
    console.log(`splitLongLines: changed ${changed.length} file(s)`);
    if (report.length > 0) console.log([...new Set(report)].join("\n"));
}

if (require.main === module) {
    main();
}

export { reflowComments, splitLiteral };
