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
    searchPath: (d: { table: string; other: string; where: string }) =>
      `Could not tell statically whether this Alembic environment and ${d.other} share \`${d.table}\`: this env.py sets the ` +
      `connection's search_path (${d.where}), so the version table lands in whichever schema that names at run time. ` +
      "If the schemas can be the same, give each environment its own version_table or version_table_schema.",
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
        const setsPath = e.versionTable.searchPath;
        if (setsPath) {
          // Dispatch's core and tenant histories: same name, one schema each through search_path.
          report(
            "searchPath",
            { table: key.replace(/^\./, ""), other: others.map((o) => o.file).join(", "), where: `${setsPath.file}:${setsPath.line}` },
            { at: setsPath, severity: "info", related: [{ loc: e.configureLoc, message: "configured here without version_table_schema" }] },
          );
          continue;
        }
        // Against environments that set their own search_path, nothing certain either.
        const fixed = others.filter((o) => !o.versionTable.searchPath);
        if (fixed.length === 0) continue;
        report(
          "shared",
          { table: key.replace(/^\./, ""), other: fixed.map((o) => o.file).join(", ") },
          { at: e.versionTable.loc ?? e.configureLoc, related: fixed.map((o) => ({ loc: o.versionTable.loc ?? o.configureLoc, message: "another environment using it" })) },
        );
      }
    }
  },
});
