/**
 * src/python/parse.ts: tree-sitter → the JSON-able AST, on the edges a conversion can get wrong
 * (text sliced by index on non-ASCII and CRLF sources, syntax errors, decorators, f-strings, skipped bodies).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Expr, Module, Span, Stmt } from "../src/python/ast.js";

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), "parse-probe.js");

/**
 * PythonParser.parse in its own process (see test/parse-probe.ts); `keep`: the function names whose bodies are kept;
 * `unread`: the keyword arguments whose values are not converted.
 */
const parser = {
  parse(text: string, keep?: string[], unread?: string[]): Module {
    const r = spawnSync(process.execPath, [PROBE], { input: JSON.stringify({ text, keep, unread }), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`parse-probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Module;
  },
};

/** The tree without spans, for structural assertions. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "span" && k !== "nameSpan") out[k] = shape(x);
    return out;
  }
  return v;
}

function sp(line: number, column: number, endLine: number, endColumn: number): Span {
  return { line, column, endLine, endColumn };
}

function stmt(m: Module, i: number): Stmt {
  const s = m.body[i];
  if (!s) throw new Error(`no statement ${i}`);
  return s;
}

const name = (id: string) => ({ kind: "name", id });
const str = (value: string) => ({ kind: "str", value });

describe("python parse: text and positions", () => {
  test("non-ASCII text: values and columns in UTF-16 units (é, emoji, CJK)", () => {
    const m = parser.parse('x = "é😀中"; y = a.b  # ü\nclass Café(models.Model):\n    nom = models.CharField(verbose_name="中文 ✓", help_text="\\u00e9\\x41")\n');
    expect(m.errors).toEqual([]);
    const x = stmt(m, 0);
    expect(x).toMatchObject({ kind: "assign", value: { kind: "str", value: "é😀中", span: sp(1, 5, 1, 11) }, span: sp(1, 1, 1, 11) });
    // After a surrogate pair on the same line, columns still count UTF-16 code units.
    expect(stmt(m, 1)).toMatchObject({
      kind: "assign",
      targets: [{ kind: "name", id: "y", span: sp(1, 13, 1, 14) }],
      value: { kind: "attr", attr: "b", value: { kind: "name", id: "a", span: sp(1, 17, 1, 18) }, span: sp(1, 17, 1, 20) },
    });
    const cls = stmt(m, 2);
    expect(cls).toMatchObject({ kind: "class", name: "Café", nameSpan: sp(2, 7, 2, 11) });
    expect(cls.span).toEqual(sp(2, 1, 3, 72));
    if (cls.kind !== "class") throw new Error("class expected");
    expect(shape(cls.body)).toEqual([
      {
        kind: "assign",
        targets: [name("nom")],
        value: {
          kind: "call",
          func: { kind: "attr", value: name("models"), attr: "CharField" },
          args: [],
          kwargs: [
            { name: "verbose_name", value: str("中文 ✓") },
            { name: "help_text", value: str("éA") },
          ],
        },
        annotation: null,
      },
    ]);
    const call = (cls.body[0] as Extract<Stmt, { kind: "assign" }>).value;
    if (call.kind !== "call") throw new Error("call expected");
    expect(call.kwargs[0]!.value.span).toEqual(sp(3, 41, 3, 47));
  });

  test("CRLF line endings: lines counted on \\n, no \\r in text or columns", () => {
    const m = parser.parse('a = 1\r\nb = "x"\r\nif a:\r\n    c = b  # note\r\n    d = "é"\r\n');
    expect(m.errors).toEqual([]);
    expect(stmt(m, 1)).toMatchObject({ kind: "assign", value: { kind: "str", value: "x", span: sp(2, 5, 2, 8) }, span: sp(2, 1, 2, 8) });
    const ifs = stmt(m, 2);
    if (ifs.kind !== "if") throw new Error("if expected");
    expect(ifs.body.map((s) => s.span)).toEqual([sp(4, 5, 4, 10), sp(5, 5, 5, 12)]);
    expect(shape(ifs.body[1])).toEqual({ kind: "assign", targets: [name("d")], value: str("é"), annotation: null });
  });
});

describe("python parse: syntax errors", () => {
  test("an ERROR node is reported with its first line and span; the rest of the file is read", () => {
    const m = parser.parse("class A(:\n    x = 1\n\nTABLE = 'ok'\n");
    expect(m.errors.length).toBeGreaterThan(0);
    expect(m.errors[0]!.message).toMatch(/^syntax error near `/);
    expect(m.errors[0]!.span.line).toBe(1);
    const last = m.body[m.body.length - 1]!;
    expect(shape(last)).toEqual({ kind: "assign", targets: [name("TABLE")], value: str("ok"), annotation: null });
    expect(last.span).toEqual(sp(4, 1, 4, 13));
  });

  test("an error inside a line, and one spanning lines (with non-ASCII before it)", () => {
    const a = parser.parse("a = [1, 2 3]\nb = 4\n");
    expect(a.errors).toEqual([{ message: "syntax error near `3`", span: sp(1, 11, 1, 12) }]);
    expect(shape(a.body[1])).toEqual({ kind: "assign", targets: [name("b")], value: { kind: "num", value: 4 }, annotation: null });
    const b = parser.parse('é = {"a": 1\ny = 2\n');
    expect(b.errors).toEqual([{ message: 'syntax error near `= {"a": 1`', span: sp(1, 3, 2, 2) }]);
  });

  test("a clean file has no errors and a broken one never throws", () => {
    expect(parser.parse("def f(:\n  return 1\n@\nclass\n").errors.length).toBeGreaterThan(0);
    expect(parser.parse("").body).toEqual([]);
  });
});

describe("python parse: definitions", () => {
  const src = [
    "@app.register(Model, site=admin.site)",
    "@other",
    "class Admin(admin.ModelAdmin, metaclass=Meta):",
    "    @property",
    "    @cached(ttl=1)",
    "    def title(self, *args, key: int = 2, **kw):",
    "        return self.x",
    "",
    "def upgrade():",
    "    def inner(a=None):",
    "        op.drop_table('t')",
    "    op.create_table('t', sa.Column('id', sa.Integer))",
    "",
  ].join("\n");

  test("stacked decorators on a class and a method, in source order", () => {
    const m = parser.parse(src);
    expect(shape(stmt(m, 0))).toMatchObject({
      kind: "class",
      name: "Admin",
      bases: [{ kind: "attr", value: name("admin"), attr: "ModelAdmin" }],
      keywords: [{ name: "metaclass", value: name("Meta") }],
      decorators: [
        {
          kind: "call",
          func: { kind: "attr", value: name("app"), attr: "register" },
          args: [name("Model")],
          kwargs: [{ name: "site", value: { kind: "attr", value: name("admin"), attr: "site" } }],
        },
        name("other"),
      ],
      body: [
        {
          kind: "def",
          name: "title",
          params: [
            { name: "self", default: null, kind: "plain" },
            { name: "args", default: null, kind: "star" },
            { name: "key", default: { kind: "num", value: 2 }, kind: "plain" },
            { name: "kw", default: null, kind: "starstar" },
          ],
          decorators: [name("property"), { kind: "call", func: name("cached"), args: [], kwargs: [{ name: "ttl", value: { kind: "num", value: 1 } }] }],
          body: [{ kind: "return", value: { kind: "attr", value: name("self"), attr: "x" } }],
        },
      ],
    });
    const cls = stmt(m, 0);
    // The class span starts at `class`, not at its first decorator; nameSpan is the name.
    expect(cls.span.line).toBe(3);
    expect(cls.kind === "class" && cls.nameSpan).toEqual(sp(3, 7, 3, 12));
  });

  test("keepBody: skipped bodies are empty and marked, kept ones (and defs inside them) converted", () => {
    const m = parser.parse(src, ["upgrade"]);
    const cls = stmt(m, 0);
    if (cls.kind !== "class") throw new Error("class expected");
    expect(cls.body[0]).toMatchObject({ kind: "def", name: "title", body: [], bodySkipped: true });
    expect((cls.body[0] as { params: unknown[] }).params).toHaveLength(4);
    const up = stmt(m, 1);
    expect(up).toMatchObject({ kind: "def", name: "upgrade", span: sp(9, 1, 12, 54), nameSpan: sp(9, 5, 9, 12) });
    expect("bodySkipped" in up).toBe(false);
    if (up.kind !== "def") throw new Error("def expected");
    expect(up.body[0]).toMatchObject({ kind: "def", name: "inner", body: [], bodySkipped: true, params: [{ name: "a", default: { kind: "const", value: null } }] });
    expect(shape(up.body[1])).toEqual({
      kind: "expr",
      value: {
        kind: "call",
        func: { kind: "attr", value: name("op"), attr: "create_table" },
        args: [str("t"), { kind: "call", func: { kind: "attr", value: name("sa"), attr: "Column" }, args: [str("id"), { kind: "attr", value: name("sa"), attr: "Integer" }], kwargs: [] }],
        kwargs: [],
      },
    });
    // Default keepBody: everything converted.
    const all = parser.parse(src);
    const title = (stmt(all, 0) as Extract<Stmt, { kind: "class" }>).body[0]!;
    expect("bodySkipped" in title).toBe(false);
  });

  test("unreadKeywords: those values become `other` with their text; other keywords, and the same name elsewhere, are converted", () => {
    const code = [
      "f = models.CharField(",
      '    choices=[("a", "A"), ("b", f(x))],',
      "    max_length=2,",
      "    validators=[v()],",
      ")",
      'choices = [("c", "C")]',
      "",
    ].join("\n");
    const m = parser.parse(code, undefined, ["choices", "validators"]);
    const call = (stmt(m, 0) as Extract<Stmt, { kind: "assign" }>).value;
    if (call.kind !== "call") throw new Error("call expected");
    expect(call.kwargs.map((k) => k.name)).toEqual(["choices", "max_length", "validators"]);
    expect(call.kwargs[0]!.value).toEqual({ kind: "other", text: '[("a", "A"), ("b", f(x))]', span: sp(2, 13, 2, 38) });
    expect(shape(call.kwargs[1]!.value)).toEqual({ kind: "num", value: 2 });
    expect(shape(call.kwargs[2]!.value)).toEqual({ kind: "other", text: "[v()]" });
    // A binding named like an unread keyword is an assignment, not a keyword argument.
    expect(shape((stmt(m, 1) as Extract<Stmt, { kind: "assign" }>).value)).toMatchObject({ kind: "list" });
    // Without the option, the same call is converted whole.
    const whole = (stmt(parser.parse(code), 0) as Extract<Stmt, { kind: "assign" }>).value;
    expect(whole.kind === "call" && shape(whole.kwargs[0]!.value)).toMatchObject({ kind: "list" });
  });
});

describe("python parse: strings", () => {
  function value(code: string): Expr {
    const s = stmt(parser.parse(`x = ${code}\n`), 0);
    if (s.kind !== "assign") throw new Error("assign expected");
    return s.value;
  }

  test("f-strings: literal and {expr} parts; braces unescaped; specs and conversions opaque", () => {
    expect(shape(value('f"{prefix}_{name}s"'))).toEqual({ kind: "fstr", text: 'f"{prefix}_{name}s"', parts: [{ expr: name("prefix") }, { text: "_" }, { expr: name("name") }, { text: "s" }] });
    expect(shape(value('f"a{{b}}\\n{c.d}"'))).toEqual({ kind: "fstr", text: 'f"a{{b}}\\n{c.d}"', parts: [{ text: "a{b}\n" }, { expr: { kind: "attr", value: name("c"), attr: "d" } }] });
    expect(shape(value('rf"\\d{n}"'))).toEqual({ kind: "fstr", text: 'rf"\\d{n}"', parts: [{ text: "\\d" }, { expr: name("n") }] });
    const spec = value('f"{n:>10}"');
    expect(spec.kind === "fstr" && spec.parts).toBeFalsy();
    expect(shape(value('f"é{n}😀"'))).toEqual({ kind: "fstr", text: 'f"é{n}😀"', parts: [{ text: "é" }, { expr: name("n") }, { text: "😀" }] });
  });

  test("plain, raw, bytes, triple-quoted and concatenated strings", () => {
    expect(shape(value("'a\\tb'"))).toEqual(str("a\tb"));
    expect(shape(value("r'a\\tb'"))).toEqual(str("a\\tb"));
    expect(shape(value("b'ab'"))).toEqual({ kind: "fstr", text: "b'ab'" });
    expect(shape(value('"""one\ntwo é"""'))).toEqual(str("one\ntwo é"));
    expect(shape(value('("app_" "table" \'_é\')'))).toEqual(str("app_table_é"));
    expect(shape(value('("app_" f"{x}")'))).toEqual({ kind: "fstr", text: '"app_" f"{x}"' });
    expect(value('"😀" "中"').span).toEqual(sp(1, 5, 1, 13));
    // A comment between the parts is not part of the value (saleor's help_text carried a `# noqa: E501`).
    expect(shape(value('(\n    "a"  # noqa: E501\n    "b"\n)'))).toEqual(str("ab"));
  });
});

describe("python parse: statements and expressions", () => {
  test("control flow: elif chains fold into nested ifs; try, for/else, with", () => {
    const m = parser.parse(
      [
        "if a:\n    x = 1\nelif b:\n    x = 2\nelif c:\n    x = 3\nelse:\n    x = 4",
        "try:\n    import y\nexcept ImportError:\n    y = None\nexcept (A, B) as e:\n    pass\nelse:\n    z = 1\nfinally:\n    w = 2",
        "for i in range(3):\n    t = i\nelse:\n    t = -1",
        "with open(p) as f, lock:\n    data = f.read()",
        "while x < 3:\n    x += 1",
      ].join("\n") + "\n",
    );
    const assign = (id: string, v: unknown) => ({ kind: "assign", targets: [name(id)], value: v, annotation: null });
    const num = (value: number) => ({ kind: "num", value });
    expect(shape(m.body)).toEqual([
      {
        kind: "if",
        test: name("a"),
        body: [assign("x", num(1))],
        orelse: [{ kind: "if", test: name("b"), body: [assign("x", num(2))], orelse: [{ kind: "if", test: name("c"), body: [assign("x", num(3))], orelse: [assign("x", num(4))] }] }],
      },
      {
        kind: "try",
        body: [{ kind: "import", names: [{ name: "y", asname: null }] }],
        handlers: [[assign("y", { kind: "const", value: null })], [{ kind: "pass" }]],
        orelse: [assign("z", num(1))],
        finalbody: [assign("w", num(2))],
      },
      {
        kind: "for",
        target: name("i"),
        iter: { kind: "call", func: name("range"), args: [num(3)], kwargs: [] },
        body: [assign("t", name("i"))],
        orelse: [assign("t", { kind: "other", text: "-1" })],
      },
      {
        kind: "with",
        items: [{ kind: "call", func: name("open"), args: [name("p")], kwargs: [] }, name("lock")],
        body: [assign("data", { kind: "call", func: { kind: "attr", value: name("f"), attr: "read" }, args: [], kwargs: [] })],
      },
      { kind: "while", test: { kind: "compare", left: name("x"), ops: ["<"], comparators: [num(3)] }, body: [{ kind: "augassign", target: name("x"), op: "+=", value: num(1) }] },
    ]);
    // The elif's span is the elif clause alone.
    const top = stmt(m, 0) as Extract<Stmt, { kind: "if" }>;
    expect(top.orelse[0]!.span).toEqual(sp(3, 1, 4, 10));
  });

  test("imports, assignments and annotations", () => {
    const m = parser.parse(
      [
        "from __future__ import annotations",
        "import a.b as c, d",
        "from ..models import (Base,  # comment\n    Other as O)",
        "from .x import *",
        "a = b = {'k': 1, **rest}",
        "n: Mapped[int] = mapped_column(Integer, primary_key=True)",
        "m: Mapped[dict[str, int]]",
        "t: int",
        "e = (1, 2,)[0]",
      ].join("\n") + "\n",
    );
    expect(shape(m.body)).toEqual([
      { kind: "import", names: [{ name: "a.b", asname: "c" }, { name: "d", asname: null }] },
      { kind: "importfrom", module: "models", level: 2, names: [{ name: "Base", asname: null }, { name: "Other", asname: "O" }] },
      { kind: "importfrom", module: "x", level: 1, names: "*" },
      {
        kind: "assign",
        targets: [name("a"), name("b")],
        value: { kind: "dict", items: [{ key: str("k"), value: { kind: "num", value: 1 } }, { key: null, value: name("rest") }] },
        annotation: null,
      },
      {
        kind: "assign",
        targets: [name("n")],
        value: { kind: "call", func: name("mapped_column"), args: [name("Integer")], kwargs: [{ name: "primary_key", value: { kind: "const", value: true } }] },
        annotation: { kind: "subscript", value: name("Mapped"), index: name("int") },
      },
      {
        kind: "annassign",
        target: name("m"),
        annotation: { kind: "subscript", value: name("Mapped"), index: { kind: "subscript", value: name("dict"), index: { kind: "tuple", elts: [name("str"), name("int")] } } },
      },
      { kind: "annassign", target: name("t"), annotation: name("int") },
      {
        kind: "assign",
        targets: [name("e")],
        value: { kind: "subscript", value: { kind: "tuple", elts: [{ kind: "num", value: 1 }, { kind: "num", value: 2 }] }, index: { kind: "num", value: 0 } },
        annotation: null,
      },
    ]);
  });

  test("operators, comprehensions, lambdas and calls", () => {
    const m = parser.parse(
      [
        "a = x not in y and p is not None and not q or r",
        "b = [t.name for t in tables if t.schema if t.x for u in t.cols]",
        "c = any(s for s in xs)",
        "d = lambda k, v=1: k + v",
        "e = f(*args, g=1, **kw)",
        "h = 1 if ok else 2",
        "i = await thing()",
        "j = {1, 2}",
        "k = -1",
      ].join("\n") + "\n",
    );
    const values = m.body.map((s) => (s.kind === "assign" ? shape(s.value) : null));
    expect(values[0]).toEqual({
      kind: "boolop",
      op: "or",
      values: [
        {
          kind: "boolop",
          op: "and",
          values: [
            { kind: "compare", left: name("x"), ops: ["not in"], comparators: [name("y")] },
            { kind: "compare", left: name("p"), ops: ["is not"], comparators: [{ kind: "const", value: null }] },
            { kind: "not", operand: name("q") },
          ],
        },
        name("r"),
      ],
    });
    expect(values[1]).toEqual({
      kind: "comprehension",
      elt: { kind: "attr", value: name("t"), attr: "name" },
      generators: [
        { target: name("t"), iter: name("tables"), ifs: [{ kind: "attr", value: name("t"), attr: "schema" }, { kind: "attr", value: name("t"), attr: "x" }] },
        { target: name("u"), iter: { kind: "attr", value: name("t"), attr: "cols" }, ifs: [] },
      ],
    });
    expect(values[2]).toEqual({ kind: "call", func: name("any"), args: [{ kind: "comprehension", elt: name("s"), generators: [{ target: name("s"), iter: name("xs"), ifs: [] }] }], kwargs: [] });
    expect(values[3]).toEqual({
      kind: "lambda",
      params: [
        { name: "k", default: null, kind: "plain" },
        { name: "v", default: { kind: "num", value: 1 }, kind: "plain" },
      ],
      body: { kind: "binop", op: "+", left: name("k"), right: name("v") },
    });
    expect(values[4]).toEqual({ kind: "call", func: name("f"), args: [{ kind: "starred", value: name("args") }], kwargs: [{ name: "g", value: { kind: "num", value: 1 } }, { name: null, value: name("kw") }] });
    expect(values[5]).toEqual({ kind: "ifexp", test: name("ok"), body: { kind: "num", value: 1 }, orelse: { kind: "num", value: 2 } });
    expect(values[6]).toEqual({ kind: "call", func: name("thing"), args: [], kwargs: [] });
    expect(values[7]).toEqual({ kind: "set", elts: [{ kind: "num", value: 1 }, { kind: "num", value: 2 }] });
    expect(values[8]).toEqual({ kind: "other", text: "-1" });
  });
});
