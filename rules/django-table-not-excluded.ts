// rules/django-table-not-excluded.ts
import { defineRule } from "../src/rule.js";
import { exclusionSuggestion } from "../src/suggest/env.js";
import { describeClaim, where } from "../src/graph/index.js";

export default defineRule({
  id: "django-table-not-excluded",
  severity: "warning",
  summary: "A Django-owned table is not excluded from Alembic's autogenerate",
  options: { allowTables: { type: "string[]", default: [] as string[], description: "Tables to leave alone." } },
  messages: {
    notExcluded: (d: { table: string; owner: string; env: string; reason: string }) =>
      `\`${d.table}\`, which Django owns (${d.owner}), is not excluded from autogenerate in ${d.env} (${d.reason}): ` +
      `\`alembic revision --autogenerate\` against the shared database writes \`op.drop_table('${d.table}')\`.`,
    unresolved: (d: { count: number; tables: string; env: string; reason: string; at: string }) =>
      `Could not tell statically whether ${d.env} excludes ${d.count} Django-owned table(s) from autogenerate ` +
      `(${d.tables}): ${d.reason} (${d.at}). Declare the filter's outcome in config or use a filter tablewarden can read.`,
  },
  help:
    "Exclude every Django table in include_object — best by returning False for tables that exist only in the database " +
    "(`type_ == \"table\" and reflected and compare_to is None`), so new Django tables are covered without a hand-kept list.",
  check({ graph, options, report }) {
    for (const env of graph.crossToolEnvs()) {
      const unresolved: Array<{ id: string; reason: string; at: string }> = [];
      let firstUnresolvedLoc = env.configureLoc;
      for (const node of graph.tablesOwnedByDjango()) {
        if (node.id === "django_migrations" || options.allowTables.includes(node.id)) continue;
        const v = graph.dropVerdict(node, env);
        if (!v || v.result === "excluded") continue;
        const owner = graph.djangoCreatorsOf(node)[0]!;
        if (v.result === "unknown") {
          if (unresolved.length === 0 && v.decidedAt) firstUnresolvedLoc = v.decidedAt;
          unresolved.push({ id: node.id, reason: v.reason, at: where(v.decidedAt ?? env.configureLoc) });
          continue;
        }
        report(
          "notExcluded",
          { table: node.id, owner: describeClaim(owner), env: env.file, reason: v.reason },
          {
            at: env.configureLoc,
            table: node.key,
            related: [{ loc: owner.loc, message: `Django owns it: ${owner.what}` }],
            suggestion: exclusionSuggestion(graph, env),
          },
        );
      }
      if (unresolved.length > 0) {
        const shown = unresolved.slice(0, 5).map((u) => `\`${u.id}\``).join(", ") + (unresolved.length > 5 ? `, … ${unresolved.length - 5} more` : "");
        report(
          "unresolved",
          { count: unresolved.length, tables: shown, env: env.file, reason: unresolved[0]!.reason, at: unresolved[0]!.at },
          { at: firstUnresolvedLoc, severity: "info", related: [] },
        );
      }
    }
  },
});
