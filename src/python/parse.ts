/**
 * tree-sitter → tablewarden's Python AST (`./ast.ts`). The only module that touches tree-sitter.
 *
 * Rows/columns become 1-based here, once. Syntax errors are collected, never thrown: tree-sitter
 * recovers around them and the rest of the file is still read.
 *
 * Speed: node-tree-sitter's node objects cost a native call and an allocation per getter
 * (`type`, `text`, `namedChildren`, `startPosition`, ...). So the tree is read once with a
 * TreeCursor into small plain nodes (type and field names looked up by id, UTF-16 start/end
 * indices), skipping subtrees the conversion never reads; text is sliced from the source and
 * line/column computed from the index, in JS.
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
/** A cursor over one tree; indices are in UTF-16 code units (node-tree-sitter parses strings as UTF-16). */
export interface TSTreeCursor {
  readonly nodeTypeId: number;
  readonly nodeType: string;
  readonly nodeIsNamed: boolean;
  readonly currentFieldId: number;
  readonly currentFieldName: string | undefined;
  readonly startIndex: number;
  readonly endIndex: number;
  gotoFirstChild(): boolean;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
}
export interface TSTree {
  rootNode: TSNode;
  walk(): TSTreeCursor;
}
export interface TSParser {
  setLanguage(lang: unknown): void;
  parse(input: string): TSTree;
}

/** One reusable parser. Create one per lint run (no module-level state). */
export class PythonParser {
  private ts: TSParser | null = null;
  /** Milliseconds spent inside tree-sitter's own parse by `parse`, over this parser's life (the rest is conversion). */
  treeSitterMs = 0;
  /** Names by grammar id, filled from the cursor the first time an id is met. */
  private readonly names: Names = { types: [], named: [], fields: [], fielded: new Set(["ERROR"]), tokens: [] };

  /** tree-sitter and its grammar load on the first parse: a run served by the cache never loads them. */
  private get parser(): TSParser {
    if (!this.ts) {
      const Parser = require("tree-sitter") as new () => TSParser;
      const Python = require("tree-sitter-python") as { nodeTypeInfo?: Array<{ type: string; fields?: Record<string, unknown> }> };
      this.ts = new Parser();
      this.ts.setLanguage(Python);
      for (const t of Python.nodeTypeInfo ?? []) if (t.fields && Object.keys(t.fields).length > 0) this.names.fielded.add(t.type);
    }
    return this.ts;
  }

  /** tree-sitter alone, no conversion: the physical floor the benchmark compares with. */
  parseOnly(text: string): boolean {
    return this.parser.parse(text).rootNode.hasError;
  }

  /**
   * For the benchmark: parse, then visit every node of the tree with a cursor, reading its type id alone, and
   * `withSpans` its indices and field id too (what the conversion reads of a node). Returns the nodes visited.
   */
  walkOnly(text: string, withSpans: boolean): number {
    const c = this.parser.parse(text).walk();
    let nodes = 0;
    let depth = 0;
    for (;;) {
      nodes++;
      void c.nodeTypeId;
      if (withSpans) void (c.startIndex + c.endIndex + c.currentFieldId);
      if (c.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (depth > 0 && !c.gotoNextSibling()) {
        c.gotoParent();
        depth--;
      }
      if (depth === 0) return nodes;
    }
  }

  /**
   * Parse a module. `keepBody(name)` decides which function bodies are converted (default: all);
   * the others get an empty body, which saves most of the conversion cost on large code bases.
   * The values of keyword arguments named in `unreadKeywords` are not converted either: each becomes an
   * `other` expression holding (the start of) its source text.
   */
  parse(text: string, keepBody: (name: string) => boolean = () => true, unreadKeywords: ReadonlySet<string> = NO_NAMES): Module {
    const parser = this.parser;
    const t0 = performance.now();
    const tree = parser.parse(text);
    this.treeSitterMs += performance.now() - t0;
    const errors: SyntaxProblem[] = [];
    const root = tree.rootNode;
    if (root.hasError) collectErrors(root, errors);
    const src = new Source(text);
    const top = new Reader(tree.walk(), this.names, src, keepBody, unreadKeywords).node(null);
    return { body: new Statements(src, keepBody).block(top), errors };
  }
}

// ---------------------------------------------------------------- reading the tree

/** A syntax node as plain data: what the conversion reads, nothing more. */
interface Node {
  readonly type: string;
  readonly named: boolean;
  /** The field this node fills in its parent (`name`, `body`, ...), or null. */
  readonly field: string | null;
  /** UTF-16 indices into the source. */
  readonly start: number;
  readonly end: number;
  /** Empty for leaves and for subtrees the conversion never reads (see `OPAQUE`). */
  readonly kids: readonly Node[];
}

interface Names {
  types: string[];
  named: boolean[];
  fields: (string | null)[];
  /** Node types whose children can fill fields (from the grammar's node types, plus ERROR). */
  fielded: Set<string>;
  /** Anonymous tokens outside fields by type id: only their type is read, so they are shared. */
  tokens: Node[];
}

const NO_KIDS: readonly Node[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();

/** The type given to a keyword argument's value left unread (`unreadKeywords`): no grammar type, so it converts to `other`. */
const UNREAD = "unread_value";

/**
 * Node types whose children the conversion never looks at (it reads their text or span only).
 * Leaves are found by the cursor anyway; these are the subtrees worth not walking.
 */
const OPAQUE = new Set([
  "comment",
  "identifier",
  "dotted_name",
  "integer",
  "float",
  "string_start",
  "string_content",
  "string_end",
  "escape_sequence",
  "import_prefix",
  "pass_statement",
  "raise_statement",
  "assert_statement",
  "delete_statement",
  "global_statement",
  "nonlocal_statement",
  "print_statement",
  "exec_statement",
  "break_statement",
  "continue_statement",
  "match_statement",
  "type_alias_statement",
  "unary_operator",
  "slice",
  "dictionary_comprehension",
  "named_expression",
  "yield",
  "ellipsis",
  "format_specifier",
  "type_conversion",
]);

/** Reads the tree once through a cursor (one native call per fact, no node objects). */
class Reader {
  constructor(
    private readonly c: TSTreeCursor,
    private readonly names: Names,
    private readonly src: Source,
    private readonly keepBody: (name: string) => boolean,
    private readonly unreadKeywords: ReadonlySet<string>,
  ) {}

  /**
   * The node under the cursor and what the conversion needs below it; the cursor ends where it started.
   * Anonymous tokens (punctuation, keywords, operators) are read by type only, and with their
   * indices when they fill a field (`+=`); field names only under node types that have fields.
   * `descend: false` reads the node alone (a function body that is not converted).
   */
  node(field: string | null, descend = true): Node {
    const c = this.c;
    const names = this.names;
    const id = c.nodeTypeId;
    let type = names.types[id];
    if (type === undefined) {
      type = names.types[id] = c.nodeType;
      names.named[id] = c.nodeIsNamed;
    }
    const named = names.named[id]!;
    if (!named) {
      if (field !== null) return { type, named, field, start: c.startIndex, end: c.endIndex, kids: NO_KIDS };
      // Only its type is ever read: one shared node per token type.
      return (names.tokens[id] ??= { type, named, field, start: 0, end: 0, kids: NO_KIDS });
    }
    const start = c.startIndex;
    const end = c.endIndex;
    let kids = NO_KIDS;
    if (descend && !OPAQUE.has(type) && (type !== "string" || this.src.isFString(start)) && c.gotoFirstChild()) {
      const list: Node[] = [];
      const isDef = type === "function_definition";
      const isKeyword = type === "keyword_argument" && this.unreadKeywords.size > 0;
      const fielded = names.fielded.has(type);
      do {
        let f: string | null = null;
        if (fielded) {
          const fid = c.currentFieldId;
          if (fid) {
            f = names.fields[fid] ?? null;
            if (f === null) f = names.fields[fid] = c.currentFieldName ?? null;
          }
        }
        if (isDef && f === "body" && !this.keepBody(defName(list, this.src))) list.push(this.node(f, false));
        else if (isKeyword && f === "value" && this.unreadKeywords.has(defName(list, this.src))) list.push({ ...this.node(f, false), type: UNREAD });
        else list.push(this.node(f));
      } while (c.gotoNextSibling());
      c.gotoParent();
      kids = list;
    }
    return { type, named, field, start, end, kids };
  }
}

/** The name of a function definition or keyword argument, from the children read so far. */
function defName(kids: readonly Node[], src: Source): string {
  const n = field(kids, "name");
  return n ? src.text(n) : "";
}

/** The source text, with line starts to turn UTF-16 indices into 1-based lines and columns. */
class Source {
  private readonly lineStarts: number[] = [0];

  constructor(readonly all: string) {
    for (let i = all.indexOf("\n"); i !== -1; i = all.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
  }

  text(n: Node): string {
    return this.all.slice(n.start, n.end);
  }

  /** Whether the string literal starting at `i` has an `f` prefix (only those have parts worth reading). */
  isFString(i: number): boolean {
    const s = this.all;
    for (; i < s.length; i++) {
      const ch = s.charCodeAt(i) | 0x20;
      if (ch === 0x66) return true; // f, F
      if (ch < 0x61 || ch > 0x7a) return false;
    }
    return false;
  }

  /** A string literal's prefix letters and opening quote (what its `string_start` token holds). */
  stringStart(n: Node): string {
    const s = this.all;
    let i = n.start;
    while (i < n.end && /[A-Za-z]/.test(s[i]!)) i++;
    const q = s.startsWith('"""', i) || s.startsWith("'''", i) ? 3 : 1;
    return s.slice(n.start, Math.min(i + q, n.end));
  }

  span(n: Node): Span {
    const line = this.lineOf(n.start);
    const endLine = n.end === n.start ? line : this.lineOf(n.end, line);
    return {
      line: line + 1,
      column: n.start - this.lineStarts[line]! + 1,
      endLine: endLine + 1,
      endColumn: n.end - this.lineStarts[endLine]! + 1,
    };
  }

  /** The 0-based line holding index `i` (binary search from `from`). */
  private lineOf(i: number, from = 0): number {
    const starts = this.lineStarts;
    let lo = from;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function field(kids: readonly Node[], name: string): Node | null {
  for (const k of kids) if (k.field === name) return k;
  return null;
}

function fieldAll(n: Node, name: string): Node[] {
  return n.kids.filter((k) => k.field === name);
}

function namedKids(n: Node): Node[] {
  return n.kids.filter((k) => k.named);
}

function firstNamed(n: Node): Node | null {
  for (const k of n.kids) if (k.named) return k;
  return null;
}

// ---------------------------------------------------------------- syntax errors

function nodeSpan(n: TSNode): Span {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

/** Only files with errors get here (rare), so the node API's cost does not matter. */
function collectErrors(n: TSNode, out: SyntaxProblem[]): void {
  if (out.length >= 20) return;
  if (n.type === "ERROR") {
    const snippet = n.text.split("\n")[0]!.slice(0, 40);
    out.push({ message: `syntax error near \`${snippet}\``, span: nodeSpan(n) });
    return;
  }
  if (n.isMissing) {
    out.push({ message: `syntax error: missing \`${n.type}\``, span: nodeSpan(n) });
    return;
  }
  for (const c of n.children) if (c.hasError || c.isMissing) collectErrors(c, out);
}

// ---------------------------------------------------------------- statements

/** Statement conversion; function bodies only where `keepBody` asks for them. */
class Statements {
  private readonly x: Expressions;

  constructor(
    private readonly src: Source,
    private readonly keepBody: (name: string) => boolean,
  ) {
    this.x = new Expressions(src);
  }

  block(n: Node | null): Stmt[] {
    if (!n) return [];
    const out: Stmt[] = [];
    for (const c of n.kids) if (c.named) this.statement(c, out);
    return out;
  }

  statement(n: Node, out: Stmt[]): void {
    const src = this.src;
    const x = this.x;
    switch (n.type) {
      case "expression_statement":
        for (const c of n.kids) if (c.named) this.expressionStatement(c, out);
        return;
      case "import_statement":
        out.push({ kind: "import", names: this.importNames(n), span: src.span(n) });
        return;
      case "import_from_statement":
        out.push(this.importFrom(n));
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
        const decorators: Expr[] = [];
        for (const c of n.kids) if (c.named && c.type === "decorator") decorators.push(this.decorator(c));
        const def = field(n.kids, "definition");
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
          target: x.expr(field(n.kids, "left")),
          iter: x.expr(field(n.kids, "right")),
          body: this.block(field(n.kids, "body")),
          orelse: this.elseBlock(field(n.kids, "alternative")),
          span: src.span(n),
        });
        return;
      case "while_statement":
        out.push({ kind: "while", test: x.expr(field(n.kids, "condition")), body: this.block(field(n.kids, "body")), span: src.span(n) });
        return;
      case "with_statement": {
        const items: Expr[] = [];
        for (const c of n.kids) {
          if (!c.named || c.type !== "with_clause") continue;
          for (const item of c.kids) {
            if (!item.named) continue;
            const v = field(item.kids, "value") ?? firstNamed(item);
            if (v) items.push(x.expr(v.type === "as_pattern" ? firstNamed(v) : v));
          }
        }
        out.push({ kind: "with", items, body: this.block(field(n.kids, "body")), span: src.span(n) });
        return;
      }
      case "try_statement": {
        const handlers: Stmt[][] = [];
        let orelse: Stmt[] = [];
        let finalbody: Stmt[] = [];
        for (const c of n.kids) {
          if (!c.named) continue;
          if (c.type === "except_clause" || c.type === "except_group_clause") handlers.push(this.block(namedBlock(c)));
          else if (c.type === "else_clause") orelse = this.block(field(c.kids, "body"));
          else if (c.type === "finally_clause") finalbody = this.block(namedBlock(c));
        }
        out.push({ kind: "try", body: this.block(field(n.kids, "body")), handlers, orelse, finalbody, span: src.span(n) });
        return;
      }
      case "return_statement": {
        const v = firstNamed(n);
        out.push({ kind: "return", value: v ? x.expr(v) : null, span: src.span(n) });
        return;
      }
      case "comment":
        return;
      default:
        out.push({ kind: "pass", span: src.span(n) });
    }
  }

  expressionStatement(n: Node, out: Stmt[]): void {
    const x = this.x;
    if (n.type === "assignment") {
      // `a = b = value` nests assignments on the right.
      const targets: Expr[] = [];
      let cur: Node | null = n;
      let annotation: Expr | null = null;
      let value: Expr | null = null;
      while (cur && cur.type === "assignment") {
        const left = field(cur.kids, "left");
        if (left) targets.push(x.expr(left));
        const type = field(cur.kids, "type");
        if (type && !annotation) annotation = x.expr(type);
        const right = field(cur.kids, "right");
        if (!right) break;
        if (right.type === "assignment") cur = right;
        else {
          value = x.expr(right);
          break;
        }
      }
      if (value) out.push({ kind: "assign", targets, value, annotation, span: this.src.span(n) });
      else if (annotation && targets[0]) out.push({ kind: "annassign", target: targets[0], annotation, span: this.src.span(n) });
      return;
    }
    if (n.type === "augmented_assignment") {
      const opNode = field(n.kids, "operator");
      const op = opNode ? this.src.text(opNode) : "+=";
      out.push({ kind: "augassign", target: x.expr(field(n.kids, "left")), op, value: x.expr(field(n.kids, "right")), span: this.src.span(n) });
      return;
    }
    out.push({ kind: "expr", value: x.expr(n), span: this.src.span(n) });
  }

  importNames(n: Node): ImportName[] {
    const src = this.src;
    const names: ImportName[] = [];
    for (const c of n.kids) {
      if (c.field !== "name") continue;
      if (c.type === "aliased_import") {
        const name = field(c.kids, "name");
        const alias = field(c.kids, "alias");
        names.push({ name: name ? src.text(name) : "", asname: alias ? src.text(alias) : null });
      } else names.push({ name: src.text(c), asname: null });
    }
    return names;
  }

  importFrom(n: Node): Stmt {
    const src = this.src;
    const mod = field(n.kids, "module_name");
    let module = "";
    let level = 0;
    if (mod?.type === "relative_import") {
      for (const c of mod.kids) {
        if (c.type === "import_prefix") level = c.end - c.start;
        else if (c.type === "dotted_name") module = src.text(c);
      }
    } else if (mod) module = src.text(mod);
    const star = n.kids.some((c) => c.named && c.type === "wildcard_import");
    return { kind: "importfrom", module, level, names: star ? "*" : this.importNames(n), span: src.span(n) };
  }

  decorator(n: Node): Expr {
    const e = firstNamed(n);
    return e ? this.x.expr(e) : this.x.other(n);
  }

  classDef(n: Node, decorators: Expr[]): Stmt {
    const bases: Expr[] = [];
    const keywords: Keyword[] = [];
    const sup = field(n.kids, "superclasses");
    if (sup) this.x.splitArguments(sup, bases, keywords);
    const nameNode = field(n.kids, "name");
    return {
      kind: "class",
      name: nameNode ? this.src.text(nameNode) : "",
      bases,
      keywords,
      decorators,
      body: this.block(field(n.kids, "body")),
      span: this.src.span(n),
      nameSpan: this.src.span(nameNode ?? n),
    };
  }

  funcDef(n: Node, decorators: Expr[]): Stmt {
    const nameNode = field(n.kids, "name");
    const name = nameNode ? this.src.text(nameNode) : "";
    const keep = this.keepBody(name);
    return {
      kind: "def",
      name,
      params: this.x.parameters(field(n.kids, "parameters")),
      decorators,
      body: keep ? this.block(field(n.kids, "body")) : [],
      ...(keep ? {} : { bodySkipped: true }),
      span: this.src.span(n),
      nameSpan: this.src.span(nameNode ?? n),
    };
  }

  ifStatement(n: Node): Stmt {
    const x = this.x;
    const test = x.expr(field(n.kids, "condition"));
    const body = this.block(field(n.kids, "consequence"));
    // Fold `elif` chains into nested ifs.
    const alternatives = fieldAll(n, "alternative");
    let orelse: Stmt[] = [];
    for (let i = alternatives.length - 1; i >= 0; i--) {
      const alt = alternatives[i]!;
      if (alt.type === "else_clause") orelse = this.block(field(alt.kids, "body"));
      else if (alt.type === "elif_clause") {
        orelse = [
          {
            kind: "if",
            test: x.expr(field(alt.kids, "condition")),
            body: this.block(field(alt.kids, "consequence")),
            orelse,
            span: this.src.span(alt),
          },
        ];
      }
    }
    return { kind: "if", test, body, orelse, span: this.src.span(n) };
  }

  elseBlock(n: Node | null): Stmt[] {
    return n ? this.block(field(n.kids, "body")) : [];
  }
}

/** The first named `block` child (except and finally clauses have no body field). */
function namedBlock(n: Node): Node | null {
  for (const k of n.kids) if (k.named && k.type === "block") return k;
  return null;
}

// ---------------------------------------------------------------- expressions

const MISSING: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

class Expressions {
  constructor(private readonly src: Source) {}

  other(n: Node): Expr {
    const text = this.src.text(n);
    return { kind: "other", text: text.length > 200 ? text.slice(0, 200) : text, span: this.src.span(n) };
  }

  splitArguments(n: Node, args: Expr[], kwargs: Keyword[]): void {
    for (const c of n.kids) {
      if (!c.named) continue;
      if (c.type === "keyword_argument") {
        const name = field(c.kids, "name");
        kwargs.push({ name: name ? this.src.text(name) : "", value: this.expr(field(c.kids, "value")) });
      } else if (c.type === "dictionary_splat") {
        kwargs.push({ name: null, value: this.expr(firstNamed(c)) });
      } else if (c.type === "list_splat") {
        args.push({ kind: "starred", value: this.expr(firstNamed(c)), span: this.src.span(c) });
      } else if (c.type !== "comment") {
        args.push(this.expr(c));
      }
    }
  }

  parameters(n: Node | null): Param[] {
    if (!n) return [];
    const src = this.src;
    const params: Param[] = [];
    const textOf = (m: Node | null): string => (m ? src.text(m) : "");
    for (const p of n.kids) {
      if (!p.named) continue;
      switch (p.type) {
        case "identifier":
          params.push({ name: src.text(p), default: null, kind: "plain" });
          break;
        case "typed_parameter": {
          const inner = firstNamed(p);
          if (inner?.type === "list_splat_pattern") params.push({ name: textOf(firstNamed(inner)), default: null, kind: "star" });
          else if (inner?.type === "dictionary_splat_pattern") params.push({ name: textOf(firstNamed(inner)), default: null, kind: "starstar" });
          else params.push({ name: textOf(inner), default: null, kind: "plain" });
          break;
        }
        case "default_parameter":
        case "typed_default_parameter":
          params.push({ name: textOf(field(p.kids, "name")), default: this.expr(field(p.kids, "value")), kind: "plain" });
          break;
        case "list_splat_pattern":
          params.push({ name: textOf(firstNamed(p)), default: null, kind: "star" });
          break;
        case "dictionary_splat_pattern":
          params.push({ name: textOf(firstNamed(p)), default: null, kind: "starstar" });
          break;
        default:
          break;
      }
    }
    return params;
  }

  expr(n: Node | null): Expr {
    if (!n) return { kind: "other", text: "", span: MISSING };
    const src = this.src;
    switch (n.type) {
      case "identifier":
        return { kind: "name", id: src.text(n), span: src.span(n) };
      case "attribute": {
        const attr = field(n.kids, "attribute");
        return { kind: "attr", value: this.expr(field(n.kids, "object")), attr: attr ? src.text(attr) : "", span: src.span(n) };
      }
      case "string":
        return this.stringLiteral(n);
      case "concatenated_string": {
        // Comments may sit between the parts (`("a"  # why\n "b")`): they are not part of the value.
        const parts = namedKids(n)
          .filter((p) => p.type !== "comment")
          .map((p) => this.stringLiteral(p));
        if (parts.every((p) => p.kind === "str")) {
          return { kind: "str", value: parts.map((p) => (p.kind === "str" ? p.value : "")).join(""), span: src.span(n) };
        }
        return { kind: "fstr", text: src.text(n), span: src.span(n) };
      }
      case "integer":
      case "float": {
        const v = Number(src.text(n).replace(/_/g, ""));
        return Number.isNaN(v) ? this.other(n) : { kind: "num", value: v, span: src.span(n) };
      }
      case "true":
        return { kind: "const", value: true, span: src.span(n) };
      case "false":
        return { kind: "const", value: false, span: src.span(n) };
      case "none":
        return { kind: "const", value: null, span: src.span(n) };
      case "list":
      case "tuple":
      case "set":
      case "expression_list":
      case "pattern_list":
      case "tuple_pattern":
      case "list_pattern": {
        const kind = n.type === "list" || n.type === "list_pattern" ? "list" : n.type === "set" ? "set" : "tuple";
        const elts: Expr[] = [];
        for (const c of n.kids) if (c.named && c.type !== "comment") elts.push(this.expr(c));
        return { kind, elts, span: src.span(n) };
      }
      case "dictionary": {
        const items: DictItem[] = [];
        for (const c of n.kids) {
          if (!c.named) continue;
          if (c.type === "pair") items.push({ key: this.expr(field(c.kids, "key")), value: this.expr(field(c.kids, "value")) });
          else if (c.type === "dictionary_splat") items.push({ key: null, value: this.expr(firstNamed(c)) });
        }
        return { kind: "dict", items, span: src.span(n) };
      }
      case "call": {
        const args: Expr[] = [];
        const kwargs: Keyword[] = [];
        const a = field(n.kids, "arguments");
        if (a?.type === "argument_list") this.splitArguments(a, args, kwargs);
        else if (a) args.push(this.expr(a)); // a bare generator argument: any(x for x in y)
        return { kind: "call", func: this.expr(field(n.kids, "function")), args, kwargs, span: src.span(n) };
      }
      case "generic_type": {
        // `Mapped[int]` in an annotation: read it as the subscript it is at run time.
        const [head, params] = namedKids(n);
        const types: Expr[] = [];
        if (params) for (const c of params.kids) if (c.named && c.type !== "comment") types.push(this.expr(c));
        const index: Expr = types.length === 1 ? types[0]! : { kind: "tuple", elts: types, span: src.span(params ?? n) };
        return { kind: "subscript", value: this.expr(head ?? null), index, span: src.span(n) };
      }
      case "parenthesized_expression":
      case "type": {
        // `type`: an annotation (`x: Mapped[int] = ...`) wraps its expression.
        const inner = n.kids.find((c) => c.named && c.type !== "comment");
        return inner ? this.expr(inner) : this.other(n);
      }
      case "comparison_operator": {
        const operands: Expr[] = [];
        const ops: string[] = [];
        let pending = "";
        for (const c of n.kids) {
          if (c.named && c.type !== "comment") {
            if (pending) ops.push(pending);
            pending = "";
            operands.push(this.expr(c));
          } else if (!c.named) pending = pending ? `${pending} ${c.type}` : c.type;
        }
        const [left, ...comparators] = operands;
        return { kind: "compare", left: left ?? this.other(n), ops, comparators, span: src.span(n) };
      }
      case "boolean_operator": {
        const op = field(n.kids, "operator")?.type === "or" ? "or" : "and";
        const values: Expr[] = [];
        for (const side of [field(n.kids, "left"), field(n.kids, "right")]) {
          const e = this.expr(side);
          if (e.kind === "boolop" && e.op === op) values.push(...e.values);
          else values.push(e);
        }
        return { kind: "boolop", op, values, span: src.span(n) };
      }
      case "not_operator":
        return { kind: "not", operand: this.expr(field(n.kids, "argument")), span: src.span(n) };
      case "binary_operator":
        return {
          kind: "binop",
          op: field(n.kids, "operator")?.type ?? "?",
          left: this.expr(field(n.kids, "left")),
          right: this.expr(field(n.kids, "right")),
          span: src.span(n),
        };
      case "subscript": {
        const idx = fieldAll(n, "subscript");
        const index: Expr = idx.length === 1 ? this.expr(idx[0]!) : { kind: "tuple", elts: idx.map((i) => this.expr(i)), span: src.span(n) };
        return { kind: "subscript", value: this.expr(field(n.kids, "value")), index, span: src.span(n) };
      }
      case "conditional_expression": {
        const [body, test, orelse] = n.kids.filter((c) => c.named && c.type !== "comment");
        return { kind: "ifexp", test: this.expr(test ?? null), body: this.expr(body ?? null), orelse: this.expr(orelse ?? null), span: src.span(n) };
      }
      case "lambda": {
        const params = this.parameters(field(n.kids, "parameters"));
        return { kind: "lambda", params, body: this.expr(field(n.kids, "body")), span: src.span(n) };
      }
      case "generator_expression":
      case "list_comprehension":
      case "set_comprehension":
        return this.comprehension(n);
      case "list_splat":
        return { kind: "starred", value: this.expr(firstNamed(n)), span: src.span(n) };
      case "keyword_argument":
        return this.expr(field(n.kids, "value"));
      case "await":
        return this.expr(firstNamed(n));
      default:
        return this.other(n);
    }
  }

  comprehension(n: Node): Expr {
    const generators: Comprehension[] = [];
    for (const c of n.kids) {
      if (!c.named) continue;
      if (c.type === "for_in_clause") {
        generators.push({ target: this.expr(field(c.kids, "left")), iter: this.expr(field(c.kids, "right")), ifs: [] });
      } else if (c.type === "if_clause" && generators.length > 0) {
        generators[generators.length - 1]!.ifs.push(this.expr(firstNamed(c)));
      }
    }
    return { kind: "comprehension", elt: this.expr(field(n.kids, "body")), generators, span: this.src.span(n) };
  }

  stringLiteral(n: Node): Expr {
    const src = this.src;
    let prefix = "";
    let quote = "";
    let hasInterpolation = false;
    const opening = (start: string): void => {
      const m = /^([A-Za-z]*)(.*)$/s.exec(start)!;
      prefix = m[1]!.toLowerCase();
      quote = m[2]!;
    };
    // Only f-strings are read with their parts (see Reader); the others' opening is in their text.
    if (n.type === "string" && n.kids.length === 0 && n.end > n.start) opening(src.stringStart(n));
    for (const c of n.kids) {
      if (c.type === "string_start") opening(src.text(c));
      else if (c.type === "interpolation") hasInterpolation = true;
    }
    if (prefix.includes("f") && !prefix.includes("b")) return this.fString(n, prefix.includes("r"));
    const text = src.text(n);
    if (hasInterpolation || prefix.includes("b") || prefix.includes("t")) {
      return { kind: "fstr", text, span: src.span(n) };
    }
    const body = text.slice(prefix.length + quote.length, text.length - quote.length);
    const value = prefix.includes("r") ? body : unescape(body);
    return { kind: "str", value, span: src.span(n) };
  }

  /** An f-string as literal parts and plain `{expr}` parts (conversions and format specs make it opaque). */
  fString(n: Node, raw: boolean): Expr {
    const src = this.src;
    const parts: FStringPart[] = [];
    for (const c of n.kids) {
      if (c.type === "string_content") {
        const t = src.text(c);
        parts.push({ text: raw ? t : unescape(t.replace(/\{\{/g, "{").replace(/\}\}/g, "}")) });
      } else if (c.type === "escape_sequence") {
        const t = src.text(c);
        parts.push({ text: raw ? t : unescape(t) });
      } else if (c.type === "interpolation") {
        const inner = namedKids(c);
        if (inner.length !== 1) return { kind: "fstr", text: src.text(n), span: src.span(n) };
        parts.push({ expr: this.expr(inner[0]!) });
      }
    }
    return { kind: "fstr", text: src.text(n), parts, span: src.span(n) };
  }
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
