/**
 * tree-sitter → tablewarden's Python AST (`./ast.ts`). The only module that touches tree-sitter.
 *
 * Rows/columns become 1-based here, once. Syntax errors are collected, never thrown: tree-sitter
 * recovers around them and the rest of the file is still read.
 */
import { createRequire } from "node:module";
import type {
  Comprehension,
  FStringPart,
  DictItem,
  Expr,
  ImportName,
  Keyword,
  Module,
  Param,
  Span,
  Stmt,
  SyntaxProblem,
} from "./ast.js";

// tree-sitter ships CommonJS with native bindings; load it through require.
const require = createRequire(import.meta.url);

/** The slice of node-tree-sitter's API the parsers use (shared with src/shell/parse.ts). */
export interface TSPoint {
  row: number;
  column: number;
}
export interface TSNode {
  type: string;
  text: string;
  isNamed: boolean;
  isMissing: boolean;
  hasError: boolean;
  startPosition: TSPoint;
  endPosition: TSPoint;
  children: TSNode[];
  namedChildren: TSNode[];
  childCount: number;
  nextSibling: TSNode | null;
  childForFieldName(name: string): TSNode | null;
  childrenForFieldName(name: string): TSNode[];
}
export interface TSTree {
  rootNode: TSNode;
}
export interface TSParser {
  setLanguage(lang: unknown): void;
  parse(input: string): TSTree;
}

/** One reusable parser. Create one per lint run (no module-level state). */
export class PythonParser {
  private ts: TSParser | null = null;

  /** tree-sitter and its grammar load on the first parse: a run served by the cache never loads them. */
  private get parser(): TSParser {
    if (!this.ts) {
      const Parser = require("tree-sitter") as new () => TSParser;
      const Python = require("tree-sitter-python") as unknown;
      this.ts = new Parser();
      this.ts.setLanguage(Python);
    }
    return this.ts;
  }

  /** tree-sitter alone, no conversion: the physical floor the benchmark compares with. */
  parseOnly(text: string): boolean {
    return this.parser.parse(text).rootNode.hasError;
  }

  /**
   * Parse a module. `keepBody(name)` decides which function bodies are converted (default: all);
   * the others get an empty body, which saves most of the conversion cost on large code bases.
   */
  parse(text: string, keepBody: (name: string) => boolean = () => true): Module {
    const tree = this.parser.parse(text);
    const errors: SyntaxProblem[] = [];
    const root = tree.rootNode;
    if (root.hasError) collectErrors(root, errors);
    return { body: new Statements(keepBody).block(root), errors };
  }
}

function span(n: TSNode): Span {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

function collectErrors(n: TSNode, out: SyntaxProblem[]): void {
  if (out.length >= 20) return;
  if (n.type === "ERROR") {
    const snippet = n.text.split("\n")[0]!.slice(0, 40);
    out.push({ message: `syntax error near \`${snippet}\``, span: span(n) });
    return;
  }
  if (n.isMissing) {
    out.push({ message: `syntax error: missing \`${n.type}\``, span: span(n) });
    return;
  }
  for (const c of n.children) if (c.hasError || c.isMissing) collectErrors(c, out);
}

// ---------------------------------------------------------------- statements




function importNames(n: TSNode): ImportName[] {
  const names: ImportName[] = [];
  for (const c of n.childrenForFieldName("name")) {
    if (c.type === "aliased_import") {
      names.push({ name: c.childForFieldName("name")?.text ?? "", asname: c.childForFieldName("alias")?.text ?? null });
    } else names.push({ name: c.text, asname: null });
  }
  return names;
}

function importFrom(n: TSNode): Stmt {
  const mod = n.childForFieldName("module_name");
  let module = "";
  let level = 0;
  if (mod?.type === "relative_import") {
    for (const c of mod.children) {
      if (c.type === "import_prefix") level = c.text.length;
      else if (c.type === "dotted_name") module = c.text;
    }
  } else if (mod) module = mod.text;
  const star = n.namedChildren.some((c) => c.type === "wildcard_import");
  return { kind: "importfrom", module, level, names: star ? "*" : importNames(n), span: span(n) };
}



function decorator(n: TSNode): Expr {
  const e = n.namedChildren[0];
  return e ? expr(e) : other(n);
}

function parameters(n: TSNode | null): Param[] {
  if (!n) return [];
  const params: Param[] = [];
  for (const p of n.namedChildren) {
    switch (p.type) {
      case "identifier":
        params.push({ name: p.text, default: null, kind: "plain" });
        break;
      case "typed_parameter": {
        const inner = p.namedChildren[0];
        if (inner?.type === "list_splat_pattern") params.push({ name: inner.namedChildren[0]?.text ?? "", default: null, kind: "star" });
        else if (inner?.type === "dictionary_splat_pattern") params.push({ name: inner.namedChildren[0]?.text ?? "", default: null, kind: "starstar" });
        else params.push({ name: inner?.text ?? "", default: null, kind: "plain" });
        break;
      }
      case "default_parameter":
      case "typed_default_parameter":
        params.push({ name: p.childForFieldName("name")?.text ?? "", default: expr(p.childForFieldName("value")), kind: "plain" });
        break;
      case "list_splat_pattern":
        params.push({ name: p.namedChildren[0]?.text ?? "", default: null, kind: "star" });
        break;
      case "dictionary_splat_pattern":
        params.push({ name: p.namedChildren[0]?.text ?? "", default: null, kind: "starstar" });
        break;
      default:
        break;
    }
  }
  return params;
}

/** Statement conversion; function bodies only where `keepBody` asks for them. */
class Statements {
  constructor(private readonly keepBody: (name: string) => boolean) {}

  block(n: TSNode | null): Stmt[] {
    if (!n) return [];
    const out: Stmt[] = [];
    for (const c of n.namedChildren) this.statement(c, out);
    return out;
  }

  statement(n: TSNode, out: Stmt[]): void {
    switch (n.type) {
      case "expression_statement":
        for (const c of n.namedChildren) this.expressionStatement(c, out);
        return;
      case "import_statement":
        out.push({ kind: "import", names: importNames(n), span: span(n) });
        return;
      case "import_from_statement":
        out.push(importFrom(n));
        return;
      case "future_import_statement":
        return;
      case "class_definition":
        out.push(this.classDef(n, []));
        return;
      case "function_definition":
        out.push(this.funcDef(n, []));
        return;
      case "decorated_definition": {
        const decorators = n.namedChildren.filter((c) => c.type === "decorator").map(decorator);
        const def = n.childForFieldName("definition");
        if (def?.type === "class_definition") out.push(this.classDef(def, decorators));
        else if (def?.type === "function_definition") out.push(this.funcDef(def, decorators));
        return;
      }
      case "if_statement":
        out.push(this.ifStatement(n));
        return;
      case "for_statement":
        out.push({
          kind: "for",
          target: expr(n.childForFieldName("left")),
          iter: expr(n.childForFieldName("right")),
          body: this.block(n.childForFieldName("body")),
          orelse: this.elseBlock(n.childForFieldName("alternative")),
          span: span(n),
        });
        return;
      case "while_statement":
        out.push({ kind: "while", test: expr(n.childForFieldName("condition")), body: this.block(n.childForFieldName("body")), span: span(n) });
        return;
      case "with_statement": {
        const items: Expr[] = [];
        for (const c of n.namedChildren) {
          if (c.type !== "with_clause") continue;
          for (const item of c.namedChildren) {
            const v = item.childForFieldName("value") ?? item.namedChildren[0] ?? null;
            if (v) items.push(expr(v.type === "as_pattern" ? (v.namedChildren[0] ?? null) : v));
          }
        }
        out.push({ kind: "with", items, body: this.block(n.childForFieldName("body")), span: span(n) });
        return;
      }
      case "try_statement": {
        const handlers: Stmt[][] = [];
        let orelse: Stmt[] = [];
        let finalbody: Stmt[] = [];
        for (const c of n.namedChildren) {
          if (c.type === "except_clause" || c.type === "except_group_clause") {
            const b = c.namedChildren.find((x) => x.type === "block") ?? null;
            handlers.push(this.block(b));
          } else if (c.type === "else_clause") orelse = this.block(c.childForFieldName("body"));
          else if (c.type === "finally_clause") finalbody = this.block(c.namedChildren.find((x) => x.type === "block") ?? null);
        }
        out.push({ kind: "try", body: this.block(n.childForFieldName("body")), handlers, orelse, finalbody, span: span(n) });
        return;
      }
      case "return_statement": {
        const v = n.namedChildren[0] ?? null;
        out.push({ kind: "return", value: v ? expr(v) : null, span: span(n) });
        return;
      }
      case "comment":
        return;
      default:
        out.push({ kind: "pass", span: span(n) });
    }
  }

  expressionStatement(n: TSNode, out: Stmt[]): void {
    if (n.type === "assignment") {
      // `a = b = value` nests assignments on the right.
      const targets: Expr[] = [];
      let cur: TSNode | null = n;
      let annotation: Expr | null = null;
      let value: Expr | null = null;
      while (cur && cur.type === "assignment") {
        const left = cur.childForFieldName("left");
        if (left) targets.push(expr(left));
        const type = cur.childForFieldName("type");
        if (type && !annotation) annotation = expr(type);
        const right = cur.childForFieldName("right");
        if (!right) break;
        if (right.type === "assignment") cur = right;
        else {
          value = expr(right);
          break;
        }
      }
      if (value) out.push({ kind: "assign", targets, value, annotation, span: span(n) });
      else if (annotation && targets[0]) out.push({ kind: "annassign", target: targets[0], annotation, span: span(n) });
      return;
    }
    if (n.type === "augmented_assignment") {
      const op = n.childForFieldName("operator")?.text ?? "+=";
      out.push({ kind: "augassign", target: expr(n.childForFieldName("left")), op, value: expr(n.childForFieldName("right")), span: span(n) });
      return;
    }
    out.push({ kind: "expr", value: expr(n), span: span(n) });
  }

  classDef(n: TSNode, decorators: Expr[]): Stmt {
    const bases: Expr[] = [];
    const keywords: Keyword[] = [];
    const sup = n.childForFieldName("superclasses");
    if (sup) splitArguments(sup, bases, keywords);
    const nameNode = n.childForFieldName("name");
    return {
      kind: "class",
      name: nameNode?.text ?? "",
      bases,
      keywords,
      decorators,
      body: this.block(n.childForFieldName("body")),
      span: span(n),
      nameSpan: nameNode ? span(nameNode) : span(n),
    };
  }

  funcDef(n: TSNode, decorators: Expr[]): Stmt {
    const nameNode = n.childForFieldName("name");
    const keep = this.keepBody(nameNode?.text ?? "");
    return {
      kind: "def",
      name: nameNode?.text ?? "",
      params: parameters(n.childForFieldName("parameters")),
      decorators,
      body: keep ? this.block(n.childForFieldName("body")) : [],
      ...(keep ? {} : { bodySkipped: true }),
      span: span(n),
      nameSpan: nameNode ? span(nameNode) : span(n),
    };
  }

  ifStatement(n: TSNode): Stmt {
    const test = expr(n.childForFieldName("condition"));
    const body = this.block(n.childForFieldName("consequence"));
    // Fold `elif` chains into nested ifs.
    const alternatives = n.childrenForFieldName("alternative");
    let orelse: Stmt[] = [];
    for (let i = alternatives.length - 1; i >= 0; i--) {
      const alt = alternatives[i]!;
      if (alt.type === "else_clause") orelse = this.block(alt.childForFieldName("body"));
      else if (alt.type === "elif_clause") {
        orelse = [
          {
            kind: "if",
            test: expr(alt.childForFieldName("condition")),
            body: this.block(alt.childForFieldName("consequence")),
            orelse,
            span: span(alt),
          },
        ];
      }
    }
    return { kind: "if", test, body, orelse, span: span(n) };
  }

  elseBlock(n: TSNode | null): Stmt[] {
    return n ? this.block(n.childForFieldName("body")) : [];
  }
}

// ---------------------------------------------------------------- expressions

function other(n: TSNode): Expr {
  return { kind: "other", text: n.text.length > 200 ? n.text.slice(0, 200) : n.text, span: span(n) };
}

function splitArguments(n: TSNode, args: Expr[], kwargs: Keyword[]): void {
  for (const c of n.namedChildren) {
    if (c.type === "keyword_argument") {
      kwargs.push({ name: c.childForFieldName("name")?.text ?? "", value: expr(c.childForFieldName("value")) });
    } else if (c.type === "dictionary_splat") {
      kwargs.push({ name: null, value: expr(c.namedChildren[0] ?? null) });
    } else if (c.type === "list_splat") {
      args.push({ kind: "starred", value: expr(c.namedChildren[0] ?? null), span: span(c) });
    } else if (c.type !== "comment") {
      args.push(expr(c));
    }
  }
}

const MISSING: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

function expr(n: TSNode | null): Expr {
  if (!n) return { kind: "other", text: "", span: MISSING };
  switch (n.type) {
    case "identifier":
      return { kind: "name", id: n.text, span: span(n) };
    case "attribute": {
      const attr = n.childForFieldName("attribute");
      return { kind: "attr", value: expr(n.childForFieldName("object")), attr: attr?.text ?? "", span: span(n) };
    }
    case "string":
      return stringLiteral(n);
    case "concatenated_string": {
      const parts = n.namedChildren.map(stringLiteral);
      if (parts.every((p) => p.kind === "str")) {
        return { kind: "str", value: parts.map((p) => (p.kind === "str" ? p.value : "")).join(""), span: span(n) };
      }
      return { kind: "fstr", text: n.text, span: span(n) };
    }
    case "integer":
    case "float": {
      const v = Number(n.text.replace(/_/g, ""));
      return Number.isNaN(v) ? other(n) : { kind: "num", value: v, span: span(n) };
    }
    case "true":
      return { kind: "const", value: true, span: span(n) };
    case "false":
      return { kind: "const", value: false, span: span(n) };
    case "none":
      return { kind: "const", value: null, span: span(n) };
    case "list":
    case "tuple":
    case "set":
    case "expression_list":
    case "pattern_list":
    case "tuple_pattern":
    case "list_pattern": {
      const kind = n.type === "list" || n.type === "list_pattern" ? "list" : n.type === "set" ? "set" : "tuple";
      return { kind, elts: n.namedChildren.filter((c) => c.type !== "comment").map(element), span: span(n) };
    }
    case "dictionary": {
      const items: DictItem[] = [];
      for (const c of n.namedChildren) {
        if (c.type === "pair") items.push({ key: expr(c.childForFieldName("key")), value: expr(c.childForFieldName("value")) });
        else if (c.type === "dictionary_splat") items.push({ key: null, value: expr(c.namedChildren[0] ?? null) });
      }
      return { kind: "dict", items, span: span(n) };
    }
    case "call": {
      const args: Expr[] = [];
      const kwargs: Keyword[] = [];
      const a = n.childForFieldName("arguments");
      if (a?.type === "argument_list") splitArguments(a, args, kwargs);
      else if (a) args.push(expr(a)); // a bare generator argument: any(x for x in y)
      return { kind: "call", func: expr(n.childForFieldName("function")), args, kwargs, span: span(n) };
    }
    case "generic_type": {
      // `Mapped[int]` in an annotation: read it as the subscript it is at run time.
      const [head, params] = n.namedChildren;
      const types = params ? params.namedChildren.filter((c) => c.type !== "comment").map(expr) : [];
      const index: Expr = types.length === 1 ? types[0]! : { kind: "tuple", elts: types, span: params ? span(params) : span(n) };
      return { kind: "subscript", value: expr(head ?? null), index, span: span(n) };
    }
    case "parenthesized_expression":
    case "type": {
      // `type`: an annotation (`x: Mapped[int] = ...`) wraps its expression.
      const inner = n.namedChildren.find((c) => c.type !== "comment");
      return inner ? expr(inner) : other(n);
    }
    case "comparison_operator": {
      const operands: Expr[] = [];
      const ops: string[] = [];
      let pending = "";
      for (const c of n.children) {
        if (c.isNamed && c.type !== "comment") {
          if (pending) ops.push(pending);
          pending = "";
          operands.push(expr(c));
        } else if (!c.isNamed) pending = pending ? `${pending} ${c.type}` : c.type;
      }
      const [left, ...comparators] = operands;
      return { kind: "compare", left: left ?? other(n), ops, comparators, span: span(n) };
    }
    case "boolean_operator": {
      const op = n.childForFieldName("operator")?.type === "or" ? "or" : "and";
      const values: Expr[] = [];
      for (const side of [n.childForFieldName("left"), n.childForFieldName("right")]) {
        const e = expr(side);
        if (e.kind === "boolop" && e.op === op) values.push(...e.values);
        else values.push(e);
      }
      return { kind: "boolop", op, values, span: span(n) };
    }
    case "not_operator":
      return { kind: "not", operand: expr(n.childForFieldName("argument")), span: span(n) };
    case "binary_operator":
      return {
        kind: "binop",
        op: n.childForFieldName("operator")?.type ?? "?",
        left: expr(n.childForFieldName("left")),
        right: expr(n.childForFieldName("right")),
        span: span(n),
      };
    case "subscript": {
      const idx = n.childrenForFieldName("subscript");
      const index: Expr = idx.length === 1 ? expr(idx[0]!) : { kind: "tuple", elts: idx.map(expr), span: span(n) };
      return { kind: "subscript", value: expr(n.childForFieldName("value")), index, span: span(n) };
    }
    case "conditional_expression": {
      const [body, test, orelse] = n.namedChildren.filter((c) => c.type !== "comment");
      return { kind: "ifexp", test: expr(test ?? null), body: expr(body ?? null), orelse: expr(orelse ?? null), span: span(n) };
    }
    case "lambda": {
      const params = parameters(n.childForFieldName("parameters"));
      return { kind: "lambda", params, body: expr(n.childForFieldName("body")), span: span(n) };
    }
    case "generator_expression":
    case "list_comprehension":
    case "set_comprehension":
      return comprehension(n);
    case "list_splat":
      return { kind: "starred", value: expr(n.namedChildren[0] ?? null), span: span(n) };
    case "keyword_argument":
      return expr(n.childForFieldName("value"));
    case "type":
      return expr(n.namedChildren[0] ?? null);
    case "await":
      return expr(n.namedChildren[0] ?? null);
    default:
      return other(n);
  }
}

function element(n: TSNode): Expr {
  return expr(n);
}

function comprehension(n: TSNode): Expr {
  const generators: Comprehension[] = [];
  for (const c of n.namedChildren) {
    if (c.type === "for_in_clause") {
      generators.push({ target: expr(c.childForFieldName("left")), iter: expr(c.childForFieldName("right")), ifs: [] });
    } else if (c.type === "if_clause" && generators.length > 0) {
      generators[generators.length - 1]!.ifs.push(expr(c.namedChildren[0] ?? null));
    }
  }
  return { kind: "comprehension", elt: expr(n.childForFieldName("body")), generators, span: span(n) };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
};

function stringLiteral(n: TSNode): Expr {
  let prefix = "";
  let quote = "";
  let hasInterpolation = false;
  for (const c of n.children) {
    if (c.type === "string_start") {
      const m = /^([A-Za-z]*)(.*)$/s.exec(c.text)!;
      prefix = m[1]!.toLowerCase();
      quote = m[2]!;
    } else if (c.type === "interpolation") hasInterpolation = true;
  }
  if (prefix.includes("f") && !prefix.includes("b")) return fString(n, prefix.includes("r"));
  if (hasInterpolation || prefix.includes("b") || prefix.includes("t")) {
    return { kind: "fstr", text: n.text, span: span(n) };
  }
  const text = n.text;
  const body = text.slice(prefix.length + quote.length, text.length - quote.length);
  const value = prefix.includes("r") ? body : unescape(body);
  return { kind: "str", value, span: span(n) };
}

/** An f-string as literal parts and plain `{expr}` parts (conversions and format specs make it opaque). */
function fString(n: TSNode, raw: boolean): Expr {
  const parts: FStringPart[] = [];
  for (const c of n.children) {
    if (c.type === "string_content") parts.push({ text: raw ? c.text : unescape(c.text.replace(/\{\{/g, "{").replace(/\}\}/g, "}")) });
    else if (c.type === "escape_sequence") parts.push({ text: raw ? c.text : unescape(c.text) });
    else if (c.type === "interpolation") {
      const inner = c.namedChildren;
      if (inner.length !== 1) return { kind: "fstr", text: n.text, span: span(n) };
      parts.push({ expr: expr(inner[0]!) });
    }
  }
  return { kind: "fstr", text: n.text, parts, span: span(n) };
}

function unescape(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\n|.)/g, (m, e: string) => {
    if (e === "\n") return "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return simple;
    if (e[0] === "x" || e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return m;
  });
}
