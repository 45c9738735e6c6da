/**
 * Dockerfile (through `dockerfile-ast`): the final stage's ENTRYPOINT and CMD (inherited through
 * `FROM <stage>`), its RUN commands (build time), and where COPY puts single files, so that
 * `ENTRYPOINT ["/entrypoint.sh"]` leads to the repository's script.
 */
import path from "node:path";
import type { ShellParser } from "../../shell/parse.js";
import type { Loc } from "../../types.js";
import { commandsOfShell, commandsOfWords } from "./command.js";
import type { Word } from "./command.js";
import type { DeployCommand, DeployFacts } from "./facts.js";

export type DockerfileLib = typeof import("dockerfile-ast");

interface Pos {
  line: number;
  character: number;
}
interface Stage {
  entrypoint: DeployCommand[] | null;
  cmd: DeployCommand[] | null;
  run: DeployCommand[];
  copies: Record<string, string>;
}

export const DOCKERFILE_CONCURRENCY = "a container runs its ENTRYPOINT and CMD one after the other";

export function readDockerfile(lib: DockerfileLib, shell: ShellParser, file: string, text: string): Pick<DeployFacts, "units" | "concurrency" | "docker"> {
  const doc = lib.DockerfileParser.parse(text);
  const starts = lineStarts(text);
  const offset = (p: Pos) => (starts[p.line] ?? text.length) + p.character;
  const loc = (a: Pos, b: Pos): Loc => ({ file, line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 });
  const stages = new Map<string, Stage>();
  let cur: Stage = { entrypoint: null, cmd: null, run: [], copies: {} };
  let first: Loc | null = null;
  for (const ins of doc.getInstructions()) {
    const kw = ins.getKeyword();
    const range = ins.getRange();
    if (kw === "FROM") {
      const from = (ins as unknown as { getImageName(): string | null; getBuildStage(): string | null });
      const parent = stages.get(from.getImageName() ?? "");
      cur = parent ? { ...parent, run: [...parent.run], copies: { ...parent.copies } } : { entrypoint: null, cmd: null, run: [], copies: {} };
      const name = from.getBuildStage();
      if (name) stages.set(name, cur);
      continue;
    }
    if (kw === "COPY" || kw === "ADD") {
      const args = ins.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith("--"));
      if (args.length === 2 && !args[0]!.includes("*")) cur.copies[args[1]!.endsWith("/") ? args[1] + path.posix.basename(args[0]!) : args[1]!] = args[0]!;
      continue;
    }
    if (kw !== "RUN" && kw !== "CMD" && kw !== "ENTRYPOINT") continue;
    first ??= loc(range.start, range.end);
    const json = (ins as unknown as { getJSONStrings?(): Array<{ getRange(): { start: Pos; end: Pos } }> }).getJSONStrings?.() ?? [];
    let commands: DeployCommand[];
    if (json.length > 0) {
      const words: Word[] = json.map((s) => {
        const r = s.getRange();
        const raw = text.slice(offset(r.start), offset(r.end));
        let value = raw.slice(1, -1);
        try {
          value = JSON.parse(raw) as string;
        } catch {
          /* keep the raw text */
        }
        return { text: value, loc: loc(r.start, r.end), inner: { file, line: r.start.line + 1, column: r.start.character + 2, indent: 0 } };
      });
      commands = commandsOfWords(shell, words, loc(range.start, range.end));
    } else {
      const args = ins.getArguments();
      if (args.length === 0) continue;
      const a = args[0]!.getRange().start;
      const b = args[args.length - 1]!.getRange().end;
      // Shell form runs under /bin/sh -c; line continuations become spaces.
      const body = text.slice(offset(a), offset(b)).replace(/\\\r?\n/g, "  ");
      commands = commandsOfShell(shell, body, { file, line: a.line + 1, column: a.character + 1, indent: 0 });
    }
    if (kw === "RUN") cur.run.push(...commands);
    else if (kw === "CMD") cur.cmd = commands;
    else {
      cur.entrypoint = commands;
      cur.cmd = null; // setting ENTRYPOINT resets a CMD inherited from the base image
    }
  }
  const at = first ?? { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
  const units: DeployFacts["units"] = [];
  if (cur.run.length > 0) units.push({ id: "build", name: "the image build (RUN)", loc: at, commands: cur.run, after: [], ownDatabase: false, ci: false });
  units.push({
    id: "container",
    name: `the container (ENTRYPOINT/CMD of ${file})`,
    loc: at,
    commands: [...(cur.entrypoint ?? []), ...(cur.cmd ?? [])],
    after: cur.run.length > 0 ? ["build"] : [],
    ownDatabase: false,
    ci: false,
  });
  return { units, concurrency: DOCKERFILE_CONCURRENCY, docker: { entrypoint: cur.entrypoint, cmd: cur.cmd, copies: cur.copies } };
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}
