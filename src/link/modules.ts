/**
 * Python module resolution for a whole project, without running Python: dotted names ↔ files,
 * absolute and relative imports, packages (`__init__.py`), namespace packages, `src/` layouts and
 * several top-level packages. Name lookups follow imports and star-imports across files.
 */
import path from "node:path";
import type { Expr } from "../python/ast.js";
import type { ClassFact, FileFacts, FunctionFact } from "../extract/facts.js";

/** Loads (and caches) the facts of a project file on demand; null if it cannot be read. */
export type FactsLoader = (file: string) => FileFacts | null;

/** What a name refers to, as far as static reading can tell. */
export type Symbol =
  | { kind: "module"; file: string; module: string }
  | { kind: "class"; file: string; cls: ClassFact }
  | { kind: "value"; file: string; name: string; value: Expr }
  | { kind: "function"; file: string; fn: FunctionFact }
  /** Something imported from outside the project, by its full dotted path (`django.db.models.Model`). */
  | { kind: "external"; dotted: string }
  | { kind: "unknown"; reason: string };

export class ModuleIndex {
  /**
   * dotted name → candidate files (several when a monorepo holds same-named packages), filled on first
   * use from `byLast`: a project has tens of thousands of suffixes and a run asks for a few hundred.
   */
  private readonly byName = new Map<string, string[]>();
  /** Files by the last part of their module path (`models` for `a/models.py` and `a/models/__init__.py`), in discovery order. */
  private readonly byLast = new Map<string, string[]>();
  private readonly files: Set<string>;
  /** The folders holding an __init__.py. */
  private readonly packages = new Set<string>();
  /** resolveImport of relative imports (level > 0), by level, module and file. */
  private readonly relativeImports = new Map<string, string | null>();
  /** Fresh lookups: file → name → symbol. */
  private readonly lookups = new Map<string, Map<string, Symbol>>();
  /** Preferred dotted name of each file, filled on first use. */
  private readonly names = new Map<string, string | null>();

  /** Every folder that holds a Python file, at any depth (built on first use). */
  private dirSet: Set<string> | null = null;

  constructor(private readonly pythonFiles: string[], private readonly load: FactsLoader) {
    this.files = new Set(pythonFiles);
    for (const f of pythonFiles) {
      if (f === "__init__.py" || f.endsWith("/__init__.py")) this.packages.add(path.posix.dirname(f));
      // The last part of moduleStem(f), without building the stem.
      let end = f.endsWith(".py") ? f.length - 3 : f.length;
      if (end === 8 && f.startsWith("__init__")) continue;
      if (end >= 9 && f.startsWith("/__init__", end - 9)) end -= 9;
      const last = f.slice(f.lastIndexOf("/", end - 1) + 1, end);
      const list = this.byLast.get(last);
      if (list) list.push(f);
      else this.byLast.set(last, [f]);
    }
  }

  private get dirs(): Set<string> {
    if (this.dirSet) return this.dirSet;
    const dirs = new Set<string>();
    for (const f of this.pythonFiles) for (let d = path.posix.dirname(f); d !== "." && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
    this.dirSet = dirs;
    return dirs;
  }

  /** Does this folder (relative path) contain Python files? Namespace packages have no __init__.py. */
  hasDir(dir: string): boolean {
    return dir === "." || this.dirs.has(dir);
  }

  /**
   * Import `dotted` the way Python does from a set of sys.path entries (`roots`), not from every
   * suffix of every path: a package, a plain module, or a namespace package (a folder without __init__.py).
   */
  importFrom(roots: string[], dotted: string): { kind: "package" | "module" | "namespace"; file: string | null; dir: string } | null {
    const rel = dotted.replace(/\./g, "/");
    for (const root of roots) {
      const base = root === "." ? rel : `${root}/${rel}`;
      if (this.files.has(`${base}/__init__.py`)) return { kind: "package", file: `${base}/__init__.py`, dir: base };
      if (this.files.has(`${base}.py`)) return { kind: "module", file: `${base}.py`, dir: path.posix.dirname(base) };
    }
    for (const root of roots) {
      const base = root === "." ? rel : `${root}/${rel}`;
      if (this.dirs.has(base)) return { kind: "namespace", file: null, dir: base };
    }
    return null;
  }

  /**
   * The files `dotted` can name. Every dotted suffix of a file's module path is importable from some
   * sys.path entry (namespace packages, src/ layouts, sys.path.insert in env.py) when its first part
   * starts like an identifier and every part is word characters. Files in discovery order, except that
   * files whose preferred name it is come first (the later, the earlier), after the first file.
   */
  private candidates(dotted: string): string[] {
    const known = this.byName.get(dotted);
    if (known) return known;
    let list: string[] = [];
    if (/^[A-Za-z_][\w.]*$/.test(dotted)) {
      const want = dotted.replaceAll(".", "/");
      const preferred: string[] = [];
      const others: string[] = [];
      let first: string | null = null;
      for (const f of this.byLast.get(dotted.slice(dotted.lastIndexOf(".") + 1)) ?? []) {
        const stem = moduleStem(f)!;
        if (stem !== want && !(stem.endsWith(want) && stem.charCodeAt(stem.length - want.length - 1) === 47)) continue;
        if (first === null) first = f;
        else if (this.preferredName(f) === dotted) preferred.push(f);
        else others.push(f);
      }
      if (first !== null) list = [...preferred.reverse(), first, ...others];
    }
    this.byName.set(dotted, list);
    return list;
  }

  /** The dotted name of a project file from its package root: walk up while the folder is a package (has __init__.py). */
  private preferredName(file: string): string | null {
    const known = this.names.get(file);
    if (known !== undefined) return known;
    const stem = this.files.has(file) ? moduleStem(file) : null;
    let name: string | null = null;
    if (stem !== null) {
      let top = stem.lastIndexOf("/");
      while (top >= 0 && this.packages.has(stem.slice(0, top))) top = top > 0 ? stem.lastIndexOf("/", top - 1) : -1;
      name = stem.slice(top + 1).replaceAll("/", ".");
    }
    this.names.set(file, name);
    return name;
  }

  filesNamed(basename: string): string[] {
    return [...this.files].filter((f) => f === basename || f.endsWith(`/${basename}`)).sort();
  }

  hasFile(file: string): boolean {
    return this.files.has(file);
  }

  /** Project files `file` imports at module level (modules and imported submodules); with `lazy`, inside functions too. */
  importedFiles(file: string, lazy = false): string[] {
    const facts = this.load(file);
    if (!facts) return [];
    const out = new Set<string>();
    for (const i of lazy ? [...facts.imports, ...facts.lazyImports] : facts.imports) {
      const target = i.name === null ? this.resolveModule(i.module, file) : this.resolveImport(i.module, i.level, file);
      if (target) out.add(target);
      if (i.name !== null) {
        const sub = i.level === 0 ? this.resolveModule(`${i.module}.${i.name}`, file) : this.resolveImport(i.module ? `${i.module}.${i.name}` : i.name, i.level, file);
        if (sub) out.add(sub);
      }
    }
    for (const s of facts.starImports) {
      const target = this.resolveImport(s.module, s.level, file);
      if (target) out.add(target);
    }
    out.delete(file);
    return [...out].sort();
  }

  /** Imports of `file` that name a package of this project but resolve to no file (typos, dynamic paths). */
  unresolvedProjectImports(file: string, lazy = false): string[] {
    const facts = this.load(file);
    if (!facts) return [];
    const out: string[] = [];
    for (const i of lazy ? [...facts.imports, ...facts.lazyImports] : facts.imports) {
      if (i.level > 0) {
        if (!this.resolveImport(i.module, i.level, file)) out.push(`${".".repeat(i.level)}${i.module}`);
        continue;
      }
      const top = i.module.split(".")[0]!;
      if (this.candidates(top).length === 0) continue;
      if (!this.resolveModule(i.module, file)) out.push(i.module);
    }
    return out;
  }

  moduleName(file: string): string {
    return this.preferredName(file) ?? file.replace(/\.py$/, "").replace(/\//g, ".");
  }

  facts(file: string): FileFacts | null {
    return this.load(file);
  }

  /** The file for an absolute dotted module, preferring the one nearest to `from`. */
  resolveModule(dotted: string, from: string | null): string | null {
    const list = this.candidates(dotted);
    if (list.length === 0) return null;
    if (list.length === 1 || from === null) return list[0]!;
    let best = list[0]!;
    let bestScore = -1;
    for (const f of list) {
      const score = commonPrefix(f, from);
      if (score > bestScore) {
        best = f;
        bestScore = score;
      }
    }
    return best;
  }

  /** Resolve `from <level dots><module> import ...` relative to `file`. */
  resolveImport(module: string, level: number, file: string): string | null {
    if (level === 0) return this.resolveModule(module, file);
    const key = `${level}\0${module}\0${file}`;
    let found = this.relativeImports.get(key);
    if (found === undefined) this.relativeImports.set(key, (found = this.resolveRelative(module, level, file)));
    return found;
  }

  private resolveRelative(module: string, level: number, file: string): string | null {
    let dir = path.posix.dirname(file);
    for (let i = 1; i < level; i++) dir = path.posix.dirname(dir);
    const rel = module ? `${dir === "." ? "" : `${dir}/`}${module.includes(".") ? module.replaceAll(".", "/") : module}` : dir;
    const asModule = withoutDotSlash(`${rel}.py`);
    if (this.files.has(asModule)) return asModule;
    const asPackage = withoutDotSlash(`${rel}/__init__.py`);
    return this.files.has(asPackage) ? asPackage : null;
  }

  /** Dotted module path of a relative import, for naming external/unresolved things. */
  absoluteModule(module: string, level: number, file: string): string {
    if (level === 0) return module;
    const parts = this.moduleName(file).split(".");
    const isPkg = file.endsWith("__init__.py");
    const keep = parts.length - level + (isPkg ? 1 : 0);
    const base = parts.slice(0, Math.max(0, keep));
    return [...base, ...(module ? [module] : [])].join(".");
  }

  /**
   * Resolve a module-level name in `file`. A fresh lookup (no `seen`) depends only on the file and the
   * name, so it is kept: models resolve the same few names (`models`, `Base`) over and over.
   */
  lookup(file: string, name: string, seen?: Set<string>): Symbol {
    if (seen) return this.find(file, name, seen);
    let known = this.lookups.get(file);
    if (!known) this.lookups.set(file, (known = new Map()));
    let sym = known.get(name);
    if (!sym) known.set(name, (sym = this.find(file, name, new Set())));
    return sym;
  }

  private find(file: string, name: string, seen: Set<string>): Symbol {
    const key = `${file}\0${name}`;
    if (seen.has(key)) return { kind: "unknown", reason: `circular import of \`${name}\`` };
    seen.add(key);
    const facts = this.load(file);
    if (!facts) return { kind: "unknown", reason: `cannot read ${file}` };
    // Later statements win, so look from the bottom: classes and bindings compete by line.
    let best: { line: number; sym: Symbol } | null = null;
    for (const c of facts.classes) {
      if (c.name === name && (!best || c.span.line > best.line)) best = { line: c.span.line, sym: { kind: "class", file, cls: c } };
    }
    for (const b of facts.bindings) {
      if (b.name === name && b.op === "=" && (!best || b.span.line >= best.line)) {
        best = { line: b.span.line, sym: { kind: "value", file, name, value: b.value } };
      }
    }
    const fn = facts.functions[name];
    if (fn && (!best || fn.span.line > best.line)) best = { line: fn.span.line, sym: { kind: "function", file, fn } };
    for (const i of facts.imports) {
      if (i.local !== name || (best && best.line > i.span.line)) continue;
      best = { line: i.span.line, sym: this.importTarget(file, i.module, i.level, i.name, seen) };
    }
    if (best) return best.sym;
    for (const s of facts.starImports) {
      const target = this.resolveImport(s.module, s.level, file);
      if (!target) continue;
      const sym = this.lookup(target, name, seen);
      if (sym.kind !== "unknown") return sym;
    }
    // A submodule of a package: `import pkg` then `pkg.sub` (handled by member()), or `from pkg import sub`.
    if (file.endsWith("__init__.py")) {
      const sub = this.resolveImport(name, 1, file);
      if (sub) return { kind: "module", file: sub, module: this.moduleName(sub) };
    }
    return { kind: "unknown", reason: `\`${name}\` is not defined in ${file}` };
  }

  private importTarget(file: string, module: string, level: number, name: string | null, seen: Set<string>): Symbol {
    if (name === null) {
      // `import a.b` binds `a`; `import a.b as c` binds c → a.b.
      const target = this.resolveModule(module, file);
      if (target) return { kind: "module", file: target, module };
      const first = module.split(".")[0]!;
      const firstTarget = this.resolveModule(first, file);
      if (firstTarget && module !== first) return { kind: "module", file: firstTarget, module: first };
      return { kind: "external", dotted: module };
    }
    const target = this.resolveImport(module, level, file);
    if (target) {
      const sym = this.lookup(target, name, seen);
      if (sym.kind !== "unknown") return sym;
      // `from pkg import submodule`
      const sub = this.resolveImport(module ? `${module}.${name}` : name, level, file);
      if (sub) return { kind: "module", file: sub, module: this.moduleName(sub) };
      return sym;
    }
    const sub = level === 0 ? this.resolveModule(`${module}.${name}`, file) : this.resolveImport(module ? `${module}.${name}` : name, level, file);
    if (sub) return { kind: "module", file: sub, module: this.moduleName(sub) };
    if (level > 0) return { kind: "unknown", reason: `cannot resolve relative import in ${file}` };
    return { kind: "external", dotted: `${module}.${name}` };
  }

  /** Resolve an attribute of a resolved symbol (`models.Model`, `db.Base`, `Base.metadata`). */
  member(sym: Symbol, attr: string, seen?: Set<string>): Symbol {
    switch (sym.kind) {
      case "external":
        return { kind: "external", dotted: `${sym.dotted}.${attr}` };
      case "module": {
        const s = this.lookup(sym.file, attr, seen);
        if (s.kind !== "unknown") return s;
        const sub = this.resolveModule(`${sym.module}.${attr}`, sym.file);
        if (sub) return { kind: "module", file: sub, module: `${sym.module}.${attr}` };
        return s;
      }
      case "value":
        return { kind: "unknown", reason: `\`${sym.name}.${attr}\` is computed at run time (${sym.file})` };
      default:
        return { kind: "unknown", reason: `attribute \`${attr}\` of a ${sym.kind}` };
    }
  }

  /** Resolve a name/attribute expression in the scope of `file`'s module. */
  resolveExpr(file: string, e: Expr): Symbol {
    if (e.kind === "name") return this.lookup(file, e.id);
    if (e.kind === "attr") {
      const base = this.resolveExpr(file, e.value);
      if (base.kind === "unknown") return base;
      return this.member(base, e.attr);
    }
    return { kind: "unknown", reason: "not a name" };
  }
}

function commonPrefix(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  let n = 0;
  while (n < pa.length && n < pb.length && pa[n] === pb[n]) n++;
  return n;
}

function withoutDotSlash(p: string): string {
  return p.startsWith("./") ? p.slice(2) : p;
}

/** A file's module path without `.py` and `/__init__` (`a/b` for a/b.py and a/b/__init__.py); null for a top-level __init__.py. */
function moduleStem(file: string): string | null {
  const stem = file.endsWith(".py") ? file.slice(0, -3) : file;
  if (stem === "__init__") return null;
  return stem.endsWith("/__init__") ? stem.slice(0, -9) : stem;
}
