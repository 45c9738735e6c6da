/**
 * Where users run tablewarden on part of a project: a sub-folder or one file (project-root detection),
 * an editor's unsaved buffer (--stdin), a legacy project (baseline), and the include / settings-module keys.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";
import { findProjectRoot } from "../src/project/root.js";
import { applyBaseline, buildBaseline, normaliseMessage } from "../src/engine/baseline.js";
import type { Finding } from "../src/types.js";

type Report = JsonReport & { summary: JsonReport["summary"] & { baselined?: number } };

function shopCopy(): string {
  const dir = tempDir("proj");
  cpSync(path.join(FIXTURES, "example-shop"), dir, { recursive: true });
  return dir;
}

const json = (args: string[], cwd?: string, input?: string) => {
  const run = runCli([...args, "-f", "json"], cwd, input);
  return { run, doc: run.stdout ? (JSON.parse(run.stdout) as Report) : null };
};

const concerns = (f: Report["findings"][number], prefix: string) => f.file.startsWith(prefix) || f.related.some((r) => r.file.startsWith(prefix));

describe("project-root detection", () => {
  test("a sub-folder: the whole project is analysed, findings in or related to that folder are reported", () => {
    const dir = shopCopy();
    const whole = json([dir]).doc!;
    const { run, doc } = json([path.join(dir, "shop")]);
    expect(run.status).toBe(1);
    // The Alembic revision that creates shop_order is outside shop/, but its other side is inside.
    const double = doc!.findings.find((f) => f.ruleId === "double-ownership")!;
    expect(double.file).toBe("alembic/versions/3f1c2a9b7d10_create_api_keys_and_events.py");
    expect(doc!.findings.map((f) => `${f.ruleId} ${f.table}`)).toEqual(whole.findings.filter((f) => concerns(f, "shop/")).map((f) => `${f.ruleId} ${f.table}`));
    expect(doc!.findings.some((f) => f.table === "auth_user")).toBe(false);
    expect(doc!.findings.length).toBeLessThan(whole.findings.length);
  });

  test("one file, given relative to the working directory: its findings, paths relative to the project root", () => {
    const dir = shopCopy();
    const { doc } = json(["models.py"], path.join(dir, "api"));
    expect(doc!.findings.map((f) => `${f.ruleId} ${f.file}`)).toEqual(["readonly-model-in-target-metadata api/models.py"]);
  });

  test("--project-root overrides detection; a path outside it is a usage error", () => {
    const dir = shopCopy();
    const { doc } = json([path.join(dir, "api"), "--project-root", path.join(dir, "api")]);
    expect(doc!.findings).toEqual([]); // api/ alone has no Django side
    expect(runCli([dir, "--project-root", path.join(dir, "api")]).status).toBe(2);
  });

  test("findProjectRoot: config first, else the topmost marker below the repository root, else the path", () => {
    const top = tempDir("root");
    const repo = path.join(top, "repo");
    mkdirSync(path.join(repo, ".git"), { recursive: true });
    mkdirSync(path.join(repo, "backend", "plugin", "pkg"), { recursive: true });
    writeFileSync(path.join(top, "manage.py"), ""); // above the repository: never the root
    writeFileSync(path.join(repo, "pyproject.toml"), '[project]\nname = "x"\n');
    writeFileSync(path.join(repo, "backend", "manage.py"), "");
    writeFileSync(path.join(repo, "backend", "plugin", "alembic.ini"), "");
    const file = path.join(repo, "backend", "plugin", "pkg", "models.py");
    expect(findProjectRoot(file)).toEqual({ root: repo, reason: "marker" });
    writeFileSync(path.join(repo, "backend", ".tablewarden.json"), "{}");
    expect(findProjectRoot(file)).toEqual({ root: path.join(repo, "backend"), reason: "config" });
    writeFileSync(path.join(repo, "backend", "plugin", "pyproject.toml"), "[tool.tablewarden]\n");
    expect(findProjectRoot(path.join(repo, "backend", "plugin", "pkg"))).toEqual({ root: path.join(repo, "backend", "plugin"), reason: "config" });
    const loose = path.join(tempDir("loose"), "models");
    mkdirSync(loose);
    expect(findProjectRoot(loose)).toEqual({ root: loose, reason: "given" });
  });
});

describe("--stdin --stdin-filename", () => {
  test("the buffer replaces the file in memory only; findings concern that file", () => {
    const dir = shopCopy();
    const models = path.join(dir, "api", "models.py");
    const onDisk = readFileSync(models, "utf8");
    const same = json(["--stdin", "--stdin-filename", "api/models.py"], dir, onDisk);
    expect(same.doc!.findings.map((f) => f.ruleId)).toEqual(["readonly-model-in-target-metadata"]);
    const edited = onDisk.slice(0, onDisk.indexOf("class User(Base):"));
    const fixed = json(["--stdin", "--stdin-filename", "api/models.py"], dir, edited);
    expect(fixed.run.status).toBe(0);
    expect(fixed.doc!.findings).toEqual([]);
    expect(readFileSync(models, "utf8")).toBe(onDisk);
  });

  test("a new, unsaved file is linted with the project around it", () => {
    const dir = shopCopy();
    const text = readFileSync(path.join(dir, "api", "models.py"), "utf8").replace(/class ApiKey[\s\S]*/, "") + 'class Tag(Base):\n    __tablename__ = "shop_tag"\n    id = Column(Integer, primary_key=True)\n';
    writeFileSync(path.join(dir, "api", "models.py"), `${readFileSync(path.join(dir, "api", "models.py"), "utf8")}\nfrom api import tags  # noqa: F401\n`);
    const { doc } = json(["--stdin", "--stdin-filename", path.join(dir, "api", "tags.py")], dir, text);
    expect(existsSync(path.join(dir, "api", "tags.py"))).toBe(false);
    expect(doc!.findings.some((f) => f.file === "api/tags.py" && f.table === "shop_tag")).toBe(true);
    expect(doc!.findings.every((f) => concerns(f, "api/tags.py"))).toBe(true);
  });

  test("--stdin without --stdin-filename, and the reverse, are usage errors", () => {
    expect(runCli([FIXTURES, "--stdin"], undefined, "").status).toBe(2);
    const run = runCli(["--stdin-filename", "x.py"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--stdin-filename is used with --stdin/);
  });
});

describe("baseline", () => {
  test("--write-baseline records today's findings; --baseline reports only new ones, after lines moved", () => {
    const dir = shopCopy();
    const file = path.join(dir, "tablewarden-baseline.json");
    const before = json([dir]).doc!;
    const write = runCli([dir, "--write-baseline", file]);
    expect(write.status).toBe(0);
    expect(write.stdout).toBe("");
    expect(write.stderr).toMatch(new RegExp(`recorded ${before.findings.length} findings`));
    const baselined = json([dir, "--baseline", file]);
    expect(baselined.run.status).toBe(0);
    expect(baselined.doc!.findings).toEqual([]);
    expect(baselined.doc!.summary.baselined).toBe(before.findings.length);
    expect(runCli([dir, "--baseline", file, "--no-color"]).stdout).toMatch(/0 errors, 0 warnings, 0 infos in \d+ files scanned \(16 more in the baseline\)/);

    // Move every reported line (and the lines messages quote) down: nothing resurfaces.
    for (const rel of ["api/models.py", "shop/models.py", "project/settings.py", "alembic/env.py", "alembic/versions/3f1c2a9b7d10_create_api_keys_and_events.py"]) {
      const p = path.join(dir, rel);
      writeFileSync(p, `# moved\n\n\n${readFileSync(p, "utf8")}`);
    }
    const moved = json([dir]).doc!;
    expect(moved.findings.map((f) => f.line)).toEqual(before.findings.map((f) => f.line + 3));
    expect(json([dir, "--baseline", file]).doc!.findings).toEqual([]);

    // A new finding is reported, the old ones stay baselined.
    const api = path.join(dir, "api", "models.py");
    writeFileSync(api, `${readFileSync(api, "utf8")}\n\nclass Session(Base):\n    __tablename__ = "django_session"\n\n    session_key = Column(String(40), primary_key=True)\n`);
    const after = json([dir, "--baseline", file]);
    expect(after.run.status).toBe(1);
    expect(after.doc!.findings.map((f) => `${f.ruleId} ${f.table}`)).toEqual(["readonly-model-in-target-metadata django_session"]);
    // Every other finding of today's run is baselined (mapping django_session also retires its not-excluded warning).
    expect(after.doc!.summary.baselined).toBe(json([dir]).doc!.findings.length - 1);
  });

  test("a fingerprint's count: one baselined duplicate lets one through, not two", () => {
    const f = (line: number): Finding => ({ ruleId: "r", severity: "error", message: `m (a.py:${line})`, loc: { file: "a.py", line, column: 1, endLine: line, endColumn: 2 }, related: [], fingerprint: "same" });
    const baseline = buildBaseline([f(1)]);
    expect(baseline.entries).toEqual([{ fingerprint: "same", count: 1, ruleId: "r", file: "a.py", message: "m (a.py:1)" }]);
    const { findings, baselined } = applyBaseline([f(10), f(20)], baseline);
    expect(baselined).toBe(1);
    expect(findings.map((x) => x.loc.line)).toEqual([20]);
    expect(normaliseMessage("created by model shop.Order (shop/models.py:22) and line 7")).toBe("created by model shop.Order (shop/models.py) and line");
    // Ranges with a hyphen or an en dash (U+2013, written as an escape so the bundle stays ASCII).
    expect(normaliseMessage("see lines 3-7 and lines 12\u201314")).toBe("see line and line");
  });

  test("a missing or malformed baseline file is a usage error naming it", () => {
    const dir = tempDir("bl");
    const shop = path.join(FIXTURES, "example-shop");
    expect(runCli([shop, "--baseline", path.join(dir, "none.json")]).stderr).toMatch(/--baseline: cannot read .*none\.json \(ENOENT\); create it with --write-baseline/);
    writeFileSync(path.join(dir, "bad.json"), '{"findings": []}');
    const bad = runCli([shop, "--baseline", path.join(dir, "bad.json")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: not a tablewarden baseline/);
  });
});

describe("include and settings-module", () => {
  test("include: only matching files are read", () => {
    const dir = shopCopy();
    writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify({ include: ["shop/**", "project/**", "alembic/**", "alembic.ini", "manage.py"] }));
    const ids = json([dir]).doc!.findings.map((f) => f.ruleId);
    expect(ids).toContain("django-table-not-excluded");
    expect(ids).not.toContain("readonly-model-in-target-metadata"); // api/ is not read
  });

  test("settings-module: that settings module, not every module setting INSTALLED_APPS", () => {
    const dir = shopCopy();
    writeFileSync(path.join(dir, "project", "settings_api.py"), 'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "shop.apps.ShopConfig"]\n');
    const tables = (d: Report) => new Set(d.findings.filter((f) => f.ruleId === "django-table-not-excluded").map((f) => f.table));
    expect(tables(json([dir]).doc!).has("django_session")).toBe(true);
    writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify({ "settings-module": "project.settings_api" }));
    const chosen = tables(json([dir]).doc!);
    expect(chosen.has("django_session")).toBe(false);
    expect(chosen.has("auth_group")).toBe(true);
    writeFileSync(path.join(dir, ".tablewarden.json"), JSON.stringify({ "settings-module": "project.nope" }));
    const missing = json([dir]).doc!;
    expect(missing.findings.find((f) => f.ruleId === "unresolved" && f.message.includes("project.nope"))?.severity).toBe("warning");
    expect(tables(missing).has("django_session")).toBe(true); // detection as before
  });
});
