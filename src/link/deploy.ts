/**
 * link/deploy: every deploy file's units → the migrator runs of each pipeline, with the repo's own
 * scripts followed (up to two levels: `compose → entrypoint.sh → make migrate`), and for every
 * Django run and Alembic run of one pipeline whether one finishes before the other starts.
 *
 * A pipeline is what starts together: one compose file, one Dockerfile's container, one CI workflow,
 * one Procfile, the Kubernetes manifests of one folder, one shell script, one Makefile target.
 */
import path from "node:path";
import type { Loc } from "../types.js";
import type { DeployCommand, DeployFacts, DeployUnit, MakeTarget, Migrator } from "../extract/deploy/facts.js";
import type { AdvisoryLock, TestHider } from "../extract/deploy/text.js";

export type { AdvisoryLock, TestHider };

export interface MigratorRun {
  tool: Migrator;
  /** The command as written. */
  text: string;
  /** The line that starts the migrator (inside a script when one was followed). */
  loc: Loc;
  /** Call sites that led here, outermost first (`docker-compose.yml:12` → `entrypoint.sh:4`). */
  via: Array<{ loc: Loc; text: string }>;
  /** "compose service `web`". */
  unit: string;
  /** The unit's id in its file (`service:web`, `job:deploy`) and the kind of that file. */
  unitId: string;
  kind: DeployFacts["kind"];
  /** Advisory locks taken around this run (Alembic: env.py; Django: the management command or script that runs migrate). */
  locks: AdvisoryLock[];
  /** Where locks were looked for, for messages ("alembic/env.py"); null when nowhere (plain `manage.py migrate`). */
  lockSource: string | null;
}

export type PairRelation = "concurrent" | "django-first" | "alembic-first";

export interface MigratorPair {
  django: MigratorRun;
  alembic: MigratorRun;
  relation: PairRelation;
  /** Why they overlap or in what order they run, in words. */
  why: string;
}

export interface CiRun {
  file: string;
  unit: string;
  loc: Loc;
  /** This CI job applies both histories to its own, empty database. */
  fromScratch: boolean;
}

export interface DeployProjectFacts {
  files: string[];
  runs: MigratorRun[];
  pairs: MigratorPair[];
  ci: CiRun[];
  /** Test settings that hide a broken from-scratch migration. */
  hiders: TestHider[];
}

/** What the linker needs from the rest of the project (reads files on demand; answers are cached by the caller). */
export interface DeployResolver {
  /** A script of the repository named by `raw` in `from`: shell facts, or a Python script's migrations. */
  script(raw: string, from: string, copies: Record<string, string>): ScriptFacts | null;
  /** `manage.py <name>`: the project's management command, if it starts migrations. */
  managementCommand(name: string): ScriptFacts | null;
  /** Locks Alembic's env.py files take. */
  alembicLocks(): { locks: AdvisoryLock[]; source: string | null };
  /** Is a test setup (conftest.py) running Alembic's upgrade? */
  testsUpgradeAlembic: boolean;
  hiders: TestHider[];
}

export interface ScriptFacts {
  file: string;
  commands: DeployCommand[];
  /** Advisory locks the script takes (Python wrappers). */
  locks: AdvisoryLock[];
  /** Makefile targets when the script is a Makefile. */
  targets?: Record<string, MakeTarget>;
}

interface Item {
  kind: "run" | "wait" | "test";
  tool?: Migrator;
  text: string;
  loc: Loc;
  via: Array<{ loc: Loc; text: string }>;
  background: boolean;
  nomigrations?: boolean;
  locks: AdvisoryLock[];
  lockSource: string | null;
}

interface PUnit {
  unit: DeployUnit;
  kind: DeployFacts["kind"];
  key: string;
  items: Item[];
}

const MAX_DEPTH = 2;

export function linkDeploy(files: DeployFacts[], resolve: DeployResolver): DeployProjectFacts {
  const byFile = new Map(files.map((f) => [f.file, f]));
  const alembic = resolve.alembicLocks();
  const flatten = (cmds: DeployCommand[], from: string, copies: Record<string, string>, depth: number, via: Item["via"], seen: Set<string>): Item[] => {
    const out: Item[] = [];
    const deeper = (c: DeployCommand, s: ScriptFacts | null, commands: DeployCommand[] | null, extraLocks: AdvisoryLock[]) => {
      if (!s || depth >= MAX_DEPTH || seen.has(s.file)) return;
      const inner = flatten(commands ?? s.commands, s.file, {}, depth + 1, [...via, { loc: c.loc, text: c.text }], new Set([...seen, s.file]));
      for (const i of inner) {
        out.push({ ...i, background: i.background || c.background, locks: [...i.locks, ...extraLocks, ...s.locks].filter((l, k, a) => a.indexOf(l) === k), lockSource: i.lockSource ?? (s.locks.length > 0 ? s.file : null) });
      }
    };
    for (const c of cmds) {
      const base = { text: c.text, loc: c.loc, via, background: c.background, locks: [] as AdvisoryLock[], lockSource: null as string | null };
      switch (c.inv.kind) {
        case "migrate": {
          if (c.inv.tool === "alembic") out.push({ ...base, kind: "run", tool: "alembic", locks: alembic.locks, lockSource: alembic.source });
          else {
            // A project that overrides `migrate` (app/management/commands/migrate.py) wraps every `manage.py migrate`.
            const wrapper = resolve.managementCommand("migrate");
            out.push({ ...base, kind: "run", tool: "django", locks: wrapper?.locks ?? [], lockSource: wrapper?.file ?? null });
          }
          break;
        }
        case "wait":
          out.push({ ...base, kind: "wait" });
          break;
        case "test":
          out.push({ ...base, kind: "test", nomigrations: c.inv.nomigrations });
          break;
        case "django-command":
          deeper(c, resolve.managementCommand(c.inv.name), null, []);
          break;
        case "script":
          deeper(c, resolve.script(c.inv.path, from, copies), null, []);
          break;
        case "make": {
          const dir = c.inv.dir ? path.posix.join(path.posix.dirname(from), c.inv.dir) : path.posix.dirname(from);
          const mk = resolve.script(path.posix.join(dir === "." ? "" : dir, "Makefile"), "", {});
          if (!mk?.targets) break;
          const names = c.inv.targets.length > 0 ? c.inv.targets : Object.keys(mk.targets).slice(0, 1);
          deeper(c, mk, names.flatMap((n) => targetCommands(mk.targets!, n, new Set())), []);
          break;
        }
      }
    }
    return out;
  };

  const pipelines: Array<{ units: PUnit[]; concurrency: string }> = [];
  const unitsOf = (f: DeployFacts, prefix: string): PUnit[] =>
    f.units.map((u) => {
      let cmds = u.commands;
      const docker = u.build ? byFile.get(u.build.dockerfile)?.docker : undefined;
      if (u.build && docker) cmds = [...(u.build.entrypoint ? (docker.entrypoint ?? []) : []), ...(u.build.command ? (docker.cmd ?? []) : []), ...cmds];
      const copies = docker?.copies ?? f.docker?.copies ?? {};
      return { unit: { ...u, id: prefix + u.id, after: u.after.map((a) => prefix + a) }, kind: f.kind, key: `${f.file}#${u.id}`, items: flatten(cmds, u.build?.dockerfile ?? f.file, copies, 0, [], new Set([f.file])) };
    });
  const k8s = new Map<string, PUnit[]>();
  for (const f of files) {
    if (f.kind === "kubernetes") {
      const dir = path.posix.dirname(f.file);
      k8s.set(dir, [...(k8s.get(dir) ?? []), ...unitsOf(f, `${f.file}:`)]);
    } else if (f.kind === "makefile") {
      for (const name of Object.keys(f.targets ?? {})) {
        const unit: DeployUnit = { id: name, name: `make target \`${name}\``, loc: f.targets![name]!.loc, commands: targetCommands(f.targets!, name, new Set()), after: [], ownDatabase: false, ci: false };
        pipelines.push({ units: unitsOf({ ...f, units: [unit] }, ""), concurrency: f.concurrency });
      }
    } else pipelines.push({ units: unitsOf(f, ""), concurrency: f.concurrency });
  }
  for (const units of k8s.values()) pipelines.push({ units, concurrency: files.find((f) => f.kind === "kubernetes")!.concurrency });

  const runs = new Map<string, MigratorRun>();
  const pairs = new Map<string, MigratorPair>();
  const ci: CiRun[] = [];
  for (const p of pipelines) {
    const before = happensBefore(p.units);
    for (const u of p.units) {
      for (const i of u.items) if (i.kind === "run") runs.set(locKey(i.loc), toRun(i, u));
      if (u.unit.ci) {
        const tools = new Set(u.items.filter((i) => i.kind === "run").map((i) => i.tool));
        const tests = u.items.some((i) => i.kind === "test" && !i.nomigrations) && resolve.testsUpgradeAlembic;
        ci.push({ file: u.unit.loc.file, unit: u.unit.name, loc: u.unit.loc, fromScratch: u.unit.ownDatabase && ((tools.has("django") && tools.has("alembic")) || tests) });
      }
    }
    const all = p.units.flatMap((u) => u.items.map((item, index) => ({ u, item, index }))).filter((x) => x.item.kind === "run");
    for (const d of all.filter((x) => x.item.tool === "django")) {
      for (const a of all.filter((x) => x.item.tool === "alembic")) {
        let relation: PairRelation;
        let why: string;
        if (d.u === a.u) {
          const [first, second] = d.index < a.index ? [d, a] : [a, d];
          const waited = d.u.items.slice(first.index + 1, second.index).some((i) => i.kind === "wait");
          if (first.item.background && !waited) {
            relation = "concurrent";
            why = `in ${d.u.unit.name}, \`${first.item.text}\` is started in the background (\`&\`) and nothing \`wait\`s for it before \`${second.item.text}\``;
          } else {
            relation = first === d ? "django-first" : "alembic-first";
            why = `${d.u.unit.name} runs them one after the other`;
          }
        } else if (before(d.u.unit.id, a.u.unit.id)) {
          relation = "django-first";
          why = `${a.u.unit.name} starts after ${d.u.unit.name} has finished`;
        } else if (before(a.u.unit.id, d.u.unit.id)) {
          relation = "alembic-first";
          why = `${d.u.unit.name} starts after ${a.u.unit.name} has finished`;
        } else if (d.u.unit.ownDatabase || a.u.unit.ownDatabase) {
          continue; // a CI job with its own database service: not the same database
        } else {
          relation = "concurrent";
          why = `${d.u.unit.name} and ${a.u.unit.name} do not wait for each other (${p.concurrency})`;
        }
        const key = `${locKey(d.item.loc)}|${locKey(a.item.loc)}|${relation}`;
        if (!pairs.has(key)) pairs.set(key, { django: toRun(d.item, d.u), alembic: toRun(a.item, a.u), relation, why });
      }
    }
  }
  const hiders = [...resolve.hiders];
  for (const p of pipelines) for (const u of p.units) if (u.unit.ci) for (const i of u.items) if (i.kind === "test" && i.nomigrations) hiders.push({ kind: "nomigrations", text: i.text, loc: i.loc });
  const sortLoc = (a: Loc, b: Loc) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column);
  return {
    files: files.map((f) => f.file).sort(),
    runs: [...runs.values()].sort((a, b) => sortLoc(a.loc, b.loc)),
    pairs: [...pairs.values()].sort((a, b) => sortLoc(a.alembic.loc, b.alembic.loc) || sortLoc(a.django.loc, b.django.loc)),
    ci: ci.sort((a, b) => sortLoc(a.loc, b.loc)),
    hiders: dedupe(hiders).sort((a, b) => sortLoc(a.loc, b.loc)),
  };
}

/** A target's prerequisites' commands (in order, each once), then its own recipe. */
function targetCommands(targets: Record<string, MakeTarget>, name: string, seen: Set<string>): DeployCommand[] {
  const t = targets[name];
  if (!t || seen.has(name)) return [];
  seen.add(name);
  return [...t.prereqs.flatMap((p) => targetCommands(targets, p, seen)), ...t.commands];
}

/** `before(a, b)`: unit a has finished before unit b starts (completion dependencies, transitively; Kubernetes ranks). */
function happensBefore(units: PUnit[]): (a: string, b: string) => boolean {
  const byId = new Map(units.map((u) => [u.unit.id, u.unit]));
  const rankLess = (x: DeployUnit, y: DeployUnit) => {
    if (!x.rank || !y.rank) return false;
    for (let i = 0; i < 3; i++) if (x.rank[i] !== y.rank[i]) return x.rank[i]! < y.rank[i]!;
    return false;
  };
  return (a, b) => {
    const start = byId.get(b);
    const from = byId.get(a);
    if (!start || !from) return false;
    const stack = [start];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const u = stack.pop()!;
      if (seen.has(u.id)) continue;
      seen.add(u.id);
      if (u !== start && u.id === a) return true;
      if (rankLess(from, u)) return true;
      for (const p of u.after) {
        const pu = byId.get(p);
        if (pu) stack.push(pu);
      }
    }
    return false;
  };
}

function toRun(i: Item, u: PUnit): MigratorRun {
  return { tool: i.tool!, text: i.text, loc: i.loc, via: i.via, unit: u.unit.name, unitId: u.unit.id, kind: u.kind, locks: i.locks, lockSource: i.lockSource };
}

function locKey(l: Loc): string {
  return `${l.file}:${l.line}:${l.column}`;
}

function dedupe(h: TestHider[]): TestHider[] {
  const seen = new Set<string>();
  return h.filter((x) => {
    const k = locKey(x.loc);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Django and an Alembic environment on the same database: the only case in which the deploy rules speak. */
export function sharesOneDatabase(project: { django: { detected: boolean }; alembic: { envs: Array<{ sharesDjangoDatabase: boolean }> } }): boolean {
  return project.django.detected && project.alembic.envs.some((e) => e.sharesDjangoDatabase);
}

/** The call sites that led to the runs (`./entrypoint.sh` in docker-compose.yml:12), once each, for related locations. */
export function viaRelated(...runs: MigratorRun[]): Array<{ loc: Loc; message: string }> {
  const sites = new Map<string, { loc: Loc; text: string; leads: string[] }>();
  for (const run of runs) {
    for (const v of run.via) {
      const k = locKey(v.loc);
      const site = sites.get(k) ?? { loc: v.loc, text: v.text, leads: [] };
      if (!site.leads.includes(run.text)) site.leads.push(run.text);
      sites.set(k, site);
    }
  }
  return [...sites.values()].map((s) => ({ loc: s.loc, message: `\`${s.text}\` leads to ${s.leads.map((t) => `\`${t}\``).join(" and ")}` }));
}
