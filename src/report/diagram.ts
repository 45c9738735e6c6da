/**
 * `tablewarden tables --format mermaid|dot`: the ownership graph as a diagram. Owners are groups
 * (subgraphs / clusters); read-only mirrors and foreign keys are edges. Pure formatting of inventory rows.
 */
import type { InventoryRow, Owner } from "../graph/index.js";

const GROUPS: Array<{ owner: Owner; title: string }> = [
  { owner: "django", title: "Django owns" },
  { owner: "alembic", title: "Alembic owns" },
  { owner: "both", title: "Django AND Alembic (double-ownership)" },
  { owner: "create-all", title: "create_all() only" },
  { owner: "external", title: "External / mapped only" },
  { owner: "unknown", title: "Unknown" },
];

interface Diagram {
  groups: Array<{ id: string; title: string; tables: Array<{ id: string; label: string }> }>;
  mirrors: Array<{ id: string; label: string; tool: string }>;
  edges: Array<{ from: string; to: string; label: string; style: "mirror" | "fk" }>;
}

/** A read-only model of a table owned by the other tool: an SQLAlchemy model of a Django table, an unmanaged Django model of an Alembic table. */
function mirrorsOf(row: InventoryRow): InventoryRow["claims"] {
  if (row.owner === "django") return row.claims.filter((c) => c.kind === "sqlalchemy-model");
  if (row.owner === "alembic") return row.claims.filter((c) => c.kind === "django-model" && c.action === "maps");
  return [];
}

function build(rows: InventoryRow[]): Diagram {
  const nodeId = new Map<string, string>();
  rows.forEach((r, i) => nodeId.set(qualified(r), `t${i}`));
  const groups = GROUPS.map((g, gi) => ({
    id: `g${gi}`,
    title: g.title,
    tables: rows.filter((r) => r.owner === g.owner).map((r) => ({ id: nodeId.get(qualified(r))!, label: qualified(r) })),
  })).filter((g) => g.tables.length > 0);
  const mirrors: Diagram["mirrors"] = [];
  const edges: Diagram["edges"] = [];
  for (const r of rows) {
    for (const c of mirrorsOf(r)) {
      const id = `m${mirrors.length}`;
      mirrors.push({ id, label: `${c.what} (${c.file}:${c.line})`, tool: c.tool === "sqlalchemy" ? "SQLAlchemy" : "Django" });
      edges.push({ from: id, to: nodeId.get(qualified(r))!, label: "reads", style: "mirror" });
    }
    for (const fk of r.references ?? []) {
      const to = nodeId.get(fk.table);
      if (to) edges.push({ from: nodeId.get(qualified(r))!, to, label: fk.column, style: "fk" });
    }
  }
  return { groups, mirrors, edges };
}

function qualified(r: { schema: string | null; name: string }): string {
  return r.schema ? `${r.schema}.${r.name}` : r.name;
}

/** Mermaid flowchart text; labels are quoted, with `"` written as the entity Mermaid expects. */
export function formatMermaid(rows: InventoryRow[]): string {
  const d = build(rows);
  const q = (s: string) => `"${s.replace(/"/g, "#quot;")}"`;
  const out = ["flowchart LR"];
  for (const g of d.groups) {
    out.push(`  subgraph ${g.id}[${q(g.title)}]`);
    for (const t of g.tables) out.push(`    ${t.id}[${q(t.label)}]`);
    out.push("  end");
  }
  if (d.mirrors.length > 0) {
    out.push(`  subgraph mirrors[${q("Read-only mirrors")}]`);
    for (const m of d.mirrors) out.push(`    ${m.id}([${q(`${m.tool}: ${m.label}`.replace(/`/g, "'"))}])`);
    out.push("  end");
  }
  for (const e of d.edges) out.push(e.style === "mirror" ? `  ${e.from} -. ${q(e.label)} .-> ${e.to}` : `  ${e.from} -- ${q(`FK ${e.label}`)} --> ${e.to}`);
  return `${out.join("\n")}\n`;
}

/** Graphviz DOT: one cluster per owner. */
export function formatDot(rows: InventoryRow[]): string {
  const d = build(rows);
  const q = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  const out = ["digraph tablewarden {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"];
  for (const g of d.groups) {
    out.push(`  subgraph cluster_${g.id} {`, `    label=${q(g.title)};`);
    for (const t of g.tables) out.push(`    ${t.id} [label=${q(t.label)}];`);
    out.push("  }");
  }
  if (d.mirrors.length > 0) {
    out.push("  subgraph cluster_mirrors {", `    label=${q("Read-only mirrors")};`, "    node [shape=ellipse];");
    for (const m of d.mirrors) out.push(`    ${m.id} [label=${q(`${m.tool}: ${m.label}`)}];`);
    out.push("  }");
  }
  for (const e of d.edges) out.push(`  ${e.from} -> ${e.to} [label=${q(e.style === "fk" ? `FK ${e.label}` : e.label)}${e.style === "mirror" ? ", style=dashed" : ""}];`);
  out.push("}");
  return `${out.join("\n")}\n`;
}
