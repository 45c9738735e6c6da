// rules/version-table-collision.ts
import { defineRule } from "../src/rule.js";

export default defineRule({
  id: "version-table-collision",
  severity: "error",
  summary: "Two Alembic environments share one version table",
  options: {},
  messages: {
    shared: (d: { table: string; other: string }) =>
      `This Alembic environment records its revision in \`${d.table}\`, and so does ${d.other}: in one database each ` +
      "history overwrites the other's current revision, and `alembic upgrade` fails with \"Can't locate revision\".",
  },
  help: "Give each environment its own version_table (e.g. `version_table=\"billing_alembic_version\"`) in both of its context.configure calls.",
  check({ graph, report }) {
    const groups = new Map<string, typeof envs>();
    const envs = graph.envs().filter((e) => e.versionTable.name !== null);
    for (const e of envs) {
      const key = `${e.versionTable.schema ?? ""}.${e.versionTable.name}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const [key, list] of groups) {
      if (list.length < 2) continue;
      for (const e of list) {
        const others = list.filter((o) => o !== e);
        report(
          "shared",
          { table: key.replace(/^\./, ""), other: others.map((o) => o.file).join(", ") },
          { at: e.versionTable.loc ?? e.configureLoc, related: others.map((o) => ({ loc: o.versionTable.loc ?? o.configureLoc, message: "another environment using it" })) },
        );
      }
    }
  },
});
