/**
 * The ownership settings (owners manifest, external-tables, handoffs): validation with precise
 * messages, table-glob matching, and what a hand-off changes. The rules themselves are pinned by the
 * fixtures (ownership-mismatch-*, clean-ownership-*, double-ownership-handoff-undeclared…).
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isTableGlob, TableGlobs } from "../src/util/table-glob.js";
import { FIXTURES, runCli, tempDir } from "./helpers.js";

/** An empty project holding only a config file (a .git folder stops the config search there). */
function withConfig(config: unknown): string {
  const dir = tempDir("own");
  mkdirSync(path.join(dir, ".git"));
  writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify(config));
  return dir;
}

describe("ownership config validation", () => {
  test.each([
    [{ owners: { "auth-user": "django" } }, /owners\."auth-user": "auth-user" is not a table name or glob/],
    [{ owners: { "a.b.c": "django" } }, /owners\."a\.b\.c": "a\.b\.c" is not a table name or glob/],
    [{ owners: { "auth_*": "djnago" } }, /owners\."auth_\*": expected one of django, alembic, external \(did you mean "django"\?\), found string "djnago"/],
    [{ owners: { "auth_*": 1 } }, /owners\."auth_\*": expected one of django, alembic, external, found number 1/],
    [{ owners: ["auth_*"] }, /owners: expected a table of "<table glob>" = "django" \| "alembic" \| "external", found an array/],
    [{ "external-tables": "auth_user" }, /external-tables: expected an array of table names or globs, found string "auth_user"/],
    [{ "external-tables": ["auth user"] }, /external-tables: "auth user" is not a table name or glob/],
    [{ handoffs: { tables: ["t"] } }, /handoffs: expected an array of \{ tables = \[\.\.\.\], from = /],
    [{ handoffs: [{ tables: ["legacy_orders"], from: "django", to: "django" }] }, /handoffs\[0\]\.to: expected the new owner, one of alembic, external, found string "django"/],
    [{ handoffs: [{ tables: ["legacy_orders"], form: "django", to: "alembic" }] }, /handoffs\[0\]\.form: unknown key \(did you mean "from"\?\); allowed: tables, from, to/],
    [{ handoffs: [{ tables: [], from: "django", to: "alembic" }] }, /handoffs\[0\]\.tables: expected a non-empty array of table names or globs, found an array/],
    [{ handoffs: [{ tables: ["legacy_orders"], from: "external", to: "alembic" }] }, /handoffs\[0\]\.from: expected "django" or "alembic" \(the side whose history is frozen\), found string "external"/],
    [{ rules: { unresolved: "off" } }, /rules\.unresolved: "unresolved" is now the rule "unknown-ownership"/],
  ])("%j: exit 2 naming the file and the key", (config, message) => {
    const run = runCli([withConfig(config), "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/\.tablewarden\.json: /);
    expect(run.stderr).toMatch(message);
  });

  test("valid ownership settings are accepted (JSON)", () => {
    const run = runCli([
      withConfig({ owners: { "auth_*": "django", "reporting.*": "external", "events_????": "alembic" }, "external-tables": ["pg_stat_statements"], handoffs: [{ tables: ["legacy_*"], from: "django", to: "alembic" }] }),
      "--format",
      "json",
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

describe("table globs", () => {
  test("what counts as a table glob", () => {
    for (const ok of ["auth_user", "auth_*", "events_????", "billing.*", "*.invoice", "public.auth_user", "$weird$"]) expect(isTableGlob(ok)).toBe(true);
    for (const bad of ["", "auth-user", "a.b.c", "auth user", "auth_[ab]", ".x", "x."]) expect(isTableGlob(bad)).toBe(false);
  });

  test("a pattern without a dot matches the name in any schema; with a dot, schema.name (public when unqualified)", () => {
    const g = new TableGlobs(["auth_*"]);
    expect(g.match(null, "auth_user")).toBe(0);
    expect(g.match("accounts", "auth_user")).toBe(0);
    expect(g.match(null, "shop_auth_user")).toBe(-1); // anchored at both ends
    const q = new TableGlobs(["billing.*", "public.events"]);
    expect(q.match("billing", "invoice")).toBe(0);
    expect(q.match(null, "invoice")).toBe(-1);
    expect(q.match(null, "events")).toBe(1);
    expect(q.match("public", "events")).toBe(1);
    expect(q.match("archive", "events")).toBe(-1);
  });

  test("an exact name wins over a glob wherever it is written; otherwise the first glob written wins", () => {
    const g = new TableGlobs(["billing_*", "*_refund", "billing_refund"]);
    expect(g.match(null, "billing_refund")).toBe(2);
    expect(g.match(null, "billing_invoice")).toBe(0);
    expect(g.match(null, "shop_refund")).toBe(1);
    const q = new TableGlobs(["*", "billing.invoice"]);
    expect(q.match("billing", "invoice")).toBe(1);
  });

  test("? is one character, and regex characters in names are literal", () => {
    const g = new TableGlobs(["events_????", "a$b"]);
    expect(g.match(null, "events_2024")).toBe(0);
    expect(g.match(null, "events_202")).toBe(-1);
    expect(g.match(null, "events_20245")).toBe(-1);
    expect(g.match(null, "a$b")).toBe(1);
    expect(g.match(null, "ab")).toBe(-1);
  });
});

describe("handoffs", () => {
  test("the frozen side's claims stop counting: no double-ownership, explain marks them handed over", () => {
    const dir = tempDir("handoff");
    cpSync(path.join(FIXTURES, "clean-ownership-handoff"), dir, { recursive: true });
    mkdirSync(path.join(dir, ".git"));
    const explain = runCli(["explain", "legacy_orders", dir]);
    expect(explain.stdout).toMatch(/legacy_orders: owner alembic \(config declares alembic: handoffs\[0\]\)/);
    expect(explain.stdout).toMatch(/legacy\/migrations\/0001_initial\.py:11 {2}django-migration creates \(handed over: not an owner\)/);
    // The same project without the declaration: both histories own the table.
    writeFileSync(path.join(dir, ".tablewarden.json"), "{}");
    const run = runCli([dir, "--format", "json"]);
    const findings = (JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; table?: string }> }).findings;
    expect(findings.filter((f) => f.ruleId === "double-ownership").map((f) => f.table)).toEqual(["legacy_orders"]);
    expect(run.status).toBe(1);
  });
});
