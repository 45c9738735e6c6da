// tablewarden's view of a project's SQLAlchemy side, as JSON on stdout, for sqla_truth.py:
// every Alembic env (target metadata ids, files env.py imports) and every SQLAlchemy table it read.
// Usage: node test/real/sqla_view.mjs <fixture dir>   (needs the built dist/, `npx tsc -p .`)
import { lint } from "../../dist/src/index.js";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: node sqla_view.mjs <dir>\n");
  process.exit(2);
}
const r = await lint({ paths: [dir] });
const p = r.project;
const out = {
  envs: p.alembic.envs.map((e) => ({
    file: e.file,
    scriptDir: e.scriptDir,
    metadataIds: e.target.metadataIds,
    unresolved: e.target.unresolved,
    targetLoc: e.target.loc,
    reachable: e.reachable,
    reachUncertain: e.reachUncertain,
  })),
  metadata: p.sqlalchemy.metadata.map((m) => ({ id: m.id, label: m.label, file: m.loc.file, line: m.loc.line })),
  incompleteMetadata: p.sqlalchemy.incompleteMetadata,
  tables: p.sqlalchemy.tables.map((t) => ({
    schema: t.table.schema,
    name: t.table.name,
    metadataId: t.metadataId,
    what: t.what,
    className: t.className,
    reflected: t.reflected,
    file: t.loc.file,
    line: t.loc.line,
  })),
  findings: r.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, table: f.table ?? null, file: f.loc.file, line: f.loc.line })),
};
process.stdout.write(JSON.stringify(out) + "\n");
