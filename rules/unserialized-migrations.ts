// rules/unserialized-migrations.ts
import { defineRule } from "../src/rule.js";
import { where } from "../src/graph/index.js";
import { sharesOneDatabase, viaRelated } from "../src/link/deploy.js";
import type { AdvisoryLock, MigratorRun } from "../src/link/deploy.js";

const RACE =
  "Django's and Alembic's migrations then take their ALTER TABLE locks on the shared schema in whatever order the " +
  "scheduler picks: deploys deadlock or fail at random, and a laptop test that happens to pass proves nothing.";

export default defineRule({
  id: "unserialized-migrations",
  severity: "error",
  summary: "Django's migrate and Alembic's upgrade can run at the same time during a deploy",
  options: {},
  messages: {
    concurrent: (d: { alembic: string; alembicUnit: string; django: string; djangoUnit: string; djangoAt: string; why: string; lock: string }) =>
      `\`${d.alembic}\` (${d.alembicUnit}) and \`${d.django}\` (${d.djangoUnit}, ${d.djangoAt}) can run at the same time: ${d.why}. ${RACE}${d.lock}`,
    differentKeys: (d: { alembic: string; django: string; djangoAt: string; why: string; alembicKeys: string; djangoKeys: string }) =>
      `\`${d.alembic}\` and \`${d.django}\` (${d.djangoAt}) can run at the same time (${d.why}), and their advisory locks do not ` +
      `serialize them: Alembic's side locks ${d.alembicKeys}, Django's side locks ${d.djangoKeys}. Different keys never wait for each other. ${RACE}`,
    lockUnknown: (d: { alembic: string; django: string; djangoAt: string; alembicKeys: string; djangoKeys: string }) =>
      `\`${d.alembic}\` and \`${d.django}\` (${d.djangoAt}) can run at the same time; both sides take an advisory lock ` +
      `(${d.alembicKeys} / ${d.djangoKeys}) but tablewarden could not read whether the keys are the same.`,
  },
  help:
    "Serialize the two migrators: run them one after the other in one step (`python manage.py migrate && alembic upgrade head`), " +
    "or make one wait for the other to finish (compose `depends_on: {<service>: {condition: service_completed_successfully}}`, " +
    "CI `needs:`, Kubernetes initContainers or Helm hook weights, Procfile/fly.toml `release`), or take the SAME " +
    "`pg_advisory_lock(<key>)` in Alembic's env.py and in the wrapper that runs Django's migrate.",
  check({ project, report }) {
    if (!project.deploy || !sharesOneDatabase(project)) return;
    for (const p of project.deploy.pairs) {
      if (p.relation !== "concurrent") continue;
      const a = p.alembic;
      const d = p.django;
      const related = [
        { loc: d.loc, message: `starts Django's migrations (${d.unit})` },
        ...viaRelated(a, d),
        ...[...a.locks, ...d.locks].map((l) => ({ loc: l.loc, message: `takes ${l.text}` })),
      ];
      const base = { alembic: a.text, django: d.text, djangoAt: where(d.loc), why: p.why };
      if (a.locks.length > 0 && d.locks.length > 0) {
        const ak = keys(a.locks);
        const dk = keys(d.locks);
        if (ak.some((k) => k !== null && dk.includes(k))) continue; // the same key on both sides: serialized
        if (ak.includes(null) || dk.includes(null)) {
          report("lockUnknown", { ...base, alembicKeys: describe(a.locks), djangoKeys: describe(d.locks) }, { at: a.loc, related, severity: "info" });
        } else {
          report("differentKeys", { ...base, alembicKeys: describe(a.locks), djangoKeys: describe(d.locks) }, { at: a.loc, related });
        }
        continue;
      }
      const suggestion = serializeSnippet(a, d);
      report("concurrent", { ...base, alembicUnit: a.unit, djangoUnit: d.unit, lock: oneSided(a, d) }, { at: a.loc, related, ...(suggestion ? { suggestion } : {}) });
    }
  },
});

function keys(locks: AdvisoryLock[]): Array<string | null> {
  return locks.map((l) => l.key);
}

function describe(locks: AdvisoryLock[]): string {
  return locks.map((l) => `${l.text} (key ${l.key === null ? "unreadable" : l.key.replace(/^name:/, "")}, ${where(l.loc)})`).join(", ");
}

function oneSided(a: MigratorRun, d: MigratorRun): string {
  const [locked, other] = a.locks.length > 0 ? [a, "Django's migrate"] : d.locks.length > 0 ? [d, "Alembic's env.py"] : [null, ""];
  if (!locked) return "";
  return ` ${describe(locked.locks)} is taken on one side only; ${other} takes no lock, so it serializes nothing.`;
}

/** Where no one-key reordering exists: the same PostgreSQL advisory lock taken by both migrators. */
const ADVISORY_LOCK_SNIPPET = `# alembic/env.py, in run_migrations_online(), around the migrations:
with connectable.connect() as connection:
    # Any 64-bit key, written as a literal, and the SAME key on the Django side.
    connection.exec_driver_sql("SELECT pg_advisory_lock(72707369)")
    try:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        connection.exec_driver_sql("SELECT pg_advisory_unlock(72707369)")

# myapp/management/commands/migrate_locked.py: run "manage.py migrate_locked" instead of migrate
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

class Command(BaseCommand):
    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(72707369)")
            try:
                call_command("migrate", interactive=False)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(72707369)")`;

/** Pasteable ordering for the two platforms where one key does it (compose, GitHub Actions), else one shared advisory lock. */
function serializeSnippet(a: MigratorRun, d: MigratorRun): { message: string; snippet: string } | null {
  const lock = { message: "Serialize them with one PostgreSQL advisory lock, the same key on both sides:", snippet: ADVISORY_LOCK_SNIPPET };
  if (a.kind !== d.kind || a.loc.file !== d.loc.file || a.unitId === d.unitId) return lock;
  const name = (id: string) => id.slice(id.indexOf(":") + 1);
  if (a.kind === "compose") {
    // Not `depends_on` the Django service itself: it usually goes on to serve, and never completes.
    const waits = (svc: string) => `  ${svc}:\n    # drop the migrate command from this service\n    depends_on:\n      migrate:\n        condition: service_completed_successfully`;
    return {
      message: "Run both migrators, Django first, in one service that the others wait for:",
      snippet: `services:\n  migrate:\n    # the image ${name(d.unitId)} uses\n    command: sh -c "${d.text.replace(/"/g, '\\"')} && ${a.text.replace(/"/g, '\\"')}"\n${waits(name(d.unitId))}\n${waits(name(a.unitId))}`,
    };
  }
  if (a.kind === "github-actions") {
    return { message: `Run \`${name(a.unitId)}\` after \`${name(d.unitId)}\` (Django first):`, snippet: `jobs:\n  ${name(a.unitId)}:\n    needs: [${name(d.unitId)}]` };
  }
  return lock;
}
