// rules/alembic-table-not-in-metadata.ts
import { defineRule } from "../src/rule.js";
import { describeClaim, where } from "../src/graph/index.js";

export default defineRule({
  id: "alembic-table-not-in-metadata",
  severity: "error",
  summary: "A table Alembic's revisions create is neither on target_metadata nor excluded",
  options: { allowTables: { type: "string[]", default: [] as string[], description: "Tables to leave alone." } },
  messages: {
    notImported: (d: { table: string; creator: string; model: string; env: string }) =>
      `\`${d.table}\` is created by Alembic (${d.creator}) and mapped by ${d.model} on target_metadata, but ${d.env} never imports ` +
      `that module, directly or through others: when autogenerate runs, the metadata lacks the table and ` +
      `\`alembic revision --autogenerate\` writes \`op.drop_table('${d.table}')\`.`,
    noModel: (d: { table: string; creator: string; env: string; reason: string }) =>
      `\`${d.table}\` is created by Alembic (${d.creator}) but no model on ${d.env}'s target_metadata maps it, and the filters do not ` +
      `exclude it (${d.reason}): \`alembic revision --autogenerate\` writes \`op.drop_table('${d.table}')\`.`,
    unresolved: (d: { count: number; tables: string; env: string; reason: string }) =>
      `Could not tell statically whether autogenerate in ${d.env} keeps ${d.count} table(s) Alembic creates without a model on ` +
      `target_metadata (${d.tables}): ${d.reason}.`,
  },
  help:
    "Import every models module from env.py (e.g. `import app.models  # noqa: F401` next to the Base import), or map the table on " +
    "target_metadata; a table created only by raw SQL on purpose needs an include_object rule that returns False for it.",
  check({ graph, options, report }) {
    for (const env of graph.autogenerateEnvs()) {
      if (env.target.unresolved) continue; // unresolved target_metadata: reported as `unresolved`
      const unknown: string[] = [];
      let unknownReason = "";
      // A class on the target whose table name cannot be computed may be the model of any table Alembic creates.
      const incomplete = graph.incompleteTarget(env);
      for (const { node, claim } of graph.tablesCreatedBy(env)) {
        if (options.allowTables.includes(node.id) || claim.view || (graph.isDjangoOwned(node) && env.sharesDjangoDatabase)) continue;
        if (graph.onTargetMetadata(node, env, true).some((c) => graph.isLoadedBy(env, c.loc.file))) continue;
        const v = graph.autogenerateVerdict(node, env);
        if (!v || v.result === "excluded") continue;
        if (v.result === "unknown") {
          unknown.push(node.id);
          unknownReason ||= `${v.reason} (${where(v.decidedAt ?? env.configureLoc)})`;
          continue;
        }
        const unloaded = graph.onTargetMetadata(node, env)[0];
        if (!unloaded && incomplete) {
          unknown.push(node.id);
          unknownReason ||= `classes on ${incomplete} have table names computed at run time and may be their models`;
          continue;
        }
        if (unloaded) {
          report(
            "notImported",
            { table: node.id, creator: describeClaim(claim), model: describeClaim(unloaded), env: env.file },
            { at: unloaded.loc, table: node.key, related: [{ loc: claim.loc, message: "Alembic creates it here" }, { loc: env.configureLoc, message: "autogenerate runs from here" }] },
          );
        } else {
          report(
            "noModel",
            { table: node.id, creator: describeClaim(claim), env: env.file, reason: v.reason },
            { at: claim.loc, table: node.key, related: [{ loc: env.configureLoc, message: "autogenerate runs from here" }] },
          );
        }
      }
      if (unknown.length > 0) {
        report(
          "unresolved",
          { count: unknown.length, tables: unknown.slice(0, 5).map((t) => `\`${t}\``).join(", "), env: env.file, reason: unknownReason },
          { at: env.configureLoc, severity: "info" },
        );
      }
    }
  },
});
