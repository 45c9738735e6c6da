/** Loads every rule module in rules/: adding a rule is adding a file. */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Rule } from "../rule.js";
import { bundledRules } from "../bundled.js";

/** The compiled rules/ folder next to this build (dist/rules, or rules/ when run from source). */
function rulesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url)); // …/src/engine
  return path.resolve(here, "..", "..", "rules");
}

export async function loadRules(): Promise<Rule[]> {
  // Compiled into the CLI bundle (src/bundled.ts): taken from there, not read from rules/.
  if (bundledRules) return checked(bundledRules, ".js");
  const dir = rulesDir();
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(`.d${ext}`) && !f.startsWith("index."))
    .sort();
  // One at a time: jest's ESM loader mishandles concurrent dynamic imports of shared modules.
  const rules: Array<[string, Rule]> = [];
  for (const f of files) rules.push([f, (await import(pathToFileURL(path.join(dir, f)).href)).default as Rule]);
  return checked(rules, ext);
}

function checked(rules: ReadonlyArray<readonly [string, Rule]>, ext: string): Rule[] {
  for (const [file, r] of rules) {
    if (!r || typeof r.run !== "function") throw new Error(`rules/${file} does not export a rule as default`);
    if (`${r.id}${ext}` !== file) throw new Error(`rules/${file} defines rule "${r.id}": the file name must be the rule id`);
  }
  return rules.map(([, r]) => r);
}
