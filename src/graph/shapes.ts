/**
 * Column-level graph queries: the shapes stated for a table, and the shape its owner really gives
 * it (Django: the model merged with the replayed migration state; Alembic: the model on
 * target_metadata, else the replayed revisions). Rules that compare columns or follow foreign keys
 * ask these instead of picking shapes themselves.
 */
import type { ColumnShape, TableShape } from "../link/types.js";
import type { OwnershipGraph, TableNode } from "./index.js";

/** Every shape stated for this table (any source), in facts order. */
export function shapesOf(graph: OwnershipGraph, node: TableNode): TableShape[] {
  return graph.shapesOf(node);
}

/** A column where the Django model and its migration history disagree (the model wins). */
export interface ShapeDisagreement {
  column: string;
  /** "the model declares it but no migration adds it", "the model says varchar(200), the history varchar(100)". */
  detail: string;
  model: ColumnShape | null;
  history: ColumnShape | null;
}

export interface OwnerShape {
  owner: "django" | "alembic";
  /** The columns the table really has, as far as the code tells. */
  shape: TableShape;
  /** Which statements it comes from, for messages: "model shop.Order and its migrations". */
  what: string;
  disagreements: ShapeDisagreement[];
}

/**
 * The owning side's shape of a table with exactly one owner, or null (no owner, both, or no shape).
 * Django: the managed model class merged with its migration state (columns only in the history
 * stay: fields added at run time; where both state a column and disagree, the model wins and the
 * disagreement is listed), or the contrib table's known columns. Alembic: the SQLAlchemy model on a
 * target_metadata, else the table at the head of the revision history.
 */
export function ownerShape(graph: OwnershipGraph, node: TableNode): OwnerShape | null {
  const shapes = shapesOf(graph, node);
  const django = graph.isDjangoOwned(node);
  // A model on target_metadata makes Alembic an owner only of tables Django does not create
  // (over Django's table it is a mirror in the wrong place: readonly-model-in-target-metadata).
  const created = graph.alembicCreatorsOf(node).length > 0;
  if (django && !created) return djangoShape(shapes);
  if (!django && (created || graph.envs().some((e) => graph.targetModelsFor(node, e).length > 0))) {
    const onTarget = new Set(graph.envs().flatMap((e) => graph.targetModelsFor(node, e).map((c) => `${c.loc.file}:${c.loc.line}`)));
    const model = shapes.find((s) => s.source === "sqlalchemy" && onTarget.has(`${s.loc.file}:${s.loc.line}`));
    if (model) return { owner: "alembic", shape: model, what: `${model.what} on target_metadata`, disagreements: [] };
    const history = shapes.find((s) => s.source === "alembic-revisions");
    if (history) return { owner: "alembic", shape: history, what: history.what, disagreements: [] };
  }
  return null;
}

function djangoShape(shapes: TableShape[]): OwnerShape | null {
  const builtin = shapes.find((s) => s.source === "django-builtin");
  if (builtin) return { owner: "django", shape: builtin, what: builtin.what, disagreements: [] };
  const model = shapes.find((s) => s.source === "django-model" && s.managed);
  const history = shapes.find((s) => s.source === "django-migrations" && s.managed && (!model || s.model === null || model.model === null || s.model.toLowerCase() === model.model.toLowerCase()));
  if (!model && !history) return null;
  if (!model) return { owner: "django", shape: history!, what: history!.what, disagreements: [] };
  if (!history) return { owner: "django", shape: model, what: model.what, disagreements: [] };
  const merged: TableShape = { ...model, columns: [...model.columns], foreignKeys: [...model.foreignKeys], unresolved: [...model.unresolved, ...history.unresolved] };
  const disagreements: ShapeDisagreement[] = [];
  for (const h of history.columns) {
    const m = model.columns.find((c) => c.name === h.name);
    if (!m) {
      // Only the history has it: added at run time (contribute_to_class), or removed from the model without a migration.
      merged.columns.push(h);
      for (const fk of history.foreignKeys) if (fk.column === h.name) merged.foreignKeys.push(fk);
      disagreements.push({ column: h.name, detail: "the migration history has it but the model does not declare it", model: null, history: h });
    } else if (m.type && h.type && typeText(m) !== typeText(h)) {
      disagreements.push({ column: h.name, detail: `the model makes it ${typeText(m)}, the migration history ${typeText(h)}`, model: m, history: h });
    }
  }
  for (const m of model.columns) {
    if (!history.columns.some((h) => h.name === m.name)) disagreements.push({ column: m.name, detail: "the model declares it but no migration creates it (makemigrations pending?)", model: m, history: null });
  }
  return { owner: "django", shape: merged, what: `${model.what} and its migrations`, disagreements };
}

/** `varchar(150)`, `numeric(10,2)`, `timestamptz`, `enum order_status`. */
export function typeText(c: Pick<ColumnShape, "type">): string {
  const t = c.type;
  if (!t) return "an unknown type";
  if (t.base === "enum") return t.enumName ? `enum ${t.enumName}` : "a PostgreSQL enum";
  if (t.length !== undefined && t.length !== null) return `${t.base}(${t.length})`;
  if (t.precision !== undefined && t.precision !== null) return `${t.base}(${t.precision}${t.scale !== null && t.scale !== undefined ? `,${t.scale}` : ""})`;
  return t.base;
}
