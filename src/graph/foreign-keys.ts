/**
 * Foreign keys that cross from one migrator's tables to the other's, as the histories create them
 * from scratch: Django's migration state (or the managed model when the app has no migrations for
 * it, and auto-created through tables), and Alembic's revisions replayed per env.py sharing Django's
 * database. Mirrors (read-only models) create no constraint and are left out, as are Django foreign
 * keys with `db_constraint=False`.
 */
import type { ForeignKeyShape, TableShape } from "../link/types.js";
import type { OwnershipGraph, TableNode } from "./index.js";

export interface CrossForeignKey {
  from: TableNode;
  to: TableNode;
  fromSide: "django" | "alembic";
  toSide: "django" | "alembic";
  fk: ForeignKeyShape;
}

/** The one side that creates this table, or null (none, or both: double-ownership's business). */
export function creatingSide(graph: OwnershipGraph, node: TableNode): "django" | "alembic" | null {
  const d = graph.djangoCreatorsOf(node).length > 0;
  const a = graph.alembicCreatorsSharingDjango(node).length > 0;
  return d === a ? null : d ? "django" : "alembic";
}

/** The shapes whose foreign keys really become constraints when `side` creates the table from scratch. */
function creatingShapes(graph: OwnershipGraph, node: TableNode, side: "django" | "alembic"): TableShape[] {
  const shapes = graph.shapesOf(node);
  if (side === "alembic") {
    const shared = new Set(graph.envs().filter((e) => e.sharesDjangoDatabase).map((e) => e.file));
    return shapes.filter((s) => s.source === "alembic-revisions" && s.env !== undefined && shared.has(s.env));
  }
  const history = shapes.filter((s) => s.source === "django-migrations" && s.managed);
  return history.length > 0 ? history : shapes.filter((s) => s.source === "django-model" && s.managed);
}

export function crossOwnerForeignKeys(graph: OwnershipGraph): CrossForeignKey[] {
  const out: CrossForeignKey[] = [];
  const seen = new Set<string>();
  for (const from of graph.presentTables()) {
    const fromSide = creatingSide(graph, from);
    if (!fromSide) continue;
    for (const shape of creatingShapes(graph, from, fromSide)) {
      for (const fk of shape.foreignKeys) {
        if (!fk.references || fk.noConstraint) continue;
        const to = graph.table(fk.references);
        if (!to || to.id === from.id) continue;
        const toSide = creatingSide(graph, to);
        if (!toSide || toSide === fromSide) continue;
        const key = `${from.id}.${fk.column}->${to.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ from, to, fromSide, toSide, fk });
      }
    }
  }
  return out;
}
