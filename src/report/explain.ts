/** `tablewarden explain <table>`: every claim about one table, autogenerate's view of it, and the findings on it. */
import type { OwnershipGraph, TableNode } from "../graph/index.js";
import type { Finding } from "../types.js";

export function formatExplain(graph: OwnershipGraph, node: TableNode, findings: Finding[]): string {
  const lines: string[] = [];
  const declared = graph.declaredOwner(node);
  lines.push(`${node.id}: owner ${graph.ownerOf(node)}${declared ? ` (config declares ${declared.owner}: ${declared.source})` : ""}`, "");
  lines.push("Claims (in the order the code makes them):");
  for (const c of node.claims) {
    lines.push(`  ${c.loc.file}:${c.loc.line}  ${c.kind} ${c.action}${c.newName ? ` → ${c.newName}` : ""}${c.managed ? "" : " (no DDL)"}${c.handedOver ? " (handed over: not an owner)" : ""}: ${c.what}`);
  }
  const creators = [...graph.djangoCreatorsOf(node), ...graph.alembicCreatorsOf(node), ...graph.createAllCreatorsOf(node)];
  lines.push("", creators.length > 0 ? "In the database at the end of the histories, because of:" : "No history leaves it in the database.");
  for (const c of creators) lines.push(`  ${c.loc.file}:${c.loc.line}  ${c.what}`);
  for (const env of graph.envs()) {
    lines.push("", `Alembic environment ${env.file}:`);
    if (!env.autogenerate) {
      lines.push("  no target_metadata: autogenerate cannot run");
      continue;
    }
    const models = graph.targetModelsFor(node, env);
    if (models.length > 0) {
      lines.push(`  on target_metadata: ${models.map((m) => `${m.what} (${m.loc.file}:${m.loc.line})`).join(", ")} — compared, not dropped`);
      const obj = env.metadataObjectVerdicts[node.id];
      if (obj) lines.push(`  include_object for the metadata table: ${obj.result} (${obj.reason})`);
    } else {
      const v = graph.autogenerateVerdict(node, env);
      if (v) lines.push(`  only in the database: ${v.result === "included" ? "autogenerate writes drop_table" : v.result} — ${v.reason}${v.decidedAt ? ` (${v.decidedAt.file}:${v.decidedAt.line})` : ""}`);
    }
    if (!env.sharesDjangoDatabase) lines.push("  migrates another database than Django's: cross-tool rules skip it");
  }
  lines.push("", findings.length === 0 ? "Findings: none." : "Findings:");
  for (const f of findings) lines.push(`  ${f.loc.file}:${f.loc.line}  ${f.severity}  ${f.ruleId}: ${f.message}`);
  return `${lines.join("\n")}\n`;
}
