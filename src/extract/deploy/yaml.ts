/**
 * The YAML side of the deploy readers: the `yaml` package (loaded lazily by the caller) with a line
 * counter, so every command keeps the line and column it was written at.
 */
import type * as Y from "yaml";
import type { ShellParser } from "../../shell/parse.js";
import type { Diagnostic, Loc } from "../../types.js";
import { fileLoc } from "../../types.js";
import { commandsOfShell, commandsOfWords } from "./command.js";
import type { Origin, Word } from "./command.js";
import type { DeployCommand } from "./facts.js";

export type YamlLib = typeof Y;

export interface YamlCtx {
  lib: YamlLib;
  file: string;
  text: string;
  lc: Y.LineCounter;
  shell: ShellParser;
}

/** Every document of a YAML stream; a syntax error becomes one diagnostic naming the file and line. */
export function parseYaml(lib: YamlLib, file: string, text: string, shell: ShellParser): { ctx: YamlCtx; docs: unknown[]; diagnostics: Diagnostic[] } {
  const lc = new lib.LineCounter();
  const ctx: YamlCtx = { lib, file, text, lc, shell };
  const diagnostics: Diagnostic[] = [];
  const docs: unknown[] = [];
  for (const doc of lib.parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false })) {
    if ("errors" in doc && doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const p = lc.linePos(e.pos[0]);
      diagnostics.push({
        code: "syntax-error",
        severity: "warning",
        message: `not valid YAML, its migration commands were not read: ${e.message.split("\n")[0]}`,
        loc: { file, line: p.line, column: p.col, endLine: p.line, endColumn: p.col },
      });
      continue;
    }
    if ("contents" in doc && doc.contents) docs.push(doc.contents);
  }
  return { ctx, docs, diagnostics };
}

export function isMap(ctx: YamlCtx, n: unknown): n is Y.YAMLMap {
  return ctx.lib.isMap(n);
}

export function isSeq(ctx: YamlCtx, n: unknown): n is Y.YAMLSeq {
  return ctx.lib.isSeq(n);
}

/** `map[key]` as a node, or null. */
export function get(ctx: YamlCtx, n: unknown, ...keys: string[]): unknown {
  let cur: unknown = n;
  for (const k of keys) {
    if (!isMap(ctx, cur)) return null;
    const pair = cur.items.find((p) => ctx.lib.isScalar(p.key) && String(p.key.value) === k);
    cur = pair ? pair.value : null;
  }
  return cur ?? null;
}

/** Key/value pairs of a map (string keys). */
export function entries(ctx: YamlCtx, n: unknown): Array<{ key: string; keyLoc: Loc; value: unknown }> {
  if (!isMap(ctx, n)) return [];
  return n.items
    .filter((p) => ctx.lib.isScalar(p.key))
    .map((p) => ({ key: String((p.key as Y.Scalar).value), keyLoc: locOf(ctx, p.key), value: p.value }));
}

export function items(ctx: YamlCtx, n: unknown): unknown[] {
  return isSeq(ctx, n) ? n.items : [];
}

export function str(ctx: YamlCtx, n: unknown): string | null {
  if (!ctx.lib.isScalar(n)) return null;
  const v = n.value;
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : null;
}

/** A string or a list of strings (`needs: build` / `needs: [build, test]`). */
export function strings(ctx: YamlCtx, n: unknown): string[] {
  const one = str(ctx, n);
  if (one !== null) return [one];
  return items(ctx, n)
    .map((i) => str(ctx, i) ?? str(ctx, get(ctx, i, "job")))
    .filter((s): s is string => s !== null);
}

export function locOf(ctx: YamlCtx, n: unknown): Loc {
  const range = (n as { range?: [number, number, number] } | null)?.range;
  if (!range) return fileLoc(ctx.file);
  const a = ctx.lc.linePos(range[0]);
  const b = ctx.lc.linePos(range[1]);
  return { file: ctx.file, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** Where a scalar's value text starts: after the quote, or on the line after a `|`/`>` indicator. */
function originOf(ctx: YamlCtx, n: Y.Scalar): Origin {
  const start = n.range?.[0] ?? 0;
  const p = ctx.lc.linePos(start);
  const t = n.type;
  if (t === "BLOCK_LITERAL" || t === "BLOCK_FOLDED") {
    const nl = ctx.text.indexOf("\n", start);
    const next = ctx.lc.linePos(nl + 1);
    const indent = /^[ \t]*/.exec(ctx.text.slice(nl + 1))![0].length;
    return { file: ctx.file, line: next.line, column: indent + 1, indent };
  }
  const quoted = t === "QUOTE_DOUBLE" || t === "QUOTE_SINGLE";
  return { file: ctx.file, line: p.line, column: p.col + (quoted ? 1 : 0), indent: p.col - 1 };
}

/**
 * A command as YAML writes it: a string (run by a shell, or split by compose/Kubernetes; read the
 * same way), or a list of words (exec form). Lists of strings that are each a script line (GitLab's
 * `script:`) go through `scriptLines`.
 */
export function commandsOf(ctx: YamlCtx, n: unknown): DeployCommand[] {
  if (ctx.lib.isScalar(n)) {
    const text = str(ctx, n);
    return text === null ? [] : commandsOfShell(ctx.shell, text, originOf(ctx, n));
  }
  if (isSeq(ctx, n)) {
    const words: Word[] = [];
    for (const i of n.items) {
      const text = str(ctx, i);
      if (text === null || !ctx.lib.isScalar(i)) return [];
      words.push({ text, loc: locOf(ctx, i), inner: originOf(ctx, i) });
    }
    if (words.length === 0) return [];
    const first = words[0]!.loc;
    const last = words[words.length - 1]!.loc;
    return commandsOfWords(ctx.shell, words, { ...first, endLine: last.endLine, endColumn: last.endColumn });
  }
  return [];
}

/**
 * Docker's ENTRYPOINT + CMD, Kubernetes' `command` + `args`: two lists of words make one command line
 * (`command: ["alembic"]`, `args: ["upgrade", "head"]`); otherwise each is read on its own.
 */
export function commandsOfPair(ctx: YamlCtx, first: unknown, second: unknown): DeployCommand[] {
  if (isSeq(ctx, first) && isSeq(ctx, second)) {
    const joined = new ctx.lib.YAMLSeq();
    joined.items = [...first.items, ...second.items];
    return commandsOf(ctx, joined);
  }
  return [...commandsOf(ctx, first), ...commandsOf(ctx, second)];
}

/** GitLab `script:` / `before_script:`: a string or a list of shell lines, run in order. */
export function scriptLines(ctx: YamlCtx, n: unknown): DeployCommand[] {
  if (isSeq(ctx, n)) return n.items.flatMap((i) => (ctx.lib.isScalar(i) ? commandsOfShell(ctx.shell, str(ctx, i) ?? "", originOf(ctx, i)) : scriptLines(ctx, i)));
  return commandsOf(ctx, n);
}
