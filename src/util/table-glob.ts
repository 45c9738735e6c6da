/**
 * Table globs used by the ownership settings: `auth_*`, `billing.*`, `legacy_report`. `*` matches any
 * run of characters and `?` one character. A pattern with a dot matches `schema.name`; a pattern
 * without one matches the table name in any schema. Matching is exact otherwise (PostgreSQL names are
 * case-sensitive once quoted, and both ORMs quote).
 */
const GLOB = /^(?:[\w$*?]+\.)?[\w$*?]+$/u;

export function isTableGlob(pattern: string): boolean {
  return GLOB.test(pattern);
}

export class TableGlobs {
  private readonly compiled: Array<{ re: RegExp; qualified: boolean; exact: boolean; index: number }>;

  constructor(patterns: readonly string[]) {
    this.compiled = patterns.map((p, index) => ({
      re: new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "u"),
      qualified: p.includes("."),
      exact: !/[*?]/.test(p),
      index,
    }));
  }

  /**
   * The index of the pattern that decides for this table, or -1: an exact name wins over a glob,
   * otherwise the first pattern written wins.
   */
  match(schema: string | null, name: string): number {
    let best = -1;
    for (const c of this.compiled) {
      const ok = c.qualified ? c.re.test(`${schema ?? "public"}.${name}`) : c.re.test(name);
      if (!ok) continue;
      if (c.exact) return c.index;
      if (best < 0) best = c.index;
    }
    return best;
  }
}
