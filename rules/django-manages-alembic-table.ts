// rules/django-manages-alembic-table.ts
import { defineRule } from "../src/rule.js";
import { describeClaim } from "../src/graph/index.js";

export default defineRule({
  id: "django-manages-alembic-table",
  severity: "error",
  summary: "A Django migration alters, renames or drops a table Alembic owns",
  options: { allowTables: { type: "string[]", default: [] as string[], description: "Tables to leave alone." } },
  messages: {
    alters: (d: { table: string; op: string; owner: string }) =>
      `${d.op} changes \`${d.table}\`, which Alembic creates (${d.owner}): Alembic's models and autogenerate no longer match ` +
      "the table (the next autogenerate reverts the change), and a Django-first deploy from scratch fails because the table does not exist yet.",
  },
  help:
    "Map the table in Django with `managed = False` (and adopt an existing model with SeparateDatabaseAndState, no database " +
    "operations), then make schema changes in an Alembic revision.",
  check({ graph, options, report }) {
    for (const node of graph.tables()) {
      if (options.allowTables.includes(node.id)) continue;
      const alembic = graph.alembicCreatorsSharingDjango(node);
      if (alembic.length === 0 || graph.isDjangoOwned(node)) continue; // both create it: double-ownership
      for (const c of graph.djangoChangesOf(node)) {
        report(
          "alters",
          { table: node.id, op: c.what, owner: describeClaim(alembic[0]!) },
          { at: c.loc, table: node.key, related: [{ loc: alembic[0]!.loc, message: `Alembic creates it: ${alembic[0]!.what}` }] },
        );
      }
    }
  },
});
