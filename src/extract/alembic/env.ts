/**
 * Alembic `env.py`: every `context.configure(...)` call (offline and online), and the module-level
 * `target_metadata`. Filters are kept as expressions; the linker evaluates them per table.
 */
import { dottedName } from "../../python/ast.js";
import type { Expr } from "../../python/ast.js";
import type { AlembicEnvFacts, ConfigureCall, FileFacts } from "../facts.js";

/** Names bound to `alembic.context` in this file (normally just `context`). */
function contextNames(facts: FileFacts): Set<string> {
  const names = new Set<string>();
  for (const i of facts.imports) {
    if (i.level === 0 && i.module === "alembic" && i.name === "context") names.add(i.local);
    if (i.level === 0 && i.module === "alembic.context" && i.name === null) names.add(i.local);
  }
  return names;
}

export function extractAlembicEnv(facts: FileFacts): AlembicEnvFacts | undefined {
  const ctx = contextNames(facts);
  if (ctx.size === 0) return undefined;
  const configureCalls: ConfigureCall[] = [];
  for (const site of facts.calls) {
    const f = site.call.func;
    if (f.kind !== "attr" || f.attr !== "configure") continue;
    const receiver = dottedName(f.value);
    if (!receiver || !(ctx.has(receiver) || (receiver.endsWith(".context") && ctx.has(receiver.split(".")[0]!)))) continue;
    const kwargs: Record<string, Expr> = {};
    let hasSplat = false;
    for (const k of site.call.kwargs) {
      if (k.name === null) hasSplat = true;
      else kwargs[k.name] = k.value;
    }
    const scopeText = site.scope.join(".").toLowerCase();
    const online = "connection" in kwargs || (!("url" in kwargs) && !scopeText.includes("offline"));
    configureCalls.push({ span: site.call.span, scope: site.scope, kwargs, hasSplat, online });
  }
  if (configureCalls.length === 0) return undefined;
  let targetMetadata: AlembicEnvFacts["targetMetadata"] = null;
  for (const b of facts.bindings) if (b.name === "target_metadata" && b.op === "=") targetMetadata = { value: b.value, span: b.span };
  const vl = facts.attrAssignments.find((a) => a.target.endsWith(".version_locations"));
  return { configureCalls, targetMetadata, runtimeVersionLocations: vl?.span ?? null };
}
