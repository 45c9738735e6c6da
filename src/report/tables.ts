/** `tablewarden tables`: the ownership inventory as text, JSON, Mermaid or DOT. Pure formatting. */
import type { InventoryRow } from "../graph/index.js";

import { formatDot, formatMermaid } from "./diagram.js";

export const TABLE_FORMATS = ["text", "json", "mermaid", "dot"] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

export function formatTables(rows: InventoryRow[], fmt: TableFormat, settingsFiles: string[]): string {
  if (fmt === "mermaid") return formatMermaid(rows);
  if (fmt === "dot") return formatDot(rows);
  if (fmt === "json") {
    const doc = {
      version: 1,
      settings: settingsFiles,
      tables: rows.map((r) => ({
        name: r.name,
        schema: r.schema,
        owner: r.owner,
        ...(r.declared ? { declared: r.declared } : {}),
        claims: r.claims.map((c) => ({ kind: c.kind, tool: c.tool, action: c.action, what: c.what, file: c.file, line: c.line, ...(c.handedOver ? { handedOver: true } : {}) })),
        autogenerate: r.autogenerate,
      })),
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const lines: string[] = [];
  if (settingsFiles.length > 0) lines.push(`Django settings read: ${settingsFiles.join(", ")}`, "");
  const width = Math.max(5, ...rows.map((r) => (r.schema ? `${r.schema}.${r.name}` : r.name).length));
  lines.push(`${"table".padEnd(width)}  ${"owner".padEnd(8)}  ${"autogenerate".padEnd(12)}  claims`);
  for (const r of rows) {
    const id = r.schema ? `${r.schema}.${r.name}` : r.name;
    const claims = r.claims.map((c) => `${c.kind} ${c.action} (${c.file}:${c.line})`).join("; ");
    lines.push(`${id.padEnd(width)}  ${r.owner.padEnd(8)}  ${(r.autogenerate ?? "-").padEnd(12)}  ${claims}`);
  }
  lines.push("", `${rows.length} table${rows.length === 1 ? "" : "s"}`);
  return `${lines.join("\n")}\n`;
}
