/** Every rule has a documentation page with the agreed headings, and documents every option. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./helpers.js";
import { loadRules } from "../src/engine/rules.js";

const HEADINGS = ["## What it flags", "## Why it matters", "## Example", "## How to fix", "## Options", "## Limitations", "## Related rules"];

describe("rule docs", () => {
  test("every rule has docs/rules/<id>.md with the standard headings, severity and options", async () => {
    const rules = await loadRules();
    expect(rules.length).toBeGreaterThanOrEqual(4);
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const rule of rules) {
      const file = path.join(ROOT, "docs", "rules", `${rule.id}.md`);
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, "utf8");
      expect(text.startsWith(`# ${rule.id}\n`)).toBe(true);
      expect(text).toContain(`Default severity: ${rule.severity}.`);
      let last = -1;
      for (const h of HEADINGS) {
        const at = text.indexOf(`\n${h}\n`);
        expect({ rule: rule.id, heading: h, found: at > last }).toEqual({ rule: rule.id, heading: h, found: true });
        last = at;
      }
      for (const option of Object.keys(rule.options)) expect(text).toContain(`### ${option}`);
      expect(readme).toContain(`\`${rule.id}\``);
    }
  });

  test("rule ids are kebab-case and docs URLs point at the page", async () => {
    for (const rule of await loadRules()) {
      expect(rule.id).toMatch(/^[a-z]+(?:-[a-z0-9]+)*$/);
      expect(rule.docsUrl.endsWith(`/docs/rules/${rule.id}.md`)).toBe(true);
    }
  });
});
