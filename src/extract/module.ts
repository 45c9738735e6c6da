/**
 * Generic per-module facts: imports, module-level bindings, classes (with their Meta, fields and
 * methods), functions, and the few call sites rules care about. Framework meaning is given later
 * by the linker, which can follow imports across files.
 */
import { dottedName, walkExpr, walkStatements, statementExprs } from "../python/ast.js";
import type { Expr, Module, Stmt } from "../python/ast.js";
import type { CallSite, ClassFact, FileFacts, FunctionFact, ImportFact, StarImportFact, BindingFact } from "./facts.js";

/** Callee attribute names whose call sites are kept (`context.configure`, `metadata.create_all`). */
const INTERESTING_CALLS = new Set(["configure", "create_all", "drop_all", "set_main_option", "contribute_to_class"]);

export function extractModuleFacts(file: string, mod: Module): FileFacts {
  const facts: FileFacts = {
    file,
    suppressions: [],
    diagnostics: mod.errors.map((e) => ({
      code: "syntax-error" as const,
      severity: "warning" as const,
      message: `${e.message}; the rest of the file is still read`,
      loc: { file, ...e.span },
    })),
    imports: [],
    starImports: [],
    lazyImports: [],
    mutated: [],
    attrAssignments: [],
    bindings: [],
    classes: [],
    functions: {},
    calls: [],
  };
  moduleLevel(mod.body, facts, false);
  collectFunctionsAndCalls(mod.body, [], facts);
  return facts;
}

function moduleLevel(body: Stmt[], facts: FileFacts, conditional: boolean): void {
  for (const s of body) {
    switch (s.kind) {
      case "import":
        for (const n of s.names) {
          // `import a.b` binds `a` (and makes a.b reachable through it); `import a.b as c` binds c → a.b.
          if (n.asname) facts.imports.push(imp(n.asname, n.name, 0, null, s.span));
          else facts.imports.push(imp(n.name.split(".")[0]!, n.name, 0, null, s.span));
        }
        break;
      case "importfrom":
        if (s.names === "*") facts.starImports.push({ module: s.module, level: s.level, span: s.span } satisfies StarImportFact);
        else for (const n of s.names) facts.imports.push(imp(n.asname ?? n.name, s.module, s.level, n.name, s.span));
        break;
      case "assign":
        for (const t of s.targets) bindTarget(t, s.value, s, facts, conditional);
        break;
      case "augassign":
        if (s.target.kind === "name" && s.op === "+=") {
          facts.bindings.push({ name: s.target.id, op: "+=", value: s.value, span: s.span, conditional });
        }
        break;
      case "expr":
        // INSTALLED_APPS.append("x") / .extend([...]) / .insert(0, "x")
        if (s.value.kind === "call" && s.value.func.kind === "attr" && s.value.func.value.kind === "name") {
          const method = s.value.func.attr;
          if (method === "append" || method === "extend" || method === "insert") {
            facts.bindings.push({ name: s.value.func.value.id, op: "call", value: s.value, span: s.span, conditional });
          }
        }
        break;
      case "class":
        facts.classes.push(classFact(s));
        break;
      case "if":
        moduleLevel(s.body, facts, true);
        moduleLevel(s.orelse, facts, true);
        break;
      case "try":
        moduleLevel(s.body, facts, true);
        for (const h of s.handlers) moduleLevel(h, facts, true);
        moduleLevel(s.orelse, facts, true);
        moduleLevel(s.finalbody, facts, true);
        break;
      case "with":
      case "for":
        moduleLevel(s.body, facts, true);
        break;
      default:
        break;
    }
  }
}

function imp(local: string, module: string, level: number, name: string | null, span: ImportFact["span"]): ImportFact {
  return { local, module, level, name, span };
}

function bindTarget(target: Expr, value: Expr, s: Extract<Stmt, { kind: "assign" }>, facts: FileFacts, conditional: boolean): void {
  if (target.kind === "name") {
    facts.bindings.push({ name: target.id, op: "=", value, span: s.span, conditional });
  } else if ((target.kind === "tuple" || target.kind === "list") && (value.kind === "tuple" || value.kind === "list")) {
    target.elts.forEach((t, i) => {
      const v = value.elts[i];
      if (v) bindTarget(t, v, s, facts, conditional);
    });
  }
}

function classFact(s: Extract<Stmt, { kind: "class" }>): ClassFact {
  const keywords: Record<string, Expr> = {};
  for (const k of s.keywords) if (k.name) keywords[k.name] = k.value;
  const fact: ClassFact = {
    name: s.name,
    span: s.nameSpan,
    bases: s.bases,
    keywords,
    decorators: s.decorators,
    attrs: {},
    fields: [],
    meta: null,
    methods: {},
  };
  for (const st of s.body) {
    if (st.kind === "assign") {
      for (const t of st.targets) {
        if (t.kind !== "name") continue;
        const v = st.value;
        if (v.kind === "call") {
          const callee = dottedName(v.func) ?? "";
          fact.fields.push({ name: t.id, callee, call: v, span: st.span, ...(st.annotation ? { annotation: st.annotation } : {}) });
          // Calls can be attributes too (`__table__ = Table(...)`, `metadata = MetaData()`).
          if (t.id.startsWith("__") || t.id === "metadata") fact.attrs[t.id] = { value: v, span: st.span };
        } else {
          fact.attrs[t.id] = { value: v, span: st.span };
        }
      }
    } else if (st.kind === "annassign" && st.target.kind === "name") {
      (fact.annotated ??= []).push({ name: st.target.id, annotation: st.annotation, span: st.span });
    } else if (st.kind === "class" && st.name === "Meta") {
      const options: Record<string, { value: Expr; span: typeof st.span }> = {};
      for (const m of st.body) {
        if (m.kind === "assign") for (const t of m.targets) if (t.kind === "name") options[t.id] = { value: m.value, span: m.span };
      }
      fact.meta = { bases: st.bases, options, span: st.nameSpan };
    } else if (st.kind === "def") {
      fact.methods[st.name] = functionFact(st);
    }
  }
  return fact;
}

function functionFact(s: Extract<Stmt, { kind: "def" }>): FunctionFact {
  const f: FunctionFact = { name: s.name, params: s.params, decorators: s.decorators, body: s.body, span: s.nameSpan };
  if (s.bodySkipped) f.bodySkipped = true;
  return f;
}

function collectFunctionsAndCalls(body: Stmt[], scope: string[], facts: FileFacts): void {
  // Statements under a module-level `if __name__ == "__main__":` run only when the file is executed as a script.
  const scriptOnly = new Set<Stmt>();
  if (scope.length === 0) for (const s of body) if (s.kind === "if" && isMainGuard(s.test)) for (const g of walkStatements(s.body)) scriptOnly.add(g);
  for (const s of walkStatements(body)) {
    if (s.kind === "def") {
      facts.functions[s.name] = functionFact(s);
      collectFunctionsAndCalls(s.body, [...scope, s.name], facts);
      continue;
    }
    if (s.kind === "class") continue; // class bodies are read by classFact
    if (scope.length > 0 && s.kind === "import") {
      for (const n of s.names) facts.lazyImports.push(imp(n.asname ?? n.name.split(".")[0]!, n.name, 0, null, s.span));
    } else if (scope.length > 0 && s.kind === "importfrom" && s.names !== "*") {
      for (const n of s.names) facts.lazyImports.push(imp(n.asname ?? n.name, s.module, s.level, n.name, s.span));
    }
    if (s.kind === "assign") {
      for (const t of s.targets) {
        const target = t.kind === "attr" ? dottedName(t) : null;
        if (target) facts.attrAssignments.push({ target, span: s.span, scope });
      }
    }
    for (const e of statementExprs(s)) collectCalls(e, scope, facts.calls, scriptOnly.has(s));
  }
}

/** `__name__ == "__main__"` (either way round). */
function isMainGuard(test: Expr): boolean {
  if (test.kind !== "compare" || test.ops.length !== 1 || test.ops[0] !== "==") return false;
  const sides = [test.left, test.comparators[0]!];
  return sides.some((e) => e.kind === "name" && e.id === "__name__") && sides.some((e) => e.kind === "str" && e.value === "__main__");
}

/** Plain-name calls kept too (how env.py builds its engine). */
const INTERESTING_NAMES = new Set(["engine_from_config", "async_engine_from_config", "create_engine", "create_async_engine"]);

function collectCalls(e: Expr, scope: string[], out: CallSite[], scriptOnly: boolean): void {
  for (const x of walkExpr(e)) {
    if (x.kind !== "call") continue;
    const name = x.func.kind === "attr" ? x.func.attr : x.func.kind === "name" ? x.func.id : "";
    if ((x.func.kind === "attr" && INTERESTING_CALLS.has(name)) || INTERESTING_NAMES.has(name)) out.push(scriptOnly ? { call: x, scope, scriptOnly: true } : { call: x, scope });
  }
}

export type { FunctionFact };
