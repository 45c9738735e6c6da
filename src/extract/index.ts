/** extract: one file's text → FileFacts. Pure in (path, text, parser); never throws. */
import type { PythonParser } from "../python/parse.js";
import type { FileFacts } from "./facts.js";
import { extractModuleFacts } from "./module.js";
import { extractDjangoMigration } from "./django/migration.js";
import { extractAlembicRevision } from "./alembic/revision.js";
import { extractAlembicEnv } from "./alembic/env.js";
import { tokenizerAnalyzer } from "./sql.js";
import type { SqlAnalyzer } from "./sql.js";

export function extractFile(file: string, text: string, parser: PythonParser, sql: SqlAnalyzer = tokenizerAnalyzer): FileFacts {
  const facts = extractModuleFacts(file, parser.parse(text, bodiesNeeded(text)));
  const migration = extractDjangoMigration(facts, sql);
  if (migration) facts.djangoMigration = migration;
  const revision = extractAlembicRevision(facts, sql);
  if (revision) facts.alembicRevision = revision;
  const env = extractAlembicEnv(facts);
  if (env) facts.alembicEnv = env;
  return facts;
}

/**
 * Which function bodies a file needs: all of them in env.py-like files and files that call
 * create_all (filters and configure calls live in functions); elsewhere only Alembic's `upgrade`
 * and `@declared_attr __tablename__`. Skipping the rest saves most of the conversion work.
 */
function bodiesNeeded(text: string): (name: string) => boolean {
  if (/\bcontext\b[\s\S]*\.configure\s*\(|\b(?:create_all|drop_all)\b/.test(text)) return () => true;
  return (name) => name === "upgrade" || name === "__tablename__";
}

export type { FileFacts } from "./facts.js";
