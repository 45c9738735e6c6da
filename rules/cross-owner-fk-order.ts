// rules/cross-owner-fk-order.ts
import { defineRule } from "../src/rule.js";
import type { OwnershipGraph, TableNode } from "../src/graph/index.js";
import { where } from "../src/graph/index.js";
import { crossOwnerForeignKeys } from "../src/graph/foreign-keys.js";
import type { CrossForeignKey } from "../src/graph/foreign-keys.js";

function creatorAt(graph: OwnershipGraph, node: TableNode, side: "django" | "alembic"): string {
  const c = side === "django" ? graph.djangoCreatorsOf(node)[0] : graph.alembicCreatorsSharingDjango(node)[0];
  return c ? `${c.what}, ${where(c.loc)}` : side;
}

const TOOL = { django: "Django", alembic: "Alembic" } as const;
const RUN = { django: "`manage.py migrate`", alembic: "`alembic upgrade head`" } as const;

export default defineRule({
  id: "cross-owner-fk-order",
  severity: "error",
  summary: "A foreign key makes the migrator that runs first depend on a table of the one that runs second",
  options: {
    order: {
      type: "string",
      default: "django-first",
      values: ["django-first", "alembic-first"],
      description: "Which migrator deploys run first (also settable for every rule at once with the top-level `migration-order` key).",
    },
  },
  messages: {
    order: (d: { from: string; column: string; to: string; first: string; second: string; creator: string; run: string; cycle: string }) =>
      `\`${d.from}.${d.column}\` (${d.first}) references \`${d.to}\`, which ${d.second} creates (${d.creator}), but ${d.first} migrates first: ` +
      `on an empty database ${d.run} fails with \`relation "${d.to}" does not exist\`.${d.cycle}`,
  },
  help:
    "Make the dependency follow the deploy order: keep foreign keys from the second migrator's tables to the first's only. " +
    "For a Django model pointing at an Alembic table, drop the database constraint (`db_constraint=False`) or move the table to Django; " +
    "for an Alembic table pointing at a Django table with Alembic first, reverse the order. A cycle between the histories has no " +
    "order that works: remove one direction's constraint.",
  check({ graph, options, report }) {
    const first: "django" | "alembic" = options.order === "alembic-first" ? "alembic" : "django";
    const edges = crossOwnerForeignKeys(graph);
    const back = (e: CrossForeignKey) => edges.find((x) => x.fromSide !== e.fromSide);
    for (const e of edges) {
      if (e.fromSide !== first) continue; // the second migrator referencing the first's tables is the safe direction
      const other = back(e);
      const cycle = other
        ? ` The histories also depend the other way (\`${other.from.id}.${other.fk.column}\` → \`${other.to.id}\`, ${where(other.fk.loc)}): ` +
          "no deploy order works until one direction's constraint goes."
        : "";
      report(
        "order",
        {
          from: e.from.id,
          column: e.fk.column,
          to: e.to.id,
          first: TOOL[first],
          second: TOOL[e.toSide],
          creator: creatorAt(graph, e.to, e.toSide),
          run: RUN[first],
          cycle,
        },
        {
          at: e.fk.loc,
          // The table the first migrator cannot find: what fails, and what `explain` should show it under.
          table: e.to.key,
          related: [
            ...(graph.djangoCreatorsOf(e.to)[0] && e.toSide === "django" ? [{ loc: graph.djangoCreatorsOf(e.to)[0]!.loc, message: `Django creates \`${e.to.id}\`` }] : []),
            ...(e.toSide === "alembic" && graph.alembicCreatorsSharingDjango(e.to)[0] ? [{ loc: graph.alembicCreatorsSharingDjango(e.to)[0]!.loc, message: `Alembic creates \`${e.to.id}\`` }] : []),
            ...(other ? [{ loc: other.fk.loc, message: `and \`${other.from.id}.${other.fk.column}\` references \`${other.to.id}\` the other way` }] : []),
          ],
        },
      );
    }
  },
});
