// rules/readonly-model-in-target-metadata.ts
import { defineRule } from "../src/rule.js";
import { mirrorSuggestion } from "../src/suggest/env.js";
import { describeClaim, where } from "../src/graph/index.js";

export default defineRule({
  id: "readonly-model-in-target-metadata",
  severity: "error",
  summary: "A Django-owned table is mapped on Alembic's target_metadata",
  options: { allowTables: { type: "string[]", default: [] as string[], description: "Tables to leave alone." } },
  messages: {
    onTarget: (d: { table: string; model: string; owner: string; metadata: string; target: string }) =>
      `${d.model} maps \`${d.table}\`, which Django owns (${d.owner}), on ${d.metadata}, which env.py's target_metadata lists ` +
      `(${d.target}): autogenerate will try to create, alter or drop Django's table.`,
  },
  help:
    "Move the read-only model to a separate MetaData that env.py does not list (e.g. `mirrors = MetaData()` or its own " +
    "declarative base), and point Alembic models' foreign keys at its columns (`ForeignKey(UserMirror.__table__.c.id)`).",
  check({ graph, options, report }) {
    for (const node of graph.tablesOwnedByDjango()) {
      if (options.allowTables.includes(node.id)) continue;
      // Alembic's history creates it too: that is double-ownership, reported once there.
      if (graph.alembicCreatorsSharingDjango(node).length > 0) continue;
      const owner = graph.djangoCreatorsOf(node)[0]!;
      for (const env of graph.crossToolEnvs()) {
        for (const model of graph.targetModelsFor(node, env)) {
          report(
            "onTarget",
            {
              table: node.id,
              model: model.what.startsWith("class ") ? `\`${model.what.slice(6)}\`` : model.what,
              owner: describeClaim(owner),
              metadata: graph.metadataLabel(model.metadataId!),
              target: env.target.loc ? where(env.target.loc) : where(env.configureLoc),
            },
            {
              at: model.loc,
              table: node.key,
              related: [
                { loc: owner.loc, message: `Django owns it: ${owner.what}` },
                { loc: env.target.loc ?? env.configureLoc, message: "target_metadata includes that MetaData" },
              ],
              suggestion: mirrorSuggestion(node.key.name, model.what.startsWith("class ") ? model.what.slice(6) : null),
            },
          );
        }
      }
    }
  },
});
