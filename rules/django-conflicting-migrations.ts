// rules/django-conflicting-migrations.ts
import { defineRule } from "../src/rule.js";

export default defineRule({
  id: "django-conflicting-migrations",
  severity: "warning",
  summary: "An app's Django migration graph has more than one leaf",
  options: {},
  messages: {
    leaves: (d: { app: string; names: string }) =>
      `App \`${d.app}\` has ${d.names}: two or more leaf migrations. \`manage.py migrate\` refuses to run ` +
      "(\"Conflicting migrations detected\") until they are merged, so a deploy that runs Django's migrations first stops here.",
  },
  help: "Run `python manage.py makemigrations --merge <app>` and commit the merge migration (or rebase one branch's migration onto the other).",
  check({ project, report }) {
    for (const c of project.django.conflicts) {
      const [first, ...rest] = c.leaves.slice().reverse();
      report(
        "leaves",
        { app: c.app, names: c.leaves.map((l) => `\`${l.name}\``).join(" and ") },
        { at: first!.loc, related: rest.map((l) => ({ loc: l.loc, message: `another leaf of ${c.app}: ${l.name}` })) },
      );
    }
  },
});
