/**
 * Makefile recipes, reached through `make <target>`: each recipe line runs in its own shell, in
 * order, after the target's prerequisites. Simple variables (`PYTHON = poetry run python`) are
 * expanded; `$$` is a literal `$`.
 */
import type { ShellParser } from "../../shell/parse.js";
import { commandsOfShell } from "./command.js";
import type { MakeTarget } from "./facts.js";

export function readMakefile(shell: ShellParser, file: string, text: string): Record<string, MakeTarget> {
  const lines = text.split(/\r?\n/);
  const vars = new Map<string, string>();
  const targets: Record<string, MakeTarget> = {};
  let current: MakeTarget[] = [];
  const expand = (s: string, depth = 0): string =>
    depth > 4 ? s : s.replace(/\$[({]([A-Za-z_][\w.-]*)[)}]/g, (m, name: string) => (vars.has(name) ? expand(vars.get(name)!, depth + 1) : name === "MAKE" ? "make" : m));
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    while (line.endsWith("\\") && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i]!.replace(/^\t/, "");
    if (line.startsWith("\t")) {
      const m = /^\t[@+\-\s]*/.exec(line)!;
      const body = expand(line.slice(m[0].length)).replace(/\$\$/g, "$");
      const cmds = commandsOfShell(shell, body, { file, line: start + 1, column: m[0].length + 1, indent: 0 });
      for (const t of current) t.commands.push(...cmds);
      continue;
    }
    if (/^\s*(?:#|$)/.test(line)) continue;
    const v = /^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(?::{1,3}=|\?=|\+=|=)\s*(.*)$/.exec(line);
    if (v) {
      if (!line.includes("+=") || !vars.has(v[1]!)) vars.set(v[1]!, v[2]!.trim());
      else vars.set(v[1]!, `${vars.get(v[1]!)} ${v[2]!.trim()}`);
      continue;
    }
    const r = /^([^:#=\t][^:#=]*?)\s*::?(?!=)\s*([^;#]*)(?:;(.*))?$/.exec(line);
    if (!r) {
      current = [];
      continue;
    }
    current = [];
    for (const name of expand(r[1]!).split(/\s+/).filter(Boolean)) {
      if (name.startsWith(".")) continue;
      const t: MakeTarget = targets[name] ?? { prereqs: [], commands: [], loc: { file, line: start + 1, column: 1, endLine: start + 1, endColumn: name.length + 1 } };
      t.prereqs.push(...expand(r[2]!).split(/\s+/).filter(Boolean));
      targets[name] = t;
      current.push(t);
    }
    if (r[3]) {
      const col = line.indexOf(";") + 2;
      const cmds = commandsOfShell(shell, expand(r[3]).replace(/\$\$/g, "$"), { file, line: start + 1, column: col, indent: 0 });
      for (const t of current) t.commands.push(...cmds);
    }
  }
  return targets;
}
