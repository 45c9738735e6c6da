/**
 * A small abstract interpreter for Alembic filter functions (`include_object`, `include_name`).
 *
 * Values are concrete where the code is static (string constants, name lists, prefixes, regexes,
 * `metadata.tables`) and `unknown` anywhere else. Branches on unknown conditions are explored both
 * ways; the filter's verdict is decided only when every path agrees. Never guesses.
 */
import type { Expr, Param, Stmt, Span } from "../python/ast.js";
import { dottedName } from "../python/ast.js";
import type { ModuleIndex } from "./modules.js";

export type Val =
  | { t: "py"; v: string | number | boolean | null }
  | { t: "seq"; items: Val[] }
  | { t: "dict"; entries: Array<[Val, Val]> }
  /** The schema object Alembic passes (a reflected Table when it exists only in the database). */
  | { t: "table"; name: string; schema: string | null; reflected: boolean; info?: Val }
  /** `metadata.tables`: keys known when `complete`. */
  | { t: "tables"; keys: Set<string>; complete: boolean }
  | { t: "metadata"; ids: string[] }
  | { t: "func"; file: string; params: Param[]; body: Stmt[] }
  | { t: "lambda"; file: string; params: Param[]; body: Expr; closure: Map<string, Val> }
  /** A compiled regular expression (`re.compile(...)`), by its Python source. */
  | { t: "regex"; source: string }
  /** An object with known attributes (the `cls` a `@declared_attr` receives: `cls.__name__`). */
  | { t: "obj"; attrs: Record<string, Val> }
  /** Something imported from outside the project, by dotted path (`re.match`). */
  | { t: "ext"; dotted: string }
  | { t: "unknown"; why: string };

const NONE: Val = { t: "py", v: null };
const TRUE: Val = { t: "py", v: true };
const FALSE: Val = { t: "py", v: false };
const unknown = (why: string): Val => ({ t: "unknown", why });

export interface EvalHost {
  index: ModuleIndex;
  /** Resolve a metadata expression in `file` (`target_metadata`, `Base.metadata`) to ids. */
  metadataIds(file: string, e: Expr): string[] | null;
  /** Table keys (`name` or `schema.name`) on those metadata, and whether the set is complete. */
  tablesOf(ids: string[]): { keys: Set<string>; complete: boolean };
  /** alembic.ini values for `config.get_main_option` (section null: the env's own); undefined: no ini known. */
  iniOption(section: string | null, key: string): string | null | undefined;
  /** A whole ini section for `config.get_section` (section null: the env's own). */
  iniSection(section: string | null): Record<string, string> | null | undefined;
}

export interface CallResult {
  /** true/false when every path agrees on the truthiness of the return value. */
  truth: boolean | "unknown";
  /** The `return` that decided it (first path), when decided. */
  decidedAt: Span | null;
  why: string;
}

const MAX_PATHS = 64;
const MAX_DEPTH = 6;

interface Path {
  locals: Map<string, Val>;
  ret: { val: Val; span: Span | null } | null;
}

export class FilterEvaluator {
  private depth = 0;

  constructor(private readonly host: EvalHost) {}

  /** The value a function returns, when every path returns the same value; else null. */
  callValue(fn: Val, args: Val[]): Val | null {
    if (fn.t !== "func" && fn.t !== "lambda") return null;
    const outcomes = this.invoke(fn, args);
    if (!outcomes || outcomes.length === 0) return null;
    const first = outcomes[0]!.val;
    return first.t !== "unknown" && outcomes.every((o) => o.val.t === "py" && first.t === "py" && o.val.v === first.v) ? first : null;
  }

  /** Call a function value with positional arguments. */
  call(fn: Val, args: Val[]): CallResult {
    if (fn.t !== "func" && fn.t !== "lambda") return { truth: "unknown", decidedAt: null, why: fn.t === "unknown" ? fn.why : "not a function" };
    const outcomes = this.invoke(fn, args);
    if (outcomes === null) return { truth: "unknown", decidedAt: null, why: "too many branches to follow" };
    let truth: boolean | "unknown" | undefined;
    let decidedAt: Span | null = null;
    let why = "";
    for (const o of outcomes) {
      const t = truthy(o.val);
      if (t === "unknown") {
        why = o.val.t === "unknown" ? o.val.why : "a value known only at run time";
        return { truth: "unknown", decidedAt: o.span, why };
      }
      if (truth === undefined) {
        truth = t;
        decidedAt = o.span;
      } else if (truth !== t) {
        return { truth: "unknown", decidedAt: null, why: "depends on a condition known only at run time" };
      }
    }
    return { truth: truth ?? false, decidedAt, why };
  }

  private invoke(fn: Extract<Val, { t: "func" | "lambda" }>, args: Val[]): Array<{ val: Val; span: Span | null }> | null {
    if (this.depth >= MAX_DEPTH) return [{ val: unknown("calls nested too deep"), span: null }];
    const locals = new Map<string, Val>(fn.t === "lambda" ? fn.closure : []);
    fn.params.forEach((p, i) => {
      if (p.kind === "plain") locals.set(p.name, args[i] ?? (p.default ? this.eval(p.default, fn.file, locals) : unknown(`argument ${p.name}`)));
      else if (p.kind === "star") locals.set(p.name, { t: "seq", items: args.slice(i) });
      else locals.set(p.name, { t: "dict", entries: [] });
    });
    this.depth++;
    try {
      if (fn.t === "lambda") return [{ val: this.eval(fn.body, fn.file, locals), span: fn.body.span }];
      const paths = this.exec(fn.body, fn.file, [{ locals, ret: null }]);
      if (paths === null) return null;
      return paths.map((p) => p.ret ?? { val: NONE, span: null });
    } finally {
      this.depth--;
    }
  }

  // ------------------------------------------------------------ statements

  private exec(body: Stmt[], file: string, paths: Path[]): Path[] | null {
    let live = paths;
    for (const s of body) {
      const next: Path[] = [];
      for (const p of live) {
        if (p.ret) {
          next.push(p);
          continue;
        }
        const r = this.step(s, file, p);
        if (r === null) return null;
        next.push(...r);
      }
      if (next.length > MAX_PATHS) return null;
      live = next;
    }
    return live;
  }

  private step(s: Stmt, file: string, p: Path): Path[] | null {
    switch (s.kind) {
      case "return":
        return [{ locals: p.locals, ret: { val: s.value ? this.eval(s.value, file, p.locals) : NONE, span: s.span } }];
      case "assign": {
        const v = this.eval(s.value, file, p.locals);
        for (const t of s.targets) if (t.kind === "name") p.locals.set(t.id, v);
        return [p];
      }
      case "augassign": {
        if (s.target.kind === "name") {
          const cur = p.locals.get(s.target.id) ?? this.eval(s.target, file, p.locals);
          p.locals.set(s.target.id, binop(s.op.replace("=", ""), cur, this.eval(s.value, file, p.locals)));
        }
        return [p];
      }
      case "if": {
        const t = truthy(this.eval(s.test, file, p.locals));
        if (t === true) return this.exec(s.body, file, [p]);
        if (t === false) return this.exec(s.orelse, file, [p]);
        const a = this.exec(s.body, file, [fork(p)]);
        const b = this.exec(s.orelse, file, [fork(p)]);
        return a && b ? [...a, ...b] : null;
      }
      case "for": {
        const it = this.eval(s.iter, file, p.locals);
        if (it.t !== "seq" || s.target.kind !== "name") {
          return [{ locals: p.locals, ret: { val: unknown("a loop over values known only at run time"), span: s.span } }];
        }
        let live: Path[] = [p];
        for (const item of it.items) {
          const next: Path[] = [];
          for (const q of live) {
            if (q.ret) {
              next.push(q);
              continue;
            }
            q.locals.set(s.target.id, item);
            const r = this.exec(s.body, file, [q]);
            if (r === null) return null;
            next.push(...r);
          }
          if (next.length > MAX_PATHS) return null;
          live = next;
        }
        const done = live.filter((q) => q.ret);
        const open = live.filter((q) => !q.ret);
        const after = open.length > 0 ? this.exec(s.orelse, file, open) : [];
        return after === null ? null : [...done, ...after];
      }
      case "with":
        return this.exec(s.body, file, [p]);
      case "try":
        return this.exec([...s.body, ...s.finalbody], file, [p]);
      case "def":
        p.locals.set(s.name, { t: "func", file, params: s.params, body: s.body });
        return [p];
      default:
        return [p];
    }
  }

  // ------------------------------------------------------------ expressions

  eval(e: Expr, file: string, locals: Map<string, Val>): Val {
    switch (e.kind) {
      case "str":
      case "num":
        return { t: "py", v: e.value };
      case "const":
        return { t: "py", v: e.value };
      case "fstr":
        return unknown("an f-string");
      case "list":
      case "tuple":
      case "set": {
        const items: Val[] = [];
        for (const x of e.elts) {
          if (x.kind === "starred") {
            const v = this.eval(x.value, file, locals);
            if (v.t !== "seq") return unknown("unpacking of a value known only at run time");
            items.push(...v.items);
          } else items.push(this.eval(x, file, locals));
        }
        return { t: "seq", items };
      }
      case "dict":
        return {
          t: "dict",
          entries: e.items.filter((i) => i.key).map((i) => [this.eval(i.key!, file, locals), this.eval(i.value, file, locals)] as [Val, Val]),
        };
      case "name":
        return this.name(e.id, file, locals);
      case "attr":
        return this.attr(e, file, locals);
      case "compare":
        return this.compare(e, file, locals);
      case "boolop": {
        let sawUnknown: Val | null = null;
        let last: Val = NONE;
        for (const x of e.values) {
          const v = this.eval(x, file, locals);
          const t = truthy(v);
          last = v;
          if (t === "unknown") sawUnknown ??= v;
          else if (e.op === "and" && !t && !sawUnknown) return v;
          else if (e.op === "or" && t && !sawUnknown) return v;
          else if (e.op === "and" && !t) return FALSE; // False after an unknown: still False
          else if (e.op === "or" && t) return TRUE;
        }
        return sawUnknown ?? last;
      }
      case "not": {
        const t = truthy(this.eval(e.operand, file, locals));
        return t === "unknown" ? unknown("negation of a run-time value") : { t: "py", v: !t };
      }
      case "binop":
        return binop(e.op, this.eval(e.left, file, locals), this.eval(e.right, file, locals));
      case "ifexp": {
        const t = truthy(this.eval(e.test, file, locals));
        if (t === "unknown") return unknown("a conditional expression on a run-time value");
        return this.eval(t ? e.body : e.orelse, file, locals);
      }
      case "lambda":
        return { t: "lambda", file, params: e.params, body: e.body, closure: new Map(locals) };
      case "subscript": {
        const base = this.eval(e.value, file, locals);
        const key = this.eval(e.index, file, locals);
        if (base.t === "dict") return dictGet(base, key) ?? unknown("a missing dictionary key");
        if (base.t === "seq" && key.t === "py" && typeof key.v === "number") return base.items.at(key.v) ?? unknown("index out of range");
        if (base.t === "py" && typeof base.v === "string" && key.t === "py" && typeof key.v === "number") {
          const ch = base.v.at(key.v);
          return ch === undefined ? unknown("index out of range") : { t: "py", v: ch };
        }
        return unknown("a subscript of a run-time value");
      }
      case "comprehension":
        return this.comprehension(e, file, locals);
      case "call":
        return this.callExpr(e, file, locals);
      default:
        return unknown(`\`${e.kind === "other" ? e.text.slice(0, 40) : e.kind}\``);
    }
  }

  private name(id: string, file: string, locals: Map<string, Val>): Val {
    const local = locals.get(id);
    if (local) return local;
    if (id === "__file__") return { t: "py", v: file };
    if (["any", "all", "len", "bool", "str", "set", "frozenset", "list", "tuple", "isinstance", "sorted", "getattr"].includes(id)) {
      return { t: "ext", dotted: `builtins.${id}` };
    }
    return this.global(file, id);
  }

  private global(file: string, id: string): Val {
    const sym = this.host.index.lookup(file, id);
    switch (sym.kind) {
      case "value": {
        if (this.host.index.facts(sym.file)?.mutated.includes(sym.name)) return unknown(`\`${sym.name}\` changes at run time (${sym.file})`);
        const ids = this.metadataIdsOf(sym.file, sym.value);
        if (ids) return { t: "metadata", ids };
        if (this.depth >= MAX_DEPTH) return unknown(`\`${id}\``);
        this.depth++;
        try {
          return this.eval(sym.value, sym.file, new Map());
        } finally {
          this.depth--;
        }
      }
      case "function":
        if (sym.fn.bodySkipped) return unknown(`\`${id}\` (${sym.file}), a function whose body tablewarden does not read`);
        return { t: "func", file: sym.file, params: sym.fn.params, body: sym.fn.body };
      case "external":
        return { t: "ext", dotted: sym.dotted };
      case "module":
        return { t: "ext", dotted: sym.module };
      default:
        return unknown(sym.kind === "unknown" ? sym.reason : `\`${id}\` (a ${sym.kind})`);
    }
  }

  private metadataIdsOf(file: string, e: Expr): string[] | null {
    if (e.kind !== "attr" && e.kind !== "name" && e.kind !== "list" && e.kind !== "tuple") return null;
    if (e.kind === "name") return null;
    if (e.kind === "attr" && e.attr !== "metadata") return null;
    if ((e.kind === "list" || e.kind === "tuple") && !e.elts.every((x) => x.kind === "attr" && x.attr === "metadata")) return null;
    return this.host.metadataIds(file, e);
  }

  private attr(e: Extract<Expr, { kind: "attr" }>, file: string, locals: Map<string, Val>): Val {
    if (e.attr === "metadata") {
      const ids = this.host.metadataIds(file, e);
      if (ids) return { t: "metadata", ids };
    }
    const base = this.eval(e.value, file, locals);
    return getattr(base, e.attr, this.host);
  }

  private compare(e: Extract<Expr, { kind: "compare" }>, file: string, locals: Map<string, Val>): Val {
    let left = this.eval(e.left, file, locals);
    let result: Val = TRUE;
    for (let i = 0; i < e.ops.length; i++) {
      const right = this.eval(e.comparators[i]!, file, locals);
      const r = compareOp(e.ops[i]!, left, right);
      if (r.t === "py" && r.v === false) return FALSE;
      if (r.t === "unknown") result = r;
      left = right;
    }
    return result;
  }

  private comprehension(e: Extract<Expr, { kind: "comprehension" }>, file: string, locals: Map<string, Val>): Val {
    const out: Val[] = [];
    const gen = (i: number, scope: Map<string, Val>): boolean => {
      const g = e.generators[i];
      if (!g) {
        out.push(this.eval(e.elt, file, scope));
        return true;
      }
      const it = this.eval(g.iter, file, scope);
      if (it.t !== "seq" || g.target.kind !== "name") return false;
      for (const item of it.items) {
        const inner = new Map(scope);
        inner.set(g.target.id, item);
        let keep: boolean | "unknown" = true;
        for (const cond of g.ifs) {
          const t = truthy(this.eval(cond, file, inner));
          if (t === false) keep = false;
          else if (t === "unknown" && keep === true) keep = "unknown";
        }
        if (keep === "unknown") out.push(unknown("a filtered element"));
        else if (keep && !gen(i + 1, inner)) return false;
      }
      return true;
    };
    return gen(0, new Map(locals)) ? { t: "seq", items: out } : unknown("iteration over a run-time value");
  }

  private callExpr(e: Extract<Expr, { kind: "call" }>, file: string, locals: Map<string, Val>): Val {
    // Method calls on values: name.startswith(...), obj.info.get(...)
    if (e.func.kind === "attr") {
      const recv = this.eval(e.func.value, file, locals);
      if (recv.t !== "ext" && recv.t !== "unknown") {
        const args = e.args.map((a) => this.eval(a, file, locals));
        return method(recv, e.func.attr, args);
      }
    }
    const fn = this.eval(e.func, file, locals);
    const args = e.args.map((a) => this.eval(a, file, locals));
    if (fn.t === "func" || fn.t === "lambda") {
      const outcomes = this.invoke(fn, args);
      if (!outcomes || outcomes.length === 0) return unknown("a helper function with too many branches");
      const first = outcomes[0]!.val;
      return outcomes.every((o) => sameVal(o.val, first)) ? first : unknown("a helper whose result depends on run-time values");
    }
    if (fn.t === "ext") return builtin(fn.dotted, args, this.host);
    return unknown(`a call to \`${dottedName(e.func) ?? "a function"}\``);
  }
}

function fork(p: Path): Path {
  return { locals: new Map(p.locals), ret: p.ret };
}

export function truthy(v: Val): boolean | "unknown" {
  switch (v.t) {
    case "py":
      return v.v !== null && v.v !== false && v.v !== 0 && v.v !== "";
    case "seq":
      return v.items.length > 0;
    case "dict":
      return v.entries.length > 0;
    case "tables":
      return v.keys.size > 0 ? true : v.complete ? false : "unknown";
    case "unknown":
      return "unknown";
    default:
      return true;
  }
}

function sameVal(a: Val, b: Val): boolean {
  if (a.t === "py" && b.t === "py") return a.v === b.v;
  const ta = truthy(a);
  return ta !== "unknown" && ta === truthy(b) && a.t !== "unknown";
}

function eq(a: Val, b: Val): boolean | "unknown" {
  if (a.t === "py" && b.t === "py") return a.v === b.v;
  if (a.t === "unknown" || b.t === "unknown") return "unknown";
  if (a.t === "seq" && b.t === "seq") {
    if (a.items.length !== b.items.length) return false;
    let r: boolean | "unknown" = true;
    for (let i = 0; i < a.items.length; i++) {
      const x = eq(a.items[i]!, b.items[i]!);
      if (x === false) return false;
      if (x === "unknown") r = "unknown";
    }
    return r;
  }
  if (a.t === "py" || b.t === "py") return a.t === "table" || b.t === "table" ? false : "unknown";
  return "unknown";
}

function contains(container: Val, needle: Val): boolean | "unknown" {
  switch (container.t) {
    case "seq": {
      let r: boolean | "unknown" = false;
      for (const item of container.items) {
        const x = eq(item, needle);
        if (x === true) return true;
        if (x === "unknown") r = "unknown";
      }
      return r;
    }
    case "dict": {
      let r: boolean | "unknown" = false;
      for (const [k] of container.entries) {
        const x = eq(k, needle);
        if (x === true) return true;
        if (x === "unknown") r = "unknown";
      }
      return r;
    }
    case "tables":
      if (needle.t !== "py" || typeof needle.v !== "string") return "unknown";
      return container.keys.has(needle.v) ? true : container.complete ? false : "unknown";
    case "py":
      if (typeof container.v === "string" && needle.t === "py" && typeof needle.v === "string") return container.v.includes(needle.v);
      return "unknown";
    default:
      return "unknown";
  }
}

function compareOp(op: string, a: Val, b: Val): Val {
  const wrap = (r: boolean | "unknown"): Val => (r === "unknown" ? unknown("a comparison with a run-time value") : { t: "py", v: r });
  const neg = (r: boolean | "unknown") => (r === "unknown" ? r : !r);
  switch (op) {
    case "==":
      return wrap(eq(a, b));
    case "!=":
      return wrap(neg(eq(a, b)));
    case "is":
      return a.t === "py" && b.t === "py" && (a.v === null || b.v === null || typeof a.v === "boolean") ? { t: "py", v: a.v === b.v } : wrap(a.t === "table" && b.t === "py" ? false : "unknown");
    case "is not":
      return a.t === "py" && b.t === "py" && (a.v === null || b.v === null || typeof a.v === "boolean") ? { t: "py", v: a.v !== b.v } : wrap(a.t === "table" && b.t === "py" ? true : "unknown");
    case "in":
      return wrap(contains(b, a));
    case "not in":
      return wrap(neg(contains(b, a)));
    default:
      if (a.t === "py" && b.t === "py" && typeof a.v === typeof b.v && a.v !== null && b.v !== null) {
        const x = a.v as number | string;
        const y = b.v as number | string;
        if (op === "<") return { t: "py", v: x < y };
        if (op === "<=") return { t: "py", v: x <= y };
        if (op === ">") return { t: "py", v: x > y };
        if (op === ">=") return { t: "py", v: x >= y };
      }
      return unknown(`comparison \`${op}\``);
  }
}

function binop(op: string, a: Val, b: Val): Val {
  if (op === "+") {
    if (a.t === "py" && b.t === "py" && typeof a.v === "string" && typeof b.v === "string") return { t: "py", v: a.v + b.v };
    if (a.t === "py" && b.t === "py" && typeof a.v === "number" && typeof b.v === "number") return { t: "py", v: a.v + b.v };
    if (a.t === "seq" && b.t === "seq") return { t: "seq", items: [...a.items, ...b.items] };
  }
  if (op === "|" && a.t === "seq" && b.t === "seq") return { t: "seq", items: [...a.items, ...b.items] };
  return unknown(`\`${op}\` on run-time values`);
}

function dictGet(d: Extract<Val, { t: "dict" }>, key: Val): Val | null {
  for (const [k, v] of d.entries) if (eq(k, key) === true) return v;
  return null;
}

function getattr(base: Val, attr: string, host: EvalHost): Val {
  switch (base.t) {
    case "table":
      if (attr === "name") return { t: "py", v: base.name };
      if (attr === "schema") return { t: "py", v: base.schema };
      // A table reflected from the database carries an empty `info` dict.
      if (attr === "info") return base.reflected ? { t: "dict", entries: [] } : (base.info ?? unknown("`info` of a metadata table"));
      return unknown(`\`.${attr}\` of the table object`);
    case "metadata": {
      const { keys, complete } = host.tablesOf(base.ids);
      if (attr === "tables") return { t: "tables", keys, complete };
      if (attr === "sorted_tables" && complete) {
        return { t: "seq", items: [...keys].map((k) => ({ t: "table", name: k.split(".").pop()!, schema: k.includes(".") ? k.split(".")[0]! : null, reflected: false }) as Val) };
      }
      return unknown(`\`.${attr}\` of a MetaData`);
    }
    case "ext":
      return { t: "ext", dotted: `${base.dotted}.${attr}` };
    case "obj":
      return base.attrs[attr] ?? unknown(`\`.${attr}\``);
    case "unknown":
      return base;
    default:
      return unknown(`\`.${attr}\``);
  }
}

function method(recv: Val, name: string, args: Val[]): Val {
  if (recv.t === "py" && typeof recv.v === "string") {
    const s = recv.v;
    switch (name) {
      case "startswith":
      case "endswith": {
        const a = args[0];
        const test = (p: Val): boolean | "unknown" => (p.t === "py" && typeof p.v === "string" ? (name === "startswith" ? s.startsWith(p.v) : s.endsWith(p.v)) : "unknown");
        if (!a) return unknown("startswith without argument");
        if (a.t === "seq") {
          let r: boolean | "unknown" = false;
          for (const p of a.items) {
            const x = test(p);
            if (x === true) return TRUE;
            if (x === "unknown") r = "unknown";
          }
          return r === "unknown" ? unknown("a prefix known only at run time") : FALSE;
        }
        const x = test(a);
        return x === "unknown" ? unknown("a prefix known only at run time") : { t: "py", v: x };
      }
      case "lower":
        return { t: "py", v: s.toLowerCase() };
      case "upper":
        return { t: "py", v: s.toUpperCase() };
      case "strip":
      case "lstrip":
      case "rstrip":
        if (args.length === 0) return { t: "py", v: name === "strip" ? s.trim() : name === "lstrip" ? s.trimStart() : s.trimEnd() };
        return unknown("strip with characters");
      case "split": {
        const sep = args[0];
        if (sep && sep.t === "py" && typeof sep.v === "string" && args.length === 1) return { t: "seq", items: s.split(sep.v).map((x) => ({ t: "py", v: x }) as Val) };
        return unknown("split");
      }
      default:
        return unknown(`str.${name}()`);
    }
  }
  if (recv.t === "dict" && name === "get") {
    const v = args[0] ? dictGet(recv, args[0]) : null;
    return v ?? args[1] ?? NONE;
  }
  if (recv.t === "tables" && name === "keys") return recv;
  if (recv.t === "regex") return regexCall(recv.source, name, args);
  return unknown(`\`.${name}()\``);
}

const CONFIG = /^alembic\.context\.config\.(get_main_option|get_section_option|get_section)$/;

/** `config.get_main_option("x", default)`, `config.get_section("alembic:exclude")`… read from alembic.ini. */
function configCall(method: string, args: Val[], host: EvalHost): Val {
  const str = (v: Val | undefined) => (v?.t === "py" && typeof v.v === "string" ? v.v : null);
  if (method === "get_main_option") {
    const key = str(args[0]);
    const v = key === null ? undefined : host.iniOption(null, key);
    if (v === undefined) return unknown("an alembic.ini option (no ini file found for this env.py)");
    return v === null ? (args[1] ?? NONE) : { t: "py", v };
  }
  if (method === "get_section_option") {
    const [section, key] = [str(args[0]), str(args[1])];
    const v = section === null || key === null ? undefined : host.iniOption(section, key);
    if (v === undefined) return unknown("an alembic.ini option");
    return v === null ? (args[2] ?? NONE) : { t: "py", v };
  }
  const section = str(args[0]);
  const sec = section === null ? undefined : host.iniSection(section);
  if (sec === undefined) return unknown("an alembic.ini section");
  if (sec === null) return args[1] ?? NONE;
  return { t: "dict", entries: Object.entries(sec).map(([k, v]) => [{ t: "py", v: k }, { t: "py", v }] as [Val, Val]) };
}

function builtin(dotted: string, args: Val[], host: EvalHost): Val {
  const a0 = args[0];
  const cfg = CONFIG.exec(dotted);
  if (cfg) return configCall(cfg[1]!, args, host);
  switch (dotted) {
    case "builtins.any":
    case "builtins.all": {
      if (!a0 || a0.t !== "seq") return unknown(`${dotted.slice(9)}() over run-time values`);
      let sawUnknown = false;
      for (const v of a0.items) {
        const t = truthy(v);
        if (t === "unknown") sawUnknown = true;
        else if (dotted === "builtins.any" && t) return TRUE;
        else if (dotted === "builtins.all" && !t) return FALSE;
      }
      return sawUnknown ? unknown("an element known only at run time") : { t: "py", v: dotted === "builtins.all" };
    }
    case "builtins.bool": {
      const t = a0 ? truthy(a0) : false;
      return t === "unknown" ? unknown("bool() of a run-time value") : { t: "py", v: t };
    }
    case "builtins.len":
      if (a0?.t === "seq") return { t: "py", v: a0.items.length };
      if (a0?.t === "py" && typeof a0.v === "string") return { t: "py", v: a0.v.length };
      return unknown("len()");
    case "builtins.set":
    case "builtins.frozenset":
    case "builtins.list":
    case "builtins.tuple":
    case "builtins.sorted":
      if (!a0) return { t: "seq", items: [] };
      if (a0.t === "seq") return a0;
      if (a0.t === "tables") return a0;
      if (a0.t === "dict") return { t: "seq", items: a0.entries.map(([k]) => k) };
      return unknown(`${dotted.slice(9)}() of a run-time value`);
    case "builtins.str":
      return a0?.t === "py" ? { t: "py", v: a0.v === null ? "None" : String(a0.v) } : unknown("str()");
    case "builtins.isinstance":
      return unknown("isinstance()");
    case "re.compile":
      return a0?.t === "py" && typeof a0.v === "string" && args.length === 1 ? { t: "regex", source: a0.v } : unknown("re.compile with flags");
    case "re.sub":
      return a0?.t === "py" && typeof a0.v === "string" ? regexCall(a0.v, "sub", args.slice(1)) : unknown("re.sub on a run-time pattern");
    case "os.path.basename":
    case "os.path.dirname": {
      if (a0?.t !== "py" || typeof a0.v !== "string") return unknown(`${dotted}() of a run-time path`);
      const p = a0.v.replace(/\/+$/, "");
      const i = p.lastIndexOf("/");
      return { t: "py", v: dotted.endsWith("basename") ? p.slice(i + 1) : i < 0 ? "" : p.slice(0, i) };
    }
    case "os.path.abspath":
    case "os.path.realpath":
    case "os.path.normpath":
      // Relative to the project root: the trailing components, which is what code takes apart, are right.
      return a0?.t === "py" && typeof a0.v === "string" ? a0 : unknown(`${dotted}() of a run-time path`);
    case "os.path.join":
      return args.every((x) => x.t === "py" && typeof x.v === "string")
        ? { t: "py", v: args.map((x) => (x as { v: string }).v).filter(Boolean).join("/") }
        : unknown("os.path.join of run-time parts");
    case "re.match":
    case "re.search":
    case "re.fullmatch": {
      const pattern = args[0];
      const subject = args[1];
      if (pattern?.t !== "py" || typeof pattern.v !== "string" || subject?.t !== "py" || typeof subject.v !== "string") return unknown("a regular expression on run-time values");
      const re = pythonRegex(pattern.v, dotted.slice(3) as "match" | "search" | "fullmatch");
      if (!re) return unknown(`the regular expression ${JSON.stringify(pattern.v)}`);
      return { t: "py", v: re.test(subject.v) };
    }
    default:
      return unknown(`a call to \`${dotted}\``);
  }
}

/** `pattern.sub(repl, s)`, `.match/.search/.fullmatch(s)` for a Python pattern source. */
function regexCall(source: string, method: string, args: Val[]): Val {
  const str = (v: Val | undefined) => (v?.t === "py" && typeof v.v === "string" ? v.v : null);
  if (method === "sub") {
    const [repl, subject] = [str(args[0]), str(args[1])];
    const re = pythonRegex(source, "search");
    if (repl === null || subject === null || !re || args.length > 2 || /\\[^\d\\g]/.test(repl)) return unknown("re.sub with a run-time argument");
    const jsRepl = repl.replace(/\$/g, "$$$$").replace(/\\g<(\w+)>/g, "$$<$1>").replace(/\\(\d+)/g, "$$$1").replace(/\\\\/g, "\\");
    return { t: "py", v: subject.replace(new RegExp(re.source, "g"), jsRepl) };
  }
  if (method === "match" || method === "search" || method === "fullmatch") {
    const subject = str(args[0]);
    const re = pythonRegex(source, method);
    if (subject === null || !re) return unknown(`a regular expression on a run-time value`);
    return { t: "py", v: re.test(subject) };
  }
  return unknown(`pattern.${method}()`);
}

/** Translate a simple Python regex to JS, anchored as `match`/`fullmatch` anchor it; null if unsure. */
function pythonRegex(src: string, mode: "match" | "search" | "fullmatch"): RegExp | null {
  if (/\(\?[aiLmsux]|\(\?P=|\\[AZ]|\(\?#/.test(src)) return null;
  const js = src.replace(/\(\?P</g, "(?<");
  try {
    if (mode === "match") return new RegExp(`^(?:${js})`);
    if (mode === "fullmatch") return new RegExp(`^(?:${js})$`);
    return new RegExp(js);
  } catch {
    return null;
  }
}
