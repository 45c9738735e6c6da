/**
 * Pasteable code for env.py, built from the project's real ownership graph: the filter block that keeps
 * autogenerate to Alembic's own tables, and how to pass it to both configure() calls. Used by the
 * exclusion rules as their suggestion and by `tablewarden suggest-env`. Pure: graph in, text out.
 */
import type { OwnershipGraph } from "../graph/index.js";
import type { AlembicEnv } from "../link/types.js";
import type { Suggestion } from "../types.js";

export interface EnvSuggestion {
  /** The form chosen: `include_name` over target_metadata.tables, or the reflected-only include_object idiom. */
  form: "include_name" | "include_object";
  /** Why that form (a list target_metadata, schema-qualified tables). */
  why: string;
  /** The functions to paste above run_migrations_offline(). */
  functions: string;
  /** The keywords to add to both context.configure(...) calls. */
  configure: string;
}

/** Comment lines naming the tables the filter protects (how many Django tables, with a few names). */
function protectedComment(graph: OwnershipGraph): string {
  const names = graph.tablesOwnedByDjango().map((n) => n.id);
  if (names.length === 0) return "    # Every other table in this database belongs to someone else: never alter or drop it.";
  const first = ["django_migrations", ...names.filter((n) => n !== "django_migrations")].filter((n) => names.includes(n)).slice(0, 3);
  return `    # Every other table in this database belongs to someone else, such as the ${names.length}
    # table${names.length === 1 ? "" : "s"} Django owns (${first.join(", ")}${names.length > 3 ? ", …" : ""}): never alter or drop them.`;
}

export function envSuggestion(graph: OwnershipGraph, env: AlembicEnv): EnvSuggestion {
  const single = env.target.metadataIds.length === 1 && env.target.unresolved === null;
  const schemas = graph.tables().some((n) => n.key.schema !== null && graph.onTargetMetadata(n, env).length > 0);
  const others = protectedComment(graph);
  if (single && !schemas) {
    return {
      form: "include_name",
      why: "target_metadata is one MetaData without schema-qualified tables, so its table names decide",
      functions: `def include_name(name, type_, parent_names):
    # Alembic owns exactly the tables on target_metadata.
${others}
    if type_ == "table":
        return name in target_metadata.tables
    return True`,
      configure: "include_name=include_name,",
    };
  }
  return {
    form: "include_object",
    why: single ? "target_metadata has schema-qualified tables (include_name sees bare names)" : "target_metadata is not one MetaData, so it has no single .tables to test against",
    functions: `def include_object(object, name, type_, reflected, compare_to):
    # A table that exists only in the database is not on target_metadata: it is not Alembic's.
${others}
    if type_ == "table" and reflected and compare_to is None:
        return False
    return True`,
    configure: "include_object=include_object,",
  };
}

/** The block `tablewarden suggest-env` prints for one env.py. */
export function envBlock(graph: OwnershipGraph, env: AlembicEnv): string {
  const s = envSuggestion(graph, env);
  return `${s.functions}


# Pass it to BOTH context.configure(...) calls, in run_migrations_offline() and run_migrations_online():
#     context.configure(
#         ...,
#         target_metadata=target_metadata,
#         ${s.configure}
#     )
`;
}

/** The finding-level suggestion for an exclusion rule. */
export function exclusionSuggestion(graph: OwnershipGraph, env: AlembicEnv): Suggestion {
  const s = envSuggestion(graph, env);
  return { message: `Keep autogenerate to Alembic's own tables with ${s.form} (${s.why}), passed to both configure() calls`, snippet: envBlock(graph, env).trimEnd() };
}

/** For a read-only model on target_metadata: the same model on a MetaData of its own that env.py does not list. */
export function mirrorSuggestion(table: string, className: string | null): Suggestion {
  const cls = className ?? "Mirror";
  return {
    message: "Move the read-only model to a MetaData of its own that env.py's target_metadata does not list",
    snippet: `# db.py: read-only mirrors of tables another tool owns; never listed in env.py's target_metadata
mirrors = MetaData()
MirrorBase = declarative_base(metadata=mirrors)   # SQLAlchemy 2.0: class MirrorBase(DeclarativeBase): metadata = mirrors

# models.py
class ${cls}(MirrorBase):
    __tablename__ = "${table}"
    ...  # same columns as before; keep it read-only`,
  };
}
