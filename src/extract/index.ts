/** extract: one file's text → FileFacts. Pure in (path, text, parser); never throws. */
import type { PythonParser } from "../python/parse.js";
import type { FileFacts, SuppressionFact } from "./facts.js";
import { extractModuleFacts } from "./module.js";
import { extractDjangoMigration, isDjangoMigrationClass } from "./django/migration.js";
import { extractAlembicRevision } from "./alembic/revision.js";
import { extractAlembicEnv } from "./alembic/env.js";
import { tokenizerAnalyzer } from "./sql.js";
import type { SqlAnalyzer } from "./sql.js";

export function extractFile(file: string, text: string, parser: PythonParser, sql: SqlAnalyzer = tokenizerAnalyzer): FileFacts {
  const facts = extractModuleFacts(file, parser.parse(text, bodiesNeeded(text), UNREAD_KEYWORDS));
  facts.mutated = mutatedNames(text, new Set(facts.bindings.map((b) => b.name)));
  facts.suppressions = suppressionsIn(text);
  const migration = extractDjangoMigration(facts, sql);
  if (migration) {
    facts.djangoMigration = migration;
    // Everything linking needs from `class Migration` is in `djangoMigration` now; kept, the class's operation
    // trees were over a third of a large project's facts (and of the cache every run reads).
    facts.classes = facts.classes.filter((c) => !isDjangoMigrationClass(c));
  }
  const revision = extractAlembicRevision(facts, sql);
  if (revision) facts.alembicRevision = revision;
  const env = extractAlembicEnv(facts);
  if (env) facts.alembicEnv = env;
  return facts;
}

/**
 * Keyword arguments whose values no extractor, linker or rule reads, and that can be large: a field's `choices`
 * (makemigrations writes every choice inline, in every migration that touches the field: saleor's country and
 * currency lists were half of its migrations' facts) and `validators`. Their values are left unconverted
 * (an `other` expression); the keyword itself stays, so that "is it given" can still be asked.
 */
const UNREAD_KEYWORDS: ReadonlySet<string> = new Set(["choices", "validators"]);

/** Inline suppression comments: `# tablewarden: ignore[id, ...]` and `# tablewarden: ignore-file[id, ...]`. */
export function suppressionsIn(text: string): SuppressionFact[] {
  if (!text.includes("tablewarden:")) return [];
  const out: SuppressionFact[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const m = /#\s*tablewarden:\s*(ignore|ignore-file)\[([^\]]*)\]/.exec(line);
    if (!m) return;
    const rules = m[2]!.split(",").map((r) => r.trim()).filter(Boolean);
    out.push({ line: i + 1, column: m.index + 1, scope: m[1] === "ignore-file" ? "file" : "line", rules });
  });
  return out;
}

/** Module-level names the file changes after binding them (read from the text: bodies may be skipped). */
function mutatedNames(text: string, names: Set<string>): string[] {
  // Only module-level names count: most files (nearly every migration) bind none, and the scan below visits every identifier.
  if (names.size === 0) return [];
  const out = new Set<string>();
  for (const m of text.matchAll(/\bglobal\s+([\w\s,]+)/g)) for (const n of m[1]!.split(/[\s,]+/)) if (names.has(n)) out.add(n);
  const re = /\b([A-Za-z_]\w*)\s*(?:\.\s*(?:append|extend|add|update|insert|remove|pop|popitem|clear|discard|setdefault)\s*\(|\[[^\]\n]*\]\s*=(?!=)|[-+|&]=)/g;
  for (const m of text.matchAll(re)) if (names.has(m[1]!)) out.add(m[1]!);
  return [...out].sort();
}

/**
 * Which function bodies a file needs: all of them in env.py-like files and files that call
 * create_all (filters and configure calls live in functions); elsewhere only Alembic's `upgrade`
 * and `@declared_attr __tablename__`. Skipping the rest saves most of the conversion work.
 */
function bodiesNeeded(text: string): (name: string) => boolean {
  // Two plain tests: one regex spanning both words backtracks badly on files that say "context" often.
  // Also where the application runs Alembic itself (`cfg.set_main_option("script_location", ...)`), and where a
  // method builds models at run time (`type(name, bases, {"__tablename__": ...})`): linking reads both.
  if ((/\bcontext\b/.test(text) && /\.configure\s*\(/.test(text)) || /\b(?:create_all|drop_all)\b|\bset_main_option\s*\(\s*["']script_location|["']__tablename__["']\s*:/.test(text)) return () => true;
  return (name) => name === "upgrade" || name === "__tablename__";
}

export type { FileFacts } from "./facts.js";
