// rules/missing-migration-module.ts
import { defineRule } from "../src/rule.js";

export default defineRule({
  id: "missing-migration-module",
  severity: "warning",
  summary: "MIGRATION_MODULES points an app at a migrations package that does not exist",
  options: {},
  messages: {
    missing: (d: { label: string; module: string }) =>
      `MIGRATION_MODULES maps app \`${d.label}\` to \`${d.module}\`, which is not in this project: ` +
      `\`manage.py migrate\` stops with \`ModuleNotFoundError: No module named '${d.module}'\`, while \`makemigrations\` ` +
      "silently skips the app, and tablewarden cannot tell which tables its history owns.",
    outside: (d: { label: string; module: string }) =>
      `MIGRATION_MODULES maps app \`${d.label}\` to \`${d.module}\`, which lives outside the linted folders: ` +
      "its migration history is not checked.",
  },
  help: "Fix the dotted path in MIGRATION_MODULES (the package must contain an __init__.py), or create the package with `manage.py makemigrations <label>`.",
  check({ project, report }) {
    for (const mm of project.django.migrationModules) {
      if (mm.status === "missing") report("missing", { label: mm.label, module: mm.module ?? "" }, { at: mm.loc });
      else if (mm.status === "external") report("outside", { label: mm.label, module: mm.module ?? "" }, { at: mm.loc, severity: "info" });
    }
  },
});
