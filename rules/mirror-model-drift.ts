// rules/mirror-model-drift.ts
import { defineRule } from "../src/rule.js";
import { where } from "../src/graph/index.js";
import { ownerShape, shapesOf, typeText } from "../src/graph/shapes.js";
import type { OwnerShape } from "../src/graph/shapes.js";
import type { ColumnShape, TableShape } from "../src/link/types.js";
import type { Related } from "../src/types.js";
import { normaliseTable, tableId } from "../src/types.js";
import { DJANGO_FOR_PG, SQLALCHEMY_FOR_PG } from "../src/data/column-types.js";
import { nearest } from "../src/util/nearest.js";

type Col = { mirror: string; table: string; column: string; real: string };

export default defineRule({
  id: "mirror-model-drift",
  severity: "error",
  summary: "A read-only mirror model declares columns its table does not have, or with another type, nullability or primary key",
  options: {
    ignoreTables: { type: "string[]", default: [] as string[], description: "Tables whose mirrors are not compared." },
    checkNullability: { type: "boolean", default: true, description: "Report nullability differences." },
  },
  messages: {
    missing: (d: Col & { hint: string }) =>
      `${d.mirror} maps column \`${d.column}\` of \`${d.table}\`, which the table does not have (${d.real}): every query through it ` +
      `fails with \`column ${d.table}.${d.column} does not exist\`.${d.hint}`,
    type: (d: Col & { declared: string; actual: string }) =>
      `${d.mirror} declares \`${d.table}.${d.column}\` as ${d.declared}, but the column is ${d.actual} (${d.real}): values are ` +
      `converted, truncated or rejected at run time, and code typed from the mirror is wrong about them.`,
    enumType: (d: Col & { declared: string; actual: string }) =>
      `${d.mirror} declares \`${d.table}.${d.column}\` as ${d.declared}, but the column is ${d.actual} (${d.real}): a string column, ` +
      `not a PostgreSQL enum — a CREATE TYPE for it never matches the table, and SQL comparing it to the enum type fails.`,
    enumColumn: (d: Col & { declared: string; actual: string }) =>
      `${d.mirror} declares \`${d.table}.${d.column}\` as ${d.declared}, but the column is ${d.actual} (${d.real}): reads work, but ` +
      `the mirror's length and choices are not the enum's labels, so a value the enum lacks passes the mirror and fails in the database.`,
    nullability: (d: Col & { declared: string; actual: string }) =>
      `${d.mirror} declares \`${d.table}.${d.column}\` ${d.declared}, but the column is ${d.actual} (${d.real})` +
      `: code typed from the mirror ${d.actual === "nullable" ? "meets NULLs it does not expect" : "allows NULLs the table rejects"}.`,
    primaryKey: (d: Col & { declared: boolean }) =>
      `${d.mirror} ${d.declared ? "makes" : "does not make"} \`${d.table}.${d.column}\` its primary key, but the table ` +
      `${d.declared ? "does not" : "does"} (${d.real}): identity-map lookups and joins through the mirror key on the wrong column.`,
    incomplete: (d: Col & { why: string }) =>
      `${d.mirror} maps column \`${d.column}\` of \`${d.table}\`, which tablewarden cannot find in ${d.real} (${d.why}); check it by hand.`,
    unresolvedTypes: (d: { mirror: string; table: string; columns: string }) =>
      `could not compare the types of ${d.columns} of ${d.mirror} with \`${d.table}\` statically.`,
    history: (d: { table: string; column: string; detail: string }) =>
      `\`${d.table}.${d.column}\`: ${d.detail}; the mirror is compared with the model.`,
  },
  help:
    "Make the mirror match the owning side's latest state (the last migration or revision, not an old one): drop columns the table " +
    "does not have, and use the type, length, nullability and primary key the owner gives each column (see the type table in the docs).",
  check({ graph, project, options, report }) {
    // Only tables some possible mirror maps (SQLAlchemy models, unmanaged Django models) need the owner's shape.
    const mirrored = new Set(project.shapes.filter((s) => s.source === "sqlalchemy" || (s.source === "django-model" && !s.managed)).map((s) => tableId(normaliseTable(s.table))));
    for (const node of graph.tables()) {
      if (!mirrored.has(node.id) || options.ignoreTables.includes(node.id)) continue;
      const real = ownerShape(graph, node);
      if (!real) continue;
      const mirrors = shapesOf(graph, node).filter((s) =>
        real.owner === "django" ? s.source === "sqlalchemy" : s.source === "django-model" && !s.managed && s.model !== null,
      );
      for (const m of mirrors) compare(real, m);
    }

    function compare(real: OwnerShape, mirror: TableShape): void {
      const table = real.shape.table.name;
      const mirrorName = mirror.source === "sqlalchemy" ? mirrorLabel(mirror.what) : `unmanaged model ${mirror.model}`;
      const ownerRel: Related = { loc: real.shape.loc, message: `${real.owner === "django" ? "Django" : "Alembic"} owns it: ${real.what}` };
      const unresolved: string[] = [];
      const hasPk = real.shape.columns.some((c) => c.primaryKey);
      for (const mc of mirror.columns) {
        const rc = real.shape.columns.find((c) => c.name === mc.name);
        const base = { mirror: mirrorName, table, column: mc.name, real: real.what };
        if (!rc) {
          if (real.shape.unresolved.some((u) => u.columns.includes(mc.name))) {
            const u = real.shape.unresolved.find((x) => x.columns.includes(mc.name))!;
            report("incomplete", { ...base, why: `${u.what} could not be read` }, { at: mc.loc, table: real.shape.table, severity: "info", related: [{ loc: u.loc, message: "not readable statically" }] });
          } else if (!real.shape.complete) {
            const why = real.shape.unresolved.map((u) => u.what).join("; ") || "its definition is partly unreadable";
            report("incomplete", { ...base, why }, { at: mc.loc, table: real.shape.table, severity: "info", related: [ownerRel] });
          } else {
            report("missing", { ...base, hint: missingHint(mc, real.shape) }, { at: mc.loc, table: real.shape.table, related: [ownerRel] });
            continue;
          }
          continue;
        }
        const rel: Related[] = [{ loc: rc.loc, message: `the real column: ${typeText(rc)}${rc.nullable ? ", nullable" : ""}` }, ownerRel];
        for (const d of real.disagreements) {
          if (d.column === mc.name) report("history", { table, column: d.column, detail: d.detail }, { at: (d.model ?? d.history)!.loc, table: real.shape.table, severity: "info", related: d.history && d.model ? [{ loc: d.history.loc, message: "the migration history" }] : [] });
        }
        if (!mc.type || !rc.type) {
          if (mc.typeUnresolved || rc.typeUnresolved) unresolved.push(`\`${mc.name}\` (${mc.typeUnresolved ?? rc.typeUnresolved})`);
        } else if (!sameType(mc, rc)) {
          const key = mc.type.base === "enum" ? "enumType" : rc.type.base === "enum" ? "enumColumn" : "type";
          report(key, { ...base, declared: typeText(mc), actual: typeText(rc) }, {
            at: mc.loc,
            table: real.shape.table,
            severity: "warning",
            related: rel,
            ...fix(mirror, mc, rc),
          });
        }
        if (options.checkNullability && mc.nullable !== null && rc.nullable !== null && mc.nullable !== rc.nullable && !mc.primaryKey) {
          const word = (n: boolean) => (n ? "nullable" : "NOT NULL");
          report("nullability", { ...base, declared: word(mc.nullable), actual: word(rc.nullable) }, { at: mc.loc, table: real.shape.table, severity: "warning", related: rel });
        }
        if (hasPk && mc.primaryKey !== rc.primaryKey) {
          report("primaryKey", { ...base, declared: mc.primaryKey }, { at: mc.loc, table: real.shape.table, severity: "warning", related: rel });
        }
      }
      if (unresolved.length > 0) {
        report("unresolvedTypes", { mirror: mirrorName, table, columns: unresolved.join(", ") }, { at: mirror.loc, table: real.shape.table, severity: "info", related: [ownerRel] });
      }
    }
  },
});

/** Same base type; lengths, precision and scale compared only when the mirror states them. */
function sameType(mirror: ColumnShape, real: ColumnShape): boolean {
  const a = mirror.type!;
  const b = real.type!;
  if (a.base !== b.base) return false;
  if (a.length != null && b.length != null && a.length !== b.length) return false;
  if (a.precision != null && b.precision != null && a.precision !== b.precision) return false;
  if (a.scale != null && b.scale != null && a.scale !== b.scale) return false;
  return true;
}

/** Why the column is not there, when the table says: db_column, a multi-table key, a near name. */
function missingHint(mc: ColumnShape, real: TableShape): string {
  const byAttribute = real.columns.find((c) => c.attribute === mc.name || c.attribute === mc.attribute);
  if (byAttribute && byAttribute.name !== mc.name) return ` The field \`${byAttribute.attribute}\` is stored in column \`${byAttribute.name}\`.`;
  const pk = real.columns.filter((c) => c.primaryKey);
  if (mc.primaryKey && pk.length === 1) return ` The table's primary key is \`${pk[0]!.name}\`.`;
  const guess = nearest(mc.name, real.columns.map((c) => c.name));
  return guess ? ` Did you mean \`${guess}\`?` : ` Its columns: ${real.columns.map((c) => c.name).join(", ")}.`;
}

function mirrorLabel(what: string): string {
  return what.startsWith("class ") ? `\`${what.slice(6)}\`` : what;
}

/** A pasteable declaration with the real type, when the data table knows how to write it. */
function fix(mirror: TableShape, mc: ColumnShape, rc: ColumnShape): { suggestion?: { message: string; snippet: string } } {
  const t = rc.type!;
  if (mirror.foreignKeys.some((f) => f.column === mc.name)) return {}; // a relation: its type follows the target
  const template = (mirror.source === "sqlalchemy" ? SQLALCHEMY_FOR_PG : DJANGO_FOR_PG)[t.base];
  if (!template || (template.includes("{n}") && t.length == null) || (template.includes("{p}") && t.precision == null)) return {};
  let typeCode = template.replace("{n}", String(t.length)).replace("{p}", String(t.precision)).replace("{s}", String(t.scale ?? 0));
  if (mirror.source !== "sqlalchemy" && rc.primaryKey) {
    // A Django key: the auto field of that width, or the field with primary_key=True.
    typeCode = t.base === "integer" ? "models.AutoField()" : t.base === "bigint" ? "models.BigAutoField()" : typeCode;
    typeCode = withKwargs(typeCode, ["primary_key=True"]);
  }
  const snippet =
    mirror.source === "sqlalchemy"
      ? `${mirror.what.startsWith("Table(") ? "" : `${mc.attribute} = `}Column(${mirror.what.startsWith("Table(") || mc.attribute !== mc.name ? `"${mc.name}", ` : ""}${typeCode}${rc.primaryKey ? ", primary_key=True" : rc.nullable ? "" : ", nullable=False"})`
      : `${mc.attribute} = ${withKwargs(typeCode, [...(mc.attribute !== mc.name ? [`db_column="${mc.name}"`] : []), ...(rc.nullable ? ["null=True"] : [])])}`;
  return { suggestion: { message: `declare \`${mc.name}\` as ${where(rc.loc)} has it`, snippet } };
}

function withKwargs(call: string, kwargs: string[]): string {
  if (kwargs.length === 0) return call;
  return call.replace(/\)$/, `${call.endsWith("()") ? "" : ", "}${kwargs.join(", ")})`);
}
