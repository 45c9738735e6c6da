/** The command line: flags, exit codes, formats. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";
import { formatTimings } from "../src/report/timings.js";

const SHOP = path.join(FIXTURES, "example-shop");
const CLEAN = path.join(FIXTURES, "clean-mirror-on-separate-metadata");

describe("cli", () => {
  test("exit 1 on error findings, 0 on a clean project", () => {
    expect(runCli([SHOP]).status).toBe(1);
    expect(runCli([CLEAN]).status).toBe(0);
  });

  test("--format json prints exactly one JSON document with the documented shape", () => {
    const run = runCli([SHOP, "--format", "json"]);
    const doc = JSON.parse(run.stdout) as JsonReport;
    expect(doc.version).toBe(1);
    expect(Object.keys(doc.summary).sort()).toEqual(["errors", "filesScanned", "infos", "warnings"]);
    for (const f of doc.findings) {
      expect(typeof f.message).toBe("string");
      expect(f.file).not.toMatch(/\\|^\//);
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.column).toBeGreaterThanOrEqual(1);
    }
    // Sorted by file, line, column, ruleId.
    const keys = doc.findings.map((f) => [f.file, f.line, f.column, f.ruleId] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0)));
    expect(keys).toEqual(sorted);
  });

  test("output is byte-identical between runs", () => {
    expect(runCli([SHOP, "--format", "json"]).stdout).toBe(runCli([SHOP, "--format", "json"]).stdout);
  });

  test("--timings: one line on stderr with every phase; the report is unchanged", () => {
    const plain = runCli([SHOP, "--format", "json", "--no-cache"]);
    const timed = runCli([SHOP, "--format", "json", "--no-cache", "--timings"]);
    expect(timed.status).toBe(plain.status);
    expect(timed.stdout).toBe(plain.stdout);
    expect(plain.stderr).toBe("");
    const files = (JSON.parse(plain.stdout) as JsonReport).summary.filesScanned;
    const t = String.raw`\d+(?: ms|\.\d\d s)`; // "84 ms", "1.25 s"
    const phases = ["discover", "read", "parse", "extract", "link", "rules", "report"].map((p) => `${p} ${t}`).join(", ");
    const line = String.raw`tablewarden: ${t} for ${files} files \(\d+ parsed\): ${phases}\n$`;
    expect(timed.stderr).toMatch(new RegExp(`^${line}`));
    // --write-baseline prints no report, but still the timings, after its own line.
    const baselined = runCli([SHOP, "--write-baseline", path.join(tempDir("timings"), "baseline.json"), "--no-cache", "--timings"]);
    expect(baselined.stderr).toMatch(new RegExp(String.raw`^tablewarden: recorded .*\n${line}`));
  });

  test("--timings wording: threads, files parsed ahead, the cache, a reused linking", () => {
    const base = { discover: 92.4, read: 1322, parse: 1160, extract: 1071, link: 144, rules: 6, total: 2060, parsedBytes: 0 };
    expect(formatTimings({ ...base, parsedFiles: 2090, cachedFiles: 0, workers: 1, ahead: 277, linkReused: false }, 4330, 0.6)).toBe(
      "tablewarden: 2.06 s for 4,330 files (2,090 parsed on 2 threads, 277 of them ahead of linking): discover 92 ms, read 1.32 s, parse 1.16 s, extract 1.07 s, link 144 ms, rules 6 ms, report 1 ms (read, parse and extract summed over threads)\n",
    );
    expect(formatTimings({ ...base, parsedFiles: 0, cachedFiles: 4435, workers: 0, ahead: 0, linkReused: true }, 1, 0)).toBe(
      "tablewarden: 2.06 s for 1 file (0 parsed, 4,435 from the cache): discover 92 ms, read 1.32 s, parse 1.16 s, extract 1.07 s, link (last run's, reused) 144 ms, rules 6 ms, report 0 ms\n",
    );
  });

  test("--rule turns a rule off or changes its severity", () => {
    const off = JSON.parse(runCli([SHOP, "--format", "json", "--rule", "double-ownership=off"]).stdout) as JsonReport;
    expect(off.findings.some((f) => f.ruleId === "double-ownership")).toBe(false);
    const run = runCli([SHOP, "--format", "json", "--rule", "double-ownership=warning", "--rule", "readonly-model-in-target-metadata=off", "--rule", "missing-django-migrations-exclusion=info"]);
    const doc = JSON.parse(run.stdout) as JsonReport;
    expect(doc.findings.find((f) => f.ruleId === "double-ownership")?.severity).toBe("warning");
    expect(doc.summary.errors).toBe(0);
    expect(run.status).toBe(0);
  });

  test("--rule with an unknown id: exit 2 and the nearest id", () => {
    const run = runCli([SHOP, "--rule", "double-owner=off"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown rule "double-owner"; did you mean "double-ownership"\?/);
  });

  test("--rule with a bad severity: exit 2", () => {
    const run = runCli([SHOP, "--rule", "double-ownership=fatal"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/severity must be one of off, info, warning, error/);
  });

  test("--quiet reports errors only", () => {
    const doc = JSON.parse(runCli([SHOP, "--format", "json", "--quiet"]).stdout) as JsonReport;
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(doc.findings.every((f) => f.severity === "error")).toBe(true);
  });

  test("unknown flags and formats are usage errors", () => {
    expect(runCli([SHOP, "--frobnicate"]).status).toBe(2);
    const bad = runCli([SHOP, "--format", "xml"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/format/);
  });

  test("--version and --help", () => {
    const v = runCli(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = runCli(["--help"]);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--format/);
    expect(h.stdout).toMatch(/--rule/);
    // Help is laid out in columns by yargs' real renderer (src/util/yargs.ts loads it only for help).
    const sub = runCli(["tables", "-h"]);
    expect(sub.status).toBe(0);
    expect(sub.stdout).toMatch(/^ {2}-f, --format +Output format +\[choices: "text", "json", "mermaid", "dot"\]/m);
    expect(sub.stdout).toMatch(/--no-cache|--cache/);
  });

  test("stylish: grouped by file, no colour codes with --no-color, a summary line", () => {
    const run = runCli([SHOP, "--no-color"]);
    expect(run.stdout).not.toMatch(/\u001b\[/);
    expect(run.stdout).toMatch(/^alembic\/env\.py$/m);
    expect(run.stdout).toMatch(/✖ 3 errors, \d+ warnings, 0 infos in \d+ files scanned/);
    const colored = runCli([SHOP, "--color"]);
    expect(colored.stdout).toMatch(/\u001b\[/);
  });

  test("a relative path is reported relative to that root", () => {
    const run = runCli(["fixtures/example-shop", "--format", "json"]);
    const doc = JSON.parse(run.stdout) as JsonReport;
    expect(doc.findings.some((f) => f.file === "alembic/env.py")).toBe(true);
  });
});

describe("tables", () => {
  const SWAPPED = path.join(FIXTURES, "django-table-not-excluded-m2m-swapped-user");

  test("--format json lists every table with owner, claims and autogenerate's view", () => {
    const run = runCli(["tables", SWAPPED, "--format", "json"]);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      version: number;
      settings: string[];
      tables: Array<{ name: string; schema: string | null; owner: string; autogenerate: string | null; claims: Array<{ kind: string; file: string; line: number }> }>;
    };
    expect(doc.version).toBe(1);
    expect(doc.settings).toEqual(["project/settings.py"]);
    const row = (n: string) => doc.tables.find((t) => t.name === n);
    // Swapped user model: no auth_user tables, the custom user's M2M tables instead.
    expect(row("auth_user")).toBeUndefined();
    expect(row("accounts_user_groups")).toMatchObject({ owner: "django", autogenerate: "included" });
    expect(row("accounts_user")).toMatchObject({ owner: "django", autogenerate: "excluded" });
    expect(row("api_keys")).toMatchObject({ owner: "alembic", autogenerate: "included" });
    expect(row("django_migrations")?.claims[0]?.kind).toBe("builtin");
    const names = doc.tables.map((t) => t.name);
    expect(names).toEqual([...names].sort());
  });

  test("text format", () => {
    const run = runCli(["tables", SWAPPED]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^shop_product_tags\s+django\s+included\s+django-m2m creates/m);
  });
});

describe("explain", () => {
  test("claims in order, the state at the end, autogenerate's view and the findings", () => {
    const run = runCli(["explain", "shop_order", SHOP]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^shop_order: owner both$/m);
    expect(run.stdout).toMatch(/shop\/models\.py:22 {2}django-model creates: model shop\.Order/);
    expect(run.stdout).toMatch(/alembic-revision creates: op\.create_table in revision 3f1c2a9b7d10/);
    expect(run.stdout).toMatch(/only in the database: autogenerate writes drop_table/);
    expect(run.stdout).toMatch(/error {2}double-ownership:/);
  });

  test("an unknown table: exit 2 with the nearest name", () => {
    const run = runCli(["explain", "shop_ordr", SHOP]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no table `shop_ordr` in this project; did you mean `shop_order`\?/);
  });
});

describe("tables diagrams", () => {
  const MIRROR = path.join(FIXTURES, "clean-mirror-on-separate-metadata");

  test("--format mermaid groups tables by owner and draws the mirror as a dashed edge", () => {
    const run = runCli(["tables", MIRROR, "--format", "mermaid"]);
    expect(run.status).toBe(0);
    const text = run.stdout;
    expect(text.startsWith("flowchart LR\n")).toBe(true);
    const group = (title: string) => text.slice(text.indexOf(`["${title}"]`), text.indexOf("  end", text.indexOf(`["${title}"]`)));
    expect(group("Django owns")).toMatch(/\["auth_user"\]/);
    expect(group("Alembic owns")).toMatch(/\["api_keys"\]/);
    expect(group("Alembic owns")).not.toMatch(/auth_user/);
    const authId = /(t\d+)\["auth_user"\]/.exec(text)![1];
    const mirror = /(m\d+)\(\["SQLAlchemy: Table\(#quot;auth_user#quot;\)[^"]*api\/models\.py:\d+\)"\]\)/.exec(text);
    expect(mirror).not.toBeNull();
    expect(text).toContain(`${mirror![1]} -. "reads" .-> ${authId}`);
  });

  test("--format dot is one cluster per owner with the same edges", () => {
    const run = runCli(["tables", MIRROR, "--format", "dot"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^digraph tablewarden \{/);
    expect(run.stdout).toMatch(/subgraph cluster_g0 \{\n {4}label="Django owns";/);
    expect(run.stdout).toMatch(/m0 -> t\d+ \[label="reads", style=dashed\];/);
  });
});

describe("suggest-env", () => {
  test("prints the block pasted into clean-suggested-env's env.py, which lints clean", () => {
    const dir = path.join(FIXTURES, "clean-suggested-env");
    const run = runCli(["suggest-env", dir]);
    expect(run.status).toBe(0);
    const functions = run.stdout.split("\n\n").slice(1).join("\n\n").split("\n\n\n#")[0]!.trim();
    expect(functions).toMatch(/^def include_name\(name, type_, parent_names\):/);
    expect(readFileSync(path.join(dir, "alembic", "env.py"), "utf8")).toContain(functions);
    expect(run.stdout).toContain("include_name=include_name,");
  });

  test("exclusion findings carry the same block as their suggestion", () => {
    const run = runCli([SHOP, "--format", "json"]);
    const doc = JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; suggestion?: { message: string; snippet: string } }> };
    const f = doc.findings.find((x) => x.ruleId === "missing-django-migrations-exclusion");
    expect(f?.suggestion?.snippet).toContain("return name in target_metadata.tables");
    expect(runCli(["suggest-env", SHOP]).stdout).toContain(f!.suggestion!.snippet.split("\n\n\n")[0]!);
  });

  test("a project without an Alembic environment is a usage error", () => {
    const run = runCli(["suggest-env", path.join(FIXTURES, "clean-pure-django")]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no Alembic env\.py with a target_metadata/);
  });
});
