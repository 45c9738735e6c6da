/**
 * The programmatic API: `import { lint } from "tablewarden"`, typed findings, several runs in one process.
 * The runs happen in a child Node process that imports the package by its name, as a user's code does
 * (inside jest, a worker that already loaded tree-sitter's native module for another test file cannot load
 * it again in a fresh module registry, which is no property of tablewarden).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { FIXTURES, ROOT } from "./helpers.js";
import type { Finding, LintOptions, LintResult, Severity } from "../src/index.js";

/** What the child prints per run: enough to compare runs and check the typed shape. */
interface RunSummary {
  findings: Array<Pick<Finding, "ruleId" | "severity" | "table" | "fingerprint" | "docsUrl"> & { file: string; line: number; related: string[] }>;
  base: string;
  requested: string[];
  error?: string;
}

/** Runs lint() once per options object in ONE child process, in order. */
function runInOneProcess(runs: LintOptions[]): RunSummary[] {
  const script = `
    import { lint, UsageError, FORMATS } from "tablewarden";
    if (!FORMATS.includes("sarif")) throw new Error("FORMATS lacks sarif");
    const out = [];
    for (const options of ${JSON.stringify(runs)}) {
      try {
        const r = await lint(options);
        out.push({ base: r.base, requested: r.requested, findings: r.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, table: f.table, fingerprint: f.fingerprint, docsUrl: f.docsUrl, file: f.loc.file, line: f.loc.line, related: f.related.map((x) => x.loc.file) })) });
      } catch (e) {
        out.push({ error: (e instanceof UsageError ? "UsageError: " : "other: ") + e.message });
      }
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as RunSummary[];
}

describe("lint() API", () => {
  test("typed findings; two runs in one process give the same answer, and a run in between does not leak", () => {
    const shop = path.join(FIXTURES, "example-shop");
    const [first, other, second] = runInOneProcess([{ paths: [shop] }, { paths: [path.join(FIXTURES, "clean-pure-django")] }, { paths: [shop] }]);
    expect(second).toEqual(first);
    expect(other!.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(first!.findings.some((f) => f.ruleId === "unreadable-file" || f.ruleId === "syntax-error")).toBe(false);
    const severities: Severity[] = first!.findings.map((f) => f.severity);
    expect(severities).toContain("error");
    const double = first!.findings.find((f) => f.ruleId === "double-ownership")!;
    expect(double).toMatchObject({ table: "shop_order", file: expect.stringMatching(/^alembic\/versions\//) });
    expect(double.related).toContain("shop/models.py");
    expect(double.docsUrl).toMatch(/docs\/rules\/double-ownership\.md$/);
    expect(double.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(first!.base).toBe(shop);
  });

  test("options: rules, cwd, unsaved contents; a missing path rejects with UsageError", () => {
    const shop = path.join(FIXTURES, "example-shop");
    const [buffer, warning, missing] = runInOneProcess([
      { cwd: shop, paths: ["api/models.py"], contents: { "api/models.py": "from api.db import Base\n" } },
      { cwd: shop, paths: ["api/models.py"], rules: { "readonly-model-in-target-metadata": "warning" } },
      { paths: [path.join(shop, "nope")] },
    ]);
    expect(buffer!.findings).toEqual([]);
    expect(buffer!.requested).toEqual(["api/models.py"]);
    expect(warning!.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(["readonly-model-in-target-metadata warning"]);
    expect(missing!.error).toMatch(/^UsageError: path does not exist/);
  });

  test("the declarations type a whole result", () => {
    // Compile-time: these assignments fail `tsc` (npm test's first step) if the exported types drift.
    const use = (r: LintResult): Array<[string, number, string | undefined]> => r.findings.map((f: Finding) => [f.loc.file, f.loc.line, f.suggestion?.snippet]);
    expect(typeof use).toBe("function");
  });
});

describe("timings", () => {
  test("reading, tree-sitter's parse and the extraction are timed apart, for every file parsed", () => {
    const script = `
      import { lint } from "tablewarden";
      const r = await lint({ paths: [${JSON.stringify(path.join(FIXTURES, "example-shop"))}], cache: false, workers: 0 });
      process.stdout.write(JSON.stringify(r.timings));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const t = JSON.parse(r.stdout) as LintResult["timings"];
    expect(t.parsedFiles).toBeGreaterThan(5);
    for (const phase of [t.discover, t.read, t.parse, t.extract, t.link, t.rules]) expect(phase).toBeGreaterThan(0);
    expect(t.discover + t.read + t.parse + t.extract + t.link + t.rules).toBeLessThanOrEqual(t.total);
  });
});
