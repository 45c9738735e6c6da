// rules/no-from-scratch-migration-test.ts
import { defineRule } from "../src/rule.js";

export default defineRule({
  id: "no-from-scratch-migration-test",
  severity: "info",
  summary: "No CI job applies both migration histories to an empty database",
  options: {},
  messages: {
    noCiJob: (d: { files: string }) =>
      `No CI job in ${d.files} applies Django's migrations and Alembic's revisions to an empty database: a revision that only works ` +
      "on the long-lived database (a foreign key to a Django table created later, a table both tools create) is found at the next " +
      "fresh install, not in review.",
    migrateFalse: (_: Record<string, never>) =>
      "Django's test database is built without migrations (`TEST: {\"MIGRATE\": False}`): tests never replay Django's history, so " +
      "they cannot catch a from-scratch clash with Alembic's revisions.",
    nomigrations: (d: { text: string }) =>
      `\`${d.text}\` makes pytest-django build the test database from the models, not the migrations: a from-scratch clash with ` +
      "Alembic's revisions is never exercised.",
    createAll: (_: Record<string, never>) =>
      "The test setup builds Alembic's tables with `metadata.create_all()` instead of `alembic upgrade head`: the revisions are never " +
      "applied from scratch next to Django's migrations.",
  },
  help:
    "Add a CI job with its own empty PostgreSQL service that runs `python manage.py migrate && alembic upgrade head` (in the order your " +
    "deploys use); let tests run both histories (`command.upgrade(config, \"head\")` in conftest.py, no `--nomigrations`, no `MIGRATE: False`).",
  check({ project, report }) {
    const deploy = project.deploy;
    if (!deploy || !project.django.detected) return;
    const djangoHistory = project.django.claims.some((c) => c.source === "migration");
    const alembicHistory = project.alembic.envs.some((e) => e.revisions.length > 0 && e.sharesDjangoDatabase);
    if (!djangoHistory || !alembicHistory) return;
    if (deploy.ci.length > 0 && !deploy.ci.some((c) => c.fromScratch)) {
      const files = [...new Set(deploy.ci.map((c) => c.file))];
      const [first, ...rest] = deploy.ci;
      // The first job is the finding; a few others show it is not one job's omission (a big CI has dozens).
      const related = rest.slice(0, 4).map((c) => ({ loc: c.loc, message: `${c.unit} does not either` }));
      const shown = files.length > 3 ? `${files.slice(0, 3).join(", ")} and ${files.length - 3} more workflow files` : files.join(", ");
      report("noCiJob", { files: shown }, { at: first!.loc, related });
    }
    for (const h of deploy.hiders) {
      if (h.kind === "test-migrate-false") report("migrateFalse", {}, { at: h.loc });
      else if (h.kind === "nomigrations") report("nomigrations", { text: h.text }, { at: h.loc });
      else report("createAll", {}, { at: h.loc });
    }
  },
});
