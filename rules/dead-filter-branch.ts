// rules/dead-filter-branch.ts
import { defineRule } from "../src/rule.js";

export default defineRule({
  id: "dead-filter-branch",
  severity: "warning",
  summary: "A filter compares its type argument with a value Alembic never passes",
  options: {},
  messages: {
    dead: (d: { value: string; filter: string }) =>
      `${d.filter} compares its type argument with "${d.value}", a value Alembic never passes (it passes "schema", "table", ` +
      `"column", "index", "unique_constraint", "foreign_key_constraint"): this branch never runs, so whatever it was meant to exclude is not excluded.`,
  },
  help: 'Compare with the type Alembic really passes — for tables, `type_ == "table"`.',
  check({ graph, report }) {
    for (const env of graph.envs()) for (const d of env.deadBranches) report("dead", { value: d.value, filter: d.filter }, { at: d.loc });
  },
});
