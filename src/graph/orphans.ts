/** Mapped tables nothing in the repository creates: the question behind unowned-table and unknown-ownership. */
import type { Claim, OwnershipGraph, TableNode } from "./index.js";
import { levenshtein, nearest } from "../util/nearest.js";

/** Edits between a mapped table name and a created one for "did you mean". */
const TYPO_EDITS = 2;

/**
 * Tables a model maps but nothing in the repository creates. Shared by unowned-table (when the
 * repository holds the side that should create it, or the name is one edit from a real table) and
 * unknown-ownership (when the owner most likely lives outside the repository).
 */
export interface Orphan {
  node: TableNode;
  mapping: Claim;
  /** A table the repository does create whose name is close: a typo is the likely cause. */
  near: TableNode | null;
  /** The side that would own the table has a migration history in this repository. */
  ownerSideHere: boolean;
}

export function orphans(graph: OwnershipGraph): Orphan[] {
  const created = graph.presentTables().filter((n) => creates(graph, n));
  const byName = new Map(created.map((n) => [n.id, n]));
  const out: Orphan[] = [];
  const sharedEnvs = graph.envs().filter((e) => e.sharesDjangoDatabase);
  // A model on target_metadata is Alembic's own (a missing revision is autogenerate's business, not an
  // ownership question); with a target_metadata that could not be resolved, any model may be on it.
  const targetUnknown = graph.envs().some((e) => e.target.unresolved !== null);
  const createdIds = [...byName.keys()];
  for (const node of graph.presentTables()) {
    if (creates(graph, node) || graph.declaredOwner(node) !== null) continue;
    const onTarget = graph.autogenerateEnvs().some((e) => graph.targetModelsFor(node, e).length > 0);
    const mapping = node.claims.find((c) => (c.kind === "sqlalchemy-model" && !onTarget && !targetUnknown) || (c.kind === "django-model" && !c.managed));
    if (!mapping) continue;
    // An env.py filter that leaves this table out by name marks it as someone else's. A filter that leaves out
    // every database-only table (`reflected and compare_to is None`) says nothing about this one.
    if (graph.envs().some((e) => graph.autogenerateVerdict(node, e)?.result === "excluded" && e.unnamedTableVerdict?.result !== "excluded" && graph.targetModelsFor(node, e).length === 0)) continue;
    // A typo is one or two edits (auth_users for auth_user); a shared prefix (library_supplier, library_people) is not.
    const close = nearest(node.id, createdIds); // node itself is not among them: nothing creates it
    const near = close !== null && close.length > 3 && levenshtein(node.id, close) <= TYPO_EDITS ? byName.get(close)! : null;
    const ownerSideHere = mapping.kind === "sqlalchemy-model" ? graph.project.django.detected && sharedEnvs.length > 0 : sharedEnvs.length > 0;
    out.push({ node, mapping, near, ownerSideHere });
  }
  return out;
}

function creates(graph: OwnershipGraph, node: TableNode): boolean {
  return graph.djangoCreatorsOf(node).length > 0 || graph.alembicCreatorsOf(node).length > 0 || graph.createAllCreatorsOf(node).length > 0;
}
