/**
 * Django, statically: settings (INSTALLED_APPS, AUTH_USER_MODEL), app labels, model classes and
 * their tables exactly as Django names them, and the table effects of each app's migration history.
 */
import path from "node:path";
import { createHash } from "node:crypto";
import type { Expr } from "../python/ast.js";
import { dottedName } from "../python/ast.js";
import type { ClassFact, DjangoOp, FileFacts, MigrationFieldFact } from "../extract/facts.js";
import { literal } from "../extract/literal.js";
import type { Diagnostic, Loc, TableKey } from "../types.js";
import { fileLoc, locOf } from "../types.js";
import type { ModuleIndex, Symbol } from "./modules.js";
import { stringOf, stringsOf } from "./values.js";
import type { DjangoApp, DjangoClaim, DjangoConflict, DjangoMigrationModule, ProjectFacts, TableShape } from "./types.js";
import { djangoShapes } from "./django-columns.js";
import type { ModelView, StateView } from "./django-columns.js";
import { loadCatalog } from "../data/catalog.js";
import { djangoDatabase } from "./database.js";

/** PostgreSQL's identifier limit, as Django's `connection.ops.max_name_length()` reports it. */
const MAX_NAME_LENGTH = 63;

/** Django's `truncate_name`: long names keep `length - 4` characters plus an md5 digest. */
export function truncateName(identifier: string, length = MAX_NAME_LENGTH, hashLen = 4): string {
  if (identifier.length <= length) return identifier;
  const digest = createHash("md5").update(identifier, "utf8").digest("hex").slice(0, hashLen);
  return identifier.slice(0, length - hashLen) + digest;
}

/** `'"schema"."table"'` (the quoting trick for schemas in db_table) → key; anything else → bare name. */
export function parseDbTable(dbTable: string): TableKey {
  const m = /^"([^"]+)"\s*\.\s*"([^"]+)"$/.exec(dbTable);
  if (m) return { schema: m[1]!, name: m[2]! };
  return { schema: null, name: dbTable };
}

interface Settings {
  files: string[];
  installed: Array<{ entry: string; loc: Loc }>;
  authUserModel: string | null;
  /** Every `*_MODEL = "app.Model"` setting (AUTH_USER_MODEL, OAUTH2_PROVIDER_APPLICATION_MODEL…). */
  swappable: Record<string, string>;
  /** `MIGRATION_MODULES = {...}` bindings, in settings order. */
  migrationModules: Array<{ file: string; value: Expr }>;
  /** `DEFAULT_AUTO_FIELD`, when set. */
  defaultAutoField: string | null;
}

/** Base classes outside the project that make a class a Django model. */
function isExternalModelBase(dotted: string): boolean {
  if (!dotted.startsWith("django.")) return false;
  if (/^django\.(?:contrib\.gis\.)?db\.models(?:\.base)?\.Model$/.test(dotted)) return true;
  if (/^django\.contrib\.auth\.(?:models|base_user)\.(?:AbstractUser|AbstractBaseUser|PermissionsMixin)$/.test(dotted)) return true;
  return false;
}

/** Field callees that reveal a Django model even when its base class comes from a third party. */
const DJANGO_FIELD = /(?:^|\.)(?:models\.)\w*(?:Field|ForeignKey)$/;

interface ModelInfo {
  file: string;
  cls: ClassFact;
  /** Chain of project ancestors that are Django models (nearest first). */
  parents: ModelInfo[];
  /** Model base classes from outside the project (`django.contrib.auth.models.AbstractUser`). */
  externalBases: string[];
  /** Bases from outside the project that are not Django's (a third-party abstract model): fields unknown. */
  unknownBases: string[];
}

/** Many-to-many fields that Django's own abstract bases contribute. */
const EXTERNAL_M2M: Array<{ base: RegExp; fields: string[] }> = [
  { base: /^django\.contrib\.auth\.models\.(?:AbstractUser|PermissionsMixin)$/, fields: ["groups", "user_permissions"] },
];

export function linkDjango(
  index: ModuleIndex,
  files: FileFacts[],
  diagnostics: Diagnostic[],
  declared: Record<string, string[]> = {},
  shapes: TableShape[] = [],
  settingsModule: string | null = null,
): ProjectFacts["django"] {
  const chosen = settingsFiles(index, files, settingsModule, diagnostics);
  const settings = readSettings(index, chosen, chosen !== files);
  const catalog = loadCatalog();
  // Apps declared in config join the catalogue (and override it).
  for (const [app, tables] of Object.entries(declared)) {
    catalog.apps[app] = { label: lastPart(app), tables: tables.map((name) => ({ name, model: name })) };
  }
  const apps: DjangoApp[] = [];
  const claims: DjangoClaim[] = [];
  const roots = djangoRoots(index, settings.files);
  for (const { entry, loc } of settings.installed) apps.push(resolveApp(index, roots, entry, loc, catalog));

  const candidateMigrations = files.filter((f) => f.djangoMigration);
  const modelCache = new Map<string, ModelInfo | null>();
  const candidates: ModelInfo[] = [];
  for (const f of files) {
    if (/(?:^|\/)migrations\//.test(f.file)) continue;
    for (const cls of f.classes) {
      const m = modelInfo(index, f.file, cls, modelCache, new Set());
      if (m) candidates.push(m);
    }
  }
  const detected = settings.files.length > 0 || candidateMigrations.length > 0 || candidates.length > 0;
  if (!detected) return emptyDjango();

  // Without settings, infer project apps from folders holding a models module or a migrations package.
  if (settings.installed.length === 0) {
    const dirs = new Set<string>();
    for (const m of candidates) if (/(?:^|\/)models(?:\.py|\/)/.test(m.file)) dirs.add(appDirOf(m.file));
    for (const f of candidateMigrations) {
      const migDir = path.posix.dirname(f.file);
      if (path.posix.basename(migDir) === "migrations" && index.hasFile(`${migDir}/__init__.py`)) dirs.add(path.posix.dirname(migDir));
    }
    for (const dir of [...dirs].sort()) {
      const label = dir === "." ? "app" : path.posix.basename(dir);
      apps.push({ name: label, label, dir, origin: "project", loc: fileLoc(dir === "." ? "." : dir) });
    }
  }

  // Where each app's migrations live (MIGRATION_MODULES may move or disable them).
  const migrationModules = resolveMigrationModules(index, settings);
  const migrationDirs = new Map<string, DjangoApp>();
  for (const app of apps) {
    const mm = migrationModules.find((m) => m.label === app.label);
    if (mm) {
      if (mm.dir) migrationDirs.set(mm.dir, app);
    } else if (app.dir !== null) {
      const dir = `${app.dir === "." ? "" : `${app.dir}/`}migrations`;
      if (index.hasFile(`${dir}/__init__.py`)) migrationDirs.set(dir, app);
    }
  }
  const migrationFiles = candidateMigrations.filter((f) => migrationDirs.has(path.posix.dirname(f.file)));

  // Django registers the models its apps' models modules define or import.
  const reachable = modelModuleClosure(index, apps);
  const models = candidates.filter((m) => reachable.has(m.file));
  runtimeModels(index, [...reachable].sort(), modelCache, diagnostics);

  const authUserModel = settings.authUserModel;

  // Tables of apps that live outside the project (contrib, known third-party apps).
  for (const app of apps) {
    if (app.origin !== "catalog") continue;
    const entry = catalog.apps[app.name]!;
    if (entry.tables === null) {
      diagnostics.push({
        code: "unresolved",
        severity: "info",
        message: `the tables of \`${app.name}\` depend on its version (${entry.note ?? "see its documentation"}); declare them in config`,
        loc: app.loc,
      });
      continue;
    }
    for (const t of entry.tables) {
      const setting = t.swappable ? settings.swappable[t.swappable] : undefined;
      if (setting !== undefined && setting.toLowerCase() !== `${app.label}.${t.model.split(".")[0]}`.toLowerCase()) continue;
      claims.push({
        table: { schema: null, name: t.name },
        source: "builtin",
        action: "creates",
        managed: true,
        what: `model ${app.label}.${t.model} of ${app.name}`,
        app: app.label,
        loc: app.loc,
      });
    }
  }

  // Project models.
  const projectApps = apps.filter((a) => a.origin === "project" && a.dir !== null);
  const appOf = appLocator(projectApps);
  for (const m of models) claims.push(...modelClaims(index, m, appOf, settings, authUserModel, diagnostics));

  // Migration histories.
  const history = migrationClaims(migrationFiles, migrationDirs);
  claims.push(...history.claims);

  // `migrate` always creates django_migrations.
  const anchor = settings.installed[0]?.loc ?? (migrationFiles[0] ? locOf(migrationFiles[0].file, migrationFiles[0].djangoMigration!.span) : fileLoc(models[0]?.file ?? "."));
  claims.push({
    table: { schema: null, name: "django_migrations" },
    source: "builtin",
    action: "creates",
    managed: true,
    what: "Django's migration recorder (`manage.py migrate`)",
    app: "migrations",
    loc: anchor,
  });

  for (const a of apps) {
    if (a.origin === "unresolved") {
      diagnostics.push({
        code: "unresolved",
        severity: "info",
        message: `INSTALLED_APPS entry \`${a.name}\` is neither in this project nor in tablewarden's catalogue of known apps; its tables are unknown — list them under django-app-tables in the config (or [] if it has none)`,
        loc: a.loc,
      });
    }
  }
  const database = djangoDatabase(index, settings.files.map((f) => index.facts(f)).filter((f): f is FileFacts => f !== null));
  shapes.push(
    ...djangoShapes({
      index,
      models: modelViews(index, models, appOf, settings),
      states: stateViews(history.states),
      swappable: settings.swappable,
      builtins: claims.filter((c) => c.source === "builtin").map((c) => ({ table: c.table, what: c.what, loc: c.loc })),
    }),
  );
  return { detected, settingsFiles: settings.files, authUserModel, apps, claims, migrationModules, conflicts: history.conflicts, database };
}

/**
 * Models built at run time — `type("Name", (models.Model,), {...})` — and fields added with
 * `field.contribute_to_class(Model, name)` are beyond static reading: say so, once per file.
 */
function runtimeModels(index: ModuleIndex, files: string[], cache: Map<string, ModelInfo | null>, diagnostics: Diagnostic[]): void {
  for (const file of files) {
    const facts = index.facts(file);
    if (!facts) continue;
    for (const b of facts.bindings) {
      const v = b.value;
      if (v.kind !== "call" || v.func.kind !== "name" || v.func.id !== "type" || v.args.length !== 3 || v.args[1]?.kind !== "tuple") continue;
      const bases = v.args[1].elts.map((e) => index.resolveExpr(file, e));
      const isModel = bases.some((s) => (s.kind === "external" && isExternalModelBase(s.dotted)) || (s.kind === "class" && modelInfo(index, s.file, s.cls, cache, new Set()) !== null));
      if (!isModel) continue;
      diagnostics.push({
        code: "unresolved",
        severity: "info",
        message: `\`${b.name}\` is a Django model built at run time with type(): its table is not known statically — the migration history still names it`,
        loc: locOf(file, b.span),
      });
    }
    const added = facts.calls.find((c) => c.call.func.kind === "attr" && c.call.func.attr === "contribute_to_class");
    if (added) {
      diagnostics.push({
        code: "unresolved",
        severity: "info",
        message: "fields are added to models at run time with contribute_to_class(): many-to-many tables they create are known only from the migration history",
        loc: locOf(file, added.call.span),
      });
    }
  }
}

function emptyDjango(): ProjectFacts["django"] {
  return { detected: false, settingsFiles: [], authUserModel: null, apps: [], claims: [], migrationModules: [], conflicts: [], database: null };
}

/** Files reachable by module-level imports from every project app's models module. */
function modelModuleClosure(index: ModuleIndex, apps: DjangoApp[]): Set<string> {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const app of apps) {
    if (app.origin !== "project" || app.dir === null) continue;
    const prefix = app.dir === "." ? "" : `${app.dir}/`;
    for (const f of [`${prefix}models.py`, `${prefix}models/__init__.py`]) if (index.hasFile(f) && !seen.has(f)) (seen.add(f), queue.push(f));
  }
  while (queue.length > 0) {
    const f = queue.shift()!;
    for (const next of index.importedFiles(f)) if (!seen.has(next)) (seen.add(next), queue.push(next));
  }
  return seen;
}

/** MIGRATION_MODULES entries: app label → the package holding its migrations (null: disabled). */
function resolveMigrationModules(index: ModuleIndex, settings: Settings): DjangoMigrationModule[] {
  const out: DjangoMigrationModule[] = [];
  for (const b of settings.migrationModules) {
    for (const item of b.value.kind === "dict" ? b.value.items : []) {
      const label = stringOf(index, b.file, item.key);
      if (label === null) continue;
      const loc = locOf(b.file, item.key!.span);
      if (item.value.kind === "const" && item.value.value === null) {
        out.push({ label, module: null, dir: null, status: "disabled", loc });
        continue;
      }
      const module = stringOf(index, b.file, item.value);
      if (module === null) continue;
      const file = index.resolveModule(module, b.file);
      const dir = file && file.endsWith("__init__.py") ? path.posix.dirname(file) : null;
      const top = module.split(".")[0]!;
      const status = dir ? "found" : index.resolveModule(top, b.file) ? "missing" : "external";
      out.push({ label, module, dir, status, loc });
    }
  }
  return out;
}

// ---------------------------------------------------------------- settings

/**
 * The files to read settings from: the configured `settings-module` when there is one (and it is
 * found), else every parsed file (readSettings keeps those binding INSTALLED_APPS).
 */
function settingsFiles(index: ModuleIndex, files: FileFacts[], settingsModule: string | null, diagnostics: Diagnostic[]): FileFacts[] {
  if (settingsModule === null) return files;
  const file = index.resolveModule(settingsModule, null);
  const facts = file ? index.facts(file) : null;
  if (facts && (facts.bindings.some((b) => b.name === "INSTALLED_APPS") || facts.starImports.length > 0)) return [facts];
  diagnostics.push({
    code: "unresolved",
    severity: "warning",
    message: file
      ? `settings-module \`${settingsModule}\` (${file}) sets no INSTALLED_APPS and imports no other settings; settings were detected instead`
      : `settings-module \`${settingsModule}\` is not a module of this project; settings were detected instead (check the dotted path, relative to the project root or its src/ folder)`,
    loc: fileLoc(file ?? "."),
  });
  return files;
}

/** `configured`: the files are the configured settings module, read even when it only star-imports. */
function readSettings(index: ModuleIndex, files: FileFacts[], configured = false): Settings {
  const out: Settings = { files: [], installed: [], authUserModel: null, swappable: {}, migrationModules: [], defaultAutoField: null };
  const seen = new Set<string>();
  for (const f of files) {
    if (!configured && !f.bindings.some((b) => b.name === "INSTALLED_APPS")) continue;
    out.files.push(f.file);
    for (const { entry, loc } of installedApps(index, f, new Set())) {
      if (seen.has(entry)) continue;
      seen.add(entry);
      out.installed.push({ entry, loc });
    }
    for (const b of f.bindings) {
      if (b.name === "AUTH_USER_MODEL" && b.op === "=") out.authUserModel = stringOf(index, f.file, b.value) ?? out.authUserModel;
      if (/_MODEL$/.test(b.name) && b.op === "=") {
        const v = stringOf(index, f.file, b.value);
        if (v !== null) out.swappable[b.name] = v;
      }
      if (b.name === "MIGRATION_MODULES" && b.op === "=") out.migrationModules.push({ file: f.file, value: b.value });
      if (b.name === "DEFAULT_AUTO_FIELD" && b.op === "=") out.defaultAutoField = stringOf(index, f.file, b.value) ?? out.defaultAutoField;
    }
  }
  return out;
}

/** INSTALLED_APPS of one settings module, in order, following `from .base import *`. */
function installedApps(index: ModuleIndex, f: FileFacts, visiting: Set<string>): Array<{ entry: string; loc: Loc }> {
  if (visiting.has(f.file)) return [];
  visiting.add(f.file);
  let apps: Array<{ entry: string; loc: Loc }> = [];
  for (const s of f.starImports) {
    const target = index.resolveImport(s.module, s.level, f.file);
    const tf = target ? index.facts(target) : null;
    if (tf && tf.bindings.some((b) => b.name === "INSTALLED_APPS")) apps = installedApps(index, tf, visiting);
  }
  const add = (e: Expr | undefined, replace: boolean, conditional: boolean) => {
    if (!e) return;
    const { entries, extends: keeps } = entriesOf(index, f.file, e);
    // An assignment that builds on the list itself (`INSTALLED_APPS + [...]`, `(*INSTALLED_APPS, "x")`)
    // keeps what came before. One we cannot read (`INSTALLED_APPS = list(sorted_apps)`), or one that runs
    // only under a condition, cannot take away what an earlier assignment put in: keep the union.
    if (replace && !keeps && !conditional && entries.length > 0) apps = entries;
    else for (const x of entries) if (!apps.some((a) => a.entry === x.entry)) apps.push(x);
  };
  for (const b of f.bindings) {
    if (b.name !== "INSTALLED_APPS") continue;
    if (b.op === "=") add(b.value, true, b.conditional);
    else if (b.op === "+=") add(b.value, false, b.conditional);
    else if (b.value.kind === "call" && b.value.func.kind === "attr") {
      const method = b.value.func.attr;
      if (method === "append") add(b.value.args[0], false, b.conditional);
      else if (method === "extend") add(b.value.args[0], false, b.conditional);
      else if (method === "insert") add(b.value.args[1], false, b.conditional);
    }
  }
  return apps;
}

/**
 * The app entries an INSTALLED_APPS value of `file` lists, and whether it builds on INSTALLED_APPS itself
 * (`extends`): a bare `INSTALLED_APPS` bound in `file` (or star-imported into it) is the list as it was before
 * this assignment, which the caller holds, so its binding (this very assignment, or an earlier one) is not read.
 * One imported by name from another module is read there.
 * Values reached through names are read once per path, so names that refer to each other end.
 */
function entriesOf(index: ModuleIndex, file: string, e: Expr): { entries: Array<{ entry: string; loc: Loc }>; extends: boolean } {
  const out: Array<{ entry: string; loc: Loc }> = [];
  let extendsItself = false;
  const reading = new Set<Expr>();
  const visit = (x: Expr, at: string) => {
    if (x.kind === "str") out.push({ entry: x.value, loc: locOf(at, x.span) });
    else if (x.kind === "list" || x.kind === "tuple" || x.kind === "set") for (const y of x.elts) visit(y.kind === "starred" ? y.value : y, at);
    else if (x.kind === "binop") {
      visit(x.left, at);
      visit(x.right, at);
    } else if (x.kind === "name" || x.kind === "attr") {
      const sym = index.resolveExpr(at, x);
      if (x.kind === "name" && x.id === "INSTALLED_APPS" && at === file && (sym.kind !== "value" || sym.file === file)) {
        extendsItself = true;
        return;
      }
      if (sym.kind !== "value" || reading.has(sym.value)) return;
      reading.add(sym.value);
      visit(sym.value, sym.file);
      reading.delete(sym.value);
    } else {
      // Fall back to the generic evaluator for anything else it can read.
      for (const v of stringsOf(index, at, x).values) out.push({ entry: v, loc: locOf(at, x.span) });
    }
  };
  visit(e, file);
  return { entries: out, extends: extendsItself };
}

// ---------------------------------------------------------------- apps

/**
 * The folders Django's process has on sys.path: the linted root, every folder holding a manage.py
 * (Django puts the script's folder first), `src/`, and the root each settings module imports from.
 */
function djangoRoots(index: ModuleIndex, settingsFiles: string[]): string[] {
  const roots = new Set<string>(["."]);
  for (const f of settingsFiles) {
    const depth = index.moduleName(f).split(".").length;
    let dir = f;
    for (let i = 0; i < depth; i++) dir = path.posix.dirname(dir);
    roots.add(dir);
  }
  for (const f of index.filesNamed("manage.py")) roots.add(path.posix.dirname(f));
  if (index.hasDir("src")) roots.add("src");
  return [...roots];
}

function resolveApp(index: ModuleIndex, roots: string[], entry: string, loc: Loc, catalog: ReturnType<typeof loadCatalog>): DjangoApp {
  // Catalogue: the entry itself, or `<app>.apps.<Config>` of a catalogued app.
  const catalogued = catalog.apps[entry] ? entry : Object.keys(catalog.apps).find((k) => entry.startsWith(`${k}.apps.`));
  if (catalogued) return { name: catalogued, label: catalog.apps[catalogued]!.label, dir: null, origin: "catalog", loc };

  // A project package (or namespace package, or plain module) importable from Django's sys.path.
  const mod = index.importFrom(roots, entry);
  if (mod && mod.kind !== "module") {
    const config = defaultAppConfig(index, mod.dir);
    const name = config?.name ?? entry;
    return { name, label: config?.label ?? lastPart(name), dir: mod.dir, origin: "project", loc, ...(config?.defaultAutoField ? { defaultAutoField: config.defaultAutoField } : {}) };
  }
  // A dotted path to an AppConfig class: `shop.apps.ShopConfig`.
  const dot = entry.lastIndexOf(".");
  if (dot > 0) {
    const owner = index.importFrom(roots, entry.slice(0, dot));
    if (owner?.file) {
      const sym = index.lookup(owner.file, entry.slice(dot + 1));
      if (sym.kind === "class") {
        const cfg = appConfigOf(index, sym.file, sym.cls);
        const name = cfg.name ?? entry.slice(0, entry.lastIndexOf(".", dot - 1));
        const app = index.importFrom(roots, name);
        const dir = app ? (app.kind === "module" ? path.posix.dirname(app.file!) : app.dir) : path.posix.dirname(owner.file);
        return { name, label: cfg.label ?? lastPart(name), dir, origin: "project", loc, ...(cfg.defaultAutoField ? { defaultAutoField: cfg.defaultAutoField } : {}) };
      }
    }
  }
  if (mod) return { name: entry, label: lastPart(entry), dir: mod.dir, origin: "project", loc };
  return { name: entry, label: lastPart(entry), dir: null, origin: "unresolved", loc };
}

function lastPart(dotted: string): string {
  return dotted.slice(dotted.lastIndexOf(".") + 1);
}

/** The AppConfig Django 3.2+ picks for a package: `default = True`, or the only one in apps.py. */
function defaultAppConfig(index: ModuleIndex, dir: string): { name: string | null; label: string | null; defaultAutoField: string | null } | null {
  const appsFile = `${dir === "." ? "" : `${dir}/`}apps.py`;
  const facts = index.facts(appsFile);
  if (!facts) return null;
  const configs = facts.classes.filter((c) => c.attrs["name"] !== undefined || c.bases.some((b) => /AppConfig$/.test(dottedName(b) ?? "")));
  const chosen = configs.find((c) => literal(c.attrs["default"]?.value) === true) ?? (configs.length === 1 ? configs[0] : undefined);
  return chosen ? appConfigOf(index, appsFile, chosen) : null;
}

function appConfigOf(index: ModuleIndex, file: string, cls: ClassFact): { name: string | null; label: string | null; defaultAutoField: string | null } {
  return {
    name: stringOf(index, file, cls.attrs["name"]?.value),
    label: stringOf(index, file, cls.attrs["label"]?.value),
    defaultAutoField: stringOf(index, file, cls.attrs["default_auto_field"]?.value),
  };
}

function appDirOf(file: string): string {
  const dir = path.posix.dirname(file);
  return path.posix.basename(dir) === "models" ? path.posix.dirname(dir) : dir;
}

/** The app a file belongs to (the deepest app folder holding it). */
type AppOf = (file: string) => DjangoApp | null;

/**
 * appFor over `apps`, answered once per folder: asked for every model twice, apps × models on large trees.
 * Only the apps at the folder or above it can hold it, so those are looked up by folder instead of scanning every app.
 */
function appLocator(apps: DjangoApp[]): AppOf {
  const atDir = new Map<string, number[]>();
  apps.forEach((a, i) => {
    if (a.dir === null) return;
    const list = atDir.get(a.dir);
    if (list) list.push(i);
    else atDir.set(a.dir, [i]);
  });
  const byDir = new Map<string, DjangoApp | null>();
  return (file) => {
    const dir = path.posix.dirname(file);
    let app = byDir.get(dir);
    if (app === undefined) {
      const within = `${dir}/`;
      const candidates = [...(atDir.get(".") ?? [])];
      for (let k = within.indexOf("/"); k >= 0; k = within.indexOf("/", k + 1)) candidates.push(...(atDir.get(within.slice(0, k)) ?? []));
      byDir.set(dir, (app = appFor(within, candidates.sort((x, y) => x - y).map((i) => apps[i]!))));
    }
    return app;
  };
}

function appFor(file: string, apps: DjangoApp[]): DjangoApp | null {
  let best: DjangoApp | null = null;
  for (const a of apps) {
    if (a.dir === null) continue;
    const prefix = a.dir === "." ? "" : `${a.dir}/`;
    if (file.startsWith(prefix) && (!best || a.dir.length > best.dir!.length)) best = a;
  }
  return best;
}

// ---------------------------------------------------------------- models

function modelInfo(index: ModuleIndex, file: string, cls: ClassFact, cache: Map<string, ModelInfo | null>, visiting: Set<string>): ModelInfo | null {
  const key = `${file}#${cls.name}#${cls.span.line}`;
  if (cache.has(key)) return cache.get(key)!;
  if (visiting.has(key)) return null;
  visiting.add(key);
  let isModel = false;
  const parents: ModelInfo[] = [];
  const externalBases: string[] = [];
  let unresolvedExternal = false;
  const unknownBases: string[] = [];
  for (const b of cls.bases) {
    const sym: Symbol = index.resolveExpr(file, b);
    if (sym.kind === "external") {
      if (isExternalModelBase(sym.dotted)) {
        isModel = true;
        externalBases.push(sym.dotted);
      } else {
        unresolvedExternal = true;
        unknownBases.push(sym.dotted);
      }
    } else if (sym.kind === "class") {
      const parent = modelInfo(index, sym.file, sym.cls, cache, visiting);
      if (parent) {
        isModel = true;
        parents.push(parent);
      }
    }
  }
  // A third-party abstract base (TimeStampedModel, MPTTModel…) with Django fields or Meta.
  if (!isModel && unresolvedExternal && cls.fields.some((f) => DJANGO_FIELD.test(f.callee))) isModel = true;
  const info = isModel ? { file, cls, parents, externalBases, unknownBases } : null;
  cache.set(key, info);
  return info;
}

interface MetaOptions {
  abstract: boolean;
  proxy: boolean;
  managed: boolean | null;
  dbTable: string | null;
  appLabel: string | null;
  swappable: string | null;
  /** `db_table` is set but not to a value tablewarden can read. */
  dbTableUnknown: boolean;
  loc: Loc | null;
}

function metaOf(index: ModuleIndex, m: ModelInfo): MetaOptions {
  const own = m.cls.meta;
  const opts: MetaOptions = { abstract: false, proxy: false, managed: null, dbTable: null, appLabel: null, swappable: null, dbTableUnknown: false, loc: own ? locOf(m.file, own.span) : null };
  // Meta inherited from abstract parents: when the child has no Meta, or `class Meta(Parent.Meta)`.
  const inheritsMeta = !own || own.bases.some((b) => dottedName(b)?.endsWith(".Meta"));
  if (inheritsMeta) {
    for (const p of m.parents) {
      const pm = metaOf(index, p);
      if (!pm.abstract) continue;
      opts.managed ??= pm.managed;
      opts.dbTable ??= pm.dbTable;
      opts.dbTableUnknown ||= pm.dbTableUnknown && opts.dbTable === null;
      opts.appLabel ??= pm.appLabel;
    }
  }
  if (own) {
    const get = (k: string) => own.options[k]?.value;
    const bool = (k: string): boolean | null => {
      const v = literal(get(k));
      return typeof v === "boolean" ? v : null;
    };
    opts.abstract = bool("abstract") ?? false;
    opts.proxy = bool("proxy") ?? false;
    const managed = bool("managed");
    if (managed !== null) opts.managed = managed;
    const dbTable = stringOf(index, m.file, get("db_table"));
    if (dbTable !== null) {
      opts.dbTable = dbTable;
      opts.dbTableUnknown = false;
    } else if (get("db_table") !== undefined) opts.dbTableUnknown = true;
    const label = stringOf(index, m.file, get("app_label"));
    if (label !== null) opts.appLabel = label;
    opts.swappable = stringOf(index, m.file, get("swappable"));
  }
  return opts;
}

type M2MField = { name: string; file: string; field: ClassFact["fields"][number] | null };

/** Many-to-many fields of a model including those inherited from abstract parents (ours and Django's). */
function m2mFields(index: ModuleIndex, m: ModelInfo, out: M2MField[] = []): M2MField[] {
  for (const dotted of m.externalBases) {
    for (const e of EXTERNAL_M2M) if (e.base.test(dotted)) for (const name of e.fields) if (!out.some((x) => x.name === name)) out.push({ name, file: m.file, field: null });
  }
  for (const p of m.parents) if (metaOf(index, p).abstract) m2mFields(index, p, out);
  for (const f of m.cls.fields) {
    if (/ManyToManyField$/.test(f.callee)) {
      const i = out.findIndex((x) => x.name === f.name);
      if (i >= 0) out.splice(i, 1);
      out.push({ name: f.name, file: m.file, field: f });
    }
  }
  return out;
}

function modelClaims(index: ModuleIndex, m: ModelInfo, appOf: AppOf, settings: Settings, authUserModel: string | null, diagnostics: Diagnostic[]): DjangoClaim[] {
  const meta = metaOf(index, m);
  if (meta.abstract || meta.proxy) return [];
  if (meta.dbTableUnknown) {
    diagnostics.push({
      code: "unresolved",
      severity: "info",
      message: `cannot read the db_table of \`${m.cls.name}\` statically; its table (and its many-to-many tables) are left out — the migration history still names them`,
      loc: meta.loc ?? locOf(m.file, m.cls.span),
    });
    return [];
  }
  const app = appOf(m.file);
  const label = meta.appLabel ?? app?.label ?? null;
  if (!label) return []; // not in an installed app: Django would refuse to load it
  if (meta.swappable === "AUTH_USER_MODEL" && authUserModel && authUserModel.toLowerCase() !== `${label}.${m.cls.name}`.toLowerCase()) return [];
  if (settings.installed.length > 0 && !app && !meta.appLabel) return [];
  const defaultName = truncateName(`${label}_${m.cls.name.toLowerCase()}`);
  const table = meta.dbTable !== null ? parseDbTable(meta.dbTable) : { schema: null, name: defaultName };
  const managed = meta.managed ?? true;
  const loc = locOf(m.file, m.cls.span);
  const claims: DjangoClaim[] = [
    { table, source: "model", action: managed ? "creates" : "maps", managed, what: `model ${label}.${m.cls.name}`, app: label, loc },
  ];
  for (const f of m2mFields(index, m)) {
    const kwargs = f.field?.call.kwargs ?? [];
    if (kwargs.some((k) => k.name === "through")) continue;
    const dbTableArg = kwargs.find((k) => k.name === "db_table")?.value;
    const explicit = stringOf(index, f.file, dbTableArg);
    if (dbTableArg && explicit === null) continue; // unreadable: the migration history names it
    const m2m = explicit !== null ? parseDbTable(explicit) : { schema: table.schema, name: truncateName(`${table.name}_${f.name}`) };
    claims.push({
      table: m2m,
      source: "m2m",
      action: managed ? "creates" : "maps",
      managed,
      what: `many-to-many ${label}.${m.cls.name}.${f.name}`,
      app: label,
      loc: f.field ? locOf(f.file, f.field.span) : loc,
    });
  }
  return claims;
}

/** Model classes as django-columns reads them (abstract parents included through `parents`). */
function modelViews(index: ModuleIndex, models: ModelInfo[], appOf: AppOf, settings: Settings): ModelView[] {
  const memo = new Map<ModelInfo, ModelView>();
  const view = (m: ModelInfo): ModelView => {
    const known = memo.get(m);
    if (known) return known;
    const meta = metaOf(index, m);
    const app = appOf(m.file);
    const label = meta.appLabel ?? app?.label ?? "";
    const swappedOut = meta.swappable === "AUTH_USER_MODEL" && settings.authUserModel !== null && settings.authUserModel.toLowerCase() !== `${label}.${m.cls.name}`.toLowerCase();
    const concrete = !meta.abstract && !meta.proxy && !meta.dbTableUnknown && label !== "" && !swappedOut;
    const v: ModelView = {
      key: `${label}.${m.cls.name.toLowerCase()}`,
      display: `${label}.${m.cls.name}`,
      file: m.file,
      cls: m.cls,
      label,
      table: concrete ? (meta.dbTable !== null ? parseDbTable(meta.dbTable) : { schema: null, name: truncateName(`${label}_${m.cls.name.toLowerCase()}`) }) : null,
      abstract: meta.abstract,
      managed: meta.managed ?? true,
      parents: [],
      externalBases: m.externalBases,
      unknownBases: m.unknownBases,
      autoField: app?.defaultAutoField ?? settings.defaultAutoField ?? "django.db.models.AutoField",
    };
    memo.set(m, v);
    v.parents = m.parents.map(view);
    return v;
  };
  return models.map(view).filter((v) => v.label !== "");
}

function stateViews(states: Map<string, Map<string, StateModel>>): StateView[] {
  const out: StateView[] = [];
  for (const [label, models] of [...states.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const [key, m] of models) {
      out.push({
        key: `${label}.${key}`,
        display: `${label}.${m.name}`,
        label,
        table: m.table,
        managed: m.managed,
        proxy: m.proxy,
        fields: [...m.fields.values()].map((f) => ({ name: f.def.name, call: f.def.call, span: f.def.span, file: f.file })),
        bases: m.bases.map((b) => b.toLowerCase()),
        aliases: m.aliases.map((a) => `${label}.${a}`),
        loc: m.loc,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- migrations

export interface StateModel {
  /** The model's class name as the history last named it. */
  name: string;
  table: TableKey;
  managed: boolean;
  proxy: boolean;
  /** Fields in history order (`CreateModel` fields, then AddField…), with the file that wrote each. */
  fields: Map<string, { def: MigrationFieldFact; file: string }>;
  /** `bases=` of CreateModel (`"shop.place"` for multi-table inheritance). */
  bases: string[];
  /** The CreateModel that started it. */
  loc: Loc;
  /** Names it had before a RenameModel, lower case. */
  aliases: string[];
  /** Auto-created M2M tables by field; `explicit` when the field names its db_table. */
  m2m: Map<string, { table: TableKey; explicit: boolean }>;
}

function defaultM2M(model: TableKey, field: string): TableKey {
  return { schema: model.schema, name: truncateName(`${model.name}_${field}`) };
}

function migrationClaims(files: FileFacts[], dirs: Map<string, DjangoApp>): { claims: DjangoClaim[]; conflicts: DjangoConflict[]; states: Map<string, Map<string, StateModel>> } {
  // Group migration files by migrations package.
  const byDir = new Map<string, FileFacts[]>();
  for (const f of files) {
    const dir = path.posix.dirname(f.file);
    const list = byDir.get(dir) ?? [];
    list.push(f);
    byDir.set(dir, list);
  }
  const claims: DjangoClaim[] = [];
  const conflicts: DjangoConflict[] = [];
  const states = new Map<string, Map<string, StateModel>>();
  for (const [dir, list] of [...byDir.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const label = dirs.get(dir)!.label;
    const ordered = orderMigrations(list, label);
    const leaves = leafMigrations(list, label);
    if (leaves.length > 1) conflicts.push({ app: label, leaves: leaves.map((f) => ({ name: path.posix.basename(f.file, ".py"), loc: locOf(f.file, f.djangoMigration!.span) })) });
    const state = states.get(label) ?? new Map<string, StateModel>();
    states.set(label, state);
    for (const f of ordered) {
      const name = path.posix.basename(f.file, ".py");
      for (const op of f.djangoMigration!.operations) replay(op, true, { label, name, file: f.file, state, claims });
    }
  }
  return { claims, conflicts, states };
}

/** Migrations no other migration of the app depends on (squashed ones standing in for what they replace). */
function leafMigrations(list: FileFacts[], label: string): FileFacts[] {
  const byName = new Map(list.map((f) => [path.posix.basename(f.file, ".py"), f]));
  const replacedBy = new Map<string, string>();
  for (const [name, f] of byName) for (const r of f.djangoMigration!.replaces) if (r.app === label && byName.has(r.name)) replacedBy.set(r.name, name);
  const nodes = [...byName.keys()].filter((n) => !replacedBy.has(n));
  const dependedOn = new Set<string>();
  for (const n of byName.keys()) {
    const from = replacedBy.get(n) ?? n;
    for (const d of byName.get(n)!.djangoMigration!.dependencies) {
      if (d.app !== label || !d.name) continue;
      const to = replacedBy.get(d.name) ?? d.name;
      if (to !== from) dependedOn.add(to);
    }
  }
  return nodes.filter((n) => !dependedOn.has(n)).sort().map((n) => byName.get(n)!);
}

/** Dependency order within one app (Kahn), squashed migrations replacing their originals. */
function orderMigrations(list: FileFacts[], label: string): FileFacts[] {
  const byName = new Map(list.map((f) => [path.posix.basename(f.file, ".py"), f]));
  const replaced = new Set<string>();
  for (const f of list) for (const r of f.djangoMigration!.replaces) if (r.app === label) replaced.add(r.name);
  const names = [...byName.keys()].filter((n) => !replaced.has(n)).sort();
  const known = new Set(names);
  const deps = new Map<string, string[]>();
  for (const n of names) {
    const d = byName.get(n)!.djangoMigration!.dependencies.filter((x) => x.app === label && x.name && known.has(x.name)).map((x) => x.name!);
    deps.set(n, d);
  }
  const done = new Set<string>();
  const out: FileFacts[] = [];
  const visit = (n: string, stack: Set<string>) => {
    if (done.has(n) || stack.has(n)) return;
    stack.add(n);
    for (const d of deps.get(n) ?? []) visit(d, stack);
    done.add(n);
    out.push(byName.get(n)!);
  };
  for (const n of names) visit(n, new Set());
  return out;
}

interface ReplayContext {
  label: string;
  name: string;
  file: string;
  state: Map<string, StateModel>;
  claims: DjangoClaim[];
}

function replay(op: DjangoOp, ddl: boolean, ctx: ReplayContext): void {
  const where = `(${ctx.label} ${ctx.name})`;
  const claim = (table: TableKey, action: DjangoClaim["action"], what: string, managed: boolean, newName?: string, view?: boolean) => {
    const c: DjangoClaim = { table, source: "migration", action, managed, what: `${what} ${where}`, app: ctx.label, loc: locOf(ctx.file, op.span) };
    if (newName) c.newName = newName;
    if (view) c.view = true;
    ctx.claims.push(c);
  };
  const live = (m: StateModel | undefined): m is StateModel => m !== undefined && ddl && m.managed && !m.proxy;
  /** The model's table moved: Django renames the auto-created M2M tables named after it. */
  const moveM2M = (m: StateModel, what: string) => {
    for (const [field, t] of m.m2m) {
      if (t.explicit) continue;
      const next = defaultM2M(m.table, field);
      if (next.name !== t.table.name && live(m)) claim(t.table, "renames", `${what} (many-to-many ${field})`, true, next.name);
      m.m2m.set(field, { table: next, explicit: false });
    }
  };
  switch (op.op) {
    case "CreateModel": {
      const dbTable = typeof op.options["db_table"] === "string" ? (op.options["db_table"] as string) : null;
      const table = dbTable ? parseDbTable(dbTable) : { schema: null, name: truncateName(`${ctx.label}_${op.name.toLowerCase()}`) };
      const managed = op.options["managed"] !== false;
      const proxy = op.options["proxy"] === true;
      const fields = new Map((op.fields ?? []).map((def) => [def.name, { def, file: ctx.file }]));
      const m: StateModel = { name: op.name, table, managed, proxy, m2m: new Map(), fields, bases: op.bases ?? [], loc: locOf(ctx.file, op.span), aliases: [] };
      ctx.state.set(op.name.toLowerCase(), m);
      if (proxy) return;
      if (ddl) claim(table, managed ? "creates" : "maps", `CreateModel ${op.name}`, managed);
      for (const f of op.m2m) {
        if (f.through) continue;
        const t = f.dbTable ? parseDbTable(f.dbTable) : defaultM2M(table, f.field);
        m.m2m.set(f.field, { table: t, explicit: f.dbTable !== null });
        if (ddl && managed) claim(t, "creates", `CreateModel ${op.name} (many-to-many ${f.field})`, true);
      }
      return;
    }
    case "DeleteModel": {
      const m = ctx.state.get(op.name.toLowerCase());
      ctx.state.delete(op.name.toLowerCase());
      if (!live(m)) return;
      for (const [field, t] of m.m2m) claim(t.table, "drops", `DeleteModel ${op.name} (many-to-many ${field})`, true);
      claim(m.table, "drops", `DeleteModel ${op.name}`, true);
      return;
    }
    case "RenameModel": {
      const m = ctx.state.get(op.oldName.toLowerCase());
      if (!m) return;
      ctx.state.delete(op.oldName.toLowerCase());
      const oldDefault = truncateName(`${ctx.label}_${op.oldName.toLowerCase()}`);
      if (m.table.name === oldDefault && m.table.schema === null) {
        const table = { schema: null, name: truncateName(`${ctx.label}_${op.newName.toLowerCase()}`) };
        if (live(m)) claim(m.table, "renames", `RenameModel ${op.oldName} → ${op.newName}`, true, table.name);
        m.table = table;
        moveM2M(m, `RenameModel ${op.oldName} → ${op.newName}`);
      }
      m.name = op.newName;
      m.aliases.push(op.oldName.toLowerCase());
      ctx.state.set(op.newName.toLowerCase(), m);
      return;
    }
    case "AlterModelTable": {
      const m = ctx.state.get(op.name.toLowerCase());
      if (!m) return;
      const table = op.table ? parseDbTable(op.table) : { schema: null, name: truncateName(`${ctx.label}_${op.name.toLowerCase()}`) };
      if (live(m) && table.name !== m.table.name) claim(m.table, "renames", `AlterModelTable ${op.name}`, true, table.name);
      m.table = table;
      moveM2M(m, `AlterModelTable ${op.name}`);
      return;
    }
    case "AlterModelOptions": {
      const m = ctx.state.get(op.name.toLowerCase());
      if (m) m.managed = op.options["managed"] !== false;
      return;
    }
    case "AddField": {
      const m = ctx.state.get(op.model.toLowerCase());
      if (m && op.field) m.fields.set(op.field.name, { def: op.field, file: ctx.file });
      if (!m || !op.m2m || op.m2m.through) return;
      const t = op.m2m.dbTable ? parseDbTable(op.m2m.dbTable) : defaultM2M(m.table, op.m2m.field);
      m.m2m.set(op.m2m.field, { table: t, explicit: op.m2m.dbTable !== null });
      if (live(m)) claim(t, "creates", `AddField ${op.model}.${op.m2m.field} (many-to-many)`, true);
      return;
    }
    case "RemoveField": {
      const m = ctx.state.get(op.model.toLowerCase());
      m?.fields.delete(op.field);
      const t = m?.m2m.get(op.field);
      if (m && t) {
        m.m2m.delete(op.field);
        if (live(m)) claim(t.table, "drops", `RemoveField ${op.model}.${op.field} (many-to-many)`, true);
      } else if (live(m)) claim(m.table, "alters", `RemoveField ${op.model}.${op.field}`, true);
      return;
    }
    case "RenameField": {
      const m = ctx.state.get(op.model.toLowerCase());
      const renamed = m?.fields.get(op.oldName);
      if (m && renamed) {
        m.fields.delete(op.oldName);
        m.fields.set(op.newName, { def: { ...renamed.def, name: op.newName }, file: renamed.file });
      }
      const t = m?.m2m.get(op.oldName);
      if (m && t) {
        m.m2m.delete(op.oldName);
        const next = t.explicit ? t.table : defaultM2M(m.table, op.newName);
        if (live(m) && next.name !== t.table.name) claim(t.table, "renames", `RenameField ${op.model}.${op.oldName} → ${op.newName} (many-to-many)`, true, next.name);
        m.m2m.set(op.newName, { table: next, explicit: t.explicit });
      } else if (live(m)) claim(m.table, "alters", `RenameField ${op.model}.${op.oldName}`, true);
      return;
    }
    case "AlterField": {
      const m = ctx.state.get(op.model.toLowerCase());
      if (m && op.definition) m.fields.set(op.field, { def: op.definition, file: ctx.file });
      if (live(m)) claim(m.table, "alters", `${op.op} ${op.model}.${op.field}`, true);
      return;
    }
    case "RunSQL":
      if (!ddl) return;
      for (const e of op.effects) {
        claim({ schema: e.table.schema, name: e.table.name ?? "?" }, e.action, `RunSQL ${e.action.replace(/s$/, "")}${e.view ? " view" : ""}`, true, e.newName, e.view);
      }
      return;
    case "SeparateDatabaseAndState": {
      // Database operations run against their own copy of the state before the operation;
      // only state operations change what later migrations see.
      const copy = (m: StateModel): StateModel => ({ ...m, m2m: new Map(m.m2m), fields: new Map(m.fields) });
      const dbState = new Map([...ctx.state].map(([k, v]) => [k, copy(v)]));
      for (const d of op.database) replay(d, ddl, { ...ctx, state: dbState });
      for (const s of op.state) replay(s, false, ctx);
      return;
    }
    default:
      return;
  }
}
