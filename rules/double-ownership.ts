// rules/double-ownership.ts
import { defineRule } from "../src/rule.js";
import { describeClaim } from "../src/graph/index.js";

function handoffSnippet(table: string): string {
  return `"handoffs": [\n  { "tables": ["${table}"], "from": "django", "to": "alembic" }\n]`;
}

export default defineRule({
  id: "double-ownership",
  severity: "error",
  summary: "A table is created by both Django and an Alembic revision",
  options: { allowTables: { type: "string[]", default: [] as string[], description: "Tables to leave alone." } },
  messages: {
    both: (d: { table: string; django: string; alembic: string }) =>
      `\`${d.table}\` is created by Django (${d.django}) and by Alembic (${d.alembic}): a from-scratch deploy fails with \`relation "${d.table}" already exists\`, and each tool will migrate it behind the other's back.`,
    handedOver: (d: { table: string; django: string; alembic: string }) =>
      `\`${d.table}\` is created by Django's history (${d.django}), though no Django model maps it any more, and by Alembic (${d.alembic}): ` +
      `both histories still own it, and unless Alembic's create is \`CREATE TABLE IF NOT EXISTS\` a from-scratch deploy fails with ` +
      `\`relation "${d.table}" already exists\`. If Django handed the table over and its history is frozen, make Alembic's create ` +
      `\`IF NOT EXISTS\` and declare the hand-off in the tablewarden config (\`handoffs\`); otherwise keep only one side's create.`,
  },
  help:
    "Give the table one owner. If Django owns it, delete the op.create_table from the revision and read the table from FastAPI " +
    "through a read-only model on a separate MetaData. If Alembic owns it, set `managed = False` in the Django model's Meta and " +
    "hand the table over with SeparateDatabaseAndState.",
  check({ graph, options, report }) {
    for (const node of graph.tables()) {
      if (options.allowTables.includes(node.id)) continue;
      const django = graph.djangoCreatorsOf(node);
      const alembic = graph.alembicCreatorsSharingDjango(node);
      if (django.length === 0 || alembic.length === 0) continue;
      const [first, ...rest] = alembic;
      // Only a migration creates it (its model is gone or unmanaged): the shape of a hand-over not declared.
      const frozen = django.every((c) => c.kind === "django-migration");
      report(
        frozen ? "handedOver" : "both",
        { table: node.id, django: describeClaim(django[0]!), alembic: describeClaim(first!) },
        {
          at: first!.loc,
          table: node.key,
          related: [
            ...django.map((c) => ({ loc: c.loc, message: `Django creates it: ${c.what}` })),
            ...rest.map((c) => ({ loc: c.loc, message: `Alembic creates it too: ${c.what}` })),
          ],
          ...(frozen ? { suggestion: { message: "Declare the hand-off (.tablewarden.json)", snippet: handoffSnippet(node.id) } } : {}),
        },
      );
    }
  },
});
