/**
 * The cheap text test that decides which Python files are worth parsing. A file that fails it can
 * still be parsed later, on demand, when an import from a parsed file leads to it.
 */

/** Words any model, table, migration, settings or Alembic module contains. */
const RELEVANT =
  /\b(?:django|sqlalchemy|sqlmodel|alembic|models|Model|__tablename__|__table__|Table|MetaData|declarative_base|DeclarativeBase|mapped_column|Column|INSTALLED_APPS|AUTH_USER_MODEL|Migration|AppConfig|db_table|target_metadata)\b/;

/** File names that are always read whatever they contain. */
const ALWAYS = /(?:^|\/)(?:env\.py|models\.py|apps\.py|manage\.py|settings\.py|alembic\.ini)$/;

export function worthParsing(rel: string, text: string): boolean {
  if (ALWAYS.test(rel)) return true;
  if (/(?:^|\/)(?:migrations|versions|models|settings)\//.test(rel)) return true;
  return RELEVANT.test(text);
}
