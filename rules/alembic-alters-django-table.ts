// rules/alembic-alters-django-table.ts
import { defineRule } from "../src/rule.js";
import { describeClaim } from "../src/graph/index.js";

export default defineRule({
  id: "alembic-alters-django-table",
  severity: "error",
  summary: "An Alembic revision alters, renames or drops a table Django owns",
  options: { allowTables: { type: "string[]", default: [] as string[], description: "Tables to leave alone." } },
  messages: {
    alters: (d: { table: string; op: string; owner: string }) =>
      `${d.op} changes \`${d.table}\`, which Django owns (${d.owner}): Django's migration state no longer matches the table, ` +
      "its next migration of it may fail or undo the change, and a from-scratch deploy depends on which tool runs first.",
  },
  help:
    "Make the change in Django (edit the model, run makemigrations) and drop it from the revision. If Alembic is to own the " +
    "table from now on, hand it over first: `managed = False` plus SeparateDatabaseAndState on the Django side.",
  check({ graph, options, report }) {
    for (const node of graph.tablesOwnedByDjango()) {
      if (options.allowTables.includes(node.id)) continue;
      if (graph.alembicCreatorsSharingDjango(node).length > 0) continue; // double-ownership reports it
      const owner = graph.djangoCreatorsOf(node)[0]!;
      for (const c of graph.alembicChangesSharingDjango(node)) {
        report(
          "alters",
          { table: node.id, op: c.what, owner: describeClaim(owner) },
          { at: c.loc, table: node.key, related: [{ loc: owner.loc, message: `Django owns it: ${owner.what}` }] },
        );
      }
    }
  },
});
