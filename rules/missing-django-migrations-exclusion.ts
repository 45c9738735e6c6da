// rules/missing-django-migrations-exclusion.ts
import { defineRule } from "../src/rule.js";
import { exclusionSuggestion } from "../src/suggest/env.js";
import { where } from "../src/graph/index.js";

export default defineRule({
  id: "missing-django-migrations-exclusion",
  severity: "error",
  summary: "env.py's filters do not keep autogenerate away from django_migrations",
  options: {},
  messages: {
    notExcluded: (d: { env: string; reason: string }) =>
      `\`django_migrations\` is not excluded from autogenerate in ${d.env} (${d.reason}): against the shared database ` +
      "`alembic revision --autogenerate` writes `op.drop_table('django_migrations')`, and running it erases Django's migration history.",
    unresolved: (d: { env: string; reason: string; at: string }) =>
      `Could not tell statically whether ${d.env} excludes \`django_migrations\` from autogenerate (${d.reason}, ${d.at}); ` +
      "declare the filter's outcome in config or use a filter tablewarden can read.",
  },
  help: "Return False from include_object for tables that exist only in the database (Django's), and pass it to both context.configure calls.",
  check({ graph, project, report }) {
    if (!project.django.detected) return;
    const node = graph.table({ schema: null, name: "django_migrations" });
    if (!node) return;
    for (const env of graph.crossToolEnvs()) {
      const v = graph.dropVerdict(node, env);
      if (!v || v.result === "excluded") continue;
      const owner = graph.djangoCreatorsOf(node)[0]!;
      const related = [{ loc: owner.loc, message: "Django creates django_migrations when it migrates" }];
      if (v.result === "included") {
        report(
          "notExcluded",
          { env: env.file, reason: v.reason },
          { at: env.configureLoc, table: node.key, related, suggestion: exclusionSuggestion(graph, env) },
        );
      } else {
        report(
          "unresolved",
          { env: env.file, reason: v.reason, at: where(v.decidedAt ?? env.configureLoc) },
          { at: v.decidedAt ?? env.configureLoc, table: node.key, related, severity: "info" },
        );
      }
    }
  },
});
