/**
 * Every fixture project is linted by the real CLI with the default rule set, and its findings
 * (without wording) must equal fixtures/<case>/expected.json exactly — so a noisy rule fails on
 * other rules' fixtures too. `UPDATE_EXPECTED=1 npm test` rewrites the files (read the diff!).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, pin, runCli } from "./helpers.js";
import type { JsonReport } from "./helpers.js";

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(FIXTURES, d.name, "fixture.json")))
  .map((d) => d.name)
  .sort();

describe("fixtures", () => {
  test("there are at least 12 fixture projects, half of them clean", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
    expect(cases.filter((c) => c.startsWith("clean-")).length).toBeGreaterThanOrEqual(6);
  });

  test.each(cases)("%s", (name) => {
    const dir = path.join(FIXTURES, name);
    const run = runCli([dir, "--format", "json"]);
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as JsonReport;
    const actual = { findings: report.findings.map(pin) };
    const file = path.join(dir, "expected.json");
    if (process.env["UPDATE_EXPECTED"] === "1") writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    expect(existsSync(file)).toBe(true);
    const expected = JSON.parse(readFileSync(file, "utf8")) as typeof actual;
    const key = (f: { ruleId: string; table?: string; file: string; line: number }) => `${f.ruleId} ${f.table ?? "-"} ${f.file}:${f.line}`;
    const missing = expected.findings.filter((e) => !actual.findings.some((a) => key(a) === key(e))).map(key);
    const noisy = actual.findings.filter((a) => !expected.findings.some((e) => key(a) === key(e))).map(key);
    // Name failures precisely before comparing every field.
    expect({ missing, noisy }).toEqual({ missing: [], noisy: [] });
    expect(actual).toEqual(expected);
    // Clean fixtures may carry info findings ("could not resolve") but nothing that fails or warns.
    if (name.startsWith("clean-")) expect(actual.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(run.status).toBe(report.summary.errors > 0 ? 1 : 0);
  });
});
