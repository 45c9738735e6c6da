/**
 * The deploy readers: migrate commands in their real spellings and wrappers, shell semantics
 * (`&`, `wait`, functions, `sh -c`), the on-demand parsers, bad deploy files, and the
 * `migration-order` option.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { classify } from "../src/extract/deploy/command.js";
import { advisoryLocks } from "../src/extract/deploy/text.js";
import { deployKindOf } from "../src/project/deploy-files.js";
import { FIXTURES, ROOT, runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";

function write(root: string, rel: string, content: string | Buffer): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/**
 * Run an ESM snippet in a child process and return what it prints as JSON. tree-sitter's native
 * binding is shared by every module registry of a jest worker, so tests never load it in-process.
 */
function inNode<T>(body: string): T {
  const dist = JSON.stringify(path.join(ROOT, "dist", "src"));
  const script =
    `const dist = ${dist};\n` +
    `const { commandsOfShell } = await import(dist + "/extract/deploy/command.js");\n` +
    `const { ShellParser } = await import(dist + "/shell/parse.js");\n` +
    `const shell = new ShellParser();\nconst origin = { file: "x.sh", line: 1, column: 1, indent: 0 };\n${body}`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T;
}

const SPELLINGS: Array<[string, string | null]> = [
  ["python manage.py migrate", "django"],
  ["./manage.py migrate --noinput", "django"],
  ["python3.12 -u src/manage.py migrate app 0003", "django"],
  ["django-admin migrate --settings=project.settings", "django"],
  ["python -m django migrate", "django"],
  ["poetry run python manage.py migrate", "django"],
  ["uv run --frozen manage.py migrate", "django"],
  ["pipenv run ./manage.py migrate", "django"],
  ["exec gosu app python manage.py migrate", "django"],
  ["env DJANGO_SETTINGS_MODULE=project.settings python manage.py migrate", "django"],
  ["docker compose run --rm -e X=1 web python manage.py migrate", "django"],
  ["alembic upgrade head", "alembic"],
  ["alembic -c api/alembic.ini upgrade heads", "alembic"],
  ["alembic --config=alembic.ini -x tenant=a upgrade head", "alembic"],
  ["python -m alembic upgrade head", "alembic"],
  ["/opt/venv/bin/alembic upgrade head", "alembic"],
  ["flask --app api db upgrade", "alembic"],
  ['sh -c "python manage.py migrate && alembic upgrade head"', "django,alembic"],
  ["bash -ec 'alembic upgrade head'", "alembic"],
  ["python manage.py migrate --plan", null],
  ["python manage.py migrate --check", null],
  ["alembic upgrade head --sql", null],
  ["alembic downgrade -1", null],
  ["python manage.py makemigrations --check", "django-command"],
  ["make migrate", "make"],
  ["./docker/entrypoint.sh", "script"],
  ["pytest --nomigrations", "test"],
  ["gunicorn project.wsgi", null],
];

describe("migrate commands", () => {
  test("every spelling is recognised (or ignored) as real deploys write it", () => {
    const got = inNode<Record<string, string | null>>(
      `const lines = ${JSON.stringify(SPELLINGS.map(([l]) => l))};\n` +
        "const out = {};\n" +
        "for (const l of lines) out[l] = commandsOfShell(shell, l, origin).map((c) => (c.inv.kind === 'migrate' ? c.inv.tool : c.inv.kind)).join(',') || null;\n" +
        "console.log(JSON.stringify(out));",
    );
    expect(got).toEqual(Object.fromEntries(SPELLINGS));
  });

  test("classify reads words, not text", () => {
    expect(classify(["python", "manage.py", "migrate"])).toEqual({ kind: "migrate", tool: "django" });
    expect(classify(["make", "-C", "backend", "migrate", "PY=python3"])).toEqual({ kind: "make", targets: ["migrate"], dir: "backend" });
  });

  test("background, wait, functions and conditions in a script, with positions", () => {
    const text = 'set -e\nrun() {\n  ./manage.py migrate &\n}\nrun\nalembic upgrade head\nwait\nif [ -n "$X" ]; then alembic upgrade head; fi\n';
    const cmds = inNode<Array<{ inv: { kind: string; tool?: string }; loc: { file: string; line: number; column: number; endLine: number; endColumn: number }; background: boolean; conditional: boolean }>>(
      `console.log(JSON.stringify(commandsOfShell(shell, ${JSON.stringify(text)}, origin)));`,
    );
    expect(cmds.map((c) => [c.inv.kind === "migrate" ? c.inv.tool : c.inv.kind, c.loc.line, c.background, c.conditional])).toEqual([
      ["django", 3, true, false],
      ["alembic", 6, false, false],
      ["wait", 7, false, false],
      ["alembic", 8, false, true],
    ]);
    expect(cmds[1]!.loc).toEqual({ file: "x.sh", line: 6, column: 1, endLine: 6, endColumn: 21 });
  });

  test("deploy files are recognised by name", () => {
    expect(deployKindOf("Dockerfile")).toBe("dockerfile");
    expect(deployKindOf("docker/Dockerfile.prod")).toBe("dockerfile");
    expect(deployKindOf("docker-compose.override.yml")).toBe("compose");
    expect(deployKindOf(".github/workflows/ci.yml")).toBe("github-actions");
    expect(deployKindOf(".gitlab-ci.yml")).toBe("gitlab-ci");
    expect(deployKindOf("chart/templates/job.yaml")).toBe("kubernetes");
    expect(deployKindOf("chart/values.yaml")).toBeNull();
    expect(deployKindOf("config/settings.yaml")).toBeNull();
    expect(deployKindOf("Procfile")).toBe("procfile");
    expect(deployKindOf("fly.toml")).toBe("fly");
  });
});

describe("deploy pipeline", () => {
  test("the deploy side reads no file the scan has read (env.py, settings, a management command, ini files)", () => {
    const dir = tempDir("deploy-reads");
    cpSync(path.join(FIXTURES, "unserialized-migrations-advisory-lock-keys"), dir, { recursive: true });
    // Every open of a project file, counted by a preloaded wrapper of node:fs.
    const preload = path.join(dir, "count-opens.cjs");
    writeFileSync(
      preload,
      `const fs = require("node:fs"); const counts = {}; const root = ${JSON.stringify(dir + path.sep)};\n` +
        `for (const name of ["openSync", "readFileSync"]) { const real = fs[name]; fs[name] = function (p, ...rest) { if (typeof p === "string" && p.startsWith(root)) counts[p.slice(root.length)] = (counts[p.slice(root.length)] ?? 0) + 1; return real.call(this, p, ...rest); }; }\n` +
        `process.on("exit", () => process.stderr.write(JSON.stringify(counts)));\n`,
    );
    const script = `const { lint } = await import(${JSON.stringify(path.join(ROOT, "dist", "src", "lint.js"))});\nconst r = await lint({ paths: [${JSON.stringify(dir)}], cache: false, workers: 0 });\nconsole.log(JSON.stringify(r.findings.map((f) => f.loc.file)));`;
    const r = spawnSync(process.execPath, ["-r", preload, "--input-type=module", "-e", script], { encoding: "utf8" });
    const counts = JSON.parse(r.stderr) as Record<string, number>;
    const withFindings = new Set(JSON.parse(r.stdout) as string[]);
    for (const f of ["alembic/env.py", "project/settings.py", "shop/management/commands/migrate_locked.py", "alembic.ini", "docker-compose.yml"]) expect([f, counts[f]]).toEqual([f, 1]);
    // Only a file with findings is read again, for the text of the finding's line (its fingerprint).
    for (const [f, n] of Object.entries(counts)) if (n > 1) expect([f, withFindings.has(f)]).toEqual([f, true]);
  });

  test("an editor's unsaved buffer counts for the files the deploy rules read (an advisory lock's key), not the disk", () => {
    const dir = path.join(FIXTURES, "unserialized-migrations-advisory-lock-keys");
    const rel = "shop/management/commands/migrate_locked.py";
    const onDisk = readFileSync(path.join(dir, rel), "utf8");
    expect(onDisk).toContain("MIGRATION_LOCK_ID = 7202");
    const rules = (text: string) => (JSON.parse(runCli(["--stdin", "--stdin-filename", rel, "-f", "json", "--no-cache"], dir, text).stdout) as JsonReport).findings.map((f) => f.ruleId);
    expect(rules(onDisk)).toContain("unserialized-migrations");
    // The same key as env.py's lock in the buffer: both sides take one lock.
    expect(rules(onDisk.replace("7202", "7201"))).not.toContain("unserialized-migrations");
  });

  test("parsers load only when the project has deploy files", () => {
    const probe = (dir: string) => {
      const script =
        `import { createRequire } from "node:module";\n` +
        `const { lint } = await import(${JSON.stringify(path.join(ROOT, "dist", "src", "lint.js"))});\n` +
        `await lint({ paths: [${JSON.stringify(dir)}] });\n` +
        `const keys = Object.keys(createRequire(import.meta.url).cache);\n` +
        `console.log(JSON.stringify(["tree-sitter-bash", "/yaml/", "dockerfile-ast"].map((m) => keys.some((k) => k.includes(path.sep + "node_modules" + path.sep) && k.includes(m)))));\n`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import path from "node:path";\n${script}`], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      return JSON.parse(r.stdout) as boolean[];
    };
    expect(probe(path.join(FIXTURES, "clean-pure-django"))).toEqual([false, false, false]);
    expect(probe(path.join(FIXTURES, "unserialized-migrations-compose"))).toEqual([true, true, true]);
  });

  test("bad deploy files: invalid YAML, binary, huge, broken TOML/JSON are named; the rest is still linted", () => {
    const root = tempDir("deploy-bad");
    cpSync(path.join(FIXTURES, "unserialized-migrations-compose"), root, { recursive: true });
    write(root, "deploy/compose.yaml", "services:\n  web:\n    command: [unclosed\n  api: {\n");
    write(root, "other/Dockerfile", Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x00, 0x01]));
    write(root, "scripts/huge.sh", "echo padding padding padding padding\n".repeat(70_000));
    write(root, "fly.toml", "[deploy\nrelease_command = \n");
    write(root, "app.json", "{ not json");
    write(root, ".github/workflows/ci.yml", "jobs:\n  a: [\n");
    const run = runCli([root, "--format", "json"]);
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as JsonReport;
    const by = (id: string) => report.findings.filter((f) => f.ruleId === id).map((f) => f.file).sort();
    expect(by("syntax-error")).toEqual([".github/workflows/ci.yml", "app.json", "deploy/compose.yaml", "fly.toml"]);
    expect(by("skipped-file")).toEqual(["other/Dockerfile", "scripts/huge.sh"]);
    expect(by("unserialized-migrations")).toEqual(["docker-compose.yml"]);
    expect(run.status).toBe(1);
  });

  test("never for a project with one migrator: Alembic only, with concurrent migrate commands", () => {
    const root = tempDir("deploy-alembic-only");
    cpSync(path.join(FIXTURES, "clean-pure-alembic"), root, { recursive: true });
    write(root, "docker-compose.yml", 'services:\n  a:\n    command: alembic upgrade head\n  b:\n    command: sh -c "python manage.py migrate"\n');
    write(root, "Procfile", "release: alembic upgrade head && python manage.py migrate\n");
    const report = JSON.parse(runCli([root, "--format", "json"]).stdout) as JsonReport;
    expect(report.findings.filter((f) => /migrations|migration-order|from-scratch/.test(f.ruleId))).toEqual([]);
  });

  test("a compose race comes with a pasteable fix: one migrate service, Django first, that the others wait for", () => {
    const run = runCli([path.join(FIXTURES, "unserialized-migrations-compose"), "--format", "json"]);
    const f = (JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; suggestion?: { snippet: string } }> }).findings.find((x) => x.ruleId === "unserialized-migrations");
    expect(f?.suggestion?.snippet).toBe(
      "services:\n  migrate:\n    # the image web uses\n    command: sh -c \"python manage.py migrate --noinput && alembic upgrade head\"\n" +
        "  web:\n    # drop the migrate command from this service\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n" +
        "  api:\n    # drop the migrate command from this service\n    depends_on:\n      migrate:\n        condition: service_completed_successfully",
    );
  });

  test("elsewhere the fix is one advisory lock whose key both sides' detectors read as the same", () => {
    const run = runCli([path.join(FIXTURES, "unserialized-migrations-kubernetes-jobs"), "--format", "json", "--no-cache"]);
    const f = (JSON.parse(run.stdout) as { findings: Array<{ ruleId: string; suggestion?: { message: string; snippet: string } }> }).findings.find((x) => x.ruleId === "unserialized-migrations");
    expect(f?.suggestion?.message).toMatch(/advisory lock/);
    const [alembicSide, djangoSide] = f!.suggestion!.snippet.split("# myapp/management/commands/");
    const keys = (text: string) => advisoryLocks("x.py", text).filter((l) => /advisory_lock/.test(l.text)).map((l) => l.key);
    expect(keys(alembicSide!)).toEqual(["72707369"]);
    expect(keys(djangoSide!)).toEqual(["72707369"]);
  });

  test("fly.toml, render.yaml and app.json", () => {
    const root = tempDir("deploy-platforms");
    cpSync(path.join(FIXTURES, "clean-compose-completed-dependency"), root, { recursive: true });
    write(root, "fly.toml", 'app = "shop"\n\n[deploy]\n  release_command = "sh -c \'alembic upgrade head && python manage.py migrate\'"\n\n[processes]\n  web = "gunicorn project.wsgi"\n');
    write(root, "render.yaml", "services:\n  - type: web\n    name: shop\n    preDeployCommand: python manage.py migrate\n  - type: web\n    name: api\n    preDeployCommand: alembic upgrade head\n");
    write(root, "app.json", JSON.stringify({ scripts: { postdeploy: "python manage.py migrate && alembic upgrade head" } }, null, 2));
    const report = JSON.parse(runCli([root, "--format", "json"]).stdout) as JsonReport;
    const got = report.findings.filter((f) => f.ruleId !== "no-from-scratch-migration-test").map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column} ${f.related.map((r) => `${r.file}:${r.line}`).join(",")}`);
    expect(got).toEqual(["migration-order fly.toml:4:29 fly.toml:4", "unserialized-migrations render.yaml:7:23 render.yaml:4"]);
  });

  test("migration-order: option order=alembic-first flips which pipeline is reported", () => {
    const reported = (fixture: string, order: string) => {
      const root = tempDir("deploy-order");
      cpSync(path.join(FIXTURES, fixture), root, { recursive: true });
      write(root, ".tablewarden.json", JSON.stringify({ rules: { "migration-order": ["warning", { order }] } }));
      const report = JSON.parse(runCli([root, "--format", "json"]).stdout) as JsonReport;
      return report.findings.filter((f) => f.ruleId === "migration-order").map((f) => `${f.file}:${f.line}`);
    };
    expect(reported("migration-order-procfile-release", "django-first")).toEqual(["Procfile:1"]);
    expect(reported("migration-order-procfile-release", "alembic-first")).toEqual([]);
    expect(reported("clean-procfile-release-script", "alembic-first")).toEqual(["Makefile:8"]);
  });

  test("migration-order: an order outside the allowed values is a configuration error", () => {
    const root = tempDir("deploy-cfg");
    cpSync(path.join(FIXTURES, "migration-order-procfile-release"), root, { recursive: true });
    write(root, ".tablewarden.json", JSON.stringify({ rules: { "migration-order": ["warning", { order: "django-frist" }] } }));
    const run = runCli([root, "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/rules\.migration-order\.order: expected one of django-first, alembic-first, found string "django-frist" \(did you mean "django-first"\?\)/);
  });
});
