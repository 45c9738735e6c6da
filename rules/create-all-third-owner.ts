// rules/create-all-third-owner.ts
import { defineRule } from "../src/rule.js";
import { where } from "../src/graph/index.js";

export default defineRule({
  id: "create-all-third-owner",
  severity: "warning",
  summary: "metadata.create_all() runs at application start-up next to the migration histories",
  options: {},
  messages: {
    startup: (d: { call: string; where: string; count: number; tables: string; why: string }) =>
      `${d.call} runs in ${d.where}: it creates ${d.count} table${d.count === 1 ? "" : "s"} (${d.tables}) outside both migration histories — ${d.why}`,
  },
  help:
    "Delete the create_all() call from start-up code and let the migrators create tables (`python manage.py migrate`, then " +
    "`alembic upgrade head`). Tests that need tables can run create_all() against their own throw-away database, from a fixture " +
    "in tests/ or conftest.py.",
  check({ graph, project, report }) {
    const targets = new Map<string, string>();
    for (const env of graph.autogenerateEnvs()) for (const id of env.target.metadataIds) targets.set(id, env.file);
    for (const call of project.sqlalchemy.createAll) {
      if (call.context !== "startup" || call.metadataIds.length === 0) continue;
      const ids = new Set(call.metadataIds);
      const nodes = graph.presentTables().filter((n) => n.claims.some((c) => c.kind === "create-all" && c.createAll === call && c.metadataId !== undefined && ids.has(c.metadataId)));
      if (nodes.length === 0) continue;
      const django = nodes.filter((n) => graph.isDjangoOwned(n));
      const envFile = call.metadataIds.map((id) => targets.get(id)).find((f) => f !== undefined);
      if (django.length === 0 && envFile === undefined) continue; // no migrator claims these tables: not a shared-schema concern
      const related = [];
      let why: string;
      if (django.length > 0) {
        const owner = graph.djangoCreatorsOf(django[0]!)[0]!;
        related.push({ loc: owner.loc, message: `Django creates \`${django[0]!.id}\`: ${owner.what}` });
        why = `it creates Django's \`${django[0]!.id}\` (${where(owner.loc)}) before or instead of \`migrate\`, which then fails with "already exists" or finds a table it did not shape.`;
      } else {
        const env = graph.envs().find((e) => e.file === envFile)!;
        related.push({ loc: env.target.loc ?? env.configureLoc, message: "the same MetaData is Alembic's target_metadata" });
        why = `a model added without a revision still gets its table here, so the missing migration only shows in production, and at deploy it races \`alembic upgrade\` (${where(env.configureLoc)}).`;
      }
      const names = nodes.map((n) => `\`${n.id}\``);
      report(
        "startup",
        { call: call.label, where: call.where, count: nodes.length, tables: names.slice(0, 3).join(", ") + (names.length > 3 ? `, … ${names.length - 3} more` : ""), why },
        { at: call.loc, related },
      );
    }
  },
});
