/**
 * Static values of simple module-level expressions, following names across modules:
 * string constants, lists/tuples of strings, `+` concatenation and `[*A, *B]` unpacking.
 */
import type { Expr } from "../python/ast.js";
import type { ModuleIndex } from "./modules.js";

export interface Strings {
  values: string[];
  /** False when some element could not be read statically. */
  complete: boolean;
}

const DEPTH = 12;

export function stringOf(index: ModuleIndex, file: string, e: Expr | null | undefined, depth = 0): string | null {
  if (!e || depth > DEPTH) return null;
  if (e.kind === "str") return e.value;
  if (e.kind === "name" || e.kind === "attr") {
    const sym = index.resolveExpr(file, e);
    if (sym.kind === "value") return stringOf(index, sym.file, sym.value, depth + 1);
    return null;
  }
  if (e.kind === "fstr" && e.parts) {
    let out = "";
    for (const p of e.parts) {
      if ("text" in p) out += p.text;
      else {
        const v = stringOf(index, file, p.expr, depth + 1);
        if (v === null) return null;
        out += v;
      }
    }
    return out;
  }
  if (e.kind === "binop" && e.op === "+") {
    const l = stringOf(index, file, e.left, depth + 1);
    const r = stringOf(index, file, e.right, depth + 1);
    return l !== null && r !== null ? l + r : null;
  }
  return null;
}

export function stringsOf(index: ModuleIndex, file: string, e: Expr | null | undefined, depth = 0): Strings {
  if (!e || depth > DEPTH) return { values: [], complete: false };
  switch (e.kind) {
    case "str":
      return { values: [e.value], complete: true };
    case "list":
    case "tuple":
    case "set": {
      const out: Strings = { values: [], complete: true };
      for (const x of e.elts) {
        const part = x.kind === "starred" ? stringsOf(index, file, x.value, depth + 1) : single(index, file, x, depth);
        out.values.push(...part.values);
        if (!part.complete) out.complete = false;
      }
      return out;
    }
    case "binop": {
      if (e.op !== "+" && e.op !== "|") return { values: [], complete: false };
      const l = stringsOf(index, file, e.left, depth + 1);
      const r = stringsOf(index, file, e.right, depth + 1);
      return { values: [...l.values, ...r.values], complete: l.complete && r.complete };
    }
    case "name":
    case "attr": {
      const sym = index.resolveExpr(file, e);
      if (sym.kind === "value") return stringsOf(index, sym.file, sym.value, depth + 1);
      return { values: [], complete: false };
    }
    case "call": {
      // list(X), tuple(X), set(X), frozenset(X)
      const f = e.func.kind === "name" ? e.func.id : "";
      if (["list", "tuple", "set", "frozenset", "sorted"].includes(f) && e.args.length === 1) return stringsOf(index, file, e.args[0], depth + 1);
      return { values: [], complete: false };
    }
    default:
      return { values: [], complete: false };
  }
}

function single(index: ModuleIndex, file: string, e: Expr, depth: number): Strings {
  const s = stringOf(index, file, e, depth + 1);
  return s === null ? { values: [], complete: false } : { values: [s], complete: true };
}
