/**
 * Bad input never crashes the run: each problem is reported against its file, the rest of the
 * project is still linted, and exit code 2 is kept for usage errors.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";

function write(root: string, rel: string, content: string | Buffer): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** A tiny shared-schema project whose env.py has no filters: django_migrations must be reported. */
function project(): string {
  const root = tempDir("bad");
  write(root, "project/__init__.py", "");
  write(root, "project/settings.py", 'INSTALLED_APPS = ["django.contrib.contenttypes", "shop"]\n');
  write(root, "shop/__init__.py", "");
  write(root, "shop/models.py", "from django.db import models\n\nclass Order(models.Model):\n    total = models.IntegerField()\n");
  write(root, "api/__init__.py", "");
  write(root, "api/db.py", "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n");
  write(root, "alembic.ini", "[alembic]\nscript_location = alembic\n");
  write(
    root,
    "alembic/env.py",
    "from alembic import context\nfrom api.db import Base\ntarget_metadata = Base.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n",
  );
  return root;
}

function lintJson(root: string) {
  const run = runCli([root, "--format", "json"]);
  return { run, report: JSON.parse(run.stdout || "{}") as JsonReport };
}

describe("bad input", () => {
  test("syntax error, non-UTF-8, binary, 5 MB and circular-import files: reported, rest still linted", () => {
    const root = project();
    write(root, "shop/broken.py", "from django.db import models\nclass Broken(models.Model:\n    x = models.IntegerField(\n");
    write(root, "shop/latin1.py", Buffer.from("# caf\xe9 models\nfrom django.db import models\n", "latin1"));
    write(root, "shop/blob.py", Buffer.from([0x6d, 0x6f, 0x64, 0x65, 0x6c, 0x73, 0x00, 0x01, 0x02]));
    write(root, "shop/huge.py", "# models\n" + "x = 1  # padding to make a very large generated module\n".repeat(100_000));
    write(root, "api/a.py", "from api.b import B\nfrom sqlalchemy import Table\nclass A(B):\n    pass\n");
    write(root, "api/b.py", "from api.a import A\nfrom sqlalchemy import Table\nclass B(A):\n    pass\n");
    const { run, report } = lintJson(root);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    const byRule = (id: string) => report.findings.filter((f) => f.ruleId === id).map((f) => f.file);
    expect(byRule("syntax-error")).toContain("shop/broken.py");
    expect(byRule("encoding")).toEqual(["shop/latin1.py"]);
    expect(byRule("skipped-file").sort()).toEqual(["shop/blob.py", "shop/huge.py"]);
    // The rest of the project is still linted.
    expect(byRule("missing-django-migrations-exclusion")).toEqual(["alembic/env.py"]);
    expect(report.findings.find((f) => f.ruleId === "django-table-not-excluded" && f.table === "shop_order")).toBeDefined();
  });

  test("a coding cookie is honoured", () => {
    const root = project();
    write(root, "shop/models.py", Buffer.from("# -*- coding: latin-1 -*-\nfrom django.db import models\n\nclass Caf\xe9(models.Model):\n    pass\n", "latin1"));
    const { report } = lintJson(root);
    expect(report.findings.filter((f) => f.ruleId === "encoding")).toEqual([]);
  });

  test("CRLF line endings and a BOM", () => {
    const root = project();
    write(root, "shop/models.py", "\ufefffrom django.db import models\r\n\r\nclass Order(models.Model):\r\n    total = models.IntegerField()\r\n");
    const { report } = lintJson(root);
    expect(report.findings.find((f) => f.table === "shop_order")).toBeDefined();
  });

  test("an empty directory is clean", () => {
    const root = tempDir("empty");
    const { run, report } = lintJson(root);
    expect(run.status).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ errors: 0, warnings: 0, infos: 0, filesScanned: 0 });
  });

  test("a path that does not exist: exit 2 with a clear message", () => {
    const run = runCli(["/definitely/not/here", "--format", "json"]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/path does not exist: \/definitely\/not\/here/);
  });

  test("an ini file that is not alembic's, and an env.py with no configure call", () => {
    const root = project();
    write(root, "setup.cfg.ini", "this is not [an ini\n= nothing\n");
    write(root, "other/env.py", "import os\nprint(os.environ)\n");
    const { run } = lintJson(root);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
  });
});
