// rules/unknown-ownership.ts
import { defineRule } from "../src/rule.js";
import { orphans } from "../src/graph/orphans.js";

export default defineRule({
  id: "unknown-ownership",
  severity: "info",
  summary: "A table, filter or MetaData could not be resolved statically, or its owner lives outside the repository",
  options: {},
  messages: {
    unresolved: (d: { message: string }) => d.message,
    outside: (d: { table: string; model: string; side: string }) =>
      `${d.model} maps \`${d.table}\`, which nothing in this repository creates (${d.side} is not here): if another project owns it, ` +
      `declare it in \`external-tables\` so the ownership map is complete.`,
    createAll: (d: { call: string; why: string }) => `cannot tell which MetaData ${d.call} creates (${d.why}); the tables it creates are not counted as owned.`,
  },
  help:
    "Nothing is wrong yet; tablewarden could not finish the analysis for this item. Give the value a literal in code, or " +
    "declare it in the config: `external-tables` for tables another system creates, `owners` to state who owns a table, " +
    "`django-app-tables` for an installed app tablewarden's catalogue does not know.",
  check({ graph, project, report }) {
    for (const u of project.unresolved) report("unresolved", { message: u.message }, { at: u.loc });
    for (const o of orphans(graph)) {
      if (o.near || o.ownerSideHere) continue; // unowned-table reports these
      report(
        "outside",
        {
          table: o.node.id,
          model: o.mapping.kind === "sqlalchemy-model" ? `SQLAlchemy ${o.mapping.what}` : `unmanaged Django ${o.mapping.what}`,
          side: o.mapping.kind === "sqlalchemy-model" ? "a Django project sharing this database" : "an Alembic history sharing this database",
        },
        { at: o.mapping.loc, table: o.node.key },
      );
    }
    for (const call of project.sqlalchemy.createAll) {
      if (call.context === "startup" && call.unresolved) report("createAll", { call: call.label, why: call.unresolved }, { at: call.loc });
    }
  },
});
