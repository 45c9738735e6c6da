// rules/ownership-mismatch.ts
import { defineRule } from "../src/rule.js";
import type { Claim, TableNode } from "../src/graph/index.js";
import type { OwnershipGraph } from "../src/graph/index.js";
import { describeClaim } from "../src/graph/index.js";

/** Claims that make a side other than `owner` create or migrate the table. */
function contradicting(graph: OwnershipGraph, node: TableNode, owner: "django" | "alembic" | "external"): Claim[] {
  const out: Claim[] = [];
  if (owner !== "django") out.push(...graph.djangoCreatorsOf(node).filter((c) => c.kind !== "builtin"));
  if (owner !== "alembic") {
    out.push(...graph.alembicCreatorsOf(node));
    // A model on target_metadata: autogenerate treats the table as Alembic's and migrates it.
    for (const env of graph.autogenerateEnvs()) out.push(...graph.targetModelsFor(node, env));
  }
  // create_all() in start-up code creates the table on every deploy; one in a CLI command or a bootstrap
  // script is a deliberate act on a developer database (create-all-third-owner draws the same line).
  out.push(...graph.createAllCreatorsOf(node).filter((c) => c.createAll?.context === "startup"));
  return [...new Set(out)];
}

const SIDE: Record<string, string> = {
  "django-model": "Django creates it",
  "django-m2m": "Django creates it",
  "django-migration": "a Django migration creates it",
  "alembic-revision": "an Alembic revision creates it",
  "sqlalchemy-model": "it is on Alembic's target_metadata, so autogenerate migrates it",
  "create-all": "create_all() creates it",
};

export default defineRule({
  id: "ownership-mismatch",
  severity: "error",
  summary: "A table's owner in the code contradicts the owner declared in config",
  options: {
    requireDeclared: {
      type: "boolean",
      default: false,
      description: "Also report every table the project's own code creates that no `owners` pattern covers.",
    },
  },
  messages: {
    mismatch: (d: { table: string; declared: string; source: string; claim: string; side: string }) =>
      `\`${d.table}\` is declared ${d.declared === "external" ? "external (created outside this repository)" : `${d.declared}-owned`} (${d.source}), but ${d.side}: ${d.claim}.`,
    undeclared: (d: { table: string; owner: string; claim: string }) =>
      `\`${d.table}\` has no declared owner (the code makes it ${d.owner}'s: ${d.claim}); add it to \`owners\` in the tablewarden config.`,
  },
  help:
    "Either fix the code so that only the declared owner creates and migrates the table (delete the other side's " +
    "create, set `managed = False`, move the model off target_metadata), or, if the new owner is intended, change the " +
    "`owners` entry in .tablewarden.json / [tool.tablewarden] so review sees the hand-over.",
  check({ graph, options, report }) {
    for (const node of graph.presentTables()) {
      const declared = graph.declaredOwner(node);
      if (declared === null) {
        if (!options.requireDeclared || graph.ownership.owners.length === 0) continue;
        const own = [...graph.djangoCreatorsOf(node), ...graph.alembicCreatorsOf(node), ...graph.createAllCreatorsOf(node)].filter((c) => c.kind !== "builtin");
        if (own.length === 0) continue;
        report("undeclared", { table: node.id, owner: graph.ownerOf(node), claim: describeClaim(own[0]!) }, { at: own[0]!.loc, table: node.key });
        continue;
      }
      const bad = contradicting(graph, node, declared.owner);
      if (bad.length === 0) continue;
      const [first, ...rest] = bad;
      report(
        "mismatch",
        { table: node.id, declared: declared.owner, source: declared.source, claim: describeClaim(first!), side: SIDE[first!.kind] ?? "another side claims it" },
        { at: first!.loc, table: node.key, related: rest.map((c) => ({ loc: c.loc, message: `${SIDE[c.kind] ?? "claimed"}: ${c.what}` })) },
      );
    }
  },
});
