/** What CI and editors use: inline suppressions, GitHub annotations, --max-warnings, --output-file. */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";

function copy(name: string): string {
  const dir = tempDir("int");
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

function patch(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  expect(text.includes(from)).toBe(true);
  writeFileSync(file, text.replace(from, to));
}

const json = (dir: string, ...args: string[]) => JSON.parse(runCli([dir, "-f", "json", ...args]).stdout) as JsonReport;

describe("inline suppressions", () => {
  test("ignore[...] on the reported line drops those findings only; unused ones are reported", () => {
    const dir = copy("example-shop");
    const models = path.join(dir, "api", "models.py");
    patch(models, "class User(Base):", "class User(Base):  # tablewarden: ignore[readonly-model-in-target-metadata, double-ownership]");
    const doc = json(dir);
    expect(doc.findings.some((f) => f.ruleId === "readonly-model-in-target-metadata")).toBe(false);
    const unused = doc.findings.filter((f) => f.ruleId === "unused-suppression");
    expect(unused).toHaveLength(1);
    expect(unused[0]).toMatchObject({ file: "api/models.py", severity: "info" });
    expect(unused[0]!.message).toMatch(/no `double-ownership` finding on this line/);
    // The other rules still report.
    expect(doc.findings.some((f) => f.ruleId === "double-ownership")).toBe(true);
  });

  test("ignore-file[...] anywhere in the file; --rule unused-suppression=off", () => {
    const dir = copy("example-shop");
    const env = path.join(dir, "alembic", "env.py");
    patch(env, "import os\n", "import os\n# tablewarden: ignore-file[django-table-not-excluded]\n");
    const doc = json(dir);
    expect(doc.findings.some((f) => f.ruleId === "django-table-not-excluded")).toBe(false);
    expect(doc.findings.some((f) => f.ruleId === "missing-django-migrations-exclusion")).toBe(true);
    patch(env, "ignore-file[django-table-not-excluded]", "ignore-file[dead-filter-branch]");
    expect(json(dir).findings.some((f) => f.ruleId === "unused-suppression")).toBe(true);
    expect(json(dir, "--rule", "unused-suppression=off").findings.some((f) => f.ruleId === "unused-suppression")).toBe(false);
  });
});

describe("CI integration", () => {
  test("--format github: one workflow command per finding, properties and data escaped", () => {
    const run = runCli([path.join(FIXTURES, "example-shop"), "-f", "github"], undefined, undefined, { GITHUB_WORKSPACE: "" });
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split("\n");
    const doc = json(path.join(FIXTURES, "example-shop"));
    expect(lines).toHaveLength(doc.findings.length);
    for (const l of lines) expect(l).toMatch(/^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=tablewarden \([a-z-]+\)::\S/);
    // Paths from the working directory (the repository here), where GitHub looks for them.
    expect(lines.find((l) => l.includes("double-ownership"))).toMatch(/%0A {2}fixtures\/example-shop\/shop\/models\.py:\d+: Django creates it/);
    expect(lines.every((l) => l.includes(" file=fixtures/example-shop/"))).toBe(true);
  });

  test("--format github: a project in a sub-folder of the repository is annotated by its paths from the checkout", () => {
    const repo = tempDir("gh");
    cpSync(path.join(FIXTURES, "example-shop"), path.join(repo, "backend"), { recursive: true });
    const files = (out: string) => [...out.matchAll(/ file=([^,]+),/g)].map((m) => m[1]);
    // From the checkout's root, as a workflow step runs by default.
    const fromRoot = runCli(["backend", "-f", "github"], repo, undefined, { GITHUB_WORKSPACE: "" });
    expect(files(fromRoot.stdout).length).toBeGreaterThan(0);
    expect(files(fromRoot.stdout).every((f) => f!.startsWith("backend/"))).toBe(true);
    expect(fromRoot.stdout).toContain("file=backend/alembic/env.py,");
    // From the project's folder (`working-directory: backend`): $GITHUB_WORKSPACE names the checkout.
    const fromProject = runCli([".", "-f", "github"], path.join(repo, "backend"), undefined, { GITHUB_WORKSPACE: repo });
    expect(files(fromProject.stdout)).toEqual(files(fromRoot.stdout));
    // Without it, paths are from the working directory; the other formats keep the project's own.
    expect(files(runCli([".", "-f", "github"], path.join(repo, "backend"), undefined, { GITHUB_WORKSPACE: "" }).stdout).every((f) => !f!.startsWith("backend/"))).toBe(true);
    expect(runCli(["backend", "-f", "compact"], repo).stdout).toMatch(/^alembic\/env\.py:/m);
  });

  test("--format compact: one `file:line:col: severity: message [rule]` line per finding, for problem matchers", () => {
    const dir = path.join(FIXTURES, "example-shop");
    const lines = runCli([dir, "-f", "compact"]).stdout.trimEnd().split("\n");
    const doc = json(dir);
    expect(lines).toHaveLength(doc.findings.length);
    // The regexp docs/integrations.md gives VS Code's problem matcher.
    const matcher = /^(.+?):(\d+):(\d+): (error|warning|info): (.*) \[([a-z0-9-]+)\]$/;
    lines.forEach((l, i) => {
      const m = matcher.exec(l);
      const f = doc.findings[i]!;
      expect(m && [m[1], Number(m[2]), Number(m[3]), m[4], m[6]]).toEqual([f.file, f.line, f.column, f.severity, f.ruleId]);
    });
  });

  test("--max-warnings: exit 1 over the limit, 0 within it", () => {
    const dir = path.join(FIXTURES, "django-table-not-excluded-m2m-swapped-user"); // 2 warnings, no error
    expect(runCli([dir, "--max-warnings", "2"]).status).toBe(0);
    expect(runCli([dir, "--max-warnings", "1"]).status).toBe(1);
    expect(runCli([dir, "--max-warnings", "-1"]).status).toBe(2);
  });

  test("--output-file writes the report there and nothing on stdout", () => {
    const out = path.join(tempDir("out"), "report.json");
    const run = runCli([path.join(FIXTURES, "example-shop"), "-f", "json", "-o", out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect((JSON.parse(readFileSync(out, "utf8")) as JsonReport).version).toBe(1);
    expect(runCli([path.join(FIXTURES, "example-shop"), "-o", "/nonexistent-dir/x.txt"]).status).toBe(2);
  });
});
