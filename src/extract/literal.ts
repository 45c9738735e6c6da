/** Python literals → JS values (strings, numbers, booleans, null, arrays, plain objects). */
import type { Expr } from "../python/ast.js";

export const NOT_LITERAL: unique symbol = Symbol("not-literal");

/**
 * The value of a literal expression, or `undefined` when any part is not a literal.
 * Dict keys must be strings; tuples and sets become arrays.
 */
export function literal(e: Expr | null | undefined): unknown {
  const v = lit(e);
  return v === NOT_LITERAL ? undefined : v;
}

function lit(e: Expr | null | undefined): unknown {
  if (!e) return NOT_LITERAL;
  switch (e.kind) {
    case "str":
    case "num":
    case "const":
      return e.value;
    case "list":
    case "tuple":
    case "set": {
      const out: unknown[] = [];
      for (const x of e.elts) {
        const v = lit(x);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return out;
    }
    case "dict": {
      const out: Record<string, unknown> = {};
      for (const it of e.items) {
        if (!it.key || it.key.kind !== "str") return NOT_LITERAL;
        const v = lit(it.value);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out[it.key.value] = v;
      }
      return out;
    }
    default:
      return NOT_LITERAL;
  }
}

/** A list/tuple/set of string literals, or a single string, as an array; null otherwise. */
export function stringList(e: Expr | null | undefined): string[] | null {
  const v = literal(e);
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  return null;
}
