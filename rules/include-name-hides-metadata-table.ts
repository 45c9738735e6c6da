// rules/include-name-hides-metadata-table.ts
import { defineRule } from "../src/rule.js";
import { where } from "../src/graph/index.js";

export default defineRule({
  id: "include-name-hides-metadata-table",
  severity: "warning",
  summary: "include_name returns False for a table that is on target_metadata",
  options: {},
  messages: {
    hidden: (d: { table: string; model: string; at: string }) =>
      `include_name returns False for \`${d.table}\` (${d.at}), but ${d.model} puts it on target_metadata: include_name only ` +
      `stops the database side from being reflected, so autogenerate sees the table in the metadata alone and writes ` +
      `\`op.create_table('${d.table}')\` every time (Alembic behaves so by design).`,
  },
  help: "Filter metadata tables with include_object instead (it sees both sides), or move the table off target_metadata if Alembic does not own it.",
  check({ graph, report }) {
    for (const env of graph.autogenerateEnvs()) {
      for (const [id, v] of Object.entries(env.metadataNameVerdicts)) {
        const node = graph.tableById(id);
        if (!node) continue;
        for (const model of graph.targetModelsFor(node, env)) {
          report(
            "hidden",
            { table: id, model: model.what, at: where(v.decidedAt ?? env.configureLoc) },
            { at: model.loc, table: node.key, related: v.decidedAt ? [{ loc: v.decidedAt, message: "include_name returns False here" }] : [] },
          );
        }
      }
    }
  },
});
