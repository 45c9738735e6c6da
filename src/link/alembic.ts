/**
 * Alembic, statically: environments (alembic.ini `script_location` → env.py, version folders),
 * `target_metadata` resolved to MetaData identities, revision histories and their table effects,
 * and — per table — what autogenerate would do with a table that exists only in the database.
 */
import path from "node:path";
import type { Expr } from "../python/ast.js";
import { dottedName, walkExpr, walkStatements, statementExprs } from "../python/ast.js";
import type { ConfigureCall, FileFacts } from "../extract/facts.js";
import type { IniFacts } from "../extract/alembic/ini.js";
import { iniGet } from "../extract/alembic/ini.js";
import type { Diagnostic, Loc, TableKey } from "../types.js";
import { locOf, normaliseTable, tableId } from "../types.js";
import type { ModuleIndex } from "./modules.js";
import { resolveMetadata } from "./sqlalchemy.js";
import { stringOf } from "./values.js";
import { alembicDatabase, mayShare } from "./database.js";
import type { SqlaContext } from "./sqlalchemy.js";
import { FilterEvaluator } from "./evaluate.js";
import type { EvalHost, Val } from "./evaluate.js";
import type { AlembicEnv, AlembicRevisionClaim, DatabaseRef, SqlaTable, Verdict } from "./types.js";

export interface AlembicInputs {
  /** Django's database, to tell whether an environment shares it. */
  djangoDatabase: DatabaseRef | null;
  djangoDetected: boolean;
  index: ModuleIndex;
  sqla: SqlaContext;
  files: FileFacts[];
  inis: IniFacts[];
  tables: SqlaTable[];
  incompleteMetadata: Set<string>;
  /** Tables to judge (those another tool owns): verdicts are computed for these. */
  candidates: TableKey[];
}

export function linkAlembic(inp: AlembicInputs, diagnostics: Diagnostic[]): AlembicEnv[] {
  const envFiles = inp.files.filter((f) => f.alembicEnv);
  const layout = envLayouts(inp, envFiles);
  const hosted = hostedScriptLocations(inp.index, inp.files);
  const envs: AlembicEnv[] = [];
  for (const f of envFiles) {
    const facts = f.alembicEnv!;
    const dir = path.posix.dirname(f.file);
    const versionDirs = layout.get(f.file)?.versions ?? [`${dir === "." ? "" : `${dir}/`}versions`];
    const online = facts.configureCalls.filter((c) => c.online);
    const calls = online.length > 0 ? online : facts.configureCalls;
    const primary = calls[calls.length - 1]!;
    const target = resolveTarget(inp, f, primary);
    const reach = importClosure(inp.index, f.file);
    // No ini runs this env.py from the `alembic` command: only the application does, with its own modules loaded.
    const app = layout.get(f.file)?.ini ? undefined : hosted.find((h) => h.dir === null || h.dir === dir);
    if (!reach.uncertain && app) {
      reach.uncertain = `no alembic.ini runs ${f.file}; the application sets script_location (${app.loc.file}:${app.loc.line}) and runs Alembic itself, with whatever modules it has imported`;
    }
    const db = alembicDatabase(inp.index, f, inp.inis, dir);
    const database = db === "runtime" ? null : db;
    const shares = mayShare(inp.djangoDatabase, database);
    if (facts.runtimeVersionLocations) {
      diagnostics.push({
        code: "unresolved",
        severity: "info",
        message: `${f.file} sets version_locations at run time: revisions outside ${dir === "." ? "" : `${dir}/`}versions are not read, so their tables are not checked`,
        loc: locOf(f.file, facts.runtimeVersionLocations),
      });
    }
    if (!shares && inp.djangoDetected) {
      diagnostics.push({
        code: "separate-databases",
        severity: "info",
        message:
          `Django uses ${inp.djangoDatabase!.engine} (${inp.djangoDatabase!.name ?? "?"}) and ${f.file} migrates ${database!.engine} ` +
          `(${database!.name ?? "?"}): they do not share a schema, so cross-tool checks are skipped for this environment`,
        loc: database!.loc,
      });
    }
    const env: AlembicEnv = {
      file: f.file,
      database,
      sharesDjangoDatabase: shares,
      reachable: reach.files,
      reachUncertain: reach.uncertain,
      runtimeVersionLocations: facts.runtimeVersionLocations ? locOf(f.file, facts.runtimeVersionLocations) : null,
      configureLoc: locOf(f.file, primary.span),
      scriptDir: dir,
      versionDirs,
      target,
      autogenerate: target.metadataIds.length > 0 || target.unresolved !== null,
      filters: describeFilters(f, primary),
      verdicts: {},
      revisions: [],
      claims: [],
      calls: facts.configureCalls.map((c) => ({
        loc: locOf(f.file, c.span),
        online: c.online,
        hasSplat: c.hasSplat,
        keywords: Object.entries(c.kwargs).map(([name, e]) => ({ name, loc: locOf(f.file, e.span), source: exprSource(e) })),
      })),
      deadBranches: deadBranches(inp, f, primary),
      versionTable: versionTable(inp, f, primary),
      metadataNameVerdicts: {},
      metadataObjectVerdicts: {},
    };
    if (target.unresolved) {
      diagnostics.push({
        code: "unresolved",
        severity: "info",
        message: `cannot resolve target_metadata statically (${target.unresolved}); tables on it are not checked`,
        loc: target.loc ?? env.configureLoc,
      });
    }
    const host = evalHost(inp, layout.get(f.file)?.ini ?? null);
    for (const t of inp.candidates) env.verdicts[tableId(t)] = verdictFor(inp, host, f, calls, t);
    env.unnamedTableVerdict = verdictFor(inp, host, f, calls, UNNAMED_TABLE);
    const objectFilter = primary.kwargs["include_object"];
    if (objectFilter) {
      const ids = new Set(target.metadataIds);
      for (const t of inp.tables) {
        if (!ids.has(t.metadataId)) continue;
        const ev = new FilterEvaluator(host);
        const obj: Val = { t: "table", name: t.table.name, schema: t.table.schema, reflected: false, info: t.info === "unknown" ? { t: "unknown", why: "a Table info= that is not a literal" } : toVal(t.info ?? {}) };
        const r = ev.call(filterFunction(ev, f, objectFilter), [obj, py(t.table.name), py("table"), py(false), py(null)]);
        env.metadataObjectVerdicts[tableId(normaliseTable(t.table))] =
          r.truth === false
            ? { result: "excluded", reason: "include_object returns False", decidedAt: r.decidedAt ? locOf(f.file, r.decidedAt) : null }
            : r.truth === true
              ? { result: "included", reason: "include_object returns True", decidedAt: null }
              : { result: "unknown", reason: `include_object: ${r.why}`, decidedAt: r.decidedAt ? locOf(f.file, r.decidedAt) : null };
      }
    }
    const nameFilter = primary.kwargs["include_name"];
    if (nameFilter) {
      const ids = new Set(target.metadataIds);
      for (const t of inp.tables) {
        if (!ids.has(t.metadataId)) continue;
        const r = new FilterEvaluator(host).call(filterFunction(new FilterEvaluator(host), f, nameFilter), [py(t.table.name), py("table"), { t: "dict", entries: [[py("schema_name"), py(t.table.schema)]] }]);
        if (r.truth === false) {
          env.metadataNameVerdicts[tableId(normaliseTable(t.table))] = { result: "excluded", reason: "include_name returns False", decidedAt: r.decidedAt ? locOf(f.file, r.decidedAt) : locOf(f.file, nameFilter.span) };
        }
      }
    }
    collectRevisions(inp.files, env);
    envs.push(env);
  }
  return envs;
}

/**
 * Where project code (not an env.py) sets Alembic's `script_location` (`cfg.set_main_option("script_location", ...)`),
 * as warehouse's and Dispatch's CLIs do before calling `alembic.command.upgrade`, with the folder it names
 * (`"warehouse:migrations"` → warehouse/migrations), or null when it is computed.
 */
function hostedScriptLocations(index: ModuleIndex, files: FileFacts[]): Array<{ loc: Loc; dir: string | null }> {
  const out: Array<{ loc: Loc; dir: string | null }> = [];
  for (const f of files) {
    if (f.alembicEnv) continue;
    for (const { call } of f.calls) {
      const [first, value] = call.args;
      if (call.func.kind !== "attr" || call.func.attr !== "set_main_option" || first?.kind !== "str" || first.value !== "script_location") continue;
      let dir: string | null = value?.kind === "str" ? value.value : null;
      const pkg = dir === null ? null : /^([\w.]+):(.*)$/.exec(dir);
      if (pkg) {
        const mod = index.resolveModule(pkg[1]!, f.file);
        dir = mod ? path.posix.join(path.posix.dirname(mod), pkg[2]!) : null;
      }
      out.push({ loc: locOf(f.file, call.span), dir: dir === null ? null : path.posix.normalize(dir).replace(/\/$/, "") });
    }
  }
  return out;
}

/** Files loaded when env.py runs: its imports (module level and inside functions), transitively. */
function importClosure(index: ModuleIndex, file: string): { files: string[]; uncertain: string | null } {
  const seen = new Set<string>([file]);
  const queue = [file];
  let uncertain: string | null = null;
  while (queue.length > 0) {
    const f = queue.shift()!;
    const missing = index.unresolvedProjectImports(f, true);
    if (missing.length > 0 && !uncertain) uncertain = `${f} imports \`${missing[0]}\`, which does not resolve to a project file`;
    for (const next of index.importedFiles(f, true)) if (!seen.has(next)) (seen.add(next), queue.push(next));
  }
  return { files: [...seen].sort(), uncertain };
}

/** env.py file → version folders, from every ini that points at it. */
interface Layout {
  versions: string[];
  /** The ini file and section (`[alembic]`, or a named one) that configures this environment. */
  ini: { facts: IniFacts; section: string; here: string } | null;
}

function envLayouts(inp: AlembicInputs, envFiles: FileFacts[]): Map<string, Layout> {
  const out = new Map<string, Layout>();
  const envSet = new Set(envFiles.map((f) => f.file));
  for (const ini of inp.inis) {
    const here = path.posix.dirname(ini.file);
    for (const section of Object.keys(ini.sections)) {
      if (section === "DEFAULT") continue; // inherited by the others, never used on its own
      const loc = iniGet(ini, section, "script_location", here);
      if (!loc) continue;
      // `%(here)s` is the ini's own folder, already relative to the root here (ckan's `script_location = %(here)s`).
      const hereBased = (key: string) => /%\(here\)s/i.test(ini.sections[section]?.[key]?.value ?? ini.sections["DEFAULT"]?.[key]?.value ?? "");
      let dir = loc.value;
      const pkg = /^([\w.]+):(.*)$/.exec(dir);
      if (pkg) {
        const mod = inp.index.resolveModule(pkg[1]!, ini.file);
        if (!mod) continue;
        dir = path.posix.join(path.posix.dirname(mod), pkg[2]!);
      } else if (!path.posix.isAbsolute(dir) && !hereBased("script_location")) dir = path.posix.join(here, dir);
      dir = path.posix.normalize(dir).replace(/\/$/, "");
      const env = `${dir === "." ? "" : `${dir}/`}env.py`;
      if (!envSet.has(env)) continue;
      const vl = iniGet(ini, section, "version_locations", here);
      const versions = vl
        ? splitVersionLocations(vl.value, iniGet(ini, section, "version_path_separator", here)?.value ?? null)
            .map((v) => path.posix.normalize(path.posix.isAbsolute(v) || hereBased("version_locations") ? v : path.posix.join(here, v)).replace(/\/$/, ""))
        : [`${dir === "." ? "" : `${dir}/`}versions`];
      const prev = out.get(env);
      out.set(env, {
        versions: [...new Set([...(prev?.versions ?? []), ...versions])],
        // The [alembic] section is what a plain `alembic` command reads; keep it over named ones.
        ini: prev?.ini && prev.ini.section === "alembic" ? prev.ini : { facts: ini, section, here },
      });
    }
  }
  return out;
}

/** Alembic's version_path_separator: os (":" here), ":", ";", space, newline; unset: spaces or commas. */
function splitVersionLocations(value: string, separator: string | null): string[] {
  const sep = separator?.split("#")[0]!.trim() ?? null;
  const re = sep === null ? /[\s,]+/ : sep === "os" || sep === ":" ? /:/ : sep === ";" ? /;/ : sep === "space" ? / +/ : sep === "newline" ? /\n/ : /[\s,]+/;
  return value
    .split(re)
    .map((v) => v.trim())
    .filter(Boolean);
}

function resolveTarget(inp: AlembicInputs, f: FileFacts, call: ConfigureCall): AlembicEnv["target"] {
  const kw = call.kwargs["target_metadata"];
  let expr: Expr | null = kw ?? null;
  let loc: Loc | null = kw ? locOf(f.file, kw.span) : null;
  const binding = f.alembicEnv!.targetMetadata;
  if ((!expr || (expr.kind === "name" && expr.id === "target_metadata")) && binding) {
    expr = binding.value;
    loc = locOf(f.file, binding.span);
  }
  if (!expr) {
    return call.hasSplat
      ? { metadataIds: [], unresolved: "target_metadata is passed through **kwargs", loc }
      : { metadataIds: [], unresolved: null, loc };
  }
  const r = resolveMetadata(inp.sqla, f.file, expr);
  return { metadataIds: [...new Set(r.ids)], unresolved: r.unresolved, loc };
}

function describeFilters(f: FileFacts, call: ConfigureCall): string[] {
  const out: string[] = [];
  for (const k of ["include_object", "include_name", "include_schemas", "process_revision_directives"]) {
    const v = call.kwargs[k];
    if (v) out.push(`${k}=${dottedName(v) ?? v.kind} (${f.file}:${v.span.line})`);
  }
  return out;
}

function evalHost(inp: AlembicInputs, ini: Layout["ini"]): EvalHost {
  return {
    index: inp.index,
    iniOption(section, key) {
      if (!ini) return undefined;
      const v = iniGet(ini.facts, section ?? ini.section, key.toLowerCase(), ini.here);
      return v ? v.value : null;
    },
    iniSection(section) {
      if (!ini) return undefined;
      const name = section ?? ini.section;
      const sec = ini.facts.sections[name];
      if (!sec) return null;
      const out: Record<string, string> = {};
      for (const k of Object.keys(sec)) out[k] = iniGet(ini.facts, name, k, ini.here)!.value;
      return out;
    },
    metadataIds(file, e) {
      const r = resolveMetadata(inp.sqla, file, e);
      return r.ids.length > 0 && !r.unresolved ? r.ids : null;
    },
    tablesOf(ids) {
      const keys = new Set<string>();
      for (const t of inp.tables) if (ids.includes(t.metadataId)) keys.add(tableId(t.table));
      return { keys, complete: !ids.some((id) => inp.incompleteMetadata.has(id)) };
    },
  };
}

/** A table name no project uses: what the filters do with "any other table". */
const UNNAMED_TABLE: TableKey = { schema: null, name: "tablewarden_probe_unnamed_table" };

/** What autogenerate does with table `t` when it exists in the database but not in the metadata. */
function verdictFor(inp: AlembicInputs, host: EvalHost, f: FileFacts, calls: ConfigureCall[], t: TableKey): Verdict {
  let worst: Verdict | null = null;
  for (const call of calls) {
    const v = verdictForCall(inp, host, f, call, t);
    if (v.result === "included") return v;
    if (!worst || (v.result === "unknown" && worst.result === "excluded")) worst = v;
  }
  return worst ?? { result: "included", reason: "no context.configure call", decidedAt: null };
}

function verdictForCall(inp: AlembicInputs, host: EvalHost, f: FileFacts, call: ConfigureCall, t: TableKey): Verdict {
  const at = (span: { line: number; column: number; endLine: number; endColumn: number } | null) => (span ? locOf(f.file, span) : null);
  // Only the default schema is compared unless include_schemas=True.
  if (t.schema && t.schema !== "public") {
    const inc = call.kwargs["include_schemas"];
    if (!inc || (inc.kind === "const" && inc.value !== true)) {
      return { result: "excluded", reason: "include_schemas is off, so autogenerate compares only the default schema", decidedAt: null };
    }
  }
  const evaluator = new FilterEvaluator(host);
  let unknownReason: Verdict | null = null;

  const nameFilter = call.kwargs["include_name"];
  if (nameFilter) {
    const fn = filterFunction(evaluator, f, nameFilter);
    const r = evaluator.call(fn, [py(t.name), py("table"), { t: "dict", entries: [[py("schema_name"), py(t.schema)]] }]);
    if (r.truth === false) return { result: "excluded", reason: `include_name returns False`, decidedAt: at(r.decidedAt) ?? locOf(f.file, nameFilter.span) };
    if (r.truth === "unknown") unknownReason = { result: "unknown", reason: `include_name: ${r.why}`, decidedAt: at(r.decidedAt) ?? locOf(f.file, nameFilter.span) };
  }
  const objFilter = call.kwargs["include_object"];
  if (objFilter) {
    const fn = filterFunction(evaluator, f, objFilter);
    const obj: Val = { t: "table", name: t.name, schema: t.schema, reflected: true };
    const r = evaluator.call(fn, [obj, py(t.name), py("table"), py(true), py(null)]);
    if (r.truth === false) return { result: "excluded", reason: `include_object returns False`, decidedAt: at(r.decidedAt) ?? locOf(f.file, objFilter.span) };
    if (r.truth === "unknown") unknownReason ??= { result: "unknown", reason: `include_object: ${r.why}`, decidedAt: at(r.decidedAt) ?? locOf(f.file, objFilter.span) };
  }
  if (unknownReason) return unknownReason;
  if (!nameFilter && !objFilter && call.hasSplat) {
    return { result: "unknown", reason: "filters may be passed through **kwargs", decidedAt: locOf(f.file, call.span) };
  }
  const hook = call.kwargs["process_revision_directives"];
  if (hook && hookMayDropOps(inp, f, hook)) {
    return { result: "unknown", reason: "process_revision_directives may remove operations", decidedAt: locOf(f.file, hook.span) };
  }
  if (nameFilter || objFilter) return { result: "included", reason: "the filters return True for it", decidedAt: null };
  return { result: "included", reason: "env.py configures no include_object/include_name filter", decidedAt: null };
}

/** A comparable rendering of a keyword's value: dotted names, literals, else the kind. */
function exprSource(e: Expr): string {
  if (e.kind === "str") return JSON.stringify(e.value);
  if (e.kind === "const" || e.kind === "num") return String(e.value);
  if (e.kind === "list" || e.kind === "tuple") return `[${e.elts.map(exprSource).join(", ")}]`;
  return dottedName(e) ?? (e.kind === "call" ? `${dottedName(e.func) ?? "?"}(...)` : e.kind);
}

/** The values Alembic passes as `type_` to include_object / include_name. */
const FILTER_TYPES = new Set(["schema", "table", "column", "index", "unique_constraint", "foreign_key_constraint"]);

function deadBranches(inp: AlembicInputs, f: FileFacts, call: ConfigureCall): AlembicEnv["deadBranches"] {
  const out: AlembicEnv["deadBranches"] = [];
  for (const [kw, typeIndex] of [["include_object", 2], ["include_name", 1]] as const) {
    const e = call.kwargs[kw];
    if (!e) continue;
    let fn: { params: import("../python/ast.js").Param[]; body: import("../python/ast.js").Stmt[]; file: string } | null = null;
    if (e.kind === "name" && f.functions[e.id]) fn = { ...f.functions[e.id]!, file: f.file };
    else {
      const sym = inp.index.resolveExpr(f.file, e);
      if (sym.kind === "function") fn = { ...sym.fn, file: sym.file };
    }
    const param = fn?.params[typeIndex]?.name;
    if (!fn || !param) continue;
    for (const st of walkStatements(fn.body)) {
      for (const x of statementExprs(st)) {
        for (const c of walkExpr(x)) {
          if (c.kind !== "compare") continue;
          const operands = [c.left, ...c.comparators];
          c.ops.forEach((op, i) => {
            const [a, b] = [operands[i]!, operands[i + 1]!];
            const other = a.kind === "name" && a.id === param ? b : b.kind === "name" && b.id === param ? a : null;
            if (!other) return;
            const values = other.kind === "str" ? [other] : (op === "in" || op === "not in") && (other.kind === "tuple" || other.kind === "list" || other.kind === "set") ? other.elts : [];
            for (const v of values) {
              if (v.kind === "str" && !FILTER_TYPES.has(v.value)) out.push({ loc: locOf(fn!.file, v.span), value: v.value, filter: kw });
            }
          });
        }
      }
    }
  }
  return out;
}

function versionTable(inp: AlembicInputs, f: FileFacts, call: ConfigureCall): AlembicEnv["versionTable"] {
  const vt = call.kwargs["version_table"];
  const vs = call.kwargs["version_table_schema"];
  const name = vt ? stringOf(inp.index, f.file, vt) : "alembic_version";
  const schema = vs ? stringOf(inp.index, f.file, vs) : null;
  return { name: vs && schema === null ? null : name, schema, loc: vt ? locOf(f.file, vt.span) : null, searchPath: vs ? null : searchPathSet(f) };
}

/**
 * Where env.py sets its connection's search_path (`connection.execute(text(f'set search_path to "{schema}"'))`,
 * `connect_args={"options": "-c search_path=..."}`): a string or f-string naming it in a module-level call or
 * binding, or in a function body. Null when there is none.
 */
function searchPathSet(f: FileFacts): Loc | null {
  const exprs: Expr[] = [...f.calls.map((c) => c.call), ...f.bindings.map((b) => b.value)];
  for (const fn of Object.values(f.functions)) for (const st of walkStatements(fn.body)) exprs.push(...statementExprs(st));
  for (const e of exprs) {
    for (const x of walkExpr(e)) {
      if ((x.kind === "str" && /search_path/i.test(x.value)) || (x.kind === "fstr" && /search_path/i.test(x.text))) return locOf(f.file, x.span);
    }
  }
  return null;
}

/** A JSON literal (a Table's info dict) as an evaluator value. */
function toVal(v: unknown): Val {
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return { t: "py", v };
  if (Array.isArray(v)) return { t: "seq", items: v.map(toVal) };
  if (typeof v === "object") return { t: "dict", entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [py(k), toVal(x)] as [Val, Val]) };
  return { t: "unknown", why: "a value in info" };
}

function py(v: string | number | boolean | null): Val {
  return { t: "py", v };
}

function filterFunction(ev: FilterEvaluator, f: FileFacts, e: Expr): Val {
  // Functions nested in run_migrations_online() are not module-level: look there first.
  if (e.kind === "name" && f.functions[e.id]) {
    const fn = f.functions[e.id]!;
    return { t: "func", file: f.file, params: fn.params, body: fn.body };
  }
  // Module-level defs, lambdas bound to names, imported filters.
  const v = ev.eval(e, f.file, new Map());
  if (v.t === "func" || v.t === "lambda" || v.t === "unknown") return v;
  return { t: "unknown", why: `\`${dottedName(e) ?? "the filter"}\` is not a function tablewarden can read` };
}

/** A `process_revision_directives` hook that rewrites `upgrade_ops.ops` may remove drop_table ops. */
function hookMayDropOps(inp: AlembicInputs, f: FileFacts, e: Expr): boolean {
  let body = e.kind === "name" ? f.functions[e.id]?.body : undefined;
  if (!body) {
    const sym = inp.index.resolveExpr(f.file, e);
    if (sym.kind === "function" && !sym.fn.bodySkipped) body = sym.fn.body;
    else return true;
  }
  for (const s of walkStatements(body)) {
    if (s.kind === "assign" && s.targets.some((t) => t.kind === "attr" && t.attr === "ops")) return true;
    for (const x of statementExprs(s)) {
      for (const y of walkExpr(x)) if (y.kind === "call" && y.func.kind === "attr" && ["remove", "pop", "clear"].includes(y.func.attr)) return true;
    }
  }
  return false;
}

function collectRevisions(files: FileFacts[], env: AlembicEnv): void {
  const mine = files.filter((f) => f.alembicRevision && env.versionDirs.includes(path.posix.dirname(f.file)));
  for (const f of historyOrder(mine)) {
    const rev = f.alembicRevision!;
    env.revisions.push({ file: f.file, revision: rev.revision, downRevision: rev.downRevision, branchLabels: rev.branchLabels, loc: locOf(f.file, rev.span) });
    for (const op of rev.upgrade) {
      if (op.table.name === null) continue;
      const claim: AlembicRevisionClaim = {
        table: { schema: op.table.schema, name: op.table.name },
        action: op.action,
        op: op.via === "sql" ? "op.execute (SQL)" : op.via === "batch" ? `batch_op.${op.op}` : `op.${op.op}`,
        revision: rev.revision,
        loc: locOf(f.file, op.span),
      };
      if (op.newName) claim.newName = op.newName;
      if (op.view) claim.view = true;
      env.claims.push(claim);
    }
  }
}

/** Revisions parents-first (down_revision), ties and unknown parents by file name. */
function historyOrder(files: FileFacts[]): FileFacts[] {
  const sorted = [...files].sort((a, b) => (a.file < b.file ? -1 : 1));
  const byId = new Map<string, FileFacts>();
  for (const f of sorted) if (f.alembicRevision!.revision) byId.set(f.alembicRevision!.revision!, f);
  const done = new Set<FileFacts>();
  const out: FileFacts[] = [];
  const visit = (f: FileFacts, stack: Set<FileFacts>) => {
    if (done.has(f) || stack.has(f)) return;
    stack.add(f);
    for (const parent of f.alembicRevision!.downRevision ?? []) {
      const p = byId.get(parent);
      if (p) visit(p, stack);
    }
    done.add(f);
    out.push(f);
  };
  for (const f of sorted) visit(f, new Set());
  return out;
}
