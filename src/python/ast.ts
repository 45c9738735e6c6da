/**
 * A small, JSON-able Python syntax tree: the part of Python that tablewarden reads.
 *
 * `src/python/parse.ts` builds it from tree-sitter; nothing else in the project sees tree-sitter.
 * Constructs we never interpret become `{ kind: "other" }` (expressions) or `{ kind: "pass" }`
 * (statements) so extractors can still skip over them. Every node keeps a 1-based `Span`.
 */

/** 1-based, end-inclusive-of-last-character location inside one file (columns in UTF-16 units). */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Expr =
  | { kind: "name"; id: string; span: Span }
  | { kind: "attr"; value: Expr; attr: string; span: Span }
  | { kind: "str"; value: string; span: Span }
  /** An f-string (with its parts when they are plain `{expr}`), or a bytes/template string. */
  | { kind: "fstr"; text: string; parts?: FStringPart[]; span: Span }
  | { kind: "num"; value: number; span: Span }
  | { kind: "const"; value: boolean | null; span: Span }
  | { kind: "list" | "tuple" | "set"; elts: Expr[]; span: Span }
  | { kind: "dict"; items: DictItem[]; span: Span }
  | { kind: "call"; func: Expr; args: Expr[]; kwargs: Keyword[]; span: Span }
  | { kind: "starred"; value: Expr; span: Span }
  | { kind: "compare"; left: Expr; ops: string[]; comparators: Expr[]; span: Span }
  | { kind: "boolop"; op: "and" | "or"; values: Expr[]; span: Span }
  | { kind: "not"; operand: Expr; span: Span }
  | { kind: "binop"; op: string; left: Expr; right: Expr; span: Span }
  | { kind: "subscript"; value: Expr; index: Expr; span: Span }
  | { kind: "ifexp"; test: Expr; body: Expr; orelse: Expr; span: Span }
  | { kind: "lambda"; params: Param[]; body: Expr; span: Span }
  /** Generator expressions and list/set comprehensions, with one or more `for` clauses. */
  | { kind: "comprehension"; elt: Expr; generators: Comprehension[]; span: Span }
  | { kind: "other"; text: string; span: Span };

export type FStringPart = { text: string } | { expr: Expr };

export interface Keyword {
  /** `null` for `**kwargs`. */
  name: string | null;
  value: Expr;
}

export interface DictItem {
  /** `null` for `**other`. */
  key: Expr | null;
  value: Expr;
}

export interface Comprehension {
  target: Expr;
  iter: Expr;
  ifs: Expr[];
}

export interface Param {
  name: string;
  default: Expr | null;
  /** "*args" → "star", "**kwargs" → "starstar". */
  kind: "plain" | "star" | "starstar";
}

export interface ImportName {
  /** Dotted module for `import a.b`, or the imported name for `from m import a`. */
  name: string;
  asname: string | null;
}

export type Stmt =
  | { kind: "import"; names: ImportName[]; span: Span }
  | { kind: "importfrom"; module: string; level: number; names: ImportName[] | "*"; span: Span }
  | { kind: "assign"; targets: Expr[]; value: Expr; annotation: Expr | null; span: Span }
  | { kind: "annassign"; target: Expr; annotation: Expr; span: Span }
  | { kind: "augassign"; target: Expr; op: string; value: Expr; span: Span }
  | { kind: "class"; name: string; bases: Expr[]; keywords: Keyword[]; decorators: Expr[]; body: Stmt[]; span: Span; nameSpan: Span }
  /** `bodySkipped`: the body was not converted (see PythonParser.parse's keepBody); it is not empty. */
  | { kind: "def"; name: string; params: Param[]; decorators: Expr[]; body: Stmt[]; bodySkipped?: boolean; span: Span; nameSpan: Span }
  | { kind: "if"; test: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { kind: "for"; target: Expr; iter: Expr; body: Stmt[]; orelse: Stmt[]; span: Span }
  | { kind: "while"; test: Expr; body: Stmt[]; span: Span }
  | { kind: "with"; items: Expr[]; body: Stmt[]; span: Span }
  | { kind: "try"; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; finalbody: Stmt[]; span: Span }
  | { kind: "return"; value: Expr | null; span: Span }
  | { kind: "expr"; value: Expr; span: Span }
  | { kind: "pass"; span: Span };

export interface SyntaxProblem {
  message: string;
  span: Span;
}

export interface Module {
  body: Stmt[];
  /** Syntax errors tree-sitter recovered from; the tree is still usable around them. */
  errors: SyntaxProblem[];
}

/** `a.b.c` for a chain of names and attributes, else null. */
export function dottedName(e: Expr): string | null {
  if (e.kind === "name") return e.id;
  if (e.kind === "attr") {
    const left = dottedName(e.value);
    return left === null ? null : `${left}.${e.attr}`;
  }
  return null;
}

/** The string value of a plain string literal, else null. */
export function stringValue(e: Expr | null | undefined): string | null {
  return e && e.kind === "str" ? e.value : null;
}

/** A keyword argument's value by name. */
export function keyword(call: { kwargs: Keyword[] }, name: string): Expr | null {
  for (const k of call.kwargs) if (k.name === name) return k.value;
  return null;
}

/** Positional argument `index`, or the keyword `name` when given that way. */
export function argument(call: { args: Expr[]; kwargs: Keyword[] }, index: number, name: string): Expr | null {
  const positional = call.args[index];
  if (positional && positional.kind !== "starred") return positional;
  return keyword(call, name);
}

/** The last component of a dotted callee: `models.CharField` → `CharField`. */
export function calleeName(call: { func: Expr }): string | null {
  const f = call.func;
  if (f.kind === "name") return f.id;
  if (f.kind === "attr") return f.attr;
  return null;
}

/**
 * Every statement, descending into compound statements but not into nested defs/classes, in source order.
 * An array, not a generator: recursive generators cost a generator object per level and pass every value
 * up through each level, and optimising them took V8 tens of milliseconds per thread.
 */
export function walkStatements(body: Stmt[], out: Stmt[] = []): Stmt[] {
  for (const s of body) {
    out.push(s);
    switch (s.kind) {
      case "if":
      case "for":
        walkStatements(s.body, out);
        walkStatements(s.orelse, out);
        break;
      case "while":
      case "with":
        walkStatements(s.body, out);
        break;
      case "try":
        walkStatements(s.body, out);
        for (const h of s.handlers) walkStatements(h, out);
        walkStatements(s.orelse, out);
        walkStatements(s.finalbody, out);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Every sub-expression of `e` (pre-order), including `e`. Does not enter lambdas' bodies. An array (see walkStatements). */
export function walkExpr(e: Expr, out: Expr[] = []): Expr[] {
  out.push(e);
  switch (e.kind) {
    case "attr":
    case "starred":
      walkExpr(e.value, out);
      break;
    case "list":
    case "tuple":
    case "set":
      for (const x of e.elts) walkExpr(x, out);
      break;
    case "dict":
      for (const it of e.items) {
        if (it.key) walkExpr(it.key, out);
        walkExpr(it.value, out);
      }
      break;
    case "call":
      walkExpr(e.func, out);
      for (const a of e.args) walkExpr(a, out);
      for (const k of e.kwargs) walkExpr(k.value, out);
      break;
    case "compare":
      walkExpr(e.left, out);
      for (const c of e.comparators) walkExpr(c, out);
      break;
    case "boolop":
      for (const v of e.values) walkExpr(v, out);
      break;
    case "not":
      walkExpr(e.operand, out);
      break;
    case "binop":
      walkExpr(e.left, out);
      walkExpr(e.right, out);
      break;
    case "subscript":
      walkExpr(e.value, out);
      walkExpr(e.index, out);
      break;
    case "ifexp":
      walkExpr(e.test, out);
      walkExpr(e.body, out);
      walkExpr(e.orelse, out);
      break;
    case "comprehension":
      walkExpr(e.elt, out);
      for (const g of e.generators) {
        walkExpr(g.iter, out);
        for (const i of g.ifs) walkExpr(i, out);
      }
      break;
    default:
      break;
  }
  return out;
}

/** Expressions directly held by one statement (not its nested statements). */
export function statementExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case "assign":
      return [...s.targets, s.value];
    case "augassign":
      return [s.target, s.value];
    case "if":
    case "while":
      return [s.test];
    case "for":
      return [s.iter];
    case "with":
      return s.items;
    case "return":
      return s.value ? [s.value] : [];
    case "expr":
      return [s.value];
    case "class":
      return [...s.bases, ...s.keywords.map((k) => k.value), ...s.decorators];
    case "def":
      return s.decorators;
    default:
      return [];
  }
}
