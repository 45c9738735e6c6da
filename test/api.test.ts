/** The programmatic API: `import { lint } from "tablewarden"`, typed findings, two runs in one process. */
import path from "node:path";
import { FIXTURES } from "./helpers.js";
import { lint, format, UsageError } from "../src/index.js";
import type { Finding, LintResult, Severity } from "../src/index.js";

const summary = (r: LintResult) => r.findings.map((f: Finding) => `${f.ruleId} ${f.table ?? ""} ${f.loc.file}:${f.loc.line}`);

describe("lint() API", () => {
  test("the package name resolves to the public entry point", async () => {
    const mod = (await import("tablewarden")) as typeof import("../src/index.js");
    expect(typeof mod.lint).toBe("function");
    expect(mod.FORMATS).toContain("sarif");
  });

  test("typed findings; two runs in one process give the same answer, and do not leak into each other", async () => {
    const shop = path.join(FIXTURES, "example-shop");
    const clean = path.join(FIXTURES, "clean-pure-django");
    const first = await lint({ paths: [shop] });
    const other = await lint({ paths: [clean] });
    const second = await lint({ paths: [shop] });
    expect(summary(second)).toEqual(summary(first));
    expect(second.findings.map((f) => f.fingerprint)).toEqual(first.findings.map((f) => f.fingerprint));
    expect(other.findings.filter((f) => f.severity !== "info")).toEqual([]);
    const severities: Severity[] = first.findings.map((f) => f.severity);
    expect(severities).toContain("error");
    const double = first.findings.find((f) => f.ruleId === "double-ownership")!;
    expect(double).toMatchObject({ table: "shop_order", loc: { file: expect.stringMatching(/^alembic\/versions\//) } });
    expect(double.related.map((r) => r.loc.file)).toContain("shop/models.py");
    expect(double.docsUrl).toMatch(/docs\/rules\/double-ownership\.md$/);
    expect(first.base).toBe(shop);
    expect(JSON.parse(format("json", first.findings, first.filesScanned, false)).findings).toHaveLength(first.findings.length);
  });

  test("options: rules, cwd, unsaved contents; a missing path rejects with UsageError", async () => {
    const shop = path.join(FIXTURES, "example-shop");
    const r = await lint({ cwd: shop, paths: ["api/models.py"], rules: { "readonly-model-in-target-metadata": "warning" }, contents: { "api/models.py": "from api.db import Base\n" } });
    expect(r.findings).toEqual([]);
    expect(r.requested).toEqual(["api/models.py"]);
    const w = await lint({ cwd: shop, paths: ["api/models.py"], rules: { "readonly-model-in-target-metadata": "warning" } });
    expect(w.findings.map((f) => f.severity)).toEqual(["warning"]);
    await expect(lint({ paths: [path.join(shop, "nope")] })).rejects.toBeInstanceOf(UsageError);
  });
});
