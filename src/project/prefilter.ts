/**
 * The cheap text test that decides which Python files are worth parsing. A file that fails it can
 * still be parsed later, on demand, when an import from a parsed file leads to it.
 */

/**
 * Text any model, table, migration, settings or Alembic module contains: framework imports, Django
 * field and model references (`models.CharField`, `models.Model`), SQLAlchemy declarations. A model
 * module that imports neither Django nor SQLAlchemy still spells its fields `models.XField` or sits
 * in a `models` module (always read); re-export modules are read on demand when an import reaches them.
 */
const RELEVANT =
  /django\.db|sqlalchemy|sqlmodel|alembic|__tablename__|__table__|\bmodels\.(?:[A-Z]\w*(?:Field|Key)|Model)\b|\bINSTALLED_APPS\b|\bAUTH_USER_MODEL\b|\bAppConfig\b|\bMetaData\s*\(|\bdeclarative_base\b|\bDeclarativeBase\b|\bmapped_column\b|\bdb\.Model\b|\bdb_table\b|\btarget_metadata\b|\bcreate_all\s*\(/;

/** File names that are always read whatever they contain. */
const ALWAYS = /(?:^|\/)(?:env\.py|models\.py|apps\.py|manage\.py|settings\.py|alembic\.ini)$/;

export function worthParsing(rel: string, text: string): boolean {
  if (ALWAYS.test(rel)) return true;
  if (/(?:^|\/)(?:migrations|versions|models|settings)\//.test(rel)) return true;
  return RELEVANT.test(text);
}
