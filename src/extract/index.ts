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
  const facts = extractModuleFacts(file, parser.parse(text));
  const migration = extractDjangoMigration(facts, sql);
  if (migration) facts.djangoMigration = migration;
  const revision = extractAlembicRevision(facts, sql);
  if (revision) facts.alembicRevision = revision;
  const env = extractAlembicEnv(facts);
  if (env) facts.alembicEnv = env;
  return facts;
}

export type { FileFacts } from "./facts.js";
