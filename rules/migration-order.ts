// rules/migration-order.ts
import { defineRule } from "../src/rule.js";
import { where } from "../src/graph/index.js";
import { sharesOneDatabase, viaRelated } from "../src/link/deploy.js";

export default defineRule({
  id: "migration-order",
  severity: "warning",
  summary: "A deploy runs the two migrators in the order the project does not expect",
  options: {
    order: {
      type: "string",
      default: "django-first",
      values: ["django-first", "alembic-first"],
      description: "Which migrator must run first: django-first (Alembic's tables reference Django's) or alembic-first.",
    },
  },
  messages: {
    alembicFirst: (d: { alembic: string; django: string; djangoAt: string; why: string }) =>
      `\`${d.alembic}\` runs before \`${d.django}\` (${d.djangoAt}): ${d.why}. From scratch, a revision whose tables reference Django's ` +
      "(a foreign key to `auth_user`) fails with `relation ... does not exist`, and each deploy applies Alembic's changes to a schema " +
      "Django has not brought up to date yet.",
    djangoFirst: (d: { alembic: string; django: string; alembicAt: string; why: string }) =>
      `\`${d.django}\` runs before \`${d.alembic}\` (${d.alembicAt}): ${d.why}, but this project expects Alembic first ` +
      "(option `order: alembic-first`): Django's migrations that depend on Alembic's tables fail from scratch.",
  },
  help:
    "Run the migrators in the project's order in every pipeline: `python manage.py migrate && alembic upgrade head` (django-first). " +
    "If Alembic must run first here, set the rule option `order` to \"alembic-first\".",
  check({ project, options, report }) {
    if (!project.deploy || !sharesOneDatabase(project)) return;
    const djangoFirst = options.order !== "alembic-first";
    for (const p of project.deploy.pairs) {
      const a = p.alembic;
      const d = p.django;
      if (djangoFirst && p.relation === "alembic-first") {
        report(
          "alembicFirst",
          { alembic: a.text, django: d.text, djangoAt: where(d.loc), why: p.why },
          { at: a.loc, related: [{ loc: d.loc, message: `Django's migrations start here, later (${d.unit})` }, ...viaRelated(a, d)] },
        );
      } else if (!djangoFirst && p.relation === "django-first") {
        report(
          "djangoFirst",
          { alembic: a.text, django: d.text, alembicAt: where(a.loc), why: p.why },
          { at: d.loc, related: [{ loc: a.loc, message: `Alembic's upgrade starts here, later (${a.unit})` }, ...viaRelated(d, a)] },
        );
      }
    }
  },
});
