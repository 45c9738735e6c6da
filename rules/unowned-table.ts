// rules/unowned-table.ts
import { defineRule } from "../src/rule.js";
import { describeClaim } from "../src/graph/index.js";
import { orphans } from "../src/graph/orphans.js";

export default defineRule({
  id: "unowned-table",
  severity: "warning",
  summary: "A model maps a table that no migration history in the repository creates",
  options: {},
  messages: {
    near: (d: { table: string; model: string; near: string; creator: string }) =>
      `${d.model} maps \`${d.table}\`, which nothing in this repository creates; did you mean \`${d.near}\` (${d.creator})? At run time the query fails with \`relation "${d.table}" does not exist\`.`,
    orphan: (d: { table: string; model: string; sides: string }) =>
      `${d.model} maps \`${d.table}\`, but neither ${d.sides} creates it: a from-scratch database has no such table and the query fails at run time. ` +
      `Create it in the owning history, or, if another system creates it, declare it in \`external-tables\`.`,
  },
  help:
    "Fix the table name if it is a typo. If the table should exist, create it in exactly one history (a Django model with " +
    "a migration, or an Alembic revision). If another service or a DBA script creates it, list it under `external-tables` " +
    "in the tablewarden config so the ownership map is complete.",
  check({ graph, report }) {
    for (const o of orphans(graph)) {
      const model = o.mapping.kind === "sqlalchemy-model" ? `SQLAlchemy ${o.mapping.what}` : `unmanaged Django ${o.mapping.what}`;
      if (o.near) {
        const creator = [...graph.djangoCreatorsOf(o.near), ...graph.alembicCreatorsOf(o.near), ...graph.createAllCreatorsOf(o.near)][0]!;
        report(
          "near",
          { table: o.node.id, model, near: o.near.id, creator: describeClaim(creator) },
          { at: o.mapping.loc, table: o.node.key, related: [{ loc: creator.loc, message: `\`${o.near.id}\` is created here` }] },
        );
      } else if (o.ownerSideHere) {
        report("orphan", { table: o.node.id, model, sides: "Django's migrations nor Alembic's revisions" }, { at: o.mapping.loc, table: o.node.key });
      }
    }
  },
});
