/** link: all FileFacts → ProjectFacts (imports, app labels, metadata, environments resolved). */
import type { FileFacts } from "../extract/facts.js";
import type { IniFacts } from "../extract/alembic/ini.js";
import type { Diagnostic, TableKey } from "../types.js";
import { normaliseTable, tableId } from "../types.js";
import { ModuleIndex } from "./modules.js";
import type { FactsLoader } from "./modules.js";
import { linkDjango } from "./django.js";
import { linkSqlalchemy, newSqlaContext } from "./sqlalchemy.js";
import { linkAlembic } from "./alembic.js";
import { linkCreateAll } from "./create-all.js";
import { alembicShapes, sqlaShapes } from "./sqla-columns.js";
import type { ProjectFacts, TableShape } from "./types.js";

export interface LinkInputs {
  /** Every Python file of the project (parsed or not), relative paths. */
  pythonFiles: string[];
  /** Facts of the files the prefilter chose; others load on demand through `load`. */
  parsed: FileFacts[];
  inis: IniFacts[];
  load: FactsLoader;
  /** The module index of `pythonFiles` over `load`, when the caller has one already. */
  index?: ModuleIndex;
  /** Config: tables of installed apps the catalogue does not know. */
  djangoAppTables?: Record<string, string[]>;
  /** Config: the Django settings module to read instead of detecting settings files. */
  djangoSettingsModule?: string | null;
}

export function link(inp: LinkInputs): ProjectFacts {
  const diagnostics: Diagnostic[] = [];
  const index = inp.index ?? new ModuleIndex(inp.pythonFiles, inp.load);
  const shapes: TableShape[] = [];
  const django = linkDjango(index, inp.parsed, diagnostics, inp.djangoAppTables ?? {}, shapes, inp.djangoSettingsModule ?? null);
  const sqlaCtx = newSqlaContext(index);
  const sqlalchemy = linkSqlalchemy(sqlaCtx, inp.parsed, diagnostics);
  sqlalchemy.createAll = linkCreateAll(sqlaCtx, inp.parsed);
  // Autogenerate verdicts for every table any side names (rules need Django's; `tables` shows all).
  // Keys as PostgreSQL reports them on reflection (default schema, 63-byte names).
  const seen = new Map<string, TableKey>();
  const add = (t: TableKey) => {
    const k = normaliseTable(t);
    seen.set(tableId(k), k);
  };
  for (const c of django.claims) add(c.table);
  for (const t of sqlalchemy.tables) add(t.table);
  for (const f of inp.parsed) for (const op of f.alembicRevision?.upgrade ?? []) if (op.table.name) add({ schema: op.table.schema, name: op.table.name });
  const envs = linkAlembic(
    {
      djangoDatabase: django.database,
      djangoDetected: django.detected,
      index,
      sqla: sqlaCtx,
      files: inp.parsed,
      inis: inp.inis,
      tables: sqlalchemy.tables,
      incompleteMetadata: new Set(sqlalchemy.incompleteMetadata),
      candidates: [...seen.values()],
    },
    diagnostics,
  );
  shapes.push(...sqlaShapes(sqlaCtx, sqlalchemy.tables), ...alembicShapes(index, sqlaCtx, envs));
  // Metadata first seen while resolving env.py (e.g. `target_metadata = mirrors`) is registered late.
  sqlalchemy.metadata = [...sqlaCtx.metadata.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const suppressions: ProjectFacts["suppressions"] = {};
  for (const f of inp.parsed) if (f.suppressions.length > 0) suppressions[f.file] = f.suppressions;
  // "Could not resolve" notes are reported by the unknown-ownership rule (configurable like any rule).
  // (A configured settings-module that does not resolve stays a warning diagnostic: it is a setup mistake.)
  const isNote = (d: Diagnostic) => d.code === "unresolved" && d.severity === "info";
  const unresolved = diagnostics.filter(isNote).map((d) => ({ message: d.message, loc: d.loc }));
  return { django, sqlalchemy, alembic: { envs }, diagnostics: diagnostics.filter((d) => !isNote(d)), unresolved, shapes, suppressions };
}

export type { ProjectFacts } from "./types.js";
