/**
 * Django migration files: `class Migration(migrations.Migration)` with its dependencies, replaces
 * and operations, flattened into `DjangoOp` records. Pure: reads one file's facts.
 */
import { argument, calleeName, keyword, stringValue } from "../../python/ast.js";
import type { Expr } from "../../python/ast.js";
import type { ClassFact, DjangoMigrationFacts, DjangoOp, FileFacts, M2MFieldFact, MigrationFieldFact } from "../facts.js";
import type { SqlAnalyzer } from "../sql.js";
import { literal } from "../literal.js";

export function isDjangoMigrationClass(c: ClassFact): boolean {
  if (c.name !== "Migration") return false;
  return c.bases.some((b) => {
    const n = b.kind === "attr" ? b.attr : b.kind === "name" ? b.id : "";
    return n === "Migration";
  });
}

export function extractDjangoMigration(facts: FileFacts, sql: SqlAnalyzer): DjangoMigrationFacts | undefined {
  const cls = facts.classes.find(isDjangoMigrationClass);
  if (!cls) return undefined;
  const ops = cls.attrs["operations"]?.value;
  return {
    span: cls.span,
    dependencies: dependencies(cls.attrs["dependencies"]?.value),
    replaces: pairs(cls.attrs["replaces"]?.value),
    initial: literal(cls.attrs["initial"]?.value) === true,
    operations: ops && (ops.kind === "list" || ops.kind === "tuple") ? ops.elts.flatMap((o) => operation(o, sql)) : [],
  };
}

function dependencies(e: Expr | undefined): DjangoMigrationFacts["dependencies"] {
  if (!e || (e.kind !== "list" && e.kind !== "tuple")) return [];
  return e.elts.map((d) => {
    if (d.kind === "call" && calleeName(d) === "swappable_dependency") {
      return { app: null, name: null, swappable: describe(d.args[0]) };
    }
    if (d.kind === "tuple" || d.kind === "list") {
      return { app: stringValue(d.elts[0]), name: stringValue(d.elts[1]), swappable: null };
    }
    return { app: null, name: null, swappable: null };
  });
}

function describe(e: Expr | undefined): string | null {
  if (!e) return null;
  if (e.kind === "str") return e.value;
  if (e.kind === "attr") return e.attr;
  if (e.kind === "name") return e.id;
  return null;
}

function pairs(e: Expr | undefined): Array<{ app: string; name: string }> {
  if (!e || (e.kind !== "list" && e.kind !== "tuple")) return [];
  const out: Array<{ app: string; name: string }> = [];
  for (const p of e.elts) {
    if (p.kind !== "tuple" && p.kind !== "list") continue;
    const app = stringValue(p.elts[0]);
    const name = stringValue(p.elts[1]);
    if (app && name) out.push({ app, name });
  }
  return out;
}

function operation(e: Expr, analyzer: SqlAnalyzer): DjangoOp[] {
  if (e.kind !== "call") return [];
  const name = calleeName(e) ?? "?";
  const span = e.span;
  switch (name) {
    case "CreateModel": {
      const options = literal(argument(e, 2, "options"));
      const fields = argument(e, 1, "fields");
      const m2m: M2MFieldFact[] = [];
      const columns: MigrationFieldFact[] = [];
      if (fields && (fields.kind === "list" || fields.kind === "tuple")) {
        for (const f of fields.elts) {
          if (f.kind !== "tuple" || f.elts.length < 2) continue;
          const fieldName = stringValue(f.elts[0]);
          const fm = fieldName ? m2mField(fieldName, f.elts[1]!) : null;
          if (fm) m2m.push(fm);
          const def = fieldName ? migrationField(fieldName, f.elts[1]!, f.span) : null;
          if (def) columns.push(def);
        }
      }
      const bases = argument(e, 3, "bases");
      return [
        {
          op: "CreateModel",
          name: stringValue(argument(e, 0, "name")) ?? "?",
          options: isRecord(options) ? options : {},
          m2m,
          fields: columns,
          ...(bases && (bases.kind === "tuple" || bases.kind === "list") ? { bases: bases.elts.map((b) => stringValue(b) ?? "?") } : {}),
          span,
        },
      ];
    }
    case "DeleteModel":
      return [{ op: "DeleteModel", name: stringValue(argument(e, 0, "name")) ?? "?", span }];
    case "RenameModel":
      return [
        {
          op: "RenameModel",
          oldName: stringValue(argument(e, 0, "old_name")) ?? "?",
          newName: stringValue(argument(e, 1, "new_name")) ?? "?",
          span,
        },
      ];
    case "AlterModelTable":
      return [{ op: "AlterModelTable", name: stringValue(argument(e, 0, "name")) ?? "?", table: stringValue(argument(e, 1, "table")), span }];
    case "AlterModelOptions": {
      const options = literal(argument(e, 1, "options"));
      return [{ op: "AlterModelOptions", name: stringValue(argument(e, 0, "name")) ?? "?", options: isRecord(options) ? options : {}, span }];
    }
    case "AddField": {
      const field = argument(e, 2, "field");
      const fieldName = stringValue(argument(e, 1, "name"));
      const def = field && fieldName ? migrationField(fieldName, field, span) : null;
      return [
        {
          op: "AddField",
          model: stringValue(argument(e, 0, "model_name")) ?? "?",
          m2m: field && fieldName ? m2mField(fieldName, field) : null,
          ...(def ? { field: def } : {}),
          span,
        },
      ];
    }
    case "RemoveField":
      return [{ op: "RemoveField", model: stringValue(argument(e, 0, "model_name")) ?? "?", field: stringValue(argument(e, 1, "name")) ?? "?", span }];
    case "RenameField":
      return [
        {
          op: "RenameField",
          model: stringValue(argument(e, 0, "model_name")) ?? "?",
          oldName: stringValue(argument(e, 1, "old_name")) ?? "?",
          newName: stringValue(argument(e, 2, "new_name")) ?? "?",
          span,
        },
      ];
    case "AlterField": {
      const field = stringValue(argument(e, 1, "name")) ?? "?";
      const value = argument(e, 2, "field");
      const def = value ? migrationField(field, value, span) : null;
      return [{ op: "AlterField", model: stringValue(argument(e, 0, "model_name")) ?? "?", field, ...(def ? { definition: def } : {}), span }];
    }
    case "RunSQL": {
      const sql = sqlText(argument(e, 0, "sql"));
      if (sql === null) return [{ op: "RunSQL", effects: [], unparsed: true, span }];
      const scan = analyzer.scan(sql);
      const stateOps = keyword(e, "state_operations");
      const ops: DjangoOp[] = [{ op: "RunSQL", effects: scan.effects, unparsed: scan.unparsed, span }];
      if (stateOps && (stateOps.kind === "list" || stateOps.kind === "tuple")) {
        ops.push({ op: "SeparateDatabaseAndState", database: [], state: stateOps.elts.flatMap((o) => operation(o, analyzer)), span });
      }
      return ops;
    }
    case "SeparateDatabaseAndState": {
      const db = argument(e, 0, "database_operations");
      const st = argument(e, 1, "state_operations");
      return [
        {
          op: "SeparateDatabaseAndState",
          database: db && (db.kind === "list" || db.kind === "tuple") ? db.elts.flatMap((o) => operation(o, analyzer)) : [],
          state: st && (st.kind === "list" || st.kind === "tuple") ? st.elts.flatMap((o) => operation(o, analyzer)) : [],
          span,
        },
      ];
    }
    default:
      return [{ op: "Other", name, span }];
  }
}

function migrationField(name: string, field: Expr, span: MigrationFieldFact["span"]): MigrationFieldFact | null {
  return field.kind === "call" ? { name, call: field, span } : null;
}

function m2mField(name: string, field: Expr): M2MFieldFact | null {
  if (field.kind !== "call") return null;
  const callee = calleeName(field);
  if (!callee || !/ManyToManyField$/.test(callee)) return null;
  const through = keyword(field, "through");
  return {
    field: name,
    through: through ? (stringValue(through) ?? describe(through)) : null,
    dbTable: stringValue(keyword(field, "db_table")),
    span: field.span,
  };
}

/** SQL given as a string, a list of strings, or a list of (sql, params) tuples. */
function sqlText(e: Expr | null): string | null {
  if (!e) return null;
  if (e.kind === "str") return e.value;
  if (e.kind === "list" || e.kind === "tuple") {
    const parts: string[] = [];
    for (const x of e.elts) {
      if (x.kind === "str") parts.push(x.value);
      else if ((x.kind === "tuple" || x.kind === "list") && x.elts[0]?.kind === "str") parts.push(x.elts[0].value);
      else return null;
    }
    return parts.join(";\n");
  }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
