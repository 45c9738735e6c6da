/**
 * Command lines → Invocations: which commands start Django's or Alembic's migrations, in their real
 * spellings (`python manage.py migrate`, `./manage.py migrate --noinput`, `django-admin migrate`,
 * `alembic -c path upgrade heads`, `flask db upgrade`), through wrappers (`poetry run`, `uv run`,
 * `pipenv run`, `exec`, `gosu app`, `docker compose run --rm web`), `sh -c "..."`, and which hand the
 * work to a script of the repository (`./entrypoint.sh`, `make migrate`, `manage.py migrate_locked`).
 */
import type { Span } from "../../python/ast.js";
import type { ShellParser, ShellCommand, ShellWord } from "../../shell/parse.js";
import type { Loc } from "../../types.js";
import type { DeployCommand, Invocation } from "./facts.js";

/** Where a piece of shell text sits in its file: its first character, and the indentation of later lines. */
export interface Origin {
  file: string;
  line: number;
  column: number;
  indent: number;
}

export interface Word {
  text: string;
  loc: Loc;
  /** Where the word's own text starts (after an opening quote): for `sh -c "<script>"`. */
  inner: Origin;
}

/** Parse shell text and keep the commands that matter (migrators, scripts, make, tests, wait). */
export function commandsOfShell(parser: ShellParser, text: string, origin: Origin, depth = 0): DeployCommand[] {
  const script = parser.parse(text);
  const out: DeployCommand[] = [];
  const emit = (c: ShellCommand, background: boolean, conditional: boolean, inlined: boolean) => {
    const first = c.words[0]?.text ?? "";
    const body = script.functions[first];
    if (body && !inlined) {
      for (const b of body) emit(b, background || b.background, conditional || b.conditional, true);
      return;
    }
    const words = c.words.map((w) => toWord(w, origin));
    for (const cmd of commandsOfWords(parser, words, at(origin, c.span), depth)) {
      out.push({ ...cmd, background: cmd.background || background, conditional: cmd.conditional || conditional });
    }
  };
  for (const c of script.commands) emit(c, c.background, c.conditional, false);
  return out;
}

/** An exec-form command (`["sh", "-c", "..."]`, `["alembic", "upgrade", "head"]`) or one parsed shell command. */
export function commandsOfWords(parser: ShellParser, words: Word[], loc: Loc, depth = 0): DeployCommand[] {
  const rest = unwrap(words);
  if (rest.length === 0) return [];
  const name = base(rest[0]!.text);
  if (SHELLS.has(name)) {
    let i = 1;
    // `-c`, or combined flags such as `-ec` / `-xc`: the next word is the script.
    const isC = (w: string) => /^-[a-z]*c[a-z]*$/.test(w) && !w.startsWith("--");
    while (i < rest.length && rest[i]!.text.startsWith("-") && !isC(rest[i]!.text)) i += rest[i]!.text === "-o" ? 2 : 1;
    const c = rest[i];
    if (c && isC(c.text)) {
      const script = rest[i + 1];
      if (!script || depth > 2) return [];
      return commandsOfShell(parser, script.text, script.inner, depth + 1);
    }
    if (c) return [make({ kind: "script", path: c.text }, words, loc)];
    return [];
  }
  const inv = classify(rest.map((w) => w.text));
  return inv ? [make(inv, words, loc)] : [];
}

function make(inv: Invocation, words: Word[], loc: Loc): DeployCommand {
  const text = words.map((w) => (/\s/.test(w.text) ? JSON.stringify(w.text) : w.text)).join(" ");
  return { inv, text: text.length > 80 ? `${text.slice(0, 77)}...` : text, loc, background: false, conditional: false };
}

const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ash"]);
/** Words that run the rest of the line as a command. */
const PREFIX = new Set(["exec", "time", "nice", "nohup", "command", "builtin", "dumb-init", "tini", "xargs", "watchmedo"]);
const RUNNERS = new Set(["poetry", "uv", "pipenv", "pdm", "hatch", "rye"]);
const VALUE_FLAGS = new Set(["-e", "--env", "-u", "--user", "-w", "--workdir", "--name", "-v", "--volume", "--entrypoint", "-a", "--app", "-f", "--file", "-p", "--project-name", "--network", "-n", "--namespace", "-c", "--container", "--env-file", "--with", "--group", "--python", "--env-name"]);

/** Strip wrappers that run the rest of the line: `poetry run`, `exec`, `gosu app`, `docker compose run --rm web`. */
function unwrap(words: Word[]): Word[] {
  let w = words;
  for (let guard = 0; guard < 8 && w.length > 0; guard++) {
    const name = base(w[0]!.text);
    const skipFlags = (from: number): number => {
      let i = from;
      while (i < w.length && w[i]!.text.startsWith("-") && w[i]!.text !== "--") i += VALUE_FLAGS.has(w[i]!.text) ? 2 : 1;
      if (w[i]?.text === "--") i++;
      return i;
    };
    if (PREFIX.has(name)) w = w.slice(skipFlags(1));
    else if (name === "env") {
      let i = skipFlags(1);
      while (i < w.length && /^\w+=/.test(w[i]!.text)) i++;
      w = w.slice(i);
    } else if (name === "sudo") w = w.slice(skipFlags(1));
    else if (name === "gosu" || name === "su-exec") w = w.slice(2);
    else if (RUNNERS.has(name) && w[1]?.text === "run") w = w.slice(skipFlags(2));
    else if (name === "uvx" || name === "pipx") w = w.slice(skipFlags(name === "pipx" && w[1]?.text === "run" ? 2 : 1));
    else if ((name === "docker" && w[1]?.text === "compose") || name === "docker-compose") {
      const sub = name === "docker" ? 2 : 1;
      if (w[sub]?.text !== "run" && w[sub]?.text !== "exec") return [];
      w = w.slice(skipFlags(sub + 1) + 1);
    } else if (name === "docker" && (w[1]?.text === "run" || w[1]?.text === "exec")) w = w.slice(skipFlags(2) + 1);
    else if (name === "kubectl" && w[1]?.text === "exec") {
      const dash = w.findIndex((x) => x.text === "--");
      w = dash >= 0 ? w.slice(dash + 1) : [];
    } else if (name === "heroku" && w[1]?.text === "run") w = w.slice(skipFlags(2));
    else break;
  }
  return w;
}

/** The words of one command, wrappers removed → what it does for migrations, or null. */
export function classify(words: string[]): Invocation | null {
  if (words.length === 0) return null;
  const first = words[0]!;
  const name = base(first);
  if (name === "wait") return { kind: "wait" };
  if (isPython(first)) {
    let i = 1;
    while (i < words.length && words[i]!.startsWith("-") && words[i] !== "-m" && words[i] !== "-c") i += words[i] === "-W" || words[i] === "-X" ? 2 : 1;
    const w = words[i];
    if (w === undefined || w === "-c") return null;
    if (w === "-m") return classifyModule(words[i + 1] ?? "", words.slice(i + 2));
    if (base(w) === "manage.py") return django(words.slice(i + 1));
    if (w.endsWith(".py")) return { kind: "script", path: w };
    return null;
  }
  if (name === "manage.py") return django(words.slice(1));
  if (name === "django-admin" || name === "django-admin.py") return django(words.slice(1));
  if (name === "alembic") return alembic(words.slice(1));
  if (name === "flask") return flask(words.slice(1));
  if (name === "pytest" || name === "py.test" || name === "tox" || name === "nox") return test(words);
  if (name === "make" || name === "gmake" || /^\$[({]MAKE[)}]$/.test(first)) return makeCall(words.slice(1));
  if (name === "source" || name === ".") return words[1] ? { kind: "script", path: words[1] } : null;
  if (/^\$/.test(first)) return null;
  if (first.includes("/") || /\.(?:sh|bash)$/.test(first)) return { kind: "script", path: first };
  return null;
}

function classifyModule(mod: string, args: string[]): Invocation | null {
  if (mod === "django") return django(args);
  if (mod === "alembic") return alembic(args);
  if (mod === "flask") return flask(args);
  if (mod === "pytest" || mod === "tox" || mod === "nox") return test(args);
  return null;
}

function django(args: string[]): Invocation | null {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += /^--(?:settings|pythonpath)$/.test(args[i]!) ? 2 : 1;
  const sub = args[i];
  if (!sub) return null;
  const opts = args.slice(i + 1);
  if (sub === "migrate") return opts.some((o) => o === "--plan" || o === "--check" || o === "--help") ? null : { kind: "migrate", tool: "django" };
  if (sub === "test") return test(args);
  if (/^[a-z_][a-z0-9_]*$/.test(sub)) return { kind: "django-command", name: sub };
  return null;
}

function alembic(args: string[]): Invocation | null {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += /^(?:-c|--config|-n|--name|-x)$/.test(args[i]!) ? 2 : 1;
  if (args[i] !== "upgrade") return null;
  // `--sql` writes the SQL out (offline mode): no database is touched.
  return args.slice(i + 1).includes("--sql") ? null : { kind: "migrate", tool: "alembic" };
}

/** Flask-Migrate: `flask db upgrade` is Alembic's upgrade. */
function flask(args: string[]): Invocation | null {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += /^(?:-A|--app|-e|--env-file)$/.test(args[i]!) ? 2 : 1;
  if (args[i] !== "db" || args[i + 1] !== "upgrade") return null;
  return args.slice(i + 2).includes("--sql") ? null : { kind: "migrate", tool: "alembic" };
}

function test(words: string[]): Invocation {
  return { kind: "test", nomigrations: words.some((w) => w === "--nomigrations" || w === "--no-migrations") };
}

function makeCall(args: string[]): Invocation {
  const targets: string[] = [];
  let dir: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-C" || a === "--directory") dir = args[++i] ?? null;
    else if (a.startsWith("--directory=")) dir = a.slice(12);
    else if (a === "-f" || a === "--file" || a === "-j" || a === "-o" || a === "-W") i++;
    else if (a.startsWith("-") || a.includes("=")) continue;
    else targets.push(a);
  }
  return { kind: "make", targets, dir };
}

function isPython(word: string): boolean {
  return /^(?:python[\d.]*|pypy3?)$/.test(base(word)) || /^\$[({]?PYTHON\w*[)}]?$/i.test(word);
}

function base(word: string): string {
  const i = word.lastIndexOf("/");
  return i >= 0 ? word.slice(i + 1) : word;
}

function toWord(w: ShellWord, origin: Origin): Word {
  const loc = at(origin, w.span);
  const inner = { file: origin.file, line: loc.line, column: loc.column + (w.quoted ? 1 : 0), indent: origin.indent };
  return { text: w.text, loc, inner };
}

/** A span inside shell text → a location in its file. */
export function at(origin: Origin, s: Span): Loc {
  const col = (line: number, c: number) => (line === 1 ? origin.column + c - 1 : origin.indent + c);
  return { file: origin.file, line: origin.line + s.line - 1, column: col(s.line, s.column), endLine: origin.line + s.endLine - 1, endColumn: col(s.endLine, s.endColumn) };
}
