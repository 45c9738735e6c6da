/**
 * tree-sitter-bash → a flat list of simple commands in execution order. The only module that
 * touches tree-sitter-bash (src/python is the only one touching tree-sitter-python).
 *
 * tree-sitter-bash 0.25 builds against the same tree-sitter 0.25 native binding as the Python
 * grammar. It is loaded on first use (a project without deploy files never loads it). Positions
 * become 1-based here, once; syntax errors are collected, never thrown.
 */
import { createRequire } from "node:module";
import type { Span, SyntaxProblem } from "../python/ast.js";
import type { TSNode, TSParser } from "../python/parse.js";

const require = createRequire(import.meta.url);

export interface ShellWord {
  /** The word with quotes removed (expansions kept as written: `$PYTHON`, `"$@"` → `$@`). */
  text: string;
  span: Span;
  /** `"..."` or `'...'`: the inner text starts one column after `span`. */
  quoted: boolean;
}

export interface ShellCommand {
  words: ShellWord[];
  span: Span;
  /** Started with `&` (itself or an enclosing list/subshell): the script goes on without waiting. */
  background: boolean;
  /** Inside an `if`/`case`/`while`/`for`, or after `||`: may not run. */
  conditional: boolean;
}

export interface ShellScript {
  /** Top-level commands in order (function bodies are in `functions`). */
  commands: ShellCommand[];
  functions: Record<string, ShellCommand[]>;
  errors: SyntaxProblem[];
}

/** One parser per lint run (no module-level state). */
export class ShellParser {
  private readonly parser: TSParser;

  constructor() {
    const Parser = require("tree-sitter") as new () => TSParser;
    const Bash = require("tree-sitter-bash") as unknown;
    this.parser = new Parser();
    this.parser.setLanguage(Bash);
  }

  parse(text: string): ShellScript {
    const root = this.parser.parse(text).rootNode;
    const out: ShellScript = { commands: [], functions: {}, errors: [] };
    if (root.hasError) collectErrors(root, out.errors);
    walk(root, { background: false, conditional: false, into: out.commands }, out);
    return out;
  }
}

interface Ctx {
  background: boolean;
  conditional: boolean;
  into: ShellCommand[];
}

const CONDITIONAL = new Set(["if_statement", "elif_clause", "else_clause", "case_statement", "case_item", "while_statement", "for_statement", "c_style_for_statement"]);

function walk(n: TSNode, ctx: Ctx, out: ShellScript): void {
  if (n.type === "function_definition") {
    const name = n.childForFieldName("name")?.text ?? "";
    const body: ShellCommand[] = [];
    const b = n.childForFieldName("body");
    if (b) walk(b, { background: false, conditional: false, into: body }, out);
    if (name) out.functions[name] = body;
    return;
  }
  if (n.type === "command") {
    const words: ShellWord[] = [];
    for (const c of n.namedChildren) {
      if (c.type === "command_name") words.push(word(c.namedChildren[0] ?? c));
      else if (c.type !== "variable_assignment" && c.type !== "file_redirect" && c.type !== "herestring_redirect" && c.type !== "comment") words.push(word(c));
    }
    if (words.length > 0) ctx.into.push({ words, span: span(n), background: ctx.background, conditional: ctx.conditional });
    return;
  }
  if (n.type === "list") {
    // a && b, a || b: what follows `||` runs only when the left side failed.
    let conditional = ctx.conditional;
    for (const c of n.children) {
      if (c.type === "||") conditional = true;
      else if (c.isNamed) walk(c, { ...ctx, conditional }, out);
    }
    return;
  }
  const conditional = ctx.conditional || CONDITIONAL.has(n.type);
  for (const c of n.children) {
    if (!c.isNamed) continue;
    const background = ctx.background || c.nextSibling?.type === "&";
    walk(c, { background, conditional, into: ctx.into }, out);
  }
}

function word(n: TSNode): ShellWord {
  const s = span(n);
  if (n.type === "raw_string") return { text: n.text.slice(1, -1), span: s, quoted: true };
  if (n.type === "string") return { text: n.text.slice(1, -1).replace(/\\(["\\$`])/g, "$1"), span: s, quoted: true };
  if (n.type === "concatenation") return { text: n.namedChildren.map((c) => word(c).text).join(""), span: s, quoted: false };
  return { text: n.text.replace(/\\(.)/g, "$1"), span: s, quoted: false };
}

function span(n: TSNode): Span {
  return { line: n.startPosition.row + 1, column: n.startPosition.column + 1, endLine: n.endPosition.row + 1, endColumn: n.endPosition.column + 1 };
}

function collectErrors(n: TSNode, out: SyntaxProblem[]): void {
  if (out.length >= 5) return;
  if (n.type === "ERROR" || n.isMissing) {
    out.push({ message: `shell syntax error near \`${n.text.split("\n")[0]!.slice(0, 40)}\``, span: span(n) });
    return;
  }
  for (const c of n.children) if (c.hasError || c.isMissing) collectErrors(c, out);
}
