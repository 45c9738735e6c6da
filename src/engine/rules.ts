/** Loads every rule module in rules/: adding a rule is adding a file. */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Rule } from "../rule.js";

/** The compiled rules/ folder next to this build (dist/rules, or rules/ when run from source). */
function rulesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url)); // …/src/engine
  return path.resolve(here, "..", "..", "rules");
}

export async function loadRules(): Promise<Rule[]> {
  const dir = rulesDir();
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && !f.startsWith("index."))
    .sort();
  // One at a time: jest's ESM loader mishandles concurrent dynamic imports of shared modules.
  const rules: Rule[] = [];
  for (const f of files) rules.push((await import(pathToFileURL(path.join(dir, f)).href)).default as Rule);
  for (const [i, r] of rules.entries()) {
    if (!r || typeof r.run !== "function") throw new Error(`rules/${files[i]} does not export a rule as default`);
    if (`${r.id}${ext}` !== files[i]) throw new Error(`rules/${files[i]} defines rule "${r.id}": the file name must be the rule id`);
  }
  return rules;
}
