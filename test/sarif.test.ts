/**
 * --format sarif against the official SARIF 2.1.0 JSON schema (OASIS), with a real JSON-schema validator.
 * The schema comes from an npm package (no network in CI, no copy committed): @datadog/datadog-ci-plugin-sarif
 * ships sarif-schema-2.1.0.json as a file; its $id is checked to be the OASIS one.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";
import { FIXTURES, runCli } from "./helpers.js";
import type { JsonReport } from "./helpers.js";
import { formatSarif } from "../src/report/sarif.js";
import type { Finding } from "../src/types.js";

const require = createRequire(import.meta.url);
const SCHEMA_FILE = path.join(path.dirname(require.resolve("@datadog/datadog-ci-plugin-sarif/package.json")), "dist", "json-schema", "sarif-schema-2.1.0.json");
/** The $id of the schema OASIS published with SARIF 2.1.0 (the Committee Specification and the OASIS Standard). */
const OASIS_ID = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; rules: Array<{ id: string; helpUri: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }> } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string; markdown?: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> } }>;
      relatedLocations?: Array<{ id: number; physicalLocation: { artifactLocation: { uri: string } }; message: { text: string } }>;
      partialFingerprints?: Record<string, string>;
      fixes?: unknown[];
      properties?: { table?: string; suggestion?: { snippet: string } };
    }>;
  }>;
}

let validate: ValidateFunction;
beforeAll(() => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
  expect(schema["$id"]).toBe(OASIS_ID);
  expect(schema["title"]).toBe("Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default ? addFormats.default(ajv) : (addFormats as unknown as (a: Ajv) => void)(ajv);
  validate = ajv.compile(schema);
  // The validator really checks: a driver without its required name is rejected.
  expect(validate({ version: "2.1.0", runs: [{ tool: { driver: {} }, results: [] }] })).toBe(false);
});

function valid(log: unknown): void {
  const ok = validate(log);
  if (!ok) throw new Error(`SARIF schema violations:\n${JSON.stringify(validate.errors?.slice(0, 10), null, 2)}`);
}

const sarifOf = (dir: string) => {
  const run = runCli([dir, "-f", "sarif"]);
  expect(run.stderr).toBe("");
  return { status: run.status, log: JSON.parse(run.stdout) as SarifLog };
};

describe("--format sarif", () => {
  test.each(["example-shop", "django-table-not-excluded-m2m-swapped-user", "alembic-multiple-heads-unmerged", "clean-pure-django"])("%s: valid SARIF 2.1.0, one result per finding", (name) => {
    const dir = path.join(FIXTURES, name);
    const { status, log } = sarifOf(dir);
    valid(log);
    const json = JSON.parse(runCli([dir, "-f", "json"]).stdout) as JsonReport & { findings: Array<{ fingerprint: string; suggestion?: { snippet: string } }> };
    expect(status).toBe(json.summary.errors > 0 ? 1 : 0);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe("tablewarden");
    expect(run.results).toHaveLength(json.findings.length);
    expect(run.originalUriBaseIds["PROJECTROOT"]!.uri).toBe(`file://${dir}/`);
    run.results.forEach((r, i) => {
      const f = json.findings[i]!;
      expect(r.ruleId).toBe(f.ruleId);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(f.ruleId);
      expect(r.level).toBe({ error: "error", warning: "warning", info: "note" }[f.severity]);
      expect(r.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: f.file, uriBaseId: "PROJECTROOT" });
      expect(r.locations[0]!.physicalLocation.region).toMatchObject({ startLine: f.line, startColumn: f.column });
      expect((r.relatedLocations ?? []).map((x) => x.physicalLocation.artifactLocation.uri)).toEqual(f.related.map((x) => x.file));
      expect(r.partialFingerprints).toEqual({ "tablewarden/v1": f.fingerprint });
      // A paste-ready snippet is no replacement: no `fixes`, the snippet in properties and the markdown message.
      expect(r.fixes).toBeUndefined();
      if (f.suggestion) {
        expect(r.properties?.suggestion?.snippet).toBe(f.suggestion.snippet);
        expect(r.message.markdown).toContain(f.suggestion.snippet);
      }
    });
  });

  test("rules carry helpUri, shortDescription and the default level; diagnostics are listed too", () => {
    const { log } = sarifOf(path.join(FIXTURES, "example-shop"));
    const rules = log.runs[0]!.tool.driver.rules;
    const double = rules.find((r) => r.id === "double-ownership")!;
    expect(double.helpUri).toMatch(/^file:\/\/.*\/docs\/rules\/double-ownership\.md$/);
    expect(double.shortDescription.text.length).toBeGreaterThan(10);
    expect(double.defaultConfiguration.level).toBe("error");
    expect(rules.find((r) => r.id === "unresolved")?.defaultConfiguration.level).toBe("note");
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
  });

  test("a suggestion that replaces a region is a SARIF fix; brackets and non-ASCII text stay valid", () => {
    const loc = { file: "app/models.py", line: 3, column: 5, endLine: 3, endColumn: 20 };
    const findings: Finding[] = [
      {
        ruleId: "double-ownership",
        severity: "error",
        message: "`café_order` [sic] is created twice",
        table: "café_order",
        loc,
        related: [{ loc: { file: "dir with space/x.py", line: 1, column: 1, endLine: 1, endColumn: 1 }, message: "other side" }],
        suggestion: { message: "Mark it unmanaged", snippet: "managed = False", replaces: loc },
        fingerprint: "abc",
      },
      { ruleId: "unused-suppression", severity: "info", message: "m", loc: { file: "a.py", line: 1, column: 1, endLine: 1, endColumn: 1 }, related: [] },
    ];
    const log = JSON.parse(formatSarif(findings, { rules: [{ id: "double-ownership", summary: "s", docsUrl: "file:///d.md", severity: "error" }], toolVersion: "1.2.3", root: "/tmp/p" })) as SarifLog;
    valid(log);
    const [r, u] = log.runs[0]!.results;
    expect(r!.fixes).toEqual([
      {
        description: { text: "Mark it unmanaged" },
        artifactChanges: [{ artifactLocation: { uri: "app/models.py", uriBaseId: "PROJECTROOT" }, replacements: [{ deletedRegion: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 20 }, insertedContent: { text: "managed = False" } }] }],
      },
    ]);
    expect(r!.message.text).toBe("`café_order` \\[sic\\] is created twice\n- [dir with space/x.py:1](1) other side");
    expect(r!.relatedLocations![0]!.physicalLocation.artifactLocation.uri).toBe("dir%20with%20space/x.py");
    expect(u!.ruleIndex).toBeUndefined(); // not in the rules list given
  });
});
