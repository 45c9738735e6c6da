// rules/view-in-target-metadata.ts
import { defineRule } from "../src/rule.js";
import { describeClaim, where } from "../src/graph/index.js";

export default defineRule({
  id: "view-in-target-metadata",
  severity: "warning",
  summary: "A database view is mapped as a Table on target_metadata and not excluded",
  options: {},
  messages: {
    view: (d: { table: string; model: string; creator: string; reason: string }) =>
      `${d.model} maps \`${d.table}\`, a view (${d.creator}), on target_metadata, and include_object does not exclude it (${d.reason}): ` +
      `autogenerate does not reflect views as tables, so it writes \`op.create_table('${d.table}')\` on every run.`,
    unresolved: (d: { table: string; model: string; reason: string; at: string }) =>
      `${d.model} maps the view \`${d.table}\` on target_metadata; could not tell statically whether include_object excludes it (${d.reason}, ${d.at}).`,
  },
  help:
    "Exclude views in include_object — e.g. mark them `info={\"is_view\": True}` and return False for " +
    "`type_ == \"table\" and object.info.get(\"is_view\")` — or map them on a MetaData that env.py does not list.",
  check({ graph, report }) {
    for (const env of graph.autogenerateEnvs()) {
      for (const node of graph.tables()) {
        if (!graph.isView(node)) continue;
        const creator = [...graph.alembicCreatorsOf(node), ...graph.djangoCreatorsOf(node)].find((c) => c.view)!;
        for (const model of graph.targetModelsFor(node, env)) {
          const v = env.metadataObjectVerdicts[node.id] ?? { result: "included" as const, reason: "env.py configures no include_object", decidedAt: null };
          if (v.result === "excluded") continue;
          if (v.result === "unknown") {
            report("unresolved", { table: node.id, model: model.what, reason: v.reason, at: where(v.decidedAt ?? env.configureLoc) }, { at: model.loc, table: node.key, severity: "info" });
          } else {
            report(
              "view",
              { table: node.id, model: model.what, creator: describeClaim(creator), reason: v.reason },
              { at: model.loc, table: node.key, related: [{ loc: creator.loc, message: "the view is created here" }, { loc: env.configureLoc, message: "autogenerate runs from here" }] },
            );
          }
        }
      }
    }
  },
});
