// rules/inconsistent-env-configure.ts
import { defineRule } from "../src/rule.js";
import { where } from "../src/graph/index.js";

/** Keywords that must agree between the offline and the online configure call. */
const COMPARED = ["target_metadata", "include_object", "include_name", "include_schemas", "version_table", "version_table_schema"];

export default defineRule({
  id: "inconsistent-env-configure",
  severity: "warning",
  summary: "env.py's offline and online context.configure() calls disagree on metadata, filters or version table",
  options: {},
  messages: {
    missing: (d: { name: string; other: string }) =>
      `This context.configure() call lacks \`${d.name}=\`, which the other call passes (${d.other}): ` +
      "offline (`--sql`) and online runs see different tables or a different version table.",
    differs: (d: { name: string; mine: string; theirs: string; other: string }) =>
      `\`${d.name}=${d.mine}\` here but \`${d.name}=${d.theirs}\` in the other context.configure() call (${d.other}).`,
  },
  help: "Pass the same target_metadata, include_object/include_name, include_schemas and version_table to both calls (build the keywords once and reuse them).",
  check({ graph, report }) {
    for (const env of graph.envs()) {
      const offline = env.calls.filter((c) => !c.online);
      const online = env.calls.filter((c) => c.online);
      if (offline.length !== 1 || online.length !== 1 || offline[0]!.hasSplat || online[0]!.hasSplat) continue;
      const [off, on] = [offline[0]!, online[0]!];
      for (const name of COMPARED) {
        const a = off.keywords.find((k) => k.name === name);
        const b = on.keywords.find((k) => k.name === name);
        if (a && b) {
          if (a.source !== b.source) report("differs", { name, mine: a.source, theirs: b.source, other: where(b.loc) }, { at: a.loc, related: [{ loc: b.loc, message: "the online call" }] });
        } else if (a || b) {
          const [lacking, having] = a ? [on, a] : [off, b!];
          report("missing", { name, other: where(having.loc) }, { at: lacking.loc, related: [{ loc: having.loc, message: `\`${name}=\` is passed here` }] });
        }
      }
    }
  },
});
