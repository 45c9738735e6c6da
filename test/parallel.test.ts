/**
 * Worker threads change the time a run takes, nothing else: same findings, same parsed order, same
 * diagnostics, a facts cache filled alike, and a worker that fails is replaced by the main thread.
 * lint() runs in a fresh process (test/parallel-probe.ts): jest cannot load tree-sitter twice.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { availableParallelism } from "node:os";
import { claim, drain, workerPlan, requestedWorkers } from "../src/project/parallel.js";
import type { ScanResult } from "../src/project/scan.js";
import { generate } from "./bench/generate.js";
import { ROOT, runCli, tempDir } from "./helpers.js";
import type { JsonReport } from "./helpers.js";

const PROBE = path.join(ROOT, "dist", "test", "parallel-probe.js");

function probe<T>(args: string[]): T {
  const r = spawnSync(process.execPath, [PROBE, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as T;
}

interface Linted {
  findings: unknown[];
  project: unknown;
  parsed: number;
  bytes: number;
  workers: number;
  ahead: number;
}

function write(root: string, rel: string, content: string | Buffer): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A generated shared-schema tree above the worker threshold, made to have findings and bad files. */
function project(): string {
  const root = tempDir("parallel");
  generate(root, { name: "t", pyFiles: 1_100, djangoMigrations: 60, alembicRevisions: 12, sqlaModels: 12 });
  // No autogenerate filter: every Django table is a finding.
  write(root, "alembic/env.py", "from alembic import context\nfrom api.db import Base\nimport api.models  # noqa\n\ntarget_metadata = Base.metadata\n\ndef run_migrations_online():\n    context.configure(connection=None, target_metadata=target_metadata)\n");
  // Raw SQL in Django migrations: workers leave these files to the main thread, the only one that loads the PostgreSQL parser.
  for (let i = 0; i < 30; i++) {
    write(
      root,
      `apps/app${String(i).padStart(4, "0")}/migrations/9000_raw_sql.py`,
      `from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL("CREATE TABLE raw_${i} (id integer primary key); ALTER TABLE raw_${i} ADD COLUMN x integer")]\n`,
    );
  }
  // Raw SQL in a revision: the PostgreSQL parser loads where the file is parsed.
  write(
    root,
    "alembic/versions/9999_raw.py",
    'from alembic import op\n\nrevision = "r999"\ndown_revision = "r11"\n\n\ndef upgrade():\n    op.execute("CREATE TABLE app0000_model0 (id integer primary key)")\n    op.execute("ALTER TABLE app0001_model0 ADD COLUMN x integer")\n',
  );
  // A model module whose base class comes through a chain of files the prefilter passes over (the linker
  // loads them all; with workers they are parsed ahead), the last of which imports a file that cannot parse.
  write(root, "apps/app0000/models.py", "from django.db import models\nfrom common.c0 import Stamped\n\n\nclass Item0(Stamped, models.Model):\n    name = models.CharField(max_length=100)\n");
  write(root, "common/__init__.py", "");
  for (let i = 0; i < 40; i++) {
    const next = i === 39 ? "import common.broken  # noqa\n\n\nclass Base:\n    pass\n" : `from common.c${i + 1} import Stamped as Base\n`;
    write(root, `common/c${i}.py`, `${next}\n\nclass Stamped(Base):\n    created = None\n`);
  }
  write(root, "common/broken.py", "def broken(:\n    pass\n");
  write(root, "services/blob.py", Buffer.from([0x6d, 0x00, 0x01]));
  write(root, "services/latin.py", Buffer.from("# caf\xe9\nfrom django.db import models\n", "latin1"));
  write(root, "services/huge.py", "# models\n" + "x = 1\n".repeat(500_000));
  return root;
}

describe("worker threads", () => {
  test("the CLI's JSON is the same byte for byte with and without workers, and the project facts too", () => {
    const root = project();
    const runs = ["0", "1", "2"].map((n) => runCli([root, "--format", "json", "--no-cache"], root, undefined, { TABLEWARDEN_WORKERS: n }));
    const report = JSON.parse(runs[0]!.stdout) as JsonReport;
    expect(report.findings.filter((f) => f.ruleId === "django-table-not-excluded").length).toBeGreaterThan(30);
    expect(report.findings.filter((f) => f.file === "alembic/versions/9999_raw.py").length).toBeGreaterThan(0);
    expect(report.findings.filter((f) => ["encoding", "skipped-file"].includes(f.ruleId)).map((f) => f.file).sort()).toEqual(["services/blob.py", "services/huge.py", "services/latin.py"]);
    for (const r of runs) {
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(runs[0]!.stdout);
    }
    const alone = probe<Linted>(["lint", root, "0"]);
    const threaded = probe<Linted>(["lint", root, "2"]);
    expect(alone.workers).toBe(0);
    // The workers really took part (not all of their files left to the main thread).
    expect(threaded.workers).toBeGreaterThan(0);
    // With workers, the files that model modules import were parsed ahead of linking (alone: when the linker asked).
    expect(alone.ahead).toBe(0);
    expect(threaded.ahead).toBeGreaterThan(20);
    // Parsing ahead follows every import of the closure; the linker may need fewer of them.
    expect(threaded.parsed).toBeGreaterThanOrEqual(alone.parsed);
    const same = (l: Linted) => JSON.stringify({ ...l, workers: 0, ahead: 0, parsed: 0, bytes: 0 });
    expect(same(threaded)).toBe(same(alone));
  });

  test("facts parsed by workers fill the cache; a touched tree is answered by content without parsing", () => {
    const root = project();
    const cache = tempDir("parallel-cache");
    const cold = probe<Linted>(["lint", root, "2", cache]);
    expect(cold.parsed).toBeGreaterThan(90);
    const warm = probe<Linted>(["lint", root, "2", cache]);
    expect(warm.parsed).toBe(0);
    expect(JSON.stringify(warm.findings)).toBe(JSON.stringify(cold.findings));
    // A fresh checkout: every time changed, no content did. Files are read and hashed, and none parsed.
    const later = new Date(Date.now() - 10_000);
    for (const f of readdirSync(root, { recursive: true, encoding: "utf8" })) if (f.endsWith(".py")) utimesSync(path.join(root, f), later, later);
    const touched = probe<Linted>(["lint", root, "2", cache]);
    expect(touched.parsed).toBe(0);
    expect(JSON.stringify(touched.findings)).toBe(JSON.stringify(cold.findings));
  });

  test("a worker that cannot start, or dies holding a chunk, leaves its files to the main thread", () => {
    const root = tempDir("parallel-fail");
    for (let i = 0; i < 200; i++) write(root, `m${String(i).padStart(3, "0")}/models.py`, `from django.db import models\n\nclass M${i}(models.Model):\n    n = models.IntegerField()\n`);
    // Claims chunks and dies without a word; claims one and throws.
    write(root, "dying-worker.mjs", "import { workerData } from 'node:worker_threads';\nconst c = new Int32Array(workerData.counter);\nAtomics.add(c, 0, 32); Atomics.add(c, 0, 32);\nprocess.exit(3);\n");
    write(root, "throwing-worker.mjs", "import { workerData } from 'node:worker_threads';\nAtomics.add(new Int32Array(workerData.counter), 0, 32);\nthrow new Error('boom');\n");
    const r = probe<{ files: number; alone: string; missing: string; dying: string; throwing: string }>(["fail", root]);
    expect(r.files).toBe(200);
    expect(r.alone).toContain('"kind":"parsed"');
    expect(r.missing).toBe(r.alone);
    expect(r.dying).toBe(r.alone);
    expect(r.throwing).toBe(r.alone);
  });

  test("the CLI bundle's worker entry (dist/bundle/parse-worker.cjs) scans as the modules do, and waits for later batches", () => {
    const root = tempDir("parallel-bundled");
    for (let i = 0; i < 200; i++) write(root, `m${String(i).padStart(3, "0")}/models.py`, `from django.db import models\n\nclass M${i}(models.Model):\n    n = models.IntegerField()\n`);
    for (let i = 0; i < 40; i++) write(root, `util/u${i}.py`, `def helper_${i}():\n    return ${i}\n`);
    // Raw SQL in a migration wants the PostgreSQL parser, which only the main thread loads: the worker hands it back as read.
    const raw = 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL("CREATE TABLE t_raw (id int)")]\n';
    write(root, "m100/migrations/0002_raw.py", raw);
    const r = probe<{ alone: string; aloneForced: string; bundled: string; forced: string; chunks: number; left: Array<{ rel: string; text: string; readMs: number }> }>([
      "bundled",
      root,
      path.join(ROOT, "dist", "bundle", "parse-worker.cjs"),
    ]);
    expect(r.alone).toContain('"kind":"parsed"');
    expect(r.alone).toContain('"kind":"passed"');
    expect(r.chunks).toBe(2 * claims(241, 32));
    expect(r.left.map((l) => [l.rel, l.text])).toEqual([["m100/migrations/0002_raw.py", raw]]);
    expect(r.left[0]!.readMs).toBeGreaterThanOrEqual(0);
    expect(r.bundled).toBe(r.alone);
    // A later batch, sent to the waiting worker: files the prefilter passes over are parsed when forced.
    expect(r.aloneForced).not.toContain('"kind":"passed"');
    expect(r.forced).toBe(r.aloneForced);
  });

  test("the main thread's PostgreSQL parser loads in the background: files that want it wait, the others are scanned meanwhile", () => {
    const root = tempDir("parallel-defer");
    write(root, "app/models.py", "from django.db import models\n\nclass M(models.Model):\n    n = models.IntegerField()\n");
    write(root, "app/migrations/0002_raw.py", 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL("CREATE TABLE t_raw (id int)")]\n');
    write(root, "app/migrations/0003_data.py", 'from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL("UPDATE t_raw SET id = 1")]\n');
    write(root, "util.py", "def helper():\n    return 1\n");
    const r = probe<{ whileLoading: string[][]; loadedBefore: boolean; after: string[][]; loads: number; pgEffects: boolean; broken: unknown[] }>(["defer", root]);
    // Only the migration with DDL wants the PostgreSQL parser; data-only SQL stays with the tokenizer.
    expect(r.whileLoading).toEqual([
      ["app/migrations/0002_raw.py", "left"],
      ["app/migrations/0003_data.py", "parsed"],
      ["app/models.py", "parsed"],
      ["util.py", "passed"],
    ]);
    expect(r.loadedBefore).toBe(false);
    expect(r.after).toEqual([
      ["app/migrations/0002_raw.py", "parsed"],
      ["app/migrations/0003_data.py", "parsed"],
      ["app/models.py", "parsed"],
      ["util.py", "passed"],
    ]);
    expect(r.loads).toBe(1);
    expect(r.pgEffects).toBe(true);
    // A parser that cannot load: the file waits for it, then is read with the tokenizer.
    expect(r.broken).toEqual(["left", "parsed", null, true]);
  });

  test("a worker started before the first batch (while discovery runs) takes its share, and the results are those of one thread", () => {
    const root = tempDir("parallel-prewarm");
    for (let i = 0; i < 300; i++) write(root, `m${String(i).padStart(3, "0")}/models.py`, `from django.db import models\n\nclass M${i}(models.Model):\n    n = models.IntegerField()\n`);
    const r = probe<{ alone: string; prewarmed: string; started: number; again: number; after: number }>(["prewarm", root]);
    expect([r.started, r.again, r.after]).toEqual([1, 1, 1]);
    expect(r.alone).toContain('"kind":"parsed"');
    expect(r.prewarmed).toBe(r.alone);
  });

  test("workers asked for start at once; otherwise one per extra core, started when the scan proves long", () => {
    expect(workerPlan(2)).toEqual({ workers: 2, eager: true });
    expect(workerPlan(0)).toEqual({ workers: 0, eager: true });
    expect(workerPlan(undefined)).toEqual({ workers: Math.min(4, availableParallelism() - 1), eager: false });
    expect(requestedWorkers({ TABLEWARDEN_WORKERS: "3" })).toBe(3);
    expect(requestedWorkers({ TABLEWARDEN_WORKERS: "0" })).toBe(0);
    expect(requestedWorkers({ TABLEWARDEN_WORKERS: "many" })).toBeUndefined();
    expect(requestedWorkers({})).toBeUndefined();
  });

  test("claims cover a batch once, in order, full-sized while many files are left and down to one file at the end", () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const sizes: number[] = [];
    let next = 0;
    for (let c = claim(counter, 1000, 32); c !== null; c = claim(counter, 1000, 32)) {
      expect(c.from).toBe(next);
      sizes.push(c.to - c.from);
      next = c.to;
    }
    expect(next).toBe(1000);
    expect(claim(counter, 1000, 32)).toBeNull();
    expect(Math.max(...sizes)).toBe(32);
    expect(sizes.slice(0, 20).every((n) => n === 32)).toBe(true);
    expect(sizes.slice(-5)).toEqual([1, 1, 1, 1, 1]);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThanOrEqual(sizes[i - 1]!);
    // A counter some other thread moved past the end.
    Atomics.store(counter, 0, 2000);
    expect(claim(counter, 1000, 32)).toBeNull();
  });
});

describe("drain", () => {
  test("lets the event loop turn after each chunk (node-tree-sitter frees trees from it), and hands every chunk over in order", async () => {
    const jobs = Array.from({ length: 100 }, (_, i) => ({ abs: `/x/${i}.py`, rel: `${i}.py` }));
    const scanned: number[] = [];
    const turns: number[] = [];
    const result: ScanResult = { diagnostics: [], outcome: { kind: "unreadable" }, readMs: 0, parseMs: 0, extractMs: 0 };
    const scan = async (job: { rel: string }) => {
      scanned.push(Number.parseInt(job.rel, 10));
      return result;
    };
    // An immediate queued again on every turn of the event loop: the files scanned by each turn.
    let done = false;
    const tick = () => {
      turns.push(scanned.length);
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const chunks: Array<[number, number]> = [];
    await drain(jobs, scan, new Int32Array(new SharedArrayBuffer(4)), 32, (c) => void chunks.push([c.start, c.results.length]));
    done = true;
    expect(scanned).toEqual(jobs.map((_, i) => i));
    expect(chunks.reduce((n, [, len]) => n + len, 0)).toBe(100);
    expect(chunks.map(([start]) => start)).toEqual([...chunks.map(([start]) => start)].sort((a, b) => a - b));
    // The loop turned between chunks, not only once all were scanned.
    expect(turns.filter((n) => n > 0 && n < 100).length).toBeGreaterThanOrEqual(chunks.length - 1);
  });
});

/** How many claims a lone thread makes to scan `total` files, at most `max` at a time. */
function claims(total: number, max: number): number {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  let n = 0;
  while (claim(counter, total, max) !== null) n++;
  return n;
}
