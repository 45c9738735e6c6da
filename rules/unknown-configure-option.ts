// rules/unknown-configure-option.ts
import { defineRule } from "../src/rule.js";
import { nearest } from "../src/util/nearest.js";

/** Every keyword context.configure() reads, across Alembic 1.x (it silently keeps any other). */
const KNOWN = [
  "connection", "url", "dialect_name", "dialect_opts", "transactional_ddl", "transaction_per_migration", "output_buffer",
  "output_encoding", "starting_rev", "tag", "template_args", "render_as_batch", "target_metadata", "include_name",
  "include_object", "include_schemas", "include_symbol", "process_revision_directives", "compare_type",
  "compare_server_default", "render_item", "literal_binds", "upgrade_token", "downgrade_token", "alembic_module_prefix",
  "sqlalchemy_module_prefix", "user_module_prefix", "on_version_apply", "version_table", "version_table_schema",
  "version_table_pk", "as_sql", "fn", "purge", "destination_rev", "dont_mutate", "script", "autogenerate_plugins",
  "compare_schema", "sqlalchemy_url",
];

/** Advice copied around the web that Alembic never implemented. */
const MYTHS: Record<string, string> = {
  exclude_tables: "include_object",
  exclude_table: "include_object",
  include_tables: "include_object",
  exclude: "include_object",
  exclude_names: "include_name",
  ignore_tables: "include_object",
};

export default defineRule({
  id: "unknown-configure-option",
  severity: "error",
  summary: "context.configure() is given a keyword Alembic does not know, and silently ignores",
  options: {},
  messages: {
    myth: (d: { name: string; instead: string }) =>
      `\`${d.name}=\` is not an Alembic option: context.configure() stores unknown keywords and ignores them, so nothing is ` +
      `excluded. Use \`${d.instead}\` to keep autogenerate away from those tables.`,
    typo: (d: { name: string; near: string }) =>
      `\`${d.name}=\` is not an Alembic option (did you mean \`${d.near}\`?): context.configure() ignores it without a warning.`,
    unknown: (d: { name: string }) =>
      `\`${d.name}=\` is not an option Alembic reads: context.configure() only stores it in the migration context's \`opts\`. ` +
      `Unless this project reads it back there (\`op.get_context().opts["${d.name}"]\`, as fief's revisions read their table prefix), it does nothing.`,
  },
  help:
    "Delete the keyword. To exclude tables, pass include_object (or include_name) to both configure calls, e.g. " +
    "`include_object=lambda obj, name, type_, reflected, compare_to: not (type_ == \"table\" and reflected and compare_to is None)`.",
  check({ graph, report }) {
    for (const env of graph.envs()) {
      for (const call of env.calls) {
        for (const kw of call.keywords) {
          if (KNOWN.includes(kw.name)) continue;
          const instead = MYTHS[kw.name];
          const near = nearest(kw.name, KNOWN);
          if (instead) report("myth", { name: kw.name, instead }, { at: kw.loc });
          else if (near) report("typo", { name: kw.name, near }, { at: kw.loc });
          // A project's own option, read back from `opts`, is legitimate: not an error without knowing who reads it.
          else report("unknown", { name: kw.name }, { at: kw.loc, severity: "info" });
        }
      }
    }
  },
});
