/** Configuration files: discovery, validation with precise messages, and precedence of CLI flags. */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";

function shopCopy(): string {
  const dir = tempDir("cfg");
  cpSync(path.join(FIXTURES, "example-shop"), dir, { recursive: true });
  return dir;
}

const lintJson = (dir: string, ...args: string[]) => {
  const run = runCli([dir, "--format", "json", ...args]);
  return { run, doc: run.stdout ? (JSON.parse(run.stdout) as JsonReport) : null };
};

describe("config", () => {
  test(".tablewarden.json: severities, rule options, exclude", () => {
    const dir = shopCopy();
    writeFileSync(
      path.join(dir, ".tablewarden.json"),
      JSON.stringify({
        rules: { "double-ownership": "off", "django-table-not-excluded": ["error", { allowTables: ["django_session"] }] },
        exclude: ["api/models.py"],
      }),
    );
    const { doc } = lintJson(dir);
    const rules = new Set(doc!.findings.map((f) => f.ruleId));
    expect(rules.has("double-ownership")).toBe(false);
    expect(rules.has("readonly-model-in-target-metadata")).toBe(false); // the mirror's module is excluded
    const notExcluded = doc!.findings.filter((f) => f.ruleId === "django-table-not-excluded");
    expect(notExcluded.every((f) => f.severity === "error")).toBe(true);
    expect(notExcluded.some((f) => f.table === "django_session")).toBe(false);
    expect(notExcluded.some((f) => f.table === "shop_order")).toBe(true);
  });

  test("[tool.tablewarden] in pyproject.toml, found from a sub-folder run, and CLI flags win", () => {
    const dir = shopCopy();
    mkdirSync(path.join(dir, ".git"));
    writeFileSync(path.join(dir, "pyproject.toml"), '[project]\nname = "shop"\n\n[tool.tablewarden.rules]\ndouble-ownership = "info"\n');
    const { doc } = lintJson(dir);
    expect(doc!.findings.find((f) => f.ruleId === "double-ownership")?.severity).toBe("info");
    const flagged = lintJson(dir, "--rule", "double-ownership=warning");
    expect(flagged.doc!.findings.find((f) => f.ruleId === "double-ownership")?.severity).toBe("warning");
    // Found by walking up from a linted sub-folder (up to the repository root).
    writeFileSync(path.join(dir, "pyproject.toml"), '[tool.tablewarden]\nrulez = {}\n');
    const sub = lintJson(path.join(dir, "alembic"));
    expect(sub.run.status).toBe(2);
    expect(sub.run.stderr).toMatch(/pyproject\.toml \[tool\.tablewarden\]: rulez: unknown key/);
  });

  test("django-app-tables declares the tables of an app tablewarden does not know", () => {
    const dir = shopCopy();
    const settings = path.join(dir, "project", "settings.py");
    writeFileSync(settings, `${require_("fs").readFileSync(settings, "utf8")}\nINSTALLED_APPS += ["billing_vendor"]\n`);
    expect(lintJson(dir).doc!.findings.some((f) => f.ruleId === "unknown-ownership" && f.message.includes("billing_vendor"))).toBe(true);
    writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify({ "django-app-tables": { billing_vendor: ["billing_vendor_invoice"] } }));
    const { doc } = lintJson(dir);
    expect(doc!.findings.some((f) => f.ruleId === "unknown-ownership")).toBe(false);
    expect(doc!.findings.some((f) => f.table === "billing_vendor_invoice" && f.ruleId === "django-table-not-excluded")).toBe(true);
  });

  test.each([
    [{ rule: { x: 1 } }, /\.tablewarden\.json: rule: unknown key \(did you mean "rules"\?\)/],
    [{ rules: { "double-owner": "off" } }, /rules\.double-owner: unknown rule \(did you mean "double-ownership"\?\)/],
    [{ rules: { "double-ownership": "fatal" } }, /rules\.double-ownership: expected one of off, info, warning, error/],
    [{ rules: { "double-ownership": ["error", { allowTable: [] }] } }, /rules\.double-ownership\.allowTable: unknown option \(did you mean "allowTables"\?\)/],
    [{ rules: { "double-ownership": ["error", { allowTables: "x" }] } }, /allowTables: expected string\[\], found string "x"/],
    [{ exclude: "tests/**" }, /exclude: expected an array of glob strings/],
    [{ "max-file-size": "huge" }, /max-file-size: expected a size such as "4MB"/],
  ])("invalid config %j: exit 2 naming file and key", (config, message) => {
    const dir = shopCopy();
    writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify(config));
    const { run } = lintJson(dir);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
  });

  test("broken JSON and broken TOML: exit 2 with the file named", () => {
    const dir = shopCopy();
    writeFileSync(path.join(dir, ".tablewarden.json"), "{ rules: ");
    expect(lintJson(dir).run.stderr).toMatch(/\.tablewarden\.json: not valid JSON/);
    const dir2 = shopCopy();
    writeFileSync(path.join(dir2, "pyproject.toml"), "[tool.tablewarden]\nrules = {\n");
    const r = lintJson(dir2);
    expect(r.run.status).toBe(2);
    expect(r.run.stderr).toMatch(/pyproject\.toml: not valid TOML/);
  });
});

// eslint-disable-next-line @typescript-eslint/no-require-imports
import { createRequire } from "node:module";
const require_ = createRequire(import.meta.url);
