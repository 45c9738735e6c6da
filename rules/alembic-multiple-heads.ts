// rules/alembic-multiple-heads.ts
import { defineRule } from "../src/rule.js";

export default defineRule({
  id: "alembic-multiple-heads",
  severity: "warning",
  summary: "An Alembic history has more than one head without branch labels",
  options: {},
  messages: {
    heads: (d: { env: string; heads: string }) =>
      `The revision history of ${d.env} has several heads (${d.heads}): \`alembic upgrade head\` fails with ` +
      "\"Multiple head revisions are present\", so the deploy step that migrates Alembic stops.",
  },
  help: "Run `alembic merge heads -m \"merge\"` and commit the merge revision (or give deliberate branches branch_labels and upgrade `heads`).",
  check({ graph, report }) {
    for (const env of graph.envs()) {
      const byId = new Map(env.revisions.filter((r) => r.revision).map((r) => [r.revision!, r]));
      const parents = new Set(env.revisions.flatMap((r) => r.downRevision ?? []));
      const heads = env.revisions.filter((r) => r.revision && !parents.has(r.revision));
      if (heads.length < 2) continue;
      // A deliberate branch carries a label on itself or an ancestor.
      const labelled = (rev: (typeof heads)[number]): boolean => {
        const seen = new Set<string>();
        const stack = [rev];
        while (stack.length > 0) {
          const r = stack.pop()!;
          if (r.branchLabels.length > 0) return true;
          for (const p of r.downRevision ?? []) {
            const pr = byId.get(p);
            if (pr && !seen.has(p)) (seen.add(p), stack.push(pr));
          }
        }
        return false;
      };
      if (heads.every(labelled)) continue;
      const [last, ...others] = heads.slice().reverse();
      report(
        "heads",
        { env: env.file, heads: heads.map((h) => h.revision).join(", ") },
        { at: last!.loc, related: others.map((h) => ({ loc: h.loc, message: `another head: ${h.revision}` })) },
      );
    }
  },
});
